"""The alternative vote, checked against hand counts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from grassroots.tally.irv import count_irv, look_back
from grassroots.tally.types import Action, Ballot, Election, TallyError


def election(names: str, *papers: tuple[tuple[int, ...], int]) -> Election:
    return Election(
        candidates=tuple(names),
        seats=1,
        ballots=tuple(Ballot(ranking=r, weight=w) for r, w in papers),
    )


def test_majority_on_first_preferences_wins_at_once():
    result = count_irv(election("ABC", ((0,), 6), ((1,), 3), ((2,), 2)))
    assert result.elected == (0,)
    assert [s.action for s in result.stages] == [Action.FIRST, Action.ELECT]


def test_transfers_decide_and_exhausted_papers_are_shown():
    # A 8, B 7, C 5 (C's papers: 4 to B, 1 with no further preference).
    # Stage 2: C excluded -> A 8, B 11, exhausted 1; B has 11 of 19 continuing votes.
    result = count_irv(election("ABC", ((0,), 8), ((1, 0), 7), ((2, 1), 4), ((2,), 1)))
    assert result.elected == (1,)
    exclusion = result.stages[1]
    assert exclusion.action is Action.EXCLUDE
    assert exclusion.candidates == (2,)
    assert exclusion.totals == (Decimal(8), Decimal(11), Decimal(0))
    assert exclusion.exhausted == 1
    assert result.valid_poll == 20


def test_withdrawn_candidate_is_skipped_on_papers():
    e = Election(
        candidates=("A", "B", "C"),
        seats=1,
        ballots=(Ballot((1, 2), 5), Ballot((0,), 4), Ballot((2,), 2)),
        withdrawn=frozenset({1}),
    )
    assert count_irv(e).elected == (2,)


def test_tie_for_exclusion_settled_by_looking_back():
    # Stage 1: A 9, B 5, C 4, D 1. D is excluded and the paper goes to C -> B 5, C 5,
    # tied for fewest.
    # Look back to stage 1: C had 4 < B's 5, so C is excluded.
    result = count_irv(election("ABCD", ((0,), 9), ((1,), 5), ((2, 1), 4), ((3, 2), 1)))
    assert result.stages[2].candidates == (2,)
    assert "looking back" in result.stages[2].note
    assert result.seed is None


def test_tie_with_no_earlier_difference_drawn_by_lot():
    e = election("ABC", ((0,), 4), ((1, 0), 2), ((2, 0), 2))
    with pytest.raises(TallyError, match="published seed"):
        count_irv(e)
    result = count_irv(e, seed=3)
    assert result.seed == 3
    assert result.elected == (0,)
    assert "lot (seed 3)" in result.stages[1].note


def test_look_back_narrows_step_by_step():
    history = [[5, 5, 3], [6, 7, 4]]
    assert look_back([0, 1, 2], history) == [2]
    assert look_back([0, 1], history) == [0]
    assert look_back([0, 1], [[5, 5, 0]]) == [0, 1]


def test_more_than_one_seat_is_refused():
    with pytest.raises(TallyError, match="one seat"):
        count_irv(Election(candidates=("A", "B"), seats=2, ballots=()))
