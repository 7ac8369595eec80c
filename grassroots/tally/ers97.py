"""STV by the Electoral Reform Society's rules, 3rd edition 1997 ("ERS97").

"How to conduct an election by the Single Transferable Vote", sections 5 and 6, as written:

* Quota (5.1.6): the total valid vote divided by one more than the places to fill, taken to two
  decimal places; if not exact, the remainder is ignored and 0.01 added. While no candidate is
  deemed elected, papers that become non-transferable lower it (5.4.8).
* Election (5.1.7, 5.3.13, 5.4.9): in descending order of votes, any continuing candidate whose
  vote equals or exceeds the quota, or the total active vote divided by one more than the places
  not yet filled (taken up to 0.01 like the quota; 5.6.1 gives the total active vote), up to the
  places left. Equal votes for the last places: 5.6.2.
* Surpluses (5.2.2-5.2.4, 5.3): the largest first, unless the total of the surpluses does not
  exceed the gap between the two lowest candidates, or between the candidates that could be
  excluded together and the candidate next above: then every surplus is deferred. A surplus
  arising at the first stage is transferred from all the candidate's papers; a later one only
  from the last batch received, which gave rise to it (last-parcel Gregory). The transfer value
  is the surplus divided by the number of transferable papers, to two decimal places with the
  remainder ignored, unless the papers' present value does not exceed the surplus.
* Exclusion (5.2.5, 5.4): as many of the lowest candidates together as possible, provided enough
  remain to fill the places and their total votes with any deferred surpluses do not exceed the
  vote of the candidate next above. Their papers move in batches, highest transfer value first;
  candidates may be deemed elected after any batch and then receive no more papers.
* Completion (5.5): when an exclusion would leave as many continuing candidates as places, they
  are all deemed elected; when every place is filled, no more papers move.
* Ties (5.2.3, 5.2.5, 5.6.2): the candidate with more (or fewer) votes at the first stage or at
  the earliest point in the count, after the transfer of a batch of papers, where they had
  unequal votes; then lot (:class:`~grassroots.tally.simple.Lot`). Candidates deemed elected
  together with equal votes are put in order of election the same way (most votes at the
  earliest point they differed first, then lot); without a seed, a lot is an error.

All arithmetic is in whole hundredths of a vote. ``Stage.exhausted`` is the value of
non-transferable papers and ``Stage.loss_by_rounding`` the non-transferable differences from
the ignored remainders (6.11); the result sheet's "non-transferable" is their sum.

The papers are numpy arrays (:func:`~grassroots.tally.papers.counted_rankings`): one row per
distinct ranking, with its number of papers and a cursor at the preference it now counts for.
A batch is an array of rows and its value; a transfer moves a batch's rows on to their next
continuing preference at once (:class:`_Papers`), so no Python object is made per ranking.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from grassroots.tally.constraints import (
    check_feasible,
    election_blocked,
    excludable_together,
    forced_exclusions,
    protected,
)
from grassroots.tally.packed import counting_arrays, exact_weights
from grassroots.tally.papers import counted_rankings
from grassroots.tally.simple import Lot, refuse_empty_count, refuse_equal_preferences
from grassroots.tally.types import (
    Action,
    CategoryConstraint,
    Election,
    Result,
    Stage,
    TallyError,
)

__all__ = ["count_ers97", "quota_in_hundredths"]

UNIT = 100  # one vote in hundredths

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class _Batch:
    """Papers received together at one value (6.1), as a candidate's bundle holds them."""

    value: int  # hundredths of a vote per paper
    rows: IntArray  # rows of :class:`_Papers`
    count: int  # papers


