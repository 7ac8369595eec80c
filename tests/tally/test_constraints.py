from __future__ import annotations

import pytest

from grassroots.tally.constraints import (
    check_feasible,
    election_blocked,
    forced_exclusions,
    protected,
)
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
    result = count_scottish(election, constraints=[CategoryConstraint("north", maximum=1)])
    assert len([c for c in result.elected if c in (0, 1)]) == 1
    assert len(result.elected) == 2
    forced = [s for s in result.stages if s.action is Action.CONSTRAINT]
    assert forced and "north: at most 1" in forced[0].note


def test_scottish_count_refuses_an_infeasible_constraint() -> None:
    with pytest.raises(TallyError, match="women: at least 4"):
        count_scottish(_men_lead_election(), constraints=[CategoryConstraint("women", minimum=4)])
