"""Highest-averages apportionment: share delegates among groups in proportion to membership.

Seats are given one at a time. At each round every group's quotient is its membership divided
by a divisor that grows with the seats it already holds: ``seats + 1`` for D'Hondt (1, 2, 3,
...) and ``2 * seats + 1`` for Sainte-Laguë (1, 3, 5, ...). The group with the highest quotient
takes the next seat. Quotients are exact fractions, so two quotients are tied only when they are
truly equal.

A tie matters only when more groups are tied than seats remain. If it does not matter, the
tied groups take the next seats in name order. If it does, the seeded lot decides
(``random.Random(seed)``); when a seed is given every tie is drawn, so the allocation for
``n + 1`` seats always extends the allocation for ``n`` seats with the same seed.

A ``minimum`` gives every group that many seats before any quotient is compared (as the US
House gives each state one seat before Huntington-Hill). The divisor method then continues
from the seats each group already holds, so a group lifted by the minimum takes a further seat
only when its quotient over those seats is the highest: the remaining seats are not shared out
afresh, which would over-represent the small groups twice. Rounds are recorded only for the
seats given by quotient; they are numbered after the minimum seats.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from grassroots.tally.simple import and_list
from grassroots.tally.types import TallyError

__all__ = ["ApportionmentResult", "ApportionmentRound", "apportion"]

Method = Literal["sainte-lague", "dhondt"]


@dataclass(frozen=True, slots=True)
class ApportionmentRound:
    """One seat given: every group's quotient at that round and who took the seat."""

    seat: int  # 1-based
    quotients: Mapping[str, Fraction]
    awarded_to: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class ApportionmentResult:
    method: Method
    seats: int
    populations: Mapping[str, int]
    allocation: Mapping[str, int]
    rounds: tuple[ApportionmentRound, ...]
    seed: int | None = None  # set only if a lot was drawn
    minimum: int = 0  # seats every group held before the first round


def _divisor(method: Method, held: int) -> int:
    return held + 1 if method == "dhondt" else 2 * held + 1


def apportion(
    populations: Mapping[str, int],
    seats: int,
    method: Method = "sainte-lague",
    seed: int | None = None,
    minimum: int = 0,
) -> ApportionmentResult:
    """Give ``seats`` seats to the groups in ``populations`` by D'Hondt or Sainte-Laguë,
    at least ``minimum`` to each group."""
    if method not in ("sainte-lague", "dhondt"):
        raise TallyError(f"method must be 'sainte-lague' or 'dhondt', not {method!r}")
    if seats < 0:
        raise TallyError(f"seats must not be negative, not {seats}")
    if seats and not populations:
        raise TallyError("there are no groups to give seats to")
    for name, size in populations.items():
        if size < 0:
            raise TallyError(f"group {name!r} has a negative membership {size}")
    if minimum < 0:
        raise TallyError(f"the minimum must not be negative, not {minimum}")
    if minimum * len(populations) > seats:
        raise TallyError(
            f"{seats} seats cannot give {len(populations)} groups at least {minimum} each "
            f"(that needs {minimum * len(populations)})"
        )

    names = sorted(populations)
    held = dict.fromkeys(names, minimum)
    first = minimum * len(names) + 1
    rounds: list[ApportionmentRound] = []
    # Reproducible from the published seed by design, so not a secret generator.
    rng = random.Random(seed) if seed is not None else None  # noqa: S311
    lot_drawn = False
    for seat in range(first, seats + 1):
        quotients = {g: Fraction(populations[g], _divisor(method, held[g])) for g in names}
        best = max(quotients.values())
        tied = [g for g in names if quotients[g] == best]
        note = ""
        if len(tied) == 1:
            winner = tied[0]
        elif rng is not None:
            winner = tied[rng.randrange(len(tied))]
            lot_drawn = True
            note = f"lot (seed {seed}) drawn between {and_list(tied)}: {winner} gets seat {seat}"
        elif len(tied) <= seats - seat + 1:
            winner = tied[0]
            note = f"tie between {', '.join(tied)} takes the next seats in name order"
        else:
            raise TallyError(
                f"seat {seat}: a tie between {', '.join(tied)} must be broken by lot: "
                "give the published seed"
            )
        held[winner] += 1
        rounds.append(
            ApportionmentRound(seat=seat, quotients=quotients, awarded_to=winner, note=note)
        )
    return ApportionmentResult(
        method=method,
        seats=seats,
        populations=dict(populations),
        allocation=held,
        rounds=tuple(rounds),
        seed=seed if lot_drawn else None,
        minimum=minimum,
    )