class _Papers:
    """Every distinct ranking (a row), its number of papers and the preference it counts for.

    ``cells`` holds the rankings row after row, each row ending in the sentinel ``n`` ("no
    further preference"); ``cursor`` is each row's index into ``cells`` of the candidate now
    holding its papers. A row is in exactly one live batch at a time: a transfer moves it to
    a batch of the candidate it goes on to.
    """

    def __init__(
        self, papers: npt.NDArray[Any], matrix: npt.NDArray[np.signedinteger[Any]], n: int
    ) -> None:
        self.n = n
        width = matrix.shape[1]
        # The smallest integer type that holds every candidate and the sentinel.
        small = np.int8 if n < 2**7 - 1 else np.int16 if n < 2**15 - 1 else np.int32
        cells: npt.NDArray[Any] = matrix.astype(small)
        cells[cells < 0] = n
        self.cells = cells.reshape(-1)
        self.papers = papers
        self.cursor: IntArray = np.arange(papers.size, dtype=np.int64) * width
        self.first: IntArray = cells[:, 0].astype(np.int64)

    def count(self, rows: IntArray) -> int:
        return int(self.papers[rows].sum())

    def advance(self, rows: IntArray, continuing: npt.NDArray[np.bool_]) -> IntArray:
        """6.10: move ``rows`` to their next preference for a continuing candidate and return
        that candidate (``n`` where there is none). ``continuing`` has ``n + 1`` entries, the
        last (the sentinel) True."""
        cursor = self.cursor[rows] + 1
        holder = self.cells[cursor].astype(np.int64)
        stuck = np.flatnonzero(~continuing[holder])
        while stuck.size:  # only the rows still on a candidate who is not continuing
            cursor[stuck] += 1
            moved = self.cells[cursor[stuck]]
            holder[stuck] = moved
            stuck = stuck[~continuing[moved]]
        self.cursor[rows] = cursor
        return holder

    def split(self, rows: IntArray, holder: IntArray) -> dict[int, tuple[IntArray, int]]:
        """``rows`` grouped by ``holder``: each candidate's rows and their papers, in order of
        candidate (the sentinel ``n`` included)."""
        if rows.size == 0:
            return {}
        order = np.argsort(holder.astype(np.int16 if self.n < 2**15 else np.int64), kind="stable")
        holder, rows = holder[order], rows[order]
        starts = np.flatnonzero(np.concatenate(([True], holder[1:] != holder[:-1])))
        papers = np.add.reduceat(self.papers[rows], starts)
        ends = [*starts[1:].tolist(), rows.size]
        return {
            int(holder[start]): (rows[start:end], int(total))
            for start, end, total in zip(starts.tolist(), ends, papers.tolist(), strict=True)
        }


def quota_in_hundredths(votes: int, seats: int) -> int:
    """5.1.6: divide to two decimal places; if not exact, ignore the remainder and add 0.01."""
    whole, remainder = divmod(votes, seats + 1)
    return whole + (1 if remainder else 0)


def _show(value: int) -> str:
    return f"{value // UNIT}.{value % UNIT:02d}"


def _dec(value: int) -> Decimal:
    # From the digits, so exact at any size (scaleb would round to the context's 28 digits).
    return Decimal(f"{value}E-2")


