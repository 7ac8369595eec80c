"""Properties every Scottish STV count must have, on random elections."""

from __future__ import annotations

import contextlib
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from grassroots.tally.constraints import check_feasible
from grassroots.tally.scottish import count_scottish
from grassroots.tally.types import Ballot, CategoryConstraint, Election, TallyError


@st.composite
def elections(draw: st.DrawFn, max_candidates: int = 7) -> Election:
    ncand = draw(st.integers(1, max_candidates))
    ranking = st.permutations(range(ncand)).flatmap(
        lambda p: st.integers(1, len(p)).map(lambda k: tuple(p[:k]))
    )
    rankings = draw(st.lists(ranking, min_size=1, max_size=25, unique=True))
    ballots = tuple(Ballot(r, draw(st.integers(1, 40))) for r in rankings)
    withdrawn = draw(st.sets(st.integers(0, ncand - 1), max_size=max(0, ncand - 1)))
    withdrawn.discard(rankings[0][0])  # at least one valid paper: an empty count is refused
    return Election(
        candidates=tuple(f"C{i}" for i in range(ncand)),
        seats=draw(st.integers(1, ncand)),
        ballots=ballots,
        withdrawn=frozenset(withdrawn),
    )


@settings(max_examples=150, deadline=None)
@given(elections(), st.randoms(use_true_random=False))
def test_ballot_order_does_not_matter(election: Election, rng: random.Random) -> None:
    shuffled = list(election.ballots)
    rng.shuffle(shuffled)
    a = count_scottish(election, seed=1)
    b = count_scottish(
        Election(
            election.candidates, election.seats, tuple(shuffled), withdrawn=election.withdrawn
        ),
        seed=1,
    )
    assert a.elected == b.elected
    assert [s.totals for s in a.stages] == [s.totals for s in b.stages]


@settings(max_examples=200, deadline=None)
@given(elections())
def test_votes_are_conserved_at_every_stage(election: Election) -> None:
    result = count_scottish(election, seed=3)
    for stage in result.stages:
        assert sum(stage.totals) + stage.exhausted + stage.loss_by_rounding == result.valid_poll
        assert stage.loss_by_rounding >= 0
        assert all(t >= 0 for t in stage.totals)


@settings(max_examples=200, deadline=None)
@given(elections())
def test_seats_are_filled_exactly_when_there_are_enough_candidates(election: Election) -> None:
    result = count_scottish(election, seed=5)
    standing = len(election.candidates) - len(election.withdrawn)
    assert len(result.elected) <= election.seats
    assert len(set(result.elected)) == len(result.elected)
    assert not set(result.elected) & election.withdrawn
    assert len(result.elected) == min(election.seats, standing)


@settings(max_examples=200, deadline=None)
@given(elections())
def test_a_quota_of_first_preferences_elects(election: Election) -> None:
    result = count_scottish(election, seed=7)
    assert result.quota is not None
    first = result.stages[0]
    for candidate, votes in enumerate(first.totals):
        if votes >= result.quota:
            assert candidate in result.elected
            assert candidate in first.elected


@settings(max_examples=300, deadline=None)
@given(elections(), st.data())
def test_constraints_are_met_whenever_they_can_be(election: Election, data: st.DataObject) -> None:
    ncand = len(election.candidates)
    members = data.draw(st.sets(st.integers(0, ncand - 1)))
    minimum = data.draw(st.integers(0, election.seats))
    maximum = data.draw(st.one_of(st.none(), st.integers(minimum, election.seats)))
    constraint = CategoryConstraint("women", minimum=minimum, maximum=maximum)
    election = Election(
        election.candidates,
        election.seats,
        election.ballots,
        withdrawn=election.withdrawn,
        categories={c: frozenset({"women"}) for c in members},
    )
    standing = [c for c in range(ncand) if c not in election.withdrawn]
    feasible = True
    try:
        check_feasible(standing, election.seats, election.categories, [constraint])
    except TallyError:
        feasible = False
    with contextlib.suppress(TallyError):
        result = count_scottish(election, constraints=[constraint], seed=11)
        assert feasible, "an infeasible constraint must be refused"
        women = sum(1 for c in result.elected if c in members)
        assert women >= minimum
        if maximum is not None:
            assert women <= maximum
        assert len(result.elected) == min(election.seats, len(standing))
        return
    assert not feasible
