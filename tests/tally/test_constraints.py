from __future__ import annotations

import pytest

from grassroots.tally.constraints import (
    check_feasible,
    election_blocked,
    excludable_together,
    forced_exclusions,
    protected,
)
from grassroots.tally.ers97 import count_ers97
from grassroots.tally.meek import count_meek
from grassroots.tally.scottish import count_scottish
from grassroots.tally.types import Action, Ballot, CategoryConstraint, Election, TallyError

WOMEN = {0: frozenset({"women"}), 1: frozenset({"women"}), 2: frozenset({"women"})}
AT_LEAST_TWO_WOMEN = [CategoryConstraint("women", minimum=2)]


@pytest.mark.parametrize(
    ("constraint", "message"),
    [
        (CategoryConstraint("women", minimum=4), "only 3 standing candidates"),
        (CategoryConstraint("women", minimum=2, maximum=1), "minimum is above the maximum"),
        (CategoryConstraint("women", minimum=5), "only 4 seats"),
        (CategoryConstraint("women", maximum=0), "outside the category"),
    ],
)
def test_impossible_constraints_are_refused_up_front(
    constraint: CategoryConstraint, message: str
) -> None:
    with pytest.raises(TallyError, match=message):
        check_feasible(range(6), 4, WOMEN, [constraint])


def test_disjoint_minimums_that_need_more_than_the_seats_are_refused() -> None:
    categories = {**WOMEN, 3: frozenset({"north"}), 4: frozenset({"north"})}
    constraints = [CategoryConstraint("women", minimum=2), CategoryConstraint("north", minimum=2)]
    with pytest.raises(TallyError, match="need 4 seats"):
        check_feasible(range(7), 3, categories, constraints)
    check_feasible(range(7), 4, categories, constraints)


def test_when_the_seats_left_are_needed_for_a_minimum_others_are_excluded() -> None:
    excluded, note = forced_exclusions([1, 2, 4, 5], [6, 0], 4, WOMEN, AT_LEAST_TWO_WOMEN)
    assert excluded == frozenset()  # one woman elected, one more needed, two seats left
    excluded, note = forced_exclusions([1, 2, 4, 5], [6, 3, 0], 4, WOMEN, AT_LEAST_TWO_WOMEN)
    assert excluded == frozenset({4, 5})
    assert "women: at least 2" in note


def test_a_category_at_its_maximum_has_its_other_candidates_excluded() -> None:
    at_most_one = [CategoryConstraint("women", maximum=1)]
    excluded, note = forced_exclusions([1, 2, 4], [0], 3, WOMEN, at_most_one)
    assert excluded == frozenset({1, 2})
    assert "maximum" in note


def test_election_breaking_a_maximum_or_starving_a_minimum_is_blocked() -> None:
    assert election_blocked(1, [0], 3, WOMEN, [CategoryConstraint("women", maximum=1)])
    assert election_blocked(4, [5], 3, WOMEN, AT_LEAST_TWO_WOMEN)
    assert election_blocked(4, [], 3, WOMEN, AT_LEAST_TWO_WOMEN) == ""


def test_the_last_candidates_a_minimum_needs_are_protected_from_exclusion() -> None:
    assert protected([1, 4, 5], [0], 3, WOMEN, AT_LEAST_TWO_WOMEN) == frozenset({1})
    assert protected([1, 2, 4], [0], 3, WOMEN, AT_LEAST_TWO_WOMEN) == frozenset()


def _men_lead_election() -> Election:
    # Candidates 0-2 are women; men 3-5 have the most first preferences.
    ballots = (
        Ballot((3, 4), 30),
        Ballot((4, 5), 28),
        Ballot((5, 3), 26),
        Ballot((0, 1), 12),
        Ballot((1, 2), 10),
        Ballot((2, 0), 9),
    )
    return Election(
        candidates=("Wa", "Wb", "Wc", "Ma", "Mb", "Mc"),
        seats=3,
        ballots=ballots,
        categories={c: frozenset({"women"}) for c in (0, 1, 2)},
    )


def test_scottish_count_meets_a_minimum_and_says_where_it_changed_the_outcome() -> None:
    election = _men_lead_election()
    unconstrained = count_scottish(election)
    assert sorted(unconstrained.elected) == [3, 4, 5]
    result = count_scottish(election, constraints=[CategoryConstraint("women", minimum=2)])
    assert len(result.elected) == 3
    assert sum(1 for c in result.elected if c in (0, 1, 2)) >= 2
    forced = [s for s in result.stages if s.action is Action.CONSTRAINT]
    assert forced and "women: at least 2" in forced[0].note


