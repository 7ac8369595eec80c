"""Ballot papers: one canonical plaintext per answer, and the package stays free of Django."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grassroots.ledger.record import Question
from grassroots.ledger.recount import BallotPaperError, ballot_plaintext, parse_plaintext
from grassroots.tally.types import TallyError

STV = Question(id="ncm", title="NC", rule="scottish", seats=2, candidates=("A", "B", "C"))
APPROVAL = Question(id="v", title="Venue", rule="approval", seats=1, candidates=("X", "Y"))
QUESTIONS = {q.id: q for q in (STV, APPROVAL)}


def test_papers_have_one_canonical_form() -> None:
    assert ballot_plaintext(STV, [2, 0]) == b'{"question":"ncm","ranking":[2,0]}'
    assert ballot_plaintext(APPROVAL, [1, 0]) == b'{"choices":[0,1],"question":"v"}'
    assert parse_plaintext(b'{"question":"ncm","ranking":[2,0]}', QUESTIONS).marks == (2, 0)
    assert parse_plaintext(b'{"question":"ncm","ranking":[]}', QUESTIONS).marks == ()


@pytest.mark.parametrize(
    "plaintext",
    [
        b'{"question": "ncm", "ranking": [2, 0]}',  # not compact
        b'{"ranking":[2,0],"question":"ncm"}',  # keys not sorted
        b'{"question":"ncm","ranking":[2,2]}',  # repeated preference
        b'{"question":"ncm","ranking":[3]}',  # no such candidate
        b'{"question":"ncm","choices":[0]}',  # wrong kind of paper
        b'{"choices":[1,0],"question":"v"}',  # marks not ascending
        b'{"question":"other","ranking":[0]}',
        b'{"question":"ncm","ranking":[true]}',
        b"\xff",
        b"[]",
    ],
)
def test_anything_else_is_not_a_ballot_paper(plaintext: bytes) -> None:
    with pytest.raises(BallotPaperError):
        parse_plaintext(plaintext, QUESTIONS)


def test_the_ledger_and_its_verifier_import_no_django() -> None:
    code = (
        "import sys, grassroots.ledger.__main__, grassroots.ledger.build; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('django', 'allauth')]; "
        "sys.exit(1 if bad else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_published_figures_are_positional_decimals_never_exponents() -> None:
    # Meek's zero keep factors and totals came out as Python's "0E-9", which an outside
    # verifier had to learn from the data (issue 20, item 11).
    import json

    from grassroots.ledger.recount import result_to_json
    from grassroots.tally import count
    from grassroots.tally.types import Ballot, Election

    election = Election(
        candidates=("A", "B", "C", "D"),
        seats=2,
        ballots=(Ballot(ranking=(0, 1)), Ballot(ranking=(0, 2)), Ballot(ranking=(1,))),
    )
    text = json.dumps(result_to_json(count(election, rule="meek", seed=1)))
    assert "E-" not in text and "0.000000000" in text


MEEK = Question(
    id="m",
    title="Council",
    rule="meek",
    seats=2,
    candidates=("A", "B", "C", "D"),
    equal_preferences=True,
)


def test_a_meek_paper_may_mark_candidates_equal() -> None:
    plaintext = ballot_plaintext(MEEK, (), ranks=((2,), (1, 0)))
    assert plaintext == b'{"question":"m","ranking":[2,[0,1]]}'
    paper = parse_plaintext(plaintext, {"m": MEEK})
    assert paper.ranks == ((2,), (0, 1))
    assert paper.marks == (2, 0, 1)
    # A strict ranking stays in the plain form, with no ranks.
    assert parse_plaintext(b'{"question":"m","ranking":[2,0]}', {"m": MEEK}).ranks == ()


def test_equal_preferences_are_refused_where_the_rule_does_not_count_them() -> None:
    with pytest.raises(BallotPaperError, match="counted only by Meek, not by scottish"):
        ballot_plaintext(STV, (), ranks=((0, 1),))
    with pytest.raises(BallotPaperError, match="counted only by Meek"):
        parse_plaintext(b'{"question":"ncm","ranking":[[0,1]]}', QUESTIONS)


def test_a_meek_question_that_does_not_allow_equal_preferences_refuses_them() -> None:
    strict = dataclasses.replace(MEEK, equal_preferences=False)
    with pytest.raises(BallotPaperError, match="did not allow equal preferences"):
        ballot_plaintext(strict, (), ranks=((2,), (0, 1)))
    with pytest.raises(BallotPaperError, match="did not allow equal preferences"):
        parse_plaintext(b'{"question":"m","ranking":[2,[0,1]]}', {"m": strict})
    # Its strict papers are read as before.
    assert parse_plaintext(b'{"question":"m","ranking":[2,0]}', {"m": strict}).marks == (2, 0)


@pytest.mark.parametrize(
    "plaintext",
    [
        b'{"question":"m","ranking":[[1,0]]}',  # a group not ascending
        b'{"question":"m","ranking":[[1]]}',  # a group of one is written as the index
        b'{"question":"m","ranking":[[]]}',  # an empty preference
        b'{"question":"m","ranking":[[0,1],1]}',  # a candidate twice
        b'{"question":"m","ranking":[[0,4]]}',  # no such candidate
        b'{"question":"m","ranking":[[0,[1]]]}',  # nested
        b'{"question":"m","ranking":[[0,true]]}',
    ],
)
def test_a_malformed_equal_preference_is_not_a_ballot_paper(plaintext: bytes) -> None:
    with pytest.raises(BallotPaperError):
        parse_plaintext(plaintext, {"m": MEEK})


equal_papers = st.lists(
    st.permutations(range(4)).flatmap(
        lambda order: st.lists(st.integers(1, 3), min_size=1, max_size=4).map(
            lambda sizes: tuple(
                tuple(order[sum(sizes[:i]) : sum(sizes[: i + 1])])
                for i in range(len(sizes))
                if order[sum(sizes[:i]) : sum(sizes[: i + 1])]
            )
        )
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(equal_papers)
def test_the_recount_of_equal_preferences_is_the_engines_count_of_them(
    papers: list[tuple[tuple[int, ...], ...]],
) -> None:
    from grassroots.ledger.recount import count_question
    from grassroots.tally import count
    from grassroots.tally.blt import read_blt, write_blt
    from grassroots.tally.types import Ballot, Election, EqualBallot

    parsed = [parse_plaintext(ballot_plaintext(MEEK, (), ranks=p), {"m": MEEK}) for p in papers]
    assert [p.ranks or tuple((c,) for c in p.marks) for p in parsed] == [
        tuple(tuple(sorted(rank)) for rank in p) for p in papers
    ]
    election = Election(
        candidates=MEEK.candidates,
        seats=MEEK.seats,
        ballots=tuple(Ballot(ranking=p.marks) for p in parsed if not p.ranks),
        equal_ballots=tuple(EqualBallot(ranks=p.ranks) for p in parsed if p.ranks),
    )
    try:
        expected = count(election, rule="meek", seed=5)
    except TallyError as error:
        with pytest.raises(TallyError, match=str(error)[:30]):
            count_question(replace(MEEK, seed=5), parsed, roll_size=0)
        return
    recounted = count_question(replace(MEEK, seed=5), parsed, roll_size=0)
    assert recounted == expected
    # The published BLT (write_blt, as the results page offers it) counts the same.
    assert count(read_blt(write_blt(election)), rule="meek", seed=5) == expected
