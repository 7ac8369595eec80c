"""ERS97 with its papers moved as the count moved them before issue 15 (a Python tuple per
ranking, each transfer a Python loop; grassroots/tally/ers97.py at commit 353c88d): the
oracle that tests/tally/test_ers97_arrays.py holds the numpy count equal to.

Only what the numpy count changed is kept here, as it was: setting up the papers, moving
them in a surplus transfer and an exclusion. Everything else (election, deferral, exclusion
order, ties, recording) is the count's own, inherited, so the comparison tests the papers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from grassroots.tally import ers97
from grassroots.tally.constraints import check_feasible
from grassroots.tally.ers97 import UNIT, _show, quota_in_hundredths
from grassroots.tally.packed import BallotArray
from grassroots.tally.simple import (
    Lot,
    refuse_empty_count,
    refuse_equal_preferences,
    valid_rankings,
)
from grassroots.tally.types import (
    Action,
    CategoryConstraint,
    Election,
    Result,
    Stage,
    TallyError,
)

__all__ = ["count_ers97_reference"]

Paper = tuple[tuple[int, ...], int, int]  # (ranking, position of current preference, papers)


@dataclass(slots=True)
class _Batch:
    """Papers received together at one value (6.1), as a candidate's bundle holds them."""

    value: int  # hundredths of a vote per paper
    papers: list[Paper] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(p[2] for p in self.papers)


