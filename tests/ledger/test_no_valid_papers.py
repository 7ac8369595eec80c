"""A question whose papers are all blank is declared void, not a failed count (issue 15): the
other questions are counted, the record says plainly that nobody was elected, and both
verifiers recount the same "no valid papers" outcome."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grassroots import tally
from grassroots.ledger.build import build_record, election_parameters, new_election_keys
from grassroots.ledger.record import CollegeWeight, ElectionRecord, Question, Roll, write_record
from grassroots.ledger.recount import (
    NO_VALID_PAPERS,
    ballot_plaintext,
    count_question,
    parse_plaintext,
)
from grassroots.ledger.verify import verify_record
from grassroots.tally.types import Ballot, Election, NoValidPapers

from . import minimal_verifier

STV = Question(id="ncm", title="NC", rule="scottish", seats=2, candidates=("A", "B", "C"), seed=1)
MEEK = Question(id="meek", title="Board", rule="meek", seats=1, candidates=("P", "Q"), seed=2)
VENUE = Question(id="venue", title="Venue", rule="approval", seats=1, candidates=("X", "Y"))
QUESTIONS = (STV, MEEK, VENUE)


def _record(voters: int = 6) -> ElectionRecord:
    keys = new_election_keys(tellers=3, threshold=2)
    plaintexts = []
    for voter in range(voters):
        plaintexts.append(ballot_plaintext(STV, []))  # every STV paper is blank
        plaintexts.append(ballot_plaintext(MEEK, [voter % 2]))
        plaintexts.append(ballot_plaintext(VENUE, [0] if voter % 3 else [0, 1]))
    return build_record(
        parameters=election_parameters(
            election_id="void-1", title="Spring", questions=QUESTIONS, keys=keys
        ),
        election_private_key=keys.election.private,
        revealed_shares=keys.shares[:2],
        plaintexts=plaintexts,
        roll=Roll(size=10, voted=voters, scopes=()),
        opened_at=datetime(2026, 5, 1, 9, 0, tzinfo=UTC),
    )


def test_the_engine_still_refuses_a_count_with_no_valid_papers() -> None:
    election = Election(candidates=("A", "B", "C"), seats=2, ballots=(Ballot(ranking=()),) * 3)
    with pytest.raises(NoValidPapers, match="no valid papers"):
        tally.count(election, rule="scottish", seed=1)


@pytest.mark.parametrize("rule", ["scottish", "ers97", "meek", "irv", "plurality", "approval"])
def test_a_question_with_only_blank_papers_is_declared_void(rule: str) -> None:
    question = dataclasses.replace(STV, rule=rule, seats=1)
    blank = parse_plaintext(ballot_plaintext(question, []), {question.id: question})
    papers = [blank] * 4
    result = count_question(question, papers, roll_size=10)
    assert result.elected == () and result.stages == () and result.valid_poll == 0
    assert result.notes == (NO_VALID_PAPERS,)
    assert "nobody is elected" in NO_VALID_PAPERS


def test_the_other_questions_are_counted_and_both_verifiers_agree(tmp_path: Path) -> None:
    record = _record()
    void = record.results["ncm"]
    assert void["elected"] == [] and void["stages"] == [] and void["valid_poll"] == "0"
    assert void["notes"] == [NO_VALID_PAPERS]
    assert record.results["meek"]["elected"] and record.results["venue"]["elected"] == [0]
    assert all(c.passed for c in verify_record(record)), [c.line() for c in verify_record(record)]
    write_record(record, tmp_path)
    assert minimal_verifier.verify(tmp_path) == dict.fromkeys(range(1, 10), True)


def test_a_record_that_elects_someone_in_a_void_question_fails_check_8() -> None:
    record = _record()
    forged = dict(record.results["ncm"], elected=[0])
    tampered = dataclasses.replace(record, results={**record.results, "ncm": forged})
    failed = {c.number for c in verify_record(tampered) if not c.passed}
    assert 8 in failed


@settings(max_examples=80, deadline=None)
@given(
    rule=st.sampled_from(["scottish", "ers97", "meek", "irv", "plurality", "approval"]),
    withdrawn=st.sets(st.integers(0, 3), max_size=3),
    rankings=st.lists(
        st.permutations(range(4)).flatmap(lambda p: st.sampled_from([p[:k] for k in range(5)])),
        max_size=8,
    ),
)
def test_a_question_is_void_exactly_when_no_paper_names_a_standing_candidate(
    rule: str, withdrawn: set[int], rankings: list[list[int]]
) -> None:
    question = Question(
        id="q",
        title="Q",
        rule=rule,
        seats=1,
        candidates=("A", "B", "C", "D"),
        withdrawn=tuple(sorted(withdrawn)),
        seed=5,
    )
    papers = [
        parse_plaintext(ballot_plaintext(question, list(r)), {"q": question}) for r in rankings
    ]
    result = count_question(question, papers, roll_size=10)
    # A plurality paper marking more standing candidates than seats is void (docs/tally.md).
    most = 1 if rule == "plurality" else 4
    has_valid_paper = any(0 < len(set(r) - withdrawn) <= most for r in rankings)
    # The verifier written from docs/record-spec.md draws the same line.
    as_published = {"rule": rule, "seats": 1, "withdrawn": sorted(withdrawn), "options": {}}
    assert has_valid_paper == any(minimal_verifier.valid(as_published, r) for r in rankings)
    assert (result.stages == ()) == (not has_valid_paper)
    if not has_valid_paper:
        assert result.elected == () and result.notes == (NO_VALID_PAPERS,)
    else:
        assert len(result.elected) == 1


def test_an_electoral_college_question_with_only_blank_papers_is_void() -> None:
    question = Question(
        id="leader",
        title="Leader",
        rule="irv",
        seats=1,
        candidates=("A", "B"),
        colleges=(CollegeWeight("members", "1/2"), CollegeWeight("unions", "1/2")),
    )
    by_id = {question.id: question}
    papers = [
        parse_plaintext(ballot_plaintext(question, [], college=college), by_id)
        for college in (0, 1, None)
    ]
    result = count_question(question, papers, roll_size=5)
    assert result.stages == () and result.elected == () and result.notes == (NO_VALID_PAPERS,)
