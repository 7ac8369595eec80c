"""Meek STV under the New Zealand rules (Local Electoral Regulations 2001, Schedule 1A).

I could not find, through the search tools available, a published Meek count with stage
figures to type in (the NZ regulations contain no worked example, and Hill, Wichmann and
Woodall's Algorithm 123 test data was not reachable). These examples are small enough to be
checked by hand; the working is in the comments, at the Schedule's 9 decimal digits.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from grassroots.tally.meek import count_meek
from grassroots.tally.types import Action, Ballot, CategoryConstraint, Election, TallyError


def election(names: str, seats: int, *papers: tuple[tuple[int, ...], int]) -> Election:
    return Election(
        candidates=tuple(names),
        seats=seats,
        ballots=tuple(Ballot(ranking=r, weight=w) for r, w in papers),
    )


# A 80 (60 with B next, 20 with C next), B 10, C 25, D 15 (then C); 2 seats; v = 130.
HAND = election("ABCD", 2, ((0, 1), 60), ((0, 2), 20), ((1,), 10), ((2,), 25), ((3, 2), 15))


def test_quota_is_truncated_at_nine_digits_plus_one_billionth():
    # cl. 5: 130 / 3 = 43.333333333... -> 43.333333333 + 0.000000001
    result = count_meek(HAND)
    assert result.stages[0].note == "quota 43.333333334"


def test_keep_factor_is_rounded_up_and_surplus_passes_on():
    result = count_meek(HAND)
    assert result.elected == (0, 2)
    assert result.stages[1].action is Action.ELECT
    assert result.stages[1].candidates == (0,)
    exclusion = result.stages[2]
    assert exclusion.action is Action.EXCLUDE
    assert exclusion.candidates == (3,)
    # cl. 17: k(A) = 43.333333334 x 1 / 80 = 0.54166666667... rounded up -> 0.541666667.
    assert exclusion.keep_factors == (
        Decimal("0.541666667"),
        Decimal(1),
        Decimal(1),
        Decimal(0),
    )
    # cl. 10: each of A's 80 papers: A keeps 0.541666667, 0.458333333 passes on.
    # A 80 x 0.541666667 = 43.33333336; B 10 + 60 x 0.458333333 = 37.49999998;
    # C 25 + 20 x 0.458333333 + 15 (D's papers, D excluded) = 49.16666666.
    # The total surplus 0.000000026 is below 0.0001, so D (15) was excluded (cl. 13).
    assert exclusion.totals == (
        Decimal("43.33333336"),
        Decimal("37.49999998"),
        Decimal("49.16666666"),
        Decimal(0),
    )
    assert exclusion.note == "after 1 iteration"
    assert result.stages[3].candidates == (2,)


def test_votes_are_conserved_at_every_stage():
    result = count_meek(HAND)
    for stage in result.stages:
        assert sum(stage.totals) + stage.exhausted + stage.loss_by_rounding == result.valid_poll


def test_exhausted_papers_lower_the_quota():
    # 3 seats... one seat: A 4, B 3, C 2 (C's papers have no further preference).
    # First quota 9/2 -> 4.500000001; no one reaches it; C excluded, 2 exhausted;
    # new quota 7/2 = 3.500000001; A with 4 is elected.
    result = count_meek(election("ABC", 1, ((0,), 4), ((1,), 3), ((2,), 2)))
    assert result.elected == (0,)
    assert result.stages[1].exhausted == 2
    assert result.quota == Decimal("3.500000001")


def test_as_many_hopefuls_as_seats_left_are_all_elected():
    result = count_meek(election("ABC", 2, ((0,), 5), ((1,), 1), ((2,), 1)), seed=1)
    assert result.elected[0] == 0
    assert len(result.elected) == 2


def test_tie_for_exclusion_without_earlier_difference_needs_seed():
    e = election("ABC", 1, ((0,), 4), ((1, 0), 2), ((2, 0), 2))
    with pytest.raises(TallyError, match="published seed"):
        count_meek(e)
    result = count_meek(e, seed=5)
    assert result.elected == (0,)
    assert result.seed == 5


def test_withdrawn_and_repeated_candidates_are_cleaned():
    e = Election(
        candidates=("A", "B", "C"),
        seats=1,
        ballots=(Ballot((1, 0, 0), 3), Ballot((2,), 2), Ballot((0,), 1)),
        withdrawn=frozenset({1}),
    )
    result = count_meek(e)
    assert result.stages[0].totals == (Decimal(4), Decimal(0), Decimal(2))
    assert result.elected == (0,)


def test_bad_candidate_number_is_reported_with_its_line():
    with pytest.raises(TallyError, match="ballot line 2"):
        count_meek(election("AB", 1, ((0,), 1), ((5,), 1)))


def test_minimum_for_a_category_excludes_others_when_seats_run_short():
    # Women: C and D. Without the constraint A and B (men) win; with "at least 1 woman",
    # once A is elected the one seat left must go to a woman, so B is excluded.
    e = Election(
        candidates=("A", "B", "C", "D"),
        seats=2,
        ballots=(Ballot((0,), 40), Ballot((1,), 30), Ballot((2,), 20), Ballot((3, 2), 10)),
        categories={2: frozenset({"women"}), 3: frozenset({"women"})},
    )
    assert set(count_meek(e).elected) == {0, 1}
    constrained = count_meek(e, constraints=(CategoryConstraint("women", minimum=1),))
    assert constrained.elected == (0, 2)
    assert any(s.action is Action.CONSTRAINT for s in constrained.stages)
