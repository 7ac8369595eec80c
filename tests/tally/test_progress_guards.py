"""Every STV loop must make progress each pass; one that cannot raises TallyError, never spins.

The guards are for faults in the counting program, so these tests make a fault on purpose:
an exclusion that excludes nobody and records nothing. (The fault that prompted them was real:
Meek iterating for ever when rounding stopped the surplus falling; see test_meek.py.)
"""

from __future__ import annotations

import pytest

from grassroots.tally import ers97, meek, scottish
from grassroots.tally.types import Ballot, Election, TallyError

# No one reaches the quota (4.5 votes for one seat), so C must be excluded.
NEEDS_EXCLUSION = Election(
    candidates=("A", "B", "C"),
    seats=1,
    ballots=(Ballot((0,), 4), Ballot((1,), 3), Ballot((2,), 2)),
)


def test_scottish_count_that_stops_progressing_is_an_error(monkeypatch):
    monkeypatch.setattr(scottish._Count, "_exclude", lambda self, *args: None)
    with pytest.raises(TallyError, match="Scottish STV count made no progress after stage 1"):
        scottish.count_scottish(NEEDS_EXCLUSION)


def test_ers97_count_that_stops_progressing_is_an_error(monkeypatch):
    monkeypatch.setattr(ers97._Count, "exclude", lambda self, *args: None)
    with pytest.raises(TallyError, match="ERS97 count made no progress after stage 1"):
        ers97.count_ers97(NEEDS_EXCLUSION)


def test_meek_stage_that_never_converges_is_an_error(monkeypatch):
    monkeypatch.setattr(meek, "MAX_ITERATIONS", 0)
    surplus = Election(
        candidates=("A", "B", "C"),
        seats=2,
        ballots=(Ballot((0, 1), 10), Ballot((1,), 3), Ballot((2,), 4)),
    )
    with pytest.raises(TallyError, match="Meek count did not converge"):
        meek.count_meek(surplus)


def test_the_counts_go_through_unguarded_faults():
    # Without a fault the same elections count normally.
    assert scottish.count_scottish(NEEDS_EXCLUSION).elected == (0,)
    assert ers97.count_ers97(NEEDS_EXCLUSION).elected == (0,)
    assert meek.count_meek(NEEDS_EXCLUSION).elected == (0,)
