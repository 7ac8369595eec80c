"""D'Hondt and Sainte-Laguë allocations checked by hand."""

from __future__ import annotations

from fractions import Fraction

import pytest

from grassroots.tally.apportionment import apportion
from grassroots.tally.types import TallyError

# Quotients worked by hand (thousands):
#   D'Hondt      A 100 50 33.3 25 | B 80 40 26.7 | C 30 | D 20 -> top eight: A4 B3 C1 D0
#   Sainte-Laguë A 100 33.3 20 | B 80 26.7 16 | C 30 | D 20 -> A and D tie at 20 for seats
#   six and seven, both inside the eight seats: A3 B3 C1 D1
PARTIES = {"A": 100_000, "B": 80_000, "C": 30_000, "D": 20_000}


def test_dhondt_allocation():
    result = apportion(PARTIES, 8, method="dhondt")
    assert result.allocation == {"A": 4, "B": 3, "C": 1, "D": 0}
    assert [r.awarded_to for r in result.rounds] == ["A", "B", "A", "B", "A", "C", "B", "A"]
    assert result.rounds[1].quotients["A"] == Fraction(50_000)


def test_sainte_lague_allocation_with_harmless_tie():
    result = apportion(PARTIES, 8)
    assert result.allocation == {"A": 3, "B": 3, "C": 1, "D": 1}
    assert result.seed is None
    assert "name order" in result.rounds[5].note
    assert result.rounds[2].quotients["A"] == Fraction(100_000, 3)


def test_tie_for_last_seat_needs_a_seed_and_records_it():
    with pytest.raises(TallyError, match="published seed"):
        apportion(PARTIES, 6)
    drawn = apportion(PARTIES, 6, seed=11)
    assert drawn.seed == 11
    assert sum(drawn.allocation.values()) == 6
    assert drawn.allocation == apportion(PARTIES, 6, seed=11).allocation


def test_zero_seats_and_bad_input():
    assert apportion({"A": 5}, 0).allocation == {"A": 0}
    with pytest.raises(TallyError):
        apportion({"A": -1}, 1)
    with pytest.raises(TallyError):
        apportion({"A": 1}, 1, method="hare")  # type: ignore[arg-type]
