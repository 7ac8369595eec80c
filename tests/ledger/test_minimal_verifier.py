"""The minimal verifier written from docs/record-spec.md alone agrees with the reference
verifier, check by check, on an honest record and on tampered ones (issue 20, item 11)."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import pytest

from grassroots.ledger.heads import SignedTreeHead
from grassroots.ledger.record import (
    ElectionRecord,
    Roll,
    ScopeTurnout,
    head_to_json,
    write_record,
)
from grassroots.ledger.verify import verify_directory

from . import minimal_verifier
from .test_verify import EXPECTED_CHECK, flip, tamper


def both(
    directory: Path, *, key: bytes | None = None, saved: tuple[SignedTreeHead, ...] = ()
) -> tuple[dict[int, bool], dict[int, bool]]:
    reference = {
        r.number: r.passed for r in verify_directory(directory, election_key=key, saved_heads=saved)
    }
    minimal = minimal_verifier.verify(
        directory,
        pinned=None if key is None else key.hex(),
        saved=[head_to_json(h) for h in saved],
    )
    return reference, minimal


def test_both_verifiers_pass_the_honest_record(
    election_record: ElectionRecord, tmp_path: Path
) -> None:
    write_record(election_record, tmp_path)
    reference, minimal = both(tmp_path, key=election_record.parameters.election_public_key)
    assert reference == minimal == dict.fromkeys(range(1, 10), True)


@pytest.mark.parametrize("kind", sorted(EXPECTED_CHECK))
def test_both_verifiers_fail_the_same_checks_on_each_kind_of_tampering(
    election_record: ElectionRecord, tmp_path: Path, kind: str
) -> None:
    rng = random.Random(kind)
    for trial in range(5):
        directory = tmp_path / str(trial)
        write_record(tamper(election_record, kind, rng), directory)
        reference, minimal = both(directory)
        assert not reference[EXPECTED_CHECK[kind]]
        assert reference == minimal, (kind, trial)


def test_both_verifiers_agree_on_removed_heads_saved_heads_and_roll_figures(
    election_record: ElectionRecord, tmp_path: Path
) -> None:
    heads = election_record.heads
    cases = {
        "middle head removed": dataclasses.replace(election_record, heads=heads[:2] + heads[3:]),
        "last head removed": dataclasses.replace(election_record, heads=heads[:-1]),
        "scopes do not add up": dataclasses.replace(
            election_record,
            roll=Roll(400, 80, (ScopeTurnout("Scotland", 120, 30),)),
        ),
        "a voter's paper missing": dataclasses.replace(
            election_record, roll=dataclasses.replace(election_record.roll, voted=81)
        ),
    }
    for name, record in cases.items():
        directory = tmp_path / name.replace(" ", "-").replace("'", "")
        write_record(record, directory)
        reference, minimal = both(directory)
        assert not all(reference.values()), name
        assert reference == minimal, name
    # Saved heads: one the record holds, and one it no longer does.
    write_record(cases["last head removed"], tmp_path / "saved")
    for saved in ((heads[3],), (heads[-1],)):
        reference, minimal = both(tmp_path / "saved", saved=saved)
        assert reference == minimal


def test_both_verifiers_agree_on_random_byte_changes_in_every_file(
    election_record: ElectionRecord, tmp_path: Path
) -> None:
    write_record(election_record, tmp_path)
    files = sorted(tmp_path.iterdir())
    rng = random.Random(20)
    for _ in range(60):
        path = rng.choice(files)
        original = path.read_bytes()
        path.write_bytes(flip(original, rng))
        try:
            reference, minimal = both(tmp_path)
            assert not all(reference.values()), path.name
            assert reference == minimal, path.name
        finally:
            path.write_bytes(original)


def test_a_changed_note_is_prose_only_the_signature_catches_it(
    election_record: ElectionRecord, tmp_path: Path
) -> None:
    # Check 8 compares structure, not prose (docs/record-spec.md, section 6): a note changed
    # and the record re-signed with the election key is not a different count.
    result = dict(election_record.results["ncm"])
    result["notes"] = ["a different explanation"]
    changed = dataclasses.replace(
        election_record, results={**election_record.results, "ncm": result}
    )
    write_record(changed, tmp_path)
    reference, minimal = both(tmp_path)
    assert reference == minimal
    assert [n for n, ok in reference.items() if not ok] == [9]
