"""The record says whether a Meek question allowed equal preferences (issue 15), and the
verifier fails a record holding an equal-ranked paper in a question that did not allow them
(check 8); a record written before the field existed reads as "not allowed"."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from grassroots.ledger import build
from grassroots.ledger.record import ElectionRecord, Question, Roll, write_record
from grassroots.ledger.recount import BallotPaper, ballot_plaintext, parse_plaintext
from grassroots.ledger.verify import verify_directory, verify_record

from . import minimal_verifier

MEEK = Question(
    id="m",
    title="Council",
    rule="meek",
    seats=2,
    candidates=("A", "B", "C", "D"),
    seed=3,
    equal_preferences=True,
)
PAPERS = [((2,), (0, 1)), ((0,), (3,)), ((1, 2, 3),), ((3,), (2,)), ((0, 2), (1,))]


def _record(question: Question) -> ElectionRecord:
    keys = build.new_election_keys(tellers=3, threshold=2)
    allowing = dataclasses.replace(question, equal_preferences=True)
    return build.build_record(
        parameters=build.election_parameters(
            election_id="eq-1", title="Council", questions=(question,), keys=keys
        ),
        election_private_key=keys.election.private,
        revealed_shares=keys.shares[:2],
        plaintexts=[ballot_plaintext(allowing, (), ranks=ranks) for ranks in PAPERS],
        roll=Roll(size=9, voted=len(PAPERS), scopes=()),
        opened_at=datetime(2026, 5, 1, 9, 0, tzinfo=UTC),
    )


def test_a_question_allowing_equal_preferences_says_so_and_verifies(tmp_path: Path) -> None:
    record = _record(MEEK)
    write_record(record, tmp_path)
    (question,) = json.loads((tmp_path / "record.json").read_text())["parameters"]["questions"]
    assert question["equal_preferences"] is True
    checks = verify_directory(tmp_path)
    assert all(c.passed for c in checks), [c.line() for c in checks if not c.passed]
    # The verifier written from docs/record-spec.md alone agrees.
    assert minimal_verifier.verify(tmp_path) == dict.fromkeys(range(1, 10), True)


def test_an_equal_ranked_paper_where_they_were_not_allowed_fails_check_8(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The server as it was before the record carried the setting: it sealed, counted and
    # signed equal papers in a Meek question whose returning officer never allowed them.
    def lenient(plaintext: bytes, questions: dict[str, Question]) -> BallotPaper:
        allowing = {k: dataclasses.replace(q, equal_preferences=True) for k, q in questions.items()}
        return parse_plaintext(plaintext, allowing)

    monkeypatch.setattr(build, "parse_plaintext", lenient)
    record = _record(dataclasses.replace(MEEK, equal_preferences=False))
    monkeypatch.undo()
    failed = [c for c in verify_record(record) if not c.passed]
    # Check 9 needs check 8's papers, so it is reported failed with it.
    assert [c.number for c in failed] == [8, 9]
    assert "did not allow equal preferences" in failed[0].line()
    write_record(record, tmp_path)
    minimal = minimal_verifier.verify(tmp_path)
    assert {n for n, passed in minimal.items() if not passed} == {8, 9}


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ('"equal_preferences": true', '"equal_preferences": false'),
        ('"rule": "meek"', '"rule": "scottish"'),
    ],
)
def test_the_setting_is_written_only_as_true_and_only_for_meek(
    tmp_path: Path, change: str, why: str
) -> None:
    write_record(_record(MEEK), tmp_path)
    path = tmp_path / "record.json"
    path.write_text(path.read_text().replace(change, why))
    (first, *_) = verify_directory(tmp_path)
    assert first.number == 1 and not first.passed
    assert "equal_preferences is true for a meek question only" in first.line()
    assert not minimal_verifier.verify(tmp_path)[1]


def test_a_record_without_the_field_reads_as_not_allowed(tmp_path: Path) -> None:
    strict = dataclasses.replace(MEEK, equal_preferences=False)
    keys = build.new_election_keys(tellers=3, threshold=2)
    record = build.build_record(
        parameters=build.election_parameters(
            election_id="eq-2", title="Council", questions=(strict,), keys=keys
        ),
        election_private_key=keys.election.private,
        revealed_shares=keys.shares[:2],
        plaintexts=[ballot_plaintext(strict, [2, 0, 1])],
        roll=Roll(size=9, voted=1, scopes=()),
        opened_at=datetime(2026, 5, 1, 9, 0, tzinfo=UTC),
    )
    write_record(record, tmp_path)
    assert "equal_preferences" not in (tmp_path / "record.json").read_text()
    checks = verify_directory(tmp_path)
    assert all(c.passed for c in checks), [c.line() for c in checks if not c.passed]