def test_scottish_count_excludes_a_quota_winner_who_would_break_a_maximum() -> None:
    ballots = (Ballot((0,), 40), Ballot((1,), 40), Ballot((2,), 15), Ballot((3,), 5))
    election = Election(
        candidates=("N1", "N2", "S1", "S2"),
        seats=2,
        ballots=ballots,
        categories={0: frozenset({"north"}), 1: frozenset({"north"})},
    )
    # N1 and N2 reach the quota together with equal votes, equal at every stage, and only one
    # may be elected: the order of election, so the seat, is drawn by lot, which needs the seed.
    with pytest.raises(TallyError, match="N1, N2 must be broken by lot: give the published seed"):
        count_scottish(election, constraints=[CategoryConstraint("north", maximum=1)])
    result = count_scottish(election, constraints=[CategoryConstraint("north", maximum=1)], seed=4)
    assert result.seed == 4
    assert len([c for c in result.elected if c in (0, 1)]) == 1
    assert len(result.elected) == 2
    forced = [s for s in result.stages if s.action is Action.CONSTRAINT]
    assert forced and "north: at most 1" in forced[0].note


def test_scottish_count_refuses_an_infeasible_constraint() -> None:
    with pytest.raises(TallyError, match="women: at least 4"):
        count_scottish(_men_lead_election(), constraints=[CategoryConstraint("women", minimum=4)])


def test_the_last_candidates_outside_a_category_at_its_limit_are_protected() -> None:
    # At most 1 woman (0, 1, 2 are women); 2 seats left, nobody elected: one seat must go to
    # a man, and 3 is the only man left, so he may not be excluded as the lowest.
    at_most_one = [CategoryConstraint("women", maximum=1)]
    assert protected({0, 1, 3}, [], 2, WOMEN, at_most_one) == {3}
    assert protected({0, 1, 3, 4}, [], 2, WOMEN, at_most_one) == frozenset()
    assert protected({0, 1, 3}, [], 1, WOMEN, at_most_one) == frozenset()


def test_bulk_exclusion_stops_before_a_constraint_becomes_impossible() -> None:
    # At least 1 woman: 0 and 1 are the only women left, so a bulk exclusion lowest first
    # (1, 0, 3) may take 1 but not 0 as well, though neither is protected on its own.
    at_least_one = [CategoryConstraint("women", minimum=1)]
    assert protected({0, 1, 3, 4}, [], 2, WOMEN, at_least_one) == frozenset()
    assert excludable_together([1, 0, 3], {0, 1, 3, 4}, [], 2, WOMEN, at_least_one) == 1
    assert excludable_together([3, 4], {0, 1, 3, 4, 5}, [], 2, WOMEN, at_least_one) == 2
    at_most_one = [CategoryConstraint("women", maximum=1)]
    # One of the two seats must go to a man: 3 and 0 may go together, not 4 as well.
    assert excludable_together([3, 0, 4], {0, 1, 3, 4}, [], 2, WOMEN, at_most_one) == 2


# Found by hypothesis (test_properties_rules): ERS97 excluded C1 (0 votes) and C0 (2) together
# under its bulk exclusion rule (5.2.5), the only two women, so "at least 1 woman" could no
# longer be met; the count then excluded C3 and C4 as quota winners the minimum blocked, and
# ended with one of the two seats filled.
BOTH_WOMEN_LOWEST = Election(
    candidates=("C0", "C1", "C2", "C3", "C4"),
    seats=2,
    ballots=(Ballot((0,), 2), Ballot((2,), 5), Ballot((3,), 5), Ballot((4,), 4)),
    categories={0: frozenset({"women"}), 1: frozenset({"women"})},
)


@pytest.mark.parametrize("count", [count_ers97, count_meek, count_scottish])
def test_a_bulk_exclusion_never_takes_the_women_a_minimum_needs(count) -> None:
    result = count(BOTH_WOMEN_LOWEST, constraints=[CategoryConstraint("women", minimum=1)], seed=1)
    assert len(result.elected) == 2
    assert 0 in result.elected


def test_ers97_says_when_a_constraint_limited_a_bulk_exclusion() -> None:
    # C2 and C3 (5 votes each, level throughout) are elected together; their order of
    # election is drawn by lot, so the count needs the published seed.
    result = count_ers97(
        BOTH_WOMEN_LOWEST, constraints=[CategoryConstraint("women", minimum=1)], seed=1
    )
    assert result.stages[1].candidates == (1,)
    assert "bulk exclusion limited to 1 of 2 candidates" in result.stages[1].note


# Found by hypothesis: Scottish STV elected C0 on the one vote, then excluded C1 (a man, all
# level on no votes) by lot, and r.52 elected the two women left, breaking "at most 1".
ONE_VOTE = Election(
    candidates=("C0", "C1", "C2", "C3"),
    seats=3,
    ballots=(Ballot((0,), 1),),
    categories={2: frozenset({"women"}), 3: frozenset({"women"})},
)


