"""The alternative vote (instant-runoff): one seat, whole votes, exclusion one at a time.

At each stage a continuing candidate with more than half of the votes held by continuing
candidates is elected. Otherwise the candidate with the fewest votes is excluded and each of
their papers passes, at full value, to the next continuing candidate marked on it; a paper
with no further continuing preference is exhausted.

A tie for fewest votes is settled by looking back: the tied candidate with fewer votes at the
most recent earlier stage at which they differed is excluded (repeated among any still tied),
and only then by seeded lot.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from decimal import Decimal

from grassroots.tally.simple import (
    Lot,
    refuse_empty_count,
    refuse_equal_preferences,
    valid_rankings,
)
from grassroots.tally.types import Action, Election, Result, Stage, TallyError

__all__ = ["count_irv", "look_back"]

Pile = list[tuple[tuple[int, ...], int, int]]  # (ranking, position of current preference, weight)


def look_back(tied: Sequence[int], history: Sequence[Sequence[int]]) -> list[int]:
    """Narrow ``tied`` to those with fewest votes at the latest earlier stage that tells apart.

    ``history`` holds the totals of every earlier stage, oldest first. Returns the candidates
    still tied after looking back through all of them (one, if the look-back decided).
    """
    pool = list(tied)
    for totals in reversed(history):
        if len(pool) == 1:
            break
        fewest = min(totals[c] for c in pool)
        narrowed = [c for c in pool if totals[c] == fewest]
        if len(narrowed) < len(pool):
            pool = narrowed
    return pool


def count_irv(election: Election, *, seed: int | None = None) -> Result:
    """Count a single-seat election by the alternative vote."""
    if election.seats != 1:
        raise TallyError(f"the alternative vote fills one seat, not {election.seats}")
    names = election.candidates
    n = len(names)
    continuing = [c for c in range(n) if c not in election.withdrawn]
    refuse_empty_count(election, 1)
    refuse_equal_preferences(election, "irv")
    is_continuing = [False] * n
    for c in continuing:
        is_continuing[c] = True

    grouped: Counter[tuple[int, ...]] = Counter()
    for ranking, weight in valid_rankings(election):
        grouped[ranking] += weight

    piles: dict[int, Pile] = {c: [] for c in continuing}
    totals = [0] * n
    exhausted = 0
    valid_poll = 0
    for ranking, weight in grouped.items():
        if not ranking:
            continue  # a blank paper is not a valid vote
        valid_poll += weight
        piles[ranking[0]].append((ranking, 0, weight))
        totals[ranking[0]] += weight

    refuse_empty_count(election, valid_poll)
    lot = Lot(seed, election.tie_order)
    stages: list[Stage] = [
        Stage(
            number=1,
            action=Action.FIRST,
            candidates=(),
            totals=_dec(totals),
        )
    ]
    history: list[list[int]] = [list(totals)]
    while True:
        held = sum(totals[c] for c in continuing)
        leader = max(continuing, key=lambda c: (totals[c], -c))
        if len(continuing) == 1 or 2 * totals[leader] > held:
            stages.append(
                Stage(
                    number=len(stages) + 1,
                    action=Action.ELECT,
                    candidates=(leader,),
                    totals=_dec(totals),
                    exhausted=Decimal(exhausted),
                    elected=(leader,),
                    note=(
                        f"{names[leader]} has {totals[leader]} of {held} continuing votes"
                        if len(continuing) > 1
                        else f"{names[leader]} is the only continuing candidate"
                    ),
                )
            )
            break
        fewest = min(totals[c] for c in continuing)
        tied = [c for c in continuing if totals[c] == fewest]
        note = ""
        if len(tied) > 1:
            pool = look_back(tied, history[:-1])
            if len(pool) == 1:
                loser = pool[0]
                note = f"tie for fewest votes settled by looking back: {names[loser]} excluded"
            else:
                loser, note = lot.draw(pool, names, decides="excluded")
        else:
            loser = tied[0]
        continuing.remove(loser)
        is_continuing[loser] = False
        for ranking, position, weight in piles.pop(loser):
            nxt = position + 1
            while nxt < len(ranking) and not is_continuing[ranking[nxt]]:
                nxt += 1
            if nxt < len(ranking):
                piles[ranking[nxt]].append((ranking, nxt, weight))
                totals[ranking[nxt]] += weight
            else:
                exhausted += weight
        totals[loser] = 0
        stages.append(
            Stage(
                number=len(stages) + 1,
                action=Action.EXCLUDE,
                candidates=(loser,),
                totals=_dec(totals),
                exhausted=Decimal(exhausted),
                note=note,
            )
        )
        history.append(list(totals))

    return Result(
        rule="irv",
        seats=1,
        candidates=names,
        elected=(leader,),
        valid_poll=Decimal(valid_poll),
        quota=None,
        stages=tuple(stages),
        seed=lot.recorded_seed,
        withdrawn=tuple(sorted(election.withdrawn)),
    )


def _dec(totals: Sequence[int]) -> tuple[Decimal, ...]:
    return tuple(Decimal(t) for t in totals)
