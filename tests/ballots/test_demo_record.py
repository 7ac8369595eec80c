"""The demo's ballots, the exported record, and the verifier catching any altered byte."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from grassroots.ballots.models import Ballot, BallotStatus
from grassroots.demo import people as demo_organisation
from grassroots.demo.ballots import FINISHED_TITLE, OPEN_TITLE, seed_finished_ballot
from grassroots.demo.seed import seed_demo
from grassroots.ledger.verify import verify_directory
from tests.demo_database import restore_demo
from tests.ledger import minimal_verifier

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

RECORD_FILES = ("record.json", "ballots.jsonl", "heads.jsonl", "plaintexts.jsonl")


def _verify_cli(directory: Path, key: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "grassroots.ledger",
            "verify",
            str(directory),
            "--election-key",
            key,
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_seed_demo_makes_a_published_stv_ballot_and_an_open_one_once(tmp_path: Path):
    restore_demo()  # what seed_demo makes (tests/demo_database.py)
    finished = Ballot.objects.get(title=FINISHED_TITLE)
    assert finished.status == BallotStatus.PUBLISHED
    assert finished.voted_count == 300 and finished.heads.count() > 10
    question = finished.questions.get()
    assert question.kind == "stv" and question.constraints[0]["minimum"] == 2
    women = {c.position - 1 for c in question.candidates.all() if "women" in c.categories}
    assert len(women & set(question.result["elected"])) >= 2
    assert Ballot.objects.get(title=OPEN_TITLE).is_open
    seeded = sorted(Ballot.objects.values_list("title", flat=True))
    seed_demo(members=demo_organisation.MINIMUM_MEMBERS)
    # The two above, the end-to-end ones (tests/ballots/test_e2e_demo.py) and the slate's
    # selection ballot (tests/slates/test_demo_slate.py): each made once.
    assert sorted(Ballot.objects.values_list("title", flat=True)) == seeded
    assert len(seeded) == len(set(seeded))
    assert Ballot.objects.filter(is_end_to_end=True, status=BallotStatus.PUBLISHED).count() == 1

    call_command("export_record", "--latest-published", str(tmp_path))
    key = finished.election_key_hex
    passed = _verify_cli(tmp_path, key)
    assert passed.returncode == 0, passed.stdout
    assert "all 9 checks passed" in passed.stdout
    # The verifier written from docs/record-spec.md alone agrees on the demo record.
    assert minimal_verifier.verify(tmp_path, pinned=key) == dict.fromkeys(range(1, 10), True)
    ballots = tmp_path / "ballots.jsonl"
    data = bytearray(ballots.read_bytes())
    data[30] ^= 0x01
    ballots.write_bytes(bytes(data))
    failed = _verify_cli(tmp_path, key)
    assert failed.returncode == 1
    assert minimal_verifier.verify(tmp_path, pinned=key)[2] is False
    assert "check 2: every tracker is the hash of the election id and its ciphertext: failed" in (
        failed.stdout
    )


def test_a_thousand_random_byte_changes_in_an_exported_record_are_all_caught(tmp_path: Path):
    """Each change is made alone (the file is restored in between) and must fail a check.

    The record is a demo election with 40 votes, so that the thousand full verifications fit in
    well under half a minute; the 300-vote demo record is checked by the CLI above.
    """
    demo_organisation.build_organisation(demo_organisation.MINIMUM_MEMBERS)
    seed_finished_ballot(votes=40)
    call_command("export_record", "--latest-published", str(tmp_path))
    assert all(c.passed for c in verify_directory(tmp_path))
    files = {name: (tmp_path / name).read_bytes() for name in RECORD_FILES}
    sizes = [len(files[name]) for name in RECORD_FILES]
    rng = random.Random(4)
    missed = []
    for _ in range(1000):
        name = rng.choices(RECORD_FILES, weights=sizes)[0]
        original = files[name]
        position = rng.randrange(len(original))
        altered = bytearray(original)
        altered[position] ^= rng.randrange(1, 256)
        (tmp_path / name).write_bytes(bytes(altered))
        if all(c.passed for c in verify_directory(tmp_path)):
            missed.append((name, position, original[position], altered[position]))
        (tmp_path / name).write_bytes(original)
    assert not missed, missed[:10]
