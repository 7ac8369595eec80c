"""Issue 14: ``verify --head FILE`` holds an end-to-end record to the heads a member saved from
the ballot's log page, as it does a server-mode record (tests/ledger/test_heads_sequence.py):
the published record, as downloaded, passes with the saved head; a record that leaves the head
out, or a head the election key signed for another history, fails check 5."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from grassroots.ballots.models import BallotStatus
from grassroots.ballots.publication import election_private_key
from grassroots.demo import people as demo_organisation
from grassroots.demo.e2e_ballot import seed_e2e_ballot
from grassroots.ledger.heads import sign_head
from grassroots.ledger.record import canonical_json, head_to_json, read_saved_heads

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def verify(record: Path, key: str, *heads: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "grassroots.ledger", "verify", str(record)]
    command += ["--election-key", key]
    for head in heads:
        command += ["--head", str(head)]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def test_an_e2e_record_is_held_to_a_head_a_member_saved(client: Client, tmp_path: Path):
    demo_organisation.build_organisation(demo_organisation.MINIMUM_MEMBERS)
    ballot = seed_e2e_ballot(votes=6)
    assert ballot.status == BallotStatus.PUBLISHED and ballot.is_end_to_end
    key = ballot.election_key_hex
    # What a member keeps from the log page: the latest head, which covers every cast ballot.
    log = client.get(reverse("ballot_log", args=[ballot.pk])).content.decode()
    last = max(int(n) for n in re.findall(r"head-(\d+)\.json", log))
    response = client.get(reverse("ballot_head_file", args=[ballot.pk, last]))
    saved = tmp_path / f"head-{last}.json"
    saved.write_bytes(response.content)
    (head,) = read_saved_heads(saved)
    assert head.head.tree_size == 6
    record = tmp_path / "record.zip"
    record.write_bytes(b"".join(client.get(reverse("ballot_record", args=[ballot.pk]))))

    passed = verify(record, key, saved)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "check 5: " in passed.stdout and "check 14: " in passed.stdout
    assert "failed" not in passed.stdout

    # The record with the saved head left out (the last one issued, so the rest of the
    # sequence is unbroken).
    unzipped = tmp_path / "omitted"
    with zipfile.ZipFile(record) as archive:
        archive.extractall(unzipped)
    heads_file = next(unzipped.rglob("heads.jsonl"))
    lines = heads_file.read_bytes().splitlines(keepends=True)
    assert len(lines) == last + 1
    heads_file.write_bytes(b"".join(lines[:-1]))
    omitted = verify(heads_file.parent, key, saved)
    assert omitted.returncode == 1, omitted.stdout
    assert (
        f"check 5: the heads are one unbroken sequence, each consistent with the ballots and "
        f"saved heads: failed: saved head 1 (number {last}, 6 ballots) is missing from the "
        "record"
    ) in omitted.stdout
    # The end-to-end checks still ran, and passed.
    assert (
        "check 14: the decryption shares decrypt the last stage to the published papers: passed"
        in omitted.stdout
    )

    # A head signed by the same election key for another history (a different root at the
    # same number), given to a member while the poll was open, contradicts the record.
    forged = sign_head(
        dataclasses.replace(head.head, root_hash=bytes(32)), election_private_key(ballot)
    )
    other = tmp_path / "other-head.json"
    other.write_bytes(canonical_json(head_to_json(forged)) + b"\n")
    contradicted = verify(record, key, other)
    assert contradicted.returncode == 1
    assert (
        f"saved head 1 (number {last}, 6 ballots) contradicts the record's head number {last}"
        in contradicted.stdout
    )
    assert [line for line in contradicted.stdout.splitlines() if "failed" in line] == [
        line for line in contradicted.stdout.splitlines() if line.startswith("check 5: ")
    ]
