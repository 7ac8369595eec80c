"""Properties every counting rule must keep, whatever the ballots (hypothesis)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from grassroots.tally.apportionment import apportion
from grassroots.tally.constraints import check_feasible
from grassroots.tally.ers97 import count_ers97
from grassroots.tally.irv import count_irv
from grassroots.tally.meek import count_meek
from grassroots.tally.scottish import count_scottish
from grassroots.tally.simple import count_approval, count_plurality
from grassroots.tally.types import (
    Action,
    Ballot,
    CategoryConstraint,
    Election,
    Result,
    TallyError,
)

SEED = 20261125
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@st.composite
def elections(draw: st.DrawFn, *, max_seats: int = 3, single_seat: bool = False) -> Election:
    n = draw(st.integers(min_value=2, max_value=6))
    seats = 1 if single_seat else draw(st.integers(min_value=1, max_value=min(max_seats, n - 1)))
    rankings = st.permutations(list(range(n))).flatmap(
        lambda p: st.integers(min_value=1, max_value=len(p)).map(lambda k: tuple(p[:k]))
    )
    lines = draw(
        st.lists(
            st.tuples(rankings, st.integers(min_value=1, max_value=9)), min_size=1, max_size=14
        )
    )
    women = draw(st.sets(st.integers(min_value=0, max_value=n - 1)))
    return Election(
        candidates=tuple(f"C{i}" for i in range(n)),
        seats=seats,
        ballots=tuple(Ballot(r, w) for r, w in lines),
        categories={c: frozenset({"women"}) for c in women},
    )


STV: dict[str, Callable[..., Result]] = {"ers97": count_ers97, "meek": count_meek}

# Found by hypothesis, and counted forever by Meek before the stable-state rule: every paper
# exhausts after A, B and C, who are elected; D and E stay on no votes, and rounding up at 9
# digits kept the surplus just above 0.0001 with keep factors going round in a cycle.
EXHAUSTING = Election(
    candidates=("C0", "C1", "C2", "C3", "C4"),
    seats=4,
    ballots=(Ballot((0, 1, 2), 4),),
    categories={3: frozenset({"women"}), 4: frozenset({"women"})},
)
# Found by hypothesis: ERS97's bulk exclusion took both women (C1 and C0) at once.
BOTH_WOMEN_LOWEST = Election(
    candidates=("C0", "C1", "C2", "C3", "C4"),
    seats=2,
    ballots=(Ballot((0,), 2), Ballot((2,), 5), Ballot((3,), 5), Ballot((4,), 4)),
    categories={0: frozenset({"women"}), 1: frozenset({"women"})},
)
# Found by hypothesis: with everyone but C0 on no votes, the only man left (C1) was excluded
# by lot and the two women were elected as the last candidates, over "at most 1".
ONE_VOTE = Election(
    candidates=("C0", "C1", "C2", "C3"),
    seats=3,
    ballots=(Ballot((0,), 1),),
    categories={2: frozenset({"women"}), 3: frozenset({"women"})},
)


def reversed_ballots(election: Election) -> Election:
    return Election(
        candidates=election.candidates,
        seats=election.seats,
        ballots=tuple(reversed(election.ballots)),
        categories=election.categories,
    )


def assert_conserved(result: Result) -> None:
    for stage in result.stages:
        assert sum(stage.totals) + stage.exhausted + stage.loss_by_rounding == result.valid_poll


@SETTINGS
@given(elections())
def test_stv_ballot_order_does_not_matter(election):
    for count in STV.values():
        first = count(election, seed=SEED)
        second = count(reversed_ballots(election), seed=SEED)
        assert first.elected == second.elected
        assert [s.totals for s in first.stages] == [s.totals for s in second.stages]


@SETTINGS
@given(elections())
@example(EXHAUSTING)
def test_stv_conserves_votes_and_fills_no_more_than_the_seats(election):
    for count in STV.values():
        result = count(election, seed=SEED)
        assert_conserved(result)
        assert len(result.elected) <= election.seats
        assert len(set(result.elected)) == len(result.elected)
        if len(election.candidates) >= election.seats:
            assert len(result.elected) == election.seats


@SETTINGS
@given(elections())
def test_stv_candidate_with_a_quota_of_first_preferences_is_elected(election):
    for count in STV.values():
        result = count(election, seed=SEED)
        first = result.stages[0]
        quota = Decimal(result.stages[0].note.removeprefix("quota ").split(";")[0])
        reached = [c for c, votes in enumerate(first.totals) if votes >= quota]
        # ERS97's quota is exact when the division is (5.1.6), so seats + 1 candidates can
        # all reach it; the property holds when no more candidates than seats do.
        if len(reached) <= election.seats:
            assert set(reached) <= set(result.elected)


@SETTINGS
@given(elections(), st.integers(min_value=1, max_value=2))
@example(EXHAUSTING, 1)
@example(BOTH_WOMEN_LOWEST, 1)
def test_stv_meets_a_minimum_whenever_it_can(election, minimum):
    women = [
        c
        for c in range(len(election.candidates))
        if "women" in election.categories.get(c, frozenset())
    ]
    assume(len(women) >= minimum and election.seats >= minimum)
    constraint = CategoryConstraint("women", minimum=minimum)
    for count in STV.values():
        result = count(election, constraints=(constraint,), seed=SEED)
        assert_conserved(result)
        assert sum(1 for c in result.elected if c in women) >= minimum


@SETTINGS
@given(elections(), st.integers(min_value=0, max_value=2))
@example(ONE_VOTE, 1)
def test_stv_keeps_a_maximum_whenever_it_can(election, maximum):
    constraint = CategoryConstraint("women", maximum=maximum)
    standing = range(len(election.candidates))
    try:
        check_feasible(standing, election.seats, election.categories, [constraint])
    except TallyError:
        assume(False)
    women = {c for c, labels in election.categories.items() if "women" in labels}
    for count in (*STV.values(), count_scottish):
        result = count(election, constraints=(constraint,), seed=SEED)
        assert len(result.elected) == election.seats
        assert sum(1 for c in result.elected if c in women) <= maximum


@st.composite
def overlapping_limits(
    draw: st.DrawFn,
) -> tuple[Election, tuple[CategoryConstraint, CategoryConstraint]]:
    """An election whose candidates are in two categories that may overlap, with a minimum or
    maximum on each."""
    election = draw(elections(max_seats=4))
    n = len(election.candidates)
    north = draw(st.sets(st.integers(min_value=0, max_value=n - 1)))
    categories = {
        c: election.categories.get(c, frozenset()) | ({"north"} if c in north else set())
        for c in range(n)
    }
    limits = []
    for category in ("women", "north"):
        low = draw(st.integers(min_value=0, max_value=2))
        high = draw(st.one_of(st.none(), st.integers(min_value=low, max_value=3)))
        limits.append(CategoryConstraint(category, minimum=low, maximum=high))
    with_categories = Election(
        candidates=election.candidates,
        seats=election.seats,
        ballots=election.ballots,
        categories=categories,
    )
    return with_categories, (limits[0], limits[1])


@SETTINGS
@given(overlapping_limits())
def test_stv_meets_overlapping_limits_together_whenever_they_can_be(case):
    election, limits = case
    standing = range(len(election.candidates))
    try:
        check_feasible(standing, election.seats, election.categories, limits)
    except TallyError:
        assume(False)
    for count in (*STV.values(), count_scottish):
        result = count(election, constraints=limits, seed=SEED)
        assert_conserved(result)
        assert len(result.elected) == election.seats
        for limit in limits:
            inside = sum(1 for c in result.elected if limit.category in election.categories[c])
            assert inside >= limit.minimum, (count.__name__, limit, result.stages)
            assert limit.maximum is None or inside <= limit.maximum, (count.__name__, limit)


@SETTINGS
@given(elections(single_seat=True))
def test_irv_order_conservation_and_one_winner(election):
    result = count_irv(election, seed=SEED)
    again = count_irv(reversed_ballots(election), seed=SEED)
    assert result.elected == again.elected
    assert len(result.elected) == 1
    assert_conserved(result)


@SETTINGS
@given(elections(single_seat=True), st.booleans())
def test_irv_clone_of_the_first_excluded_candidate_does_not_change_the_winner(election, after):
    result = count_irv(election, seed=SEED)
    assume(all(not s.note or s.action is Action.ELECT for s in result.stages))
    assume(len(result.stages) > 2 and result.stages[1].action is Action.EXCLUDE)
    loser = result.stages[1].candidates[0]
    clone = len(election.candidates)

    def with_clone(ranking: tuple[int, ...]) -> tuple[int, ...]:
        out: list[int] = []
        for c in ranking:
            if c == loser:
                out.extend((c, clone) if after else (clone, c))
            else:
                out.append(c)
        return tuple(out)

    cloned = Election(
        candidates=(*election.candidates, "clone"),
        seats=1,
        ballots=tuple(Ballot(with_clone(b.ranking), b.weight) for b in election.ballots),
    )
    again = count_irv(cloned, seed=SEED)
    assume(all(not s.note or s.action is Action.ELECT for s in again.stages))
    assert again.elected == result.elected


@SETTINGS
@given(elections())
def test_plurality_and_approval_order_and_seats(election):
    for count in (count_plurality, count_approval):
        if count is count_plurality and all(
            len(b.ranking) > election.seats for b in election.ballots
        ):
            with pytest.raises(TallyError, match="no valid papers"):
                count(election, seed=SEED)
            continue
        result = count(election, seed=SEED)
        assert result.elected == count(reversed_ballots(election), seed=SEED).elected
        assert len(result.elected) <= election.seats


@SETTINGS
@given(
    st.dictionaries(
        st.text(alphabet="abcdef", min_size=1, max_size=3),
        st.integers(min_value=0, max_value=5000),
        min_size=1,
        max_size=6,
    ),
    st.integers(min_value=0, max_value=25),
    st.sampled_from(["dhondt", "sainte-lague"]),
)
def test_apportionment_sums_to_seats_and_is_house_monotone(populations, seats, method):
    smaller = apportion(populations, seats, method=method, seed=SEED)
    larger = apportion(populations, seats + 1, method=method, seed=SEED)
    assert sum(smaller.allocation.values()) == seats
    assert sum(larger.allocation.values()) == seats + 1
    for group in populations:
        assert larger.allocation[group] >= smaller.allocation[group]