class _Count:
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

        papers, matrix = counted_rankings(election)
        # Papers are added up in int64 unless a sum could pass it (then as Python integers).
        self.papers = _Papers(exact_weights(papers), matrix, n)
        del matrix
        every = exact_weights(counting_arrays(election).weights)
        blank = int(every[every > 0].sum()) - int(papers.sum())
        everyone = np.arange(papers.size, dtype=np.int64)
        for c, (rows, count) in self.papers.split(everyone, self.papers.first).items():
            self.piles[c].append(_Batch(UNIT, rows, count))
            self.votes[c] += count * UNIT
        self.valid = sum(self.votes)
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

    def continuing_flags(self) -> npt.NDArray[np.bool_]:
        """Continuing candidates, and the sentinel "no further preference" (see _Papers)."""
        flags = np.zeros(len(self.names) + 1, dtype=bool)
        flags[self.continuing] = True
        flags[-1] = True
        return flags

    # -- ties --------------------------------------------------------------------------------

    def order_by_history(self, pool: Iterable[int], *, most: bool) -> list[list[int]]:
        """Candidates grouped by their votes at the first stage or the earliest point after a
        batch where they differed; best first (most votes, or fewest when ``most`` is False).
        Candidates equal at every point share a group."""
        keyed: dict[tuple[int, ...], list[int]] = {}
        for c in sorted(pool):
            key = tuple(snapshot[c] for snapshot in self.history)
            keyed.setdefault(key, []).append(c)
        return [keyed[k] for k in sorted(keyed, reverse=most)]

    def pick(self, pool: Sequence[int], *, most: bool, what: str, decides: str) -> tuple[int, str]:
        if len(pool) == 1:
            return pool[0], ""
        best = self.order_by_history(pool, most=most)[0]
        if len(best) == 1:
            return best[0], (
                f"tie for {what} settled by the earliest point at which the votes differed"
            )
        return self.lot.draw(best, self.names, decides=decides)

    def by_votes(self, pool: Iterable[int]) -> tuple[list[int], list[str]]:
        """The order of election of candidates deemed elected together: most votes first;
        equal votes by the earliest point at which they differed (as 5.2.3), then by lot."""
        levels: dict[int, list[int]] = {}
        for c in pool:
            levels.setdefault(self.votes[c], []).append(c)
        ordered: list[int] = []
        notes: list[str] = []
        for votes in sorted(levels, reverse=True):
            tied = levels[votes]
            if len(tied) == 1:
                ordered.extend(tied)
                continue
            groups = self.order_by_history(tied, most=True)
            if len(groups) > 1:
                notes.append(
                    "order of election of "
                    + ", ".join(self.names[c] for c in sorted(tied))
                    + " settled by the earliest point at which the votes differed"
                )
            for group in groups:
                while len(group) > 1:
                    chosen, drawn = self.lot.draw(group, self.names, decides="elected first")
                    notes.append(f"order of election: {drawn}")
                    ordered.append(chosen)
                    group = [c for c in group if c != chosen]
                ordered.extend(group)
        return ordered, notes

    # -- deeming elected ---------------------------------------------------------------------

    def deem_elected(self) -> tuple[list[int], list[str]]:
        newly: list[int] = []
        notes: list[str] = []
        while self.unfilled > 0 and self.continuing:
            places = self.unfilled
            threshold = min(self.quota, quota_in_hundredths(self.total_active_vote(), places))
            reached = sorted(
                (c for c in self.continuing if self.votes[c] >= threshold and self.votes[c] > 0),
                key=lambda c: (-self.votes[c], c),
            )
            if not reached:
                break
            chosen = reached
            if len(reached) > places:
                cut = self.votes[reached[places - 1]]
                sure = [c for c in reached if self.votes[c] > cut]
                tied = [c for c in reached if self.votes[c] == cut]
                chosen = list(sure)
                for group in self.order_by_history(tied, most=True):
                    if len(chosen) + len(group) <= places:
                        chosen.extend(group)
                    else:
                        # 5.6.2: equal at every point: none of them is deemed elected now.
                        notes.append(
                            "equal votes throughout for the last place(s): "
                            + ", ".join(self.names[c] for c in group)
                            + " not deemed elected at this stage (5.6.2)"
                        )
                        break
                if not chosen:
                    break
            chosen, order_notes = self.by_votes(chosen)
            notes.extend(order_notes)
            progressed = False
            for c in chosen:
                if self.unfilled == 0:
                    break
                why = ""
                if self.constraints:
                    why = election_blocked(
                        c,
                        self.elected,
                        self.seats,
                        self.election.categories,
                        self.constraints,
                        self.continuing,
                    )
                self.continuing.remove(c)
                progressed = True
                if why:
                    self.blocked.append(c)
                    notes.append(f"{self.names[c]} not deemed elected: {why}")
                    continue
                self.elected.append(c)
                newly.append(c)
                pile = self.piles[c]
                if pile:
                    # 5.3.1/5.3.2: all papers at the first stage, else the last batch received.
                    if self.stages:
                        self.parcel[c] = pile[-1]
                        self.parcel_source[c] = "the last batch received"
                    else:
                        self.parcel[c] = pile[0]
                        self.parcel_source[c] = "all papers"
                if self.votes[c] > self.quota:
                    self.pending.append(c)
            if not progressed:
                break
        return newly, notes

    # -- recording ---------------------------------------------------------------------------

    def record(
        self,
        action: Action,
        candidates: Sequence[int],
        newly: Sequence[int],
        *,
        transfer_value: int | None = None,
        parcels: Sequence[str] = (),
        notes: Sequence[str] = (),
    ) -> None:
        self.stages.append(
            Stage(
                number=len(self.stages) + 1,
                action=action,
                candidates=tuple(candidates),
                totals=tuple(_dec(v) for v in self.votes),
                exhausted=_dec(self.exhausted),
                loss_by_rounding=_dec(self.loss),
                transfer_value=None if transfer_value is None else _dec(transfer_value),
                elected=tuple(newly),
                parcels=tuple(parcels),
                note="; ".join(n for n in notes if n),
            )
        )

    # -- the stages --------------------------------------------------------------------------

    def first_stage(self) -> None:
        newly, notes = self.deem_elected()
        self.record(Action.FIRST, (), newly, notes=[f"quota {_show(self.quota)}", *notes])

    def surpluses(self) -> dict[int, int]:
        return {c: self.votes[c] - self.quota for c in self.pending if self.votes[c] > self.quota}

    def is_deferred(self, total_surplus: int) -> bool:
        """5.2.2: the surpluses cannot change which candidate(s) are excluded next."""
        votes = sorted(self.votes[c] for c in self.continuing)
        running = 0
        for k in range(1, len(votes)):
            running += votes[k - 1]
            if k >= 2 and len(votes) - k < self.unfilled:
                break
            if k >= 2 and votes[k - 1] == votes[k]:
                continue
            if total_surplus <= votes[k] - running:
                return True
        return False

    def transfer_surplus(self, candidate: int, note: str) -> None:
        surplus = self.votes[candidate] - self.quota
        batch = self.parcel.get(candidate, _Batch(UNIT, np.zeros(0, dtype=np.int64), 0))
        n = len(self.names)
        moved = self.papers.split(
            batch.rows, self.papers.advance(batch.rows, self.continuing_flags())
        )
        moved.pop(n, None)  # non-transferable papers stay with the candidate
        transferable = sum(count for _, count in moved.values())
        # 5.3.7: surplus / transferable papers, two decimals, remainder ignored; or the
        # present value when the transferable papers are worth no more than the surplus.
        if transferable and transferable * batch.value > surplus:
            value = surplus // transferable
            self.loss += surplus - value * transferable
        else:
            value = batch.value
            self.exhausted += surplus - value * transferable
        for to, (rows, count) in moved.items():
            self.piles[to].append(_Batch(value, rows, count))
            self.votes[to] += value * count
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
        # 5.4.4: the excluded candidates' papers in batches by value, highest first; each
        # batch debits the candidates it came from.
        batches: dict[int, list[tuple[int, _Batch]]] = {}
        for c in losers:
            for batch in self.piles[c]:
                batches.setdefault(batch.value, []).append((c, batch))
            self.piles[c] = []
        n = len(self.names)
        newly: list[int] = []
        notes = [note]
        parcels: list[str] = []
        for value in sorted(batches, reverse=True):
            if self.unfilled == 0:
                parcels.append("count complete: no further papers transferred (5.5.2)")
                break
            held = batches[value]
            rows = np.concatenate([batch.rows for _, batch in held])
            count = sum(batch.count for _, batch in held)
            moved = self.papers.split(rows, self.papers.advance(rows, self.continuing_flags()))
            stay = moved.pop(n, (rows[:0], 0))[1]
            for to, (received, papers) in moved.items():
                self.piles[to].append(_Batch(value, received, papers))
                self.votes[to] += value * papers
            self.exhausted += value * stay
            for c, batch in held:
                self.votes[c] -= value * batch.count
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

    def choose_exclusion(self, deferred: int) -> tuple[list[int], str]:
        candidates = list(self.continuing)
        note = ""
        if self.constraints:
            keep = protected(
                self.continuing,
                self.elected,
                self.seats,
                self.election.categories,
                self.constraints,
            )
            unprotected = [c for c in candidates if c not in keep]
            if unprotected and len(unprotected) < len(candidates):
                loser, why = self.pick(
                    self._lowest(unprotected), most=False, what="fewest votes", decides="excluded"
                )
                return [loser], "; ".join(
                    x
                    for x in (
                        "candidates a category constraint needs are protected from exclusion",
                        why,
                    )
                    if x
                )
        ordered = sorted(candidates, key=lambda c: self.votes[c])
        votes = [self.votes[c] for c in ordered]
        best = 1  # 5.2.5: the most candidates that may be excluded together
        allowed = 1  # the same, among bulks that leave every constraint possible to meet
        most = len(ordered)
        if self.constraints:
            most = excludable_together(
                ordered,
                self.continuing,
                self.elected,
                self.seats,
                self.election.categories,
                self.constraints,
            )
        running = votes[0] if votes else 0
        for k in range(2, len(votes)):
            running += votes[k - 1]
            if len(votes) - k < self.unfilled:
                break
            if votes[k - 1] < votes[k] and running + deferred <= votes[k]:
                best = k
                if k <= most:
                    allowed = k
        if allowed < best:
            note = (
                f"bulk exclusion limited to {allowed} of {best} candidates: a category constraint "
                "needs the others"
            )
        if allowed >= 2:
            return ordered[:allowed], "; ".join(
                x for x in (f"{allowed} candidates excluded together (5.2.5)", note) if x
            )
        loser, why = self.pick(
            self._lowest(candidates), most=False, what="fewest votes", decides="excluded"
        )
        return [loser], "; ".join(x for x in (why, note) if x)

    def _lowest(self, pool: Sequence[int]) -> list[int]:
        fewest = min(self.votes[c] for c in pool)
        return [c for c in pool if self.votes[c] == fewest]

    def run(self) -> None:
        self.first_stage()
        recorded = -1
        while self.unfilled > 0:
            # Every pass records a stage (a transfer or an exclusion) or ends the count.
            if len(self.stages) == recorded:
                raise TallyError(
                    f"the ERS97 count made no progress after stage {recorded}; this is a "
                    "fault in the counting program, not in the ballots"
                )
            recorded = len(self.stages)
            if self.blocked:
                self.exclude(list(self.blocked), Action.CONSTRAINT, "a constraint forbids election")
                continue
            if not self.continuing:
                break
            if len(self.continuing) <= self.unfilled:
                remaining, order_notes = self.by_votes(self.continuing)
                self.elected.extend(remaining)
                self.continuing.clear()
                self.record(
                    Action.ELECT,
                    remaining,
                    remaining,
                    notes=[
                        "as many continuing candidates as places remaining (5.5.1)",
                        *order_notes,
                    ],
                )
                break
            if self.constraints:
                forced, why = forced_exclusions(
                    self.continuing,
                    self.elected,
                    self.seats,
                    self.election.categories,
                    self.constraints,
                )
                if forced:
                    self.exclude(sorted(forced), Action.CONSTRAINT, why)
                    continue
            surpluses = self.surpluses()
            total = sum(surpluses.values())
            deferred_note = ""
            if surpluses:
                if not self.is_deferred(total):
                    largest = max(surpluses.values())
                    tied = [c for c in self.pending if surpluses.get(c) == largest]
                    chosen, why = self.pick(
                        tied, most=True, what="largest surplus", decides="surplus transferred first"
                    )
                    self.transfer_surplus(chosen, why)
                    continue
                deferred_note = f"surplus(es) totalling {_show(total)} deferred (5.2.2)"
            losers, why = self.choose_exclusion(total)
            if len(self.continuing) - len(losers) <= self.unfilled:
                remaining, order_notes = self.by_votes(
                    c for c in self.continuing if c not in losers
                )
                self.elected.extend(remaining)
                for c in remaining:
                    self.continuing.remove(c)
                self.record(
                    Action.ELECT,
                    remaining,
                    remaining,
                    notes=[
                        deferred_note,
                        why,
                        "excluding "
                        + ", ".join(self.names[c] for c in losers)
                        + " would leave as many continuing candidates as places (5.5.1)",
                        *order_notes,
                    ],
                )
                break
            self.exclude(losers, Action.EXCLUDE, "; ".join(x for x in (deferred_note, why) if x))


def count_ers97(
    election: Election,
    *,
    constraints: Sequence[CategoryConstraint] = (),
    seed: int | None = None,
    blank_papers_valid: bool = False,
) -> Result:
    """Count ``election`` by the ERS97 rules (``blank_papers_valid``: see count_scottish)."""
    if election.seats < 1:
        raise TallyError(f"an election needs at least one seat, not {election.seats}")
    refuse_equal_preferences(election, "ers97")
    if constraints:
        standing = [c for c in range(len(election.candidates)) if c not in election.withdrawn]
        check_feasible(standing, election.seats, election.categories, constraints)
    lot = Lot(seed, election.tie_order)
    count = _Count(election, constraints, lot, blank_papers_valid)
    count.run()
    return Result(
        rule="ers97",
        seats=election.seats,
        candidates=election.candidates,
        elected=tuple(count.elected),
        valid_poll=_dec(count.valid),
        quota=_dec(count.quota),
        stages=tuple(count.stages),
        seed=lot.recorded_seed,
        withdrawn=tuple(sorted(election.withdrawn)),
    )
