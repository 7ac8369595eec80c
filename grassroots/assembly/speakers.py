"""The order of the speakers' list, as a pure function of who waits and who spoke last.

The chair calls the next speaker; the list says who that is under the meeting's standing
orders: first-time speakers before those who have spoken already (when the orders prefer them),
then, under a balancing rule, someone of the other side (for, against) or the other gender group
(women and non-binary speakers, men) than the last speaker, if one waits; otherwise whoever asked
first. Speakers who did not say (their side, their gender) are never skipped for it: they are
taken in their turn. No Django here, so the rule can be tested on its own (hypothesis).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

GENDER_GROUPS = {"woman": "w", "non_binary": "w", "man": "m"}
SIDES = {"for": "for", "against": "against"}


@dataclass(frozen=True)
class Asker:
    key: int  # the request's id
    member: int
    side: str = "neither"
    gender: str = ""


def _group(asker: Asker, balance: str) -> str | None:
    if balance == "gender":
        return GENDER_GROUPS.get(asker.gender)
    if balance == "side":
        return SIDES.get(asker.side)
    return None


def speaking_order(
    waiting: Sequence[Asker],
    *,
    have_spoken: Iterable[int] = (),
    last: Asker | None = None,
    balance: str = "none",
    prefer_first_time: bool = True,
) -> list[Asker]:
    """``waiting`` in the order they asked; the list in the order they will be called."""
    spoken = set(have_spoken)
    remaining = list(waiting)
    order: list[Asker] = []
    previous = last
    while remaining:
        candidates = remaining
        if prefer_first_time:
            first_timers = [a for a in remaining if a.member not in spoken]
            candidates = first_timers or remaining
        chosen = candidates[0]
        before = _group(previous, balance) if previous is not None else None
        if before is not None:
            other = [a for a in candidates if _group(a, balance) not in (None, before)]
            same_first = _group(chosen, balance) == before
            if other and same_first:
                chosen = other[0]
        order.append(chosen)
        remaining.remove(chosen)
        spoken.add(chosen.member)
        previous = chosen
    return order
