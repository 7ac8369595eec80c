"""Apportionment with a minimum per group: worked by hand, then properties (hypothesis)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from grassroots.tally.apportionment import apportion
from grassroots.tally.types import TallyError

SEED = 20261125
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

populations_st = st.dictionaries(
    st.text(alphabet="abcdefgh", min_size=1, max_size=3),
    st.integers(min_value=0, max_value=5000),
    min_size=1,
    max_size=7,
)


def divisor(method: str, held: int) -> int:
    return held + 1 if method == "dhondt" else 2 * held + 1


def test_minimum_lifts_a_small_group_and_the_rest_continue_from_it():
    # Without a minimum Sainte-Laguë gives A 1000, 333, 200, 143, 111 and B 300: A5 B1 C0.
    assert apportion({"A": 1000, "B": 300, "C": 40}, 6).allocation == {"A": 5, "B": 1, "C": 0}
    # With one each, the quotients start from divisor 3: A 333, 200, 143 beat B 100 and C 13.
    result = apportion({"A": 1000, "B": 300, "C": 40}, 6, minimum=1)
    assert result.allocation == {"A": 4, "B": 1, "C": 1}
    assert result.minimum == 1
    assert [r.seat for r in result.rounds] == [4, 5, 6]
    assert [r.awarded_to for r in result.rounds] == ["A", "A", "A"]
    assert result.rounds[0].quotients == {
        "A": Fraction(1000, 3),
        "B": Fraction(100),
        "C": Fraction(40, 3),
    }


def test_a_group_with_no_members_still_gets_the_minimum():
    assert apportion({"A": 90, "B": 0}, 3, minimum=1).allocation == {"A": 2, "B": 1}


def test_too_few_seats_for_the_minimum_is_refused():
    with pytest.raises(TallyError, match="at least 2 each"):
        apportion({"A": 5, "B": 5, "C": 5}, 5, minimum=2)
    with pytest.raises(TallyError, match="negative"):
        apportion({"A": 5}, 5, minimum=-1)


@SETTINGS
@given(
    populations_st,
    st.integers(0, 3),
    st.integers(0, 20),
    st.sampled_from(["dhondt", "sainte-lague"]),
)
def test_every_group_gets_the_minimum_and_the_seats_add_up(populations, minimum, extra, method):
    seats = minimum * len(populations) + extra
    result = apportion(populations, seats, method=method, seed=SEED, minimum=minimum)
    assert sum(result.allocation.values()) == seats
    assert all(result.allocation[g] >= minimum for g in populations)
    assert len(result.rounds) == extra


@SETTINGS
@given(
    populations_st,
    st.integers(0, 3),
    st.integers(0, 20),
    st.sampled_from(["dhondt", "sainte-lague"]),
)
def test_every_seat_above_the_minimum_beats_every_seat_not_given(
    populations, minimum, extra, method
):
    """The divisor method's defining inequality, restricted to seats above the floor: the last
    seat a group won by quotient was worth at least the next seat of any group."""
    seats = minimum * len(populations) + extra
    held = apportion(populations, seats, method=method, seed=SEED, minimum=minimum).allocation
    for g in populations:
        if held[g] == minimum:
            continue
        last_won = Fraction(populations[g], divisor(method, held[g] - 1))
        for h in populations:
            assert last_won >= Fraction(populations[h], divisor(method, held[h]))


@SETTINGS
@given(
    populations_st,
    st.integers(0, 3),
    st.integers(0, 20),
    st.sampled_from(["dhondt", "sainte-lague"]),
)
def test_house_monotone_with_a_minimum(populations, minimum, extra, method):
    seats = minimum * len(populations) + extra
    smaller = apportion(populations, seats, method=method, seed=SEED, minimum=minimum)
    larger = apportion(populations, seats + 1, method=method, seed=SEED, minimum=minimum)
    assert all(larger.allocation[g] >= smaller.allocation[g] for g in populations)


@SETTINGS
@given(populations_st, st.integers(0, 25))
def test_a_minimum_of_zero_changes_nothing(populations, seats):
    plain = apportion(populations, seats, seed=SEED)
    assert apportion(populations, seats, seed=SEED, minimum=0) == plain


@SETTINGS
@given(populations_st, st.integers(1, 2), st.integers(0, 20))
def test_a_minimum_the_plain_allocation_already_meets_changes_nothing(populations, minimum, extra):
    seats = minimum * len(populations) + extra
    try:
        plain = apportion(populations, seats).allocation
        floored = apportion(populations, seats, minimum=minimum).allocation
    except TallyError:  # a tie only a lot can break: the two runs would draw differently
        assume(False)
        raise
    assume(all(n >= minimum for n in plain.values()))
    assert floored == plain


@SETTINGS
@given(populations_st, st.integers(0, 2), st.integers(0, 15), st.data())
def test_more_members_never_cost_a_group_a_seat(populations, minimum, extra, data):
    """Population monotonicity: one group grows, the others stay; it keeps at least its seats."""
    group = data.draw(st.sampled_from(sorted(populations)))
    growth = data.draw(st.integers(1, 3000))
    seats = minimum * len(populations) + extra
    grown = {**populations, group: populations[group] + growth}
    try:
        before = apportion(populations, seats, method="sainte-lague", minimum=minimum).allocation
        after = apportion(grown, seats, method="sainte-lague", minimum=minimum).allocation
    except TallyError:
        assume(False)
        raise
    assert after[group] >= before[group]
