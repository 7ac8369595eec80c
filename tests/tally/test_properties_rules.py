"""Properties every counting rule must keep, whatever the ballots (hypothesis)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from grassroots.tally.apportionment import apportion
from grassroots.tally.ers97 import count_ers97
from grassroots.tally.irv import count_irv
from grassroots.tally.meek import count_meek
from grassroots.tally.simple import count_approval, count_plurality
from grassroots.tally.types import Action, Ballot, CategoryConstraint, Election, Result

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
