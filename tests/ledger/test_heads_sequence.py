"""Issue 20, item 3: a signed head could be removed from the record and the verifier still
passed. Heads are now numbered from 0 with no gap, record.json says how many were issued, and
``verify --head FILE`` fails if the record omits or contradicts a head a member saved."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest

from grassroots.ledger.__main__ import main
from grassroots.ledger.build import (
    ElectionKeys,
    build_record,
    election_parameters,
    new_election_keys,
)
from grassroots.ledger.record import (
    ElectionRecord,
    Roll,
    canonical_json,
    head_to_json,
    write_record,
)
from grassroots.ledger.verify import verify_record

from .conftest import QUESTIONS, random_plaintexts


def failed(record: ElectionRecord) -> dict[int, str]:
    return {r.number: r.reason for r in verify_record(record) if not r.passed}


def make_record_with(keys: ElectionKeys, plaintexts: list[bytes]) -> ElectionRecord:
    voted = len(plaintexts) // len(QUESTIONS)
    return build_record(
        parameters=election_parameters(
            election_id="2026-national", title="Spring ballot", questions=QUESTIONS, keys=keys
        ),
        election_private_key=keys.election.private,
        revealed_shares=keys.shares[:3],
        plaintexts=plaintexts,
        roll=Roll(size=400, voted=voted),
        opened_at=datetime(2026, 5, 1, 9, 0, tzinfo=UTC),
        head_every=20,
    )


def test_a_head_removed_from_the_middle_of_the_record_fails_check_5(
    election_record: ElectionRecord,
) -> None:
    heads = election_record.heads[:3] + election_record.heads[4:]
    failures = failed(dataclasses.replace(election_record, heads=heads))
    assert 5 in failures
    assert "heads.jsonl line 4 is head number 4, not 3" in failures[5]


def test_the_first_head_removed_fails_check_5(election_record: ElectionRecord) -> None:
    failures = failed(dataclasses.replace(election_record, heads=election_record.heads[1:]))
    assert 5 in failures


def test_the_last_head_removed_is_caught_by_the_count_of_heads_issued(
    election_record: ElectionRecord,
) -> None:
    # Without the key a head cannot be renumbered (its signature covers its number); dropping
    # the last head leaves record.json's count, which its own signature covers, too high.
    dropped = dataclasses.replace(election_record, heads=election_record.heads[:-1])
    failures = failed(dropped)
    assert "record.json says 13 heads were issued, heads.jsonl has 12" in failures[5]


def save_head(record: ElectionRecord, number: int, path: Path) -> Path:
    """A head as the ballot's log page offers it for saving: its canonical JSON."""
    path.write_bytes(canonical_json(head_to_json(record.heads[number])) + b"\n")
    return path


def test_a_saved_head_that_the_record_omits_fails_verify_with_head(
    election_record: ElectionRecord, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = save_head(election_record, 12, tmp_path / "head-12.json")
    record_dir = tmp_path / "record"
    write_record(election_record, record_dir)
    key = election_record.parameters.election_public_key.hex()
    assert main(["verify", str(record_dir), "--election-key", key, "--head", str(saved)]) == 0
    lines = (record_dir / "heads.jsonl").read_bytes().splitlines(keepends=True)
    (record_dir / "heads.jsonl").write_bytes(b"".join(lines[:-1]))
    assert main(["verify", str(record_dir), "--election-key", key, "--head", str(saved)]) == 1
    out = capsys.readouterr().out
    assert "saved head 1 (number 12, 240 ballots) is missing from the record" in out


def test_a_second_history_signed_with_the_same_key_contradicts_a_saved_head(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The key holder publishes a second history (other ballots, heads signed with the same
    # key, record re-signed). Every check passes on it, pinned key and all; a member who kept
    # head 3 of the first history sees the contradiction.
    keys = new_election_keys(tellers=5, threshold=3)
    first = make_record_with(keys, random_plaintexts(240, seed=1))
    second = make_record_with(keys, random_plaintexts(240, seed=2))
    key = keys.election.public.hex()
    saved = save_head(first, 3, tmp_path / "head-3.json")
    write_record(second, tmp_path / "second")
    assert main(["verify", str(tmp_path / "second"), "--election-key", key]) == 0
    assert (
        main(["verify", str(tmp_path / "second"), "--election-key", key, "--head", str(saved)]) == 1
    )
    assert "saved head 1 (number 3, 60 ballots) contradicts the record's head number 3" in (
        capsys.readouterr().out
    )


def test_a_saved_head_of_another_election_is_refused(
    election_record: ElectionRecord, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = make_record_with(new_election_keys(tellers=5, threshold=3), random_plaintexts(60, 3))
    saved = save_head(other, 1, tmp_path / "head.json")
    write_record(election_record, tmp_path / "record")
    key = election_record.parameters.election_public_key.hex()
    assert (
        main(["verify", str(tmp_path / "record"), "--election-key", key, "--head", str(saved)]) == 1
    )
    assert "is not signed by the election key" in capsys.readouterr().out


def test_a_saved_head_file_that_is_not_a_head_is_a_command_line_error(
    election_record: ElectionRecord, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_record(election_record, tmp_path / "record")
    junk = tmp_path / "junk.json"
    junk.write_text('{"tree_size": 3}')
    with pytest.raises(SystemExit) as exited:
        main(["verify", str(tmp_path / "record"), "--no-key-pinning", "--head", str(junk)])
    assert exited.value.code == 2
    assert "--head" in capsys.readouterr().err
