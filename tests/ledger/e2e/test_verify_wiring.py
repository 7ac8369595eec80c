"""ledger.verify runs the e2e checks 10-14 when a record has an e2e/ folder, and only then."""

from __future__ import annotations

from pathlib import Path

from grassroots.ledger.e2e.files import E2EElection, election_to_json, write_json
from grassroots.ledger.e2e.group import base_mul
from grassroots.ledger.record import ElectionRecord, write_record
from grassroots.ledger.verify import verify_directory


def test_a_record_without_an_e2e_folder_has_no_e2e_checks(
    election_record: ElectionRecord, tmp_path: Path
) -> None:
    write_record(election_record, tmp_path)
    assert max(r.number for r in verify_directory(tmp_path)) == 9


def test_an_e2e_folder_for_another_election_fails_check_10(
    election_record: ElectionRecord, tmp_path: Path
) -> None:
    write_record(election_record, tmp_path)
    (tmp_path / "e2e" / "tellers").mkdir(parents=True)
    write_json(
        tmp_path / "e2e" / "election.json",
        election_to_json(E2EElection("another-election", 1, 1, base_mul(5), ())),
    )
    results = {r.number: r for r in verify_directory(tmp_path)}
    assert set(results) == set(range(1, 15))
    assert not results[10].passed and "no tellers' deal" in results[10].reason
    assert all(not results[n].passed for n in range(11, 15))
