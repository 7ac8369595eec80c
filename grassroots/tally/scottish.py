"""Scottish STV: the Scottish Local Government Elections Order 2007 (SSI 2007/42), Schedule 1.

Rules 45 to 52, as counted here:

- r.46: quota = floor(valid papers / (seats + 1)) + 1.
- r.47: a continuing candidate whose votes reach the quota is deemed elected (at the end of the
  stage, largest vote first when several do).
- r.48: an elected candidate's surplus is transferred by sorting *all* the papers they hold by
  next available preference (weighted inclusive Gregory). Each paper goes on at
  ``surplus x value of the paper / total votes of the candidate``, to five decimal places with
  any remainder ignored. Papers with no next preference are non-transferable; their share is
  recorded as exhausted, and what truncation drops as loss by rounding.
- r.49: when several candidates have surpluses, the largest is transferred first; equal
  surpluses go by the most recent preceding stage at which the candidates' votes differed, then
  by lot. Surpluses come before any exclusion; none is deferred.
- r.50: with no surplus to transfer, the candidate with the fewest votes is excluded and all
  their papers go on, in one stage, at the value at which they were received.
- r.51: equal lowest candidates are split by the most recent preceding stage at which their
  votes differed, then by lot.
- r.52: when the continuing candidates are no more than the seats left they are all elected and
  no further transfer is made. Nothing else ends the count early: the councils' declared counts
  of 2017 (tests/data/stv/scotland-2017) go on excluding until the seats are filled this way.

All arithmetic is in integers counting units of 0.00001 of a vote, so nothing depends on
floating point. Identical ballots are grouped, and each stage touches only the ballot groups
held by the candidate whose papers move.

Lots are drawn by :class:`~grassroots.tally.simple.Lot`, the seeded lot every rule shares: the
seed is recorded in the result and in the note of the stage that needed it. A count that needs
a lot and was given no seed stops with a :class:`TallyError` asking for the published seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from grassroots.tally import constraints as category_rules
from grassroots.tally.packed import counting_arrays, exact_weights
from grassroots.tally.simple import Lot, refuse_empty_count, refuse_equal_preferences
from grassroots.tally.types import (
    Action,
    CategoryConstraint,
    Election,
    Result,
    Stage,
    TallyError,
)

UNIT = 100_000  # r.48(3): values to five decimal places
RULE = "scottish"

IntArray = npt.NDArray[np.int64]


def units_to_decimal(units: int) -> Decimal:
    """An amount in 0.00001 units as a Decimal with exactly five places."""
    sign = "-" if units < 0 else ""
    whole, part = divmod(abs(units), UNIT)
    return Decimal(f"{sign}{whole}.{part:05d}")


class _Count:
    """The state of one count: ballot groups, who holds each, and the stages so far."""

    def __init__(
        self,
        election: Election,
        constraints: Sequence[CategoryConstraint],
        seed: int | None,
        blank_papers_valid: bool = False,
    ) -> None:
        self.election = election
        self.constraints = tuple(constraints)
        self.ncand = n = len(election.candidates)
        self.seats = election.seats
        self.lot = Lot(seed, election.tie_order)

        # The ballots as arrays: those the reader attached to the election, or packed now.
        packed = counting_arrays(election)
        weights, flat = packed.weights, packed.rankings
        keep = None if bool((weights > 0).all()) else weights > 0
        if keep is not None:  # papers of no weight take no part
            weights = weights[keep]
            flat = flat[np.repeat(keep, packed.lengths)]
        # Exact at any size: Python integers when int64 could overflow (decided up front).
        weights = exact_weights(weights, UNIT)
        if flat.size and (flat.min() < 0 or flat.max() >= n):
            raise TallyError("a ballot ranks a candidate number that is not on the ballot paper")
        # Each row: preferences, then the sentinel ``n`` meaning "no further preference".
        self.prefs = packed.padded(n, keep, np.int8 if n < 2**7 else np.int32)
        # Row after row, so each paper's place is one index (``cursor``) into this array.
        self.cells = self.prefs.reshape(-1)
        self.papers = weights  # read-only, shared with the election
        # Sums of at most every paper at full value are whole numbers float64 holds exactly.
        self.float_exact = int(weights.sum()) * UNIT < 2**53
        groups = weights.size
        self.continuing = np.ones(n + 1, dtype=bool)
        for candidate in election.withdrawn:
            self.continuing[candidate] = False
        self.elected: list[int] = []
        self.excluded: set[int] = set(election.withdrawn)
        self.pending: list[int] = []  # elected with a surplus not yet transferred
        self.blocked: dict[int, str] = {}  # reached the quota but a constraint forbids election

        rows = np.arange(groups, dtype=np.int64)
        self.cursor, self.holder = self._advance(rows * self.prefs.shape[1])
        valid = int(self.papers[self.holder != n].sum())
        blank = int(self.papers.sum()) - valid if blank_papers_valid else 0
        valid += blank
        self.valid = valid
        refuse_empty_count(election, valid)
        # int64 holds surplus x value while both stay below ~3e9 votes' worth of units.
        dtype: type = np.int64 if valid < 90_000_000 else object
        self.value: npt.NDArray[Any] = np.full(groups, UNIT, dtype=dtype)
        self.quota = (valid // (self.seats + 1) + 1) * UNIT  # r.45
        self.totals = [int(t) * UNIT for t in self._sum_by_holder(self.holder, self.papers)]
        # Papers with no standing candidate at all are not valid votes (r.45), so not exhausted.
        self.exhausted = blank * UNIT  # blank papers counted valid: non-transferable
        self.totals[n] = 0
        self.loss = 0
        self.history: list[list[int]] = []
        self.stages: list[Stage] = []

    # -- ballots ---------------------------------------------------------------------------

    def _advance(self, cursor: IntArray) -> tuple[IntArray, IntArray]:
        """From each ``cursor`` (an index into ``cells``, which it may change), the cursor of
        the next continuing preference (or the row's sentinel) and that candidate."""
        holder = self.cells[cursor].astype(np.int64)
        stuck = np.flatnonzero(~self.continuing[holder])
        while stuck.size:  # only the papers still on a candidate who is not continuing
            cursor[stuck] += 1
            moved = self.cells[cursor[stuck]]
            holder[stuck] = moved
            stuck = stuck[~self.continuing[moved]]
        return cursor, holder

    def _move(self, rows: IntArray, new_value: npt.NDArray[Any]) -> tuple[int, int]:
        """Send ``rows`` on to their next continuing preference at ``new_value`` per paper.

        Returns (value transferred to candidates, value non-transferable).
        """
        cursor, holder = self._advance(self.cursor[rows] + 1)
        self.cursor[rows] = cursor
        self.holder[rows] = holder
        self.value[rows] = new_value
        amounts = self.papers[rows] * new_value
        gained = self._sum_by_holder(holder, amounts)
        for candidate in np.flatnonzero(gained[: self.ncand]):
            self.totals[int(candidate)] += int(gained[candidate])
        lost = int(gained[self.ncand])
        return int(amounts.sum()) - lost, lost

    def _sum_by_holder(self, holder: IntArray, amounts: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """``amounts`` added up by ``holder`` (candidates, then the sentinel), exactly."""
        if amounts.dtype == np.int64 and self.float_exact:
            # Every partial sum is a whole number below 2**53, so float64 adds it exactly.
            sums = np.bincount(holder, weights=amounts, minlength=self.ncand + 1)
            return sums.astype(np.int64)
        gained = np.zeros(self.ncand + 1, dtype=amounts.dtype)
        np.add.at(gained, holder, amounts)
        return gained

    def _rows_of(self, candidates: Sequence[int]) -> IntArray:
        if len(candidates) == 1:
            return np.flatnonzero(self.holder == candidates[0]).astype(np.int64)
        return np.flatnonzero(np.isin(self.holder, list(candidates))).astype(np.int64)

    # -- ties ------------------------------------------------------------------------------

    def _pick(self, tied: list[int], highest: bool, decides: str) -> tuple[int, str]:
        """r.49(2)/r.51: the most recent preceding stage where their votes differed, then lot."""
        group = sorted(tied)
        for past in reversed(self.history[:-1]):
            if len(group) == 1:
                break
            values = [past[c] for c in group]
            best = max(values) if highest else min(values)
            if best != (min(values) if highest else max(values)):
                group = [c for c in group if past[c] == best]
        if len(group) == 1:
            word = "highest" if highest else "lowest"
            names = ", ".join(str(c + 1) for c in sorted(tied))
            return group[0], f"tie between candidates {names}: {word} at an earlier stage"
        return self.lot.draw(group, self.election.candidates, decides=decides)

    def _order(
        self, candidates: list[int], highest: bool, decides: str, *, first_only: bool = False
    ) -> tuple[list[int], list[str]]:
        """Candidates sorted by votes (ties broken by look-back then lot), with notes; with
        ``first_only``, just the first of them, so no tie further down is broken (or drawn).
        ``decides`` says what coming first means here, for the note of any lot."""
        remaining = list(candidates)
        ordered: list[int] = []
        notes: list[str] = []
        while remaining and not (first_only and ordered):
            key = max if highest else min
            best = key(self.totals[c] for c in remaining)
            tied = [c for c in remaining if self.totals[c] == best]
            if len(tied) == 1:
                chosen = tied[0]
            else:
                chosen, note = self._pick(tied, highest, decides)
                notes.append(note)
            ordered.append(chosen)
            remaining.remove(chosen)
        return ordered, notes

    # -- stages ----------------------------------------------------------------------------

    def _continuing(self) -> list[int]:
        return [c for c in range(self.ncand) if self.continuing[c]]

    def _elect(self, candidate: int) -> None:
        self.elected.append(candidate)
        self.continuing[candidate] = False
        if self.totals[candidate] > self.quota:
            self.pending.append(candidate)

    def _deem_elected(self) -> tuple[list[int], list[str]]:
        """r.47: continuing candidates at or over the quota, largest first."""
        reached = [c for c in self._continuing() if self.totals[c] >= self.quota]
        ordered, notes = self._order(reached, highest=True, decides="elected first")
        newly: list[int] = []
        for candidate in ordered:
            if len(self.elected) >= self.seats:
                break
            why = category_rules.election_blocked(
                candidate,
                self.elected,
                self.seats,
                self.election.categories,
                self.constraints,
                self._continuing(),
            )
            if why:
                self.blocked[candidate] = why
                continue
            self._elect(candidate)
            newly.append(candidate)
        return newly, notes

    def _record(
        self,
        action: Action,
        candidates: tuple[int, ...],
        transfer_value: Decimal | None = None,
        notes: Sequence[str] = (),
    ) -> None:
        self.history.append(list(self.totals))
        newly, elect_notes = self._deem_elected()
        self.stages.append(
            Stage(
                number=len(self.stages) + 1,
                action=action,
                candidates=candidates,
                totals=tuple(units_to_decimal(t) for t in self.totals[: self.ncand]),
                exhausted=units_to_decimal(self.exhausted),
                loss_by_rounding=units_to_decimal(self.loss),
                transfer_value=transfer_value,
                elected=tuple(newly),
                note="; ".join([*notes, *elect_notes]),
            )
        )

    def _add_elected_to_last_stage(self, candidates: list[int], note: str) -> None:
        last = self.stages[-1]
        joined = "; ".join(n for n in (last.note, note) if n)
        self.stages[-1] = replace(last, elected=last.elected + tuple(candidates), note=joined)

    def _exclude(self, candidates: list[int], action: Action, note: str) -> None:
        """r.50: every paper of the excluded goes on at the value it was received at."""
        for candidate in candidates:
            self.continuing[candidate] = False
            self.excluded.add(candidate)
        rows = self._rows_of(candidates)
        _, lost = self._move(rows, self.value[rows])
        self.exhausted += lost
        for candidate in candidates:
            self.totals[candidate] = 0
        self._record(action, tuple(candidates), notes=[note] if note else [])

    def _transfer_surplus(self, candidate: int, note: str) -> None:
        """r.48: all the candidate's papers go on at surplus x paper value / total votes."""
        total = self.totals[candidate]
        surplus = total - self.quota
        rows = self._rows_of([candidate])
        new_value = (surplus * self.value[rows]) // total
        moved, lost = self._move(rows, new_value)
        self.exhausted += lost
        self.loss += surplus - moved - lost
        self.totals[candidate] = self.quota
        transfer_value = units_to_decimal(surplus * UNIT // total)
        self._record(Action.SURPLUS, (candidate,), transfer_value, [note] if note else [])

    def _settle_last_seats(self) -> bool:
        """r.52: fill the last seats without further transfers when the count allows it."""
        seats_left = self.seats - len(self.elected)
        continuing = self._continuing()
        if seats_left <= 0:
            return True
        if len(continuing) <= seats_left:
            ordered, notes = self._order(continuing, highest=True, decides="elected first")
            for candidate in ordered:
                self._elect(candidate)
            note = "r.52(1): continuing candidates no more than the seats left"
            self._add_elected_to_last_stage(ordered, "; ".join([note, *notes]))
            return True
        return False

    def run(self) -> Result:
        standing = [c for c in range(self.ncand) if c not in self.election.withdrawn]
        category_rules.check_feasible(
            standing, self.seats, self.election.categories, self.constraints
        )
        self._record(Action.FIRST, ())
        recorded = -1
        while not self._settle_last_seats():
            # Every pass records a stage (a transfer or an exclusion) until the count ends.
            if len(self.stages) == recorded:
                raise TallyError(
                    f"the Scottish STV count made no progress after stage {recorded}; this is "
                    "a fault in the counting program, not in the ballots"
                )
            recorded = len(self.stages)
            continuing = self._continuing()
            forced, why = category_rules.forced_exclusions(
                continuing,
                self.elected,
                self.seats,
                self.election.categories,
                self.constraints,
            )
            blocked = [c for c in continuing if c in self.blocked]
            if blocked and not forced:
                forced, why = frozenset(blocked), self.blocked[blocked[0]]
            if forced:
                self._exclude(sorted(forced), Action.CONSTRAINT, why)
                continue
            if self.pending:
                order, notes = self._order(
                    self.pending, highest=True, decides="surplus transferred first", first_only=True
                )
                self.pending.remove(order[0])
                self._transfer_surplus(order[0], notes[0] if notes else "")
                continue
            safe = category_rules.protected(
                continuing,
                self.elected,
                self.seats,
                self.election.categories,
                self.constraints,
            )
            candidates = [c for c in continuing if c not in safe] or continuing
            lowest, notes = self._order(
                candidates, highest=False, decides="excluded", first_only=True
            )
            spared = sorted(
                c for c in safe if c in continuing and self.totals[c] <= self.totals[lowest[0]]
            )
            if spared and candidates is not continuing:
                numbers = ", ".join(str(c + 1) for c in spared)
                notes = [*notes, f"candidates {numbers} kept: a category constraint needs them"]
            self._exclude([lowest[0]], Action.EXCLUDE, "; ".join(notes))
        return Result(
            rule=RULE,
            seats=self.seats,
            candidates=self.election.candidates,
            elected=tuple(self.elected),
            valid_poll=Decimal(self.valid),
            quota=Decimal(self.quota // UNIT),
            stages=tuple(self.stages),
            seed=self.lot.recorded_seed,
            withdrawn=tuple(sorted(self.election.withdrawn)),
        )


def count_scottish(
    election: Election,
    *,
    constraints: Sequence[CategoryConstraint] = (),
    seed: int | None = None,
    blank_papers_valid: bool = False,
) -> Result:
    """Count ``election`` by Scottish STV (SSI 2007/42 Sch. 1 rr.45-52).

    ``blank_papers_valid`` counts papers marking no standing candidate in the valid poll
    (and so the quota); r.45 does not, so it is off by default.
    """
    if election.seats < 1:
        raise TallyError("there must be at least one seat")
    refuse_equal_preferences(election, RULE)
    return _Count(election, constraints, seed, blank_papers_valid).run()
