"""The demo's end-to-end STV ballot with a women's quota (issue 14): published through the
real services, and its exported record verifies, all fourteen checks, with the key pinned."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from grassroots.ballots.models import BallotStatus
from grassroots.demo import people as demo_organisation
from grassroots.demo.e2e_ballot import seed_e2e_ballot, seed_e2e_ceremony_ballot
from grassroots.ledger.verify import verify_directory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_demo_e2e_ballot_is_published_and_its_record_verifies(tmp_path: Path):
    demo_organisation.build_organisation(demo_organisation.MINIMUM_MEMBERS)
    ballot = seed_e2e_ballot(votes=30)
    assert ballot.status == BallotStatus.PUBLISHED and ballot.is_end_to_end
    question = ballot.questions.get()
    assert question.constraints == [{"category": "women", "minimum": 2, "maximum": None}]
    assert len(question.result["elected"]) == 3
    assert seed_e2e_ballot() == ballot  # made once
    assert all(
        not t.revealed_share and t.pending_share_sealed is None for t in ballot.tellers.all()
    )
    call_command("export_record", "--election", ballot.election_id, str(tmp_path))
    verified = subprocess.run(
        [
            sys.executable,
            "-m",
            "grassroots.ledger",
            "verify",
            str(tmp_path),
            "--election-key",
            ballot.election_key_hex,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert (
        "check 14: the decryption shares decrypt the last stage to the published papers: passed"
        in verified.stdout
    )


def test_a_thousand_random_byte_changes_across_an_e2e_record_are_all_caught(tmp_path: Path):
    """Each change alone (the file restored between): every one fails a numbered check."""
    demo_organisation.build_organisation(demo_organisation.MINIMUM_MEMBERS)
    ballot = seed_e2e_ballot(votes=4)
    # Beside the test's media directory, where publishing stores the record it serves.
    tmp_path = tmp_path / "record"
    call_command("export_record", "--election", ballot.election_id, str(tmp_path))
    key = bytes(ballot.election_public_key)
    assert all(c.passed for c in verify_directory(tmp_path, election_key=key))
    paths = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    assert any("e2e" in p.parts for p in paths) and len(paths) > 8
    files = {p: p.read_bytes() for p in paths}
    rng = random.Random(14)
    missed = []
    for _ in range(1000):
        path = rng.choices(paths, weights=[len(files[p]) for p in paths])[0]
        original = files[path]
        position = rng.randrange(len(original))
        altered = bytearray(original)
        altered[position] ^= rng.randrange(1, 256)
        path.write_bytes(bytes(altered))
        if all(c.passed for c in verify_directory(tmp_path, election_key=key)):
            missed.append((path.relative_to(tmp_path), position))
        path.write_bytes(original)
    assert not missed, missed[:10]


def test_the_demo_has_an_e2e_ballot_waiting_for_its_tellers_key_ceremony():
    """For a visitor (and tests/browser/test_e2e_acceptance.py) to take through the pages."""
    demo_organisation.build_organisation(demo_organisation.MINIMUM_MEMBERS)
    ballot = seed_e2e_ceremony_ballot()
    assert seed_e2e_ceremony_ballot() == ballot  # made once
    assert ballot.is_end_to_end and ballot.status == BallotStatus.DRAFT
    assert ballot.tellers_public_key is None and ballot.tellers.count() == 3
    assert not ballot.tellers.exclude(transport_key="").exists()
    question = ballot.questions.get()
    assert question.constraints == [{"category": "women", "minimum": 2, "maximum": None}]
    assert sum("women" in c.categories for c in question.candidates.all()) == 3