@pytest.mark.parametrize("count", [count_ers97, count_meek, count_scottish])
def test_the_men_a_maximum_needs_are_not_excluded_by_lot(count) -> None:
    for seed in range(6):
        result = count(ONE_VOTE, constraints=[CategoryConstraint("women", maximum=1)], seed=seed)
        assert set(result.elected) in ({0, 1, 2}, {0, 1, 3})


# Overlapping categories: C is both a woman and from the north. With C gone, one seat for each
# of A (a woman) and B (north) is the only way to meet both minimums, so D may not be elected,
# though each minimum on its own would still allow it (the rules before the exact check
# elected D and A, breaking "north: at least 1").
OVERLAP = Election(
    candidates=("A", "B", "C", "D"),
    seats=2,
    ballots=(Ballot((3,), 30), Ballot((0,), 25), Ballot((1,), 25), Ballot((2, 3), 10)),
    categories={0: frozenset({"women"}), 1: frozenset({"north"}), 2: frozenset({"women", "north"})},
)
WOMAN_AND_NORTH = [CategoryConstraint("women", minimum=1), CategoryConstraint("north", minimum=1)]


@pytest.mark.parametrize("count", [count_ers97, count_meek, count_scottish])
def test_overlapping_minimums_are_met_together(count) -> None:
    result = count(OVERLAP, constraints=WOMAN_AND_NORTH, seed=1)
    elected = set(result.elected)
    assert elected & {0, 2} and elected & {1, 2}
    assert any(s.action is Action.CONSTRAINT for s in result.stages)


def test_scottish_says_the_constraints_together_excluded_a_candidate() -> None:
    result = count_scottish(OVERLAP, constraints=WOMAN_AND_NORTH, seed=1)
    stage = next(s for s in result.stages if s.action is Action.CONSTRAINT)
    assert stage.candidates == (3,)
    assert stage.note.startswith(
        "constraints women: at least 1; north: at least 1 together: no way of filling the 2 "
        "seats left within them includes these candidates"
    )


def test_overlapping_constraints_that_cannot_be_met_together_are_refused_up_front() -> None:
    # Each minimum alone can be met, and the categories share B, so the count of disjoint
    # minimums (2) fits the 2 seats; but {A, B} and {B, C} cannot both be elected.
    categories = {
        0: frozenset({"women"}),
        1: frozenset({"women", "north"}),
        2: frozenset({"north"}),
    }
    constraints = [CategoryConstraint("women", minimum=2), CategoryConstraint("north", minimum=2)]
    with pytest.raises(TallyError) as caught:
        check_feasible(range(4), 2, categories, constraints)
    assert str(caught.value) == (
        "the constraints women: at least 2; north: at least 2 cannot all be met together: "
        "no 2 of the 4 standing candidates meet them"
    )
    election = Election(
        candidates=("A", "B", "C", "D"),
        seats=2,
        ballots=(Ballot((0,), 1),),
        categories=categories,
    )
    for count in (count_ers97, count_meek, count_scottish):
        with pytest.raises(TallyError, match="cannot all be met together"):
            count(election, constraints=constraints)


@pytest.mark.parametrize(
    ("elected", "pool", "seats", "expected"),
    [
        ((), (0, 1, 2, 3), 2, True),  # {A, B} or {C, anyone}
        ((3,), (0, 1), 2, False),  # D elected: one seat cannot hold a woman and a northerner
        ((3,), (0, 1, 2), 2, True),  # ... unless C is still there
        ((0,), (1, 3), 2, True),
        ((), (0, 1), 3, True),  # fewer candidates than seats: both elected, and enough
        ((), (0, 3), 3, False),  # both elected, but no northerner
    ],
)
def test_completable_searches_every_way_of_filling_the_seats(
    elected: tuple[int, ...], pool: tuple[int, ...], seats: int, expected: bool
) -> None:
    from grassroots.tally.constraints import completable

    assert completable(elected, pool, seats, OVERLAP.categories, WOMAN_AND_NORTH) is expected


def test_completable_keeps_a_maximum_with_overlapping_categories() -> None:
    from grassroots.tally.constraints import completable

    categories = {0: frozenset({"women", "north"}), 1: frozenset({"women"}), 2: frozenset()}
    limits = [CategoryConstraint("women", maximum=1), CategoryConstraint("north", minimum=1)]
    assert completable((), (0, 1, 2), 2, categories, limits)  # {A, C}
    assert not completable((1,), (0, 2), 2, categories, limits)  # B: A would be a 2nd woman
