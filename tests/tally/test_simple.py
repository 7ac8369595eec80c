"""Plurality, bloc, approval and yes/no counts, checked against hand counts."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from grassroots.tally.simple import count_approval, count_plurality, count_yesno
from grassroots.tally.types import Action, Ballot, Election, TallyError


def election(names: str, seats: int, *papers: tuple[tuple[int, ...], int]) -> Election:
    return Election(
        candidates=tuple(names),
        seats=seats,
        ballots=tuple(Ballot(ranking=r, weight=w) for r, w in papers),
    )


def test_plurality_elects_the_candidate_with_most_votes():
    result = count_plurality(election("ABC", 1, ((0,), 4), ((1,), 6), ((2,), 5)))
    assert result.elected == (1,)
    assert result.stages[0].action is Action.FIRST
    assert result.stages[0].totals == (Decimal(4), Decimal(6), Decimal(5))
    assert result.stages[-1].action is Action.ELECT
    assert result.valid_poll == 15
    assert result.seed is None


def test_plurality_paper_marking_two_candidates_is_void():
    result = count_plurality(election("AB", 1, ((0, 1), 3), ((1,), 1), ((), 2)))
    assert result.elected == (1,)
    assert result.valid_poll == 1
    assert "5 void" in result.notes[0]


def test_plurality_tie_is_drawn_by_seeded_lot_and_recorded():
    e = election("AB", 1, ((0,), 3), ((1,), 3))
    first = count_plurality(e, seed=7)
    again = count_plurality(e, seed=7)
    assert first.elected == again.elected
    assert first.seed == 7
    assert "lot (seed 7)" in first.stages[-1].note


def test_plurality_tie_without_seed_asks_for_the_published_seed():
    with pytest.raises(TallyError, match="published seed"):
        count_plurality(election("AB", 1, ((0,), 3), ((1,), 3)))


def test_bloc_plurality_elects_top_two_and_allows_up_to_two_marks():
    result = count_plurality(
        election("ABCD", 2, ((0, 1), 5), ((2,), 4), ((0, 2), 3), ((0, 1, 3), 9))
    )
    # A 8, B 5, C 7, D 0; the three-mark paper is void.
    assert result.stages[0].totals == tuple(Decimal(v) for v in (8, 5, 7, 0))
    assert result.elected == (0, 2)
    assert result.valid_poll == 12


def test_bloc_tie_that_does_not_cross_the_cut_needs_no_lot():
    result = count_plurality(election("ABC", 2, ((0, 1), 3), ((2,), 1)))
    assert result.elected == (0, 1)
    assert result.seed is None


def test_plurality_first_preferences_option_counts_ranked_ballots():
    result = count_plurality(
        election("ABC", 1, ((2, 0, 1), 3), ((0, 2), 2)), first_preferences=True
    )
    assert result.elected == (2,)


def test_withdrawn_candidate_cannot_win():
    e = Election(
        candidates=("A", "B"),
        seats=1,
        ballots=(Ballot((0,), 5), Ballot((1,), 1)),
        withdrawn=frozenset({0}),
    )
    assert count_plurality(e).elected == (1,)


def test_approval_counts_every_mark():
    result = count_approval(election("ABC", 1, ((0, 1), 4), ((1, 2), 3), ((2,), 2)))
    assert result.stages[0].totals == tuple(Decimal(v) for v in (4, 7, 5))
    assert result.elected == (1,)
    assert result.valid_poll == 9


def test_ballot_naming_unknown_candidate_is_rejected():
    with pytest.raises(TallyError, match="candidate 4"):
        count_approval(election("ABC", 1, ((3,), 1)))


YNA = "YNA"


def test_motion_carried_by_simple_majority_ignoring_abstentions():
    result = count_yesno(election(YNA, 1, ((0,), 10), ((1,), 9), ((2,), 50)))
    assert result.elected == (0,)
    assert "carried" in result.notes


def test_motion_tied_on_majority_is_not_carried():
    result = count_yesno(election(YNA, 1, ((0,), 10), ((1,), 10)))
    assert result.elected == ()
    assert result.notes[-1] == "not carried"


def test_two_thirds_is_at_least_two_thirds():
    assert count_yesno(election("YN", 1, ((0,), 20), ((1,), 10)), threshold="two-thirds").elected
    assert not count_yesno(
        election("YN", 1, ((0,), 19), ((1,), 10)), threshold="two-thirds"
    ).elected


def test_abstentions_count_when_asked():
    e = election(YNA, 1, ((0,), 10), ((1,), 9), ((2,), 2))
    assert count_yesno(e).elected == (0,)
    assert count_yesno(e, abstentions_count=True).elected == ()


def test_fractional_threshold_is_at_least_that_share():
    e = election("YN", 1, ((0,), 3), ((1,), 1))
    assert count_yesno(e, threshold=Fraction(3, 4)).elected == (0,)
    assert count_yesno(e, threshold=Fraction(4, 5)).elected == ()


def test_quorum_as_share_of_roll_counts_abstentions_in_turnout():
    e = election(YNA, 1, ((0,), 20), ((1,), 5), ((2,), 5))
    assert count_yesno(e, quorum=Fraction(1, 4), roll=120).elected == (0,)
    lost = count_yesno(e, quorum=Fraction(1, 4), roll=121)
    assert lost.elected == ()
    assert "does not meet the quorum" in lost.notes[0]


def test_quorum_as_number_of_papers():
    e = election("YN", 1, ((0,), 20), ((1,), 5))
    assert count_yesno(e, quorum=25).elected == (0,)
    assert count_yesno(e, quorum=26).elected == ()


def test_quorum_share_without_roll_is_an_error():
    with pytest.raises(TallyError, match="roll"):
        count_yesno(election("YN", 1, ((0,), 1)), quorum=Fraction(1, 2))


def test_yesno_paper_with_two_marks_is_void():
    result = count_yesno(election("YN", 1, ((0, 1), 4), ((1,), 1)))
    assert result.elected == ()
    assert result.valid_poll == 1


def test_bad_threshold_is_rejected():
    with pytest.raises(TallyError, match="threshold"):
        count_yesno(election("YN", 1), threshold="most")