class _TupleCount(ers97._Count):
    def __init__(
        self,
        election: Election,
        constraints: Sequence[CategoryConstraint],
        lot: Lot,
        blank_papers_valid: bool = False,
    ) -> None:
        self.election = election
        self.names = election.candidates
        self.seats = election.seats
        self.constraints = tuple(constraints)
        self.lot = lot
        n = len(self.names)
        self.continuing = [c for c in range(n) if c not in election.withdrawn]
        self.elected: list[int] = []
        self.blocked: list[int] = []  # reached the quota but a constraint forbids election
        self.pending: list[int] = []  # elected with a surplus not yet transferred
        self.parcel: dict[int, _Batch] = {}  # the batch that gave rise to each surplus
        self.parcel_source: dict[int, str] = {}
        self.piles: dict[int, list[_Batch]] = {c: [] for c in range(n)}
        self.votes = [0] * n
        self.exhausted = 0
        self.loss = 0
        self.stages: list[Stage] = []
        self.history: list[tuple[int, ...]] = []

        grouped: Counter[tuple[int, ...]] | dict[tuple[int, ...], int] = Counter()
        blank = 0
        cleaned = valid_rankings(election)
        scanned = isinstance(election.ballots, BallotArray) and election.ballots.packed.distinct
        if scanned and not election.withdrawn:
            # The scanner merged identical rankings already: no need to count them again.
            grouped = {ranking: weight for ranking, weight in cleaned if ranking}
            blank = sum(weight for ranking, weight in cleaned if not ranking)
        else:
            for ranking, weight in cleaned:
                if ranking:
                    grouped[ranking] += weight
                else:
                    blank += weight
        first: dict[int, _Batch] = {}
        for ranking, weight in grouped.items():
            first.setdefault(ranking[0], _Batch(UNIT)).papers.append((ranking, 0, weight))
            self.votes[ranking[0]] += weight * UNIT
        for c, batch in first.items():
            self.piles[c].append(batch)
        self.valid = sum(grouped.values()) * UNIT
        if blank_papers_valid:  # counted in the valid vote, non-transferable from the start
            self.valid += blank * UNIT
            self.exhausted = blank * UNIT
        refuse_empty_count(election, self.valid)
        self.quota = quota_in_hundredths(self.valid, self.seats)
        self.history.append(tuple(self.votes))

    # -- arithmetic of the count -------------------------------------------------------------

    @property
    def unfilled(self) -> int:
        return self.seats - len(self.elected)

    def total_active_vote(self) -> int:
        # 5.6.1: total valid vote less the quotas (or votes if less) of those deemed elected
        # and the non-transferable vote.
        kept = sum(min(self.quota, self.votes[c]) for c in self.elected)
        return self.valid - kept - self.exhausted - self.loss

    def continuing_flags(self) -> list[bool]:
        flags = [False] * len(self.names)
        for c in self.continuing:
            flags[c] = True
        return flags

    @staticmethod
    def next_continuing(paper: Paper, is_continuing: Sequence[bool]) -> tuple[int, int]:
        """6.10: the next available preference for a continuing candidate (-1 if none)."""
        ranking, position, _ = paper
        for nxt in range(position + 1, len(ranking)):
            if is_continuing[ranking[nxt]]:
                return ranking[nxt], nxt
        return -1, len(ranking)

    def transfer_surplus(self, candidate: int, note: str) -> None:
        surplus = self.votes[candidate] - self.quota
        batch = self.parcel.get(candidate, _Batch(UNIT))
        moved: dict[int, list[Paper]] = {}
        transferable = 0
        flags = self.continuing_flags()
        for paper in batch.papers:
            to, position = self.next_continuing(paper, flags)
            if to >= 0:
                moved.setdefault(to, []).append((paper[0], position, paper[2]))
                transferable += paper[2]
        # 5.3.7: surplus / transferable papers, two decimals, remainder ignored; or the
        # present value when the transferable papers are worth no more than the surplus.
        if transferable and transferable * batch.value > surplus:
            value = surplus // transferable
            self.loss += surplus - value * transferable
        else:
            value = batch.value
            self.exhausted += surplus - value * transferable
        for to, papers in moved.items():
            received = _Batch(value, papers)
            self.piles[to].append(received)
            self.votes[to] += value * received.count
        self.votes[candidate] = self.quota
        self.pending.remove(candidate)
        self.history.append(tuple(self.votes))
        newly, notes = self.deem_elected()
        source = self.parcel_source.get(candidate, "no papers")
        parcel = (
            f"surplus {_show(surplus)} of {self.names[candidate]} from {source} "
            f"({batch.count} papers at {_show(batch.value)}): {transferable} transferable at "
            f"{_show(value)}, {batch.count - transferable} non-transferable"
        )
        self.record(
            Action.SURPLUS,
            (candidate,),
            newly,
            transfer_value=value,
            parcels=(parcel,),
            notes=[note, *notes],
        )

    def exclude(self, losers: Sequence[int], action: Action, note: str) -> None:
        for c in losers:
            if c in self.continuing:
                self.continuing.remove(c)
            if c in self.blocked:
                self.blocked.remove(c)
        batches: dict[int, list[Paper]] = {}
        for c in losers:
            for batch in self.piles[c]:
                batches.setdefault(batch.value, []).extend(batch.papers)
            self.piles[c] = []
        newly: list[int] = []
        notes = [note]
        parcels: list[str] = []
        for value in sorted(batches, reverse=True):
            if self.unfilled == 0:
                parcels.append("count complete: no further papers transferred (5.5.2)")
                break
            moved: dict[int, list[Paper]] = {}
            count = 0
            stay = 0
            flags = self.continuing_flags()
            for paper in batches[value]:
                to, position = self.next_continuing(paper, flags)
                count += paper[2]
                if to >= 0:
                    moved.setdefault(to, []).append((paper[0], position, paper[2]))
                else:
                    stay += paper[2]
            for to, papers in moved.items():
                received = _Batch(value, papers)
                self.piles[to].append(received)
                self.votes[to] += value * received.count
            self.exhausted += value * stay
            self._take_from(losers, batches[value], value)
            if stay and not self.elected:
                # 5.4.8: papers non-transferable before anyone is deemed elected lower the quota.
                old = self.quota
                self.quota = quota_in_hundredths(
                    self.valid - self.exhausted - self.loss, self.seats
                )
                if self.quota != old:
                    notes.append(f"quota recalculated to {_show(self.quota)} (5.4.8)")
            self.history.append(tuple(self.votes))
            parcels.append(
                f"batch at {_show(value)}: {count} papers, {count - stay} transferred, "
                f"{stay} non-transferable"
            )
            elected_now, elect_notes = self.deem_elected()
            newly.extend(elected_now)
            notes.extend(elect_notes)
        only_value = next(iter(batches)) if len(batches) == 1 else None
        self.record(
            action,
            losers,
            newly,
            transfer_value=only_value,
            parcels=parcels,
            notes=notes,
        )

    def _take_from(self, losers: Sequence[int], papers: Sequence[Paper], value: int) -> None:
        """Debit the excluded candidates for a batch that has just been transferred."""
        loser_set = set(losers)
        for ranking, position, count in papers:
            holder = ranking[position]
            if holder in loser_set:
                self.votes[holder] -= value * count


def count_ers97_reference(
    election: Election,
    *,
    constraints: Sequence[CategoryConstraint] = (),
    seed: int | None = None,
    blank_papers_valid: bool = False,
) -> Result:
    """As :func:`grassroots.tally.ers97.count_ers97`, moving the papers as tuples."""
    if election.seats < 1:
        raise TallyError(f"an election needs at least one seat, not {election.seats}")
    refuse_equal_preferences(election, "ers97")
    if constraints:
        standing = [c for c in range(len(election.candidates)) if c not in election.withdrawn]
        check_feasible(standing, election.seats, election.categories, constraints)
    lot = Lot(seed, election.tie_order)
    count = _TupleCount(election, constraints, lot, blank_papers_valid)
    count.run()
    return Result(
        rule="ers97",
        seats=election.seats,
        candidates=election.candidates,
        elected=tuple(count.elected),
        valid_poll=ers97._dec(count.valid),
        quota=ers97._dec(count.quota),
        stages=tuple(count.stages),
        seed=lot.recorded_seed,
        withdrawn=tuple(sorted(election.withdrawn)),
    )
