"""Meek STV as the New Zealand rules write it (Local Electoral Regulations 2001, Schedule 1A).

The method (Hill, Wichmann and Woodall, Algorithm 123, as adapted in Schedule 1A):

* Every candidate has a keep factor: 1 while hopeful, 0 once excluded, and for a successful
  (elected) candidate the share of each vote reaching them that they keep.
* Each paper's value of 1 goes down its preferences: a candidate receives the value still
  unspent times their keep factor, and the rest passes on (cl. 10). The products are
  "calculated to 9 decimal digits after the point and rounded up if not exact"; what is left
  when the paper has no further preference is non-transferable.
* The quota is ``q = (v - vnt) / (n + 1) + 0.000000001``, truncated to 9 decimal digits
  (cl. 5), recomputed after every distribution. ``v - vnt`` is taken as the votes credited to
  candidates, so a rounding gain from cl. 10 counts against the quota too and never lets more
  than ``n`` candidates reach it.
* A hopeful candidate whose votes equal or exceed the quota is successful. Keep factors of
  successful candidates are then adjusted, ``k = q * k / v`` with the product and the quotient
  each rounded up at 9 digits (cl. 17), and the papers distributed again, until either a new
  candidate reaches the quota, or the total surplus is below 0.0001, or the lowest hopeful
  candidate's votes plus the total surplus are below the second lowest (cl. 13): the lowest
  is then excluded.
* The step in which an exclusion takes effect repeats step 2 as cl. 15-17 say: the
  successful candidates' keep factors are adjusted (cl. 17) and the excluded candidate's set
  to 0 (cl. 16) before the votes are allocated, so the totals after an exclusion come from
  adjusted keep factors (docs/tally.md states this reading of the text).
* The lowest is also excluded at a *stable state* (cl. 23): detected as an iteration that did
  not reduce the total surplus (the stopping rule of the Meek reference rule). Iterations
  exist to shrink the surplus; once rounding up at 9 digits stops them doing so, the keep
  factors repeat or go round in a cycle with the surplus still above 0.0001 (papers that all
  exhaust after the elected, say, with the hopefuls level on no votes) and, without this
  rule, the count would iterate for ever.
* Guards, so that a count can fail but never spin: every pass of the main loop must elect or
  exclude someone or iterate once more, and one stage may iterate at most
  :data:`MAX_ITERATIONS` times; either failure raises :class:`TallyError`.
* A tie for exclusion is settled by the Ahead At First Difference method (cl. 19, 40) applied
  to the stages recorded here (the earliest stage where the tied candidates differed, then the
  next among any still level), then by the seeded lot (:class:`~grassroots.tally.simple.Lot`)
  instead of the Schedule's pseudo-random number generator. Candidates elected at the same
  stage with equal votes are put in order of election the same way; without a seed, a lot is
  an error.

Counting is exact: every value is an integer number of 10^-9 votes. The ballots come as
numpy arrays from :func:`grassroots.tally.papers.counted_rankings` (the scanner's lines as
read, or the tuples packed once and identical rankings merged). A paper's path is
the same for every iteration within a stage (it stops at its first hopeful candidate), so
papers are grouped by that path; only papers whose path ends at a candidate who has just been
elected or excluded are moved at a new stage (vectorised with numpy). The iterations then run
over the few hundred distinct paths, not over the papers.

``Result.stages`` records the first count and every election and exclusion, each with the
keep factors and the number of iterations since the previous stage.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from grassroots.tally.constraints import (
    check_feasible,
    election_blocked,
    forced_exclusions,
    protected,
)
from grassroots.tally.packed import counting_arrays, exact_weights
from grassroots.tally.papers import counted_rankings
from grassroots.tally.simple import Lot, refuse_empty_count
from grassroots.tally.types import (
    Action,
    CategoryConstraint,
    Election,
    Result,
    Stage,
    TallyError,
)

__all__ = ["SCALE", "count_meek"]

SCALE = 10**9  # Schedule 1A works to 9 decimal digits.
SURPLUS_TOLERANCE = 100_000  # cl. 13: a total surplus below 0.0001 is not worth iterating for.
# A hard limit on the iterations of one stage, far above what any count needs (the bench's
# 1,000,000 ballots need at most a few dozen); reaching it is reported, never spun on.
MAX_ITERATIONS = 10_000

HOPEFUL, ELECTED, EXCLUDED = 0, 1, 2
_EXHAUSTED = 3  # a paper's walk past its last preference (papers only, never a candidate)

IntArray = npt.NDArray[np.int64]


def _mul_up(a: int, b: int) -> int:
    """a x b for two 9-digit fixed-point numbers, rounded up at 9 digits."""
    return -((-a * b) // SCALE)


def _div_up(a: int, b: int) -> int:
    """a / b for two 9-digit fixed-point numbers, rounded up at 9 digits."""
    return -((-a * SCALE) // b)


def _as_decimal(value: int) -> Decimal:
    # From the digits, so exact at any size (scaleb would round to the context's 28 digits).
    return Decimal(f"{value}E-9")


class _Papers:
    """Distinct rankings and, for each, where its walk down the preferences stops.

    A paper's walk passes every successful candidate in order (each keeping a share) and stops
    at its first hopeful candidate, who takes the rest; excluded candidates are skipped. The
    path is "prefix of successful candidates, terminal hopeful (or -1 when exhausted)". Paths
    are interned: prefix ids index ``prefixes``, and ``groups`` maps (prefix id, terminal) to
    the number of papers.
    """

    def __init__(
        self, weights: IntArray, matrix: npt.NDArray[np.signedinteger[Any]], n: int
    ) -> None:
        self.n = n
        rows = weights.size
        # The rankings row after row (each row ends in -1); ``cursor`` is each row's index
        # into them of the candidate its walk now stops at.
        self.cells = matrix.reshape(-1)
        self.cursor: IntArray = np.arange(rows, dtype=np.int64) * matrix.shape[1]
        self.weights: IntArray = weights
        # Sums of papers below 2**53 are whole numbers that float64 adds exactly.
        self.float_exact = weights.dtype != object and int(weights.sum()) < 2**53
        self.terminal: IntArray = matrix[:, 0].astype(np.int64)
        self.prefix: IntArray = np.zeros(rows, dtype=np.int64)
        self.prefixes: list[tuple[int, ...]] = [()]
        self._interned: dict[tuple[int, int], int] = {}
        self.groups: dict[tuple[int, int], int] = {}
        self._add(np.arange(rows, dtype=np.int64), 1)

    def _keys(self, rows: IntArray) -> IntArray:
        return self.prefix[rows] * (self.n + 1) + (self.terminal[rows] + 1)

    def _add(self, rows: IntArray, sign: int) -> None:
        if rows.size == 0:
            return
        keys = self._keys(rows)
        weights = self.weights[rows]
        top = int(keys.max())
        if self.float_exact and top < 4 * rows.size + 1_000_000:
            # Papers added up by path in one pass: float64 holds every sum exactly here.
            counted = np.bincount(keys, weights=weights, minlength=top + 1)
            present = np.flatnonzero(np.bincount(keys, minlength=top + 1))
            unique_keys, sums = present, counted[present].astype(np.int64)
        else:
            order = np.argsort(keys, kind="stable")
            keys = keys[order]
            weights = weights[order]
            starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
            unique_keys, sums = keys[starts], np.add.reduceat(weights, starts)
        base = self.n + 1
        for key, total in zip(unique_keys.tolist(), sums.tolist(), strict=True):
            path = (key // base, key % base - 1)
            papers = self.groups.get(path, 0) + sign * total
            if papers:
                self.groups[path] = papers
            else:
                del self.groups[path]

    def _extend(self, prefix: IntArray, candidates: IntArray) -> IntArray:
        """The prefix ids after appending ``candidates`` (successful) to ``prefix``."""
        pairs = prefix * (self.n + 1) + candidates
        # The pairs are below (prefixes) x (candidates + 1): a table that size finds the
        # distinct ones without sorting.
        table = np.zeros(len(self.prefixes) * (self.n + 1), dtype=np.int64)
        table[pairs] = 1
        for pair in np.flatnonzero(table).tolist():
            old, candidate = divmod(pair, self.n + 1)
            key = (old, candidate)
            if key not in self._interned:
                self._interned[key] = len(self.prefixes)
                self.prefixes.append((*self.prefixes[old], candidate))
            table[pair] = self._interned[key]
        extended: IntArray = table[pairs]
        return extended

    def advance(self, status: npt.NDArray[np.int8]) -> None:
        """Move the papers whose terminal candidate is no longer hopeful."""
        # Each candidate's status, and at index -1 (no further preference) "exhausted".
        states = np.append(status, np.int8(_EXHAUSTED))
        moving = np.append(status != HOPEFUL, False)  # an exhausted paper stays
        rows = np.flatnonzero(moving[self.terminal])
        if rows.size == 0:
            return
        self._add(rows, -1)
        terminal = self.terminal[rows]
        elected = status[terminal] == ELECTED
        if elected.any():
            self.prefix[rows[elected]] = self._extend(self.prefix[rows[elected]], terminal[elected])
        active, cursor = rows, self.cursor[rows]
        while active.size:
            cursor += 1
            nxt = self.cells[cursor]
            state = states[nxt]
            stops = state == HOPEFUL
            stops |= state == _EXHAUSTED
            passing = state == ELECTED
            if passing.any():
                through = active[passing]
                self.prefix[through] = self._extend(
                    self.prefix[through], nxt[passing].astype(np.int64)
                )
            if stops.any():
                done = active[stops]
                self.terminal[done] = nxt[stops]
                self.cursor[done] = cursor[stops]
                going = ~stops
                active, cursor = active[going], cursor[going]
        self._add(rows, 1)

    def paths(self) -> list[tuple[tuple[int, ...], int, int]]:
        return [(self.prefixes[p], t, w) for (p, t), w in self.groups.items()]


EqualPapers = list[tuple[tuple[tuple[int, ...], ...], int]]


def _equal_ballots(election: Election) -> EqualPapers:
    """Papers with equal preferences (BLT ``2=3``), withdrawn candidates struck off and empty
    preferences dropped; papers left with no candidate are not valid votes."""
    withdrawn = election.withdrawn
    n = len(election.candidates)
    cleaned: dict[tuple[tuple[int, ...], ...], int] = {}
    for number, ballot in enumerate(election.equal_ballots, start=1):
        if ballot.weight < 0:
            raise TallyError(f"equal-preference ballot {number} has a negative weight")
        seen: set[int] = set()
        ranks: list[tuple[int, ...]] = []
        for rank in ballot.ranks:
            kept: list[int] = []
            for c in rank:
                if not 0 <= c < n:
                    raise TallyError(
                        f"equal-preference ballot {number} names candidate {c + 1}, but there "
                        f"are {n} candidates"
                    )
                if c not in withdrawn and c not in seen:
                    seen.add(c)
                    kept.append(c)
            if kept:
                ranks.append(tuple(kept))
        if ranks and ballot.weight:
            key = tuple(ranks)
            cleaned[key] = cleaned.get(key, 0) + ballot.weight
    return list(cleaned.items())


def _split(
    ranks: tuple[tuple[int, ...], ...], at: int, value: int, keep: Sequence[int], got: list[int]
) -> int:
    """One paper's ``value`` from preference ``at`` on, split equally between the candidates
    still in the count at each preference (as droop does), each keeping its keep factor's
    share and passing the rest on. Adds to ``got`` and returns the value non-transferable.

    The share is rounded down at 9 digits (so a paper never gives more than its value), what
    each keeps and passes rounded up as cl. 10 does; the remainders are loss by rounding.
    """
    while at < len(ranks):
        standing = [c for c in ranks[at] if keep[c]]
        if standing:
            break
        at += 1  # every candidate at this preference excluded: the next preference
    else:
        return value
    share = value // len(standing)
    lost = 0
    for c in standing:
        k = keep[c]
        got[c] += _mul_up(share, k)
        if k < SCALE:
            rest = _mul_up(share, SCALE - k)
            if rest:
                lost += _split(ranks, at + 1, rest, keep, got)
    return lost


def _distribute(
    paths: Sequence[tuple[tuple[int, ...], int, int]],
    keep: Sequence[int],
    n: int,
    equal: Sequence[tuple[tuple[tuple[int, ...], ...], int]] = (),
) -> tuple[list[int], int]:
    """Cl. 10: every candidate's votes and the non-transferable votes, in units of 10^-9."""
    totals = [0] * n
    exhausted = 0
    for prefix, terminal, papers in paths:
        unspent = SCALE
        for c in prefix:
            k = keep[c]
            totals[c] += _mul_up(unspent, k) * papers
            unspent = _mul_up(unspent, SCALE - k)
        if terminal >= 0:
            totals[terminal] += unspent * papers
        else:
            exhausted += unspent * papers
    for ranks, papers in equal:
        got = [0] * n
        lost = _split(ranks, 0, SCALE, keep, got)
        for c, value in enumerate(got):
            if value:
                totals[c] += value * papers
        exhausted += lost * papers
    return totals, exhausted


def count_meek(
    election: Election,
    *,
    constraints: Sequence[CategoryConstraint] = (),
    seed: int | None = None,
    blank_papers_valid: bool = False,
) -> Result:
    """Count ``election`` by Meek STV under the New Zealand rules.

    ``blank_papers_valid`` reports blank papers in the valid poll and as non-transferable;
    the quota (cl. 5: votes credited to candidates) is the same either way.
    """
    seats = election.seats
    if seats < 1:
        raise TallyError(f"an election needs at least one seat, not {seats}")
    names = election.candidates
    n = len(names)
    weights, matrix = counted_rankings(election)
    equal = _equal_ballots(election)
    valid_poll = int(weights.sum()) + sum(papers for _, papers in equal)
    refuse_empty_count(election, valid_poll)
    blank = 0
    if blank_papers_valid:  # papers with no standing candidate: valid, non-transferable
        every = exact_weights(counting_arrays(election).weights)
        blank = int(every[every > 0].sum()) + sum(
            b.weight for b in election.equal_ballots if b.weight > 0
        )
        blank -= valid_poll
        valid_poll += blank
    standing = [c for c in range(n) if c not in election.withdrawn]
    if constraints:
        check_feasible(standing, seats, election.categories, constraints)

    status = np.full(n, EXCLUDED, dtype=np.int8)
    status[standing] = HOPEFUL
    keep = [0] * n
    for c in standing:
        keep[c] = SCALE
    hopeful = list(standing)
    elected: list[int] = []
    papers = _Papers(weights, matrix, n)
    paths = papers.paths()
    lot = Lot(seed, election.tie_order)
    stages: list[Stage] = []

    def quota_for(totals: Sequence[int]) -> int:
        # cl. 5: (v - vnt) / (n + 1), truncated at 9 digits, plus 10^-9.
        return sum(totals) // (seats + 1) + 1

    totals, exhausted = _distribute(paths, keep, n, equal)
    quota = quota_for(totals)
    iterations = 0

    def record(
        action: Action, concerned: Sequence[int], note: str = "", newly: Sequence[int] = ()
    ) -> None:
        stages.append(
            Stage(
                number=len(stages) + 1,
                action=action,
                candidates=tuple(concerned),
                totals=tuple(_as_decimal(t) for t in totals),
                exhausted=_as_decimal(exhausted + blank * SCALE),
                loss_by_rounding=_as_decimal(
                    valid_poll * SCALE - sum(totals) - exhausted - blank * SCALE
                ),
                elected=tuple(newly),
                keep_factors=tuple(_as_decimal(k) for k in keep),
                note=note,
            )
        )

    record(Action.FIRST, (), f"quota {_as_decimal(quota)}")

    def exclude(losers: Sequence[int], action: Action, note: str) -> None:
        nonlocal paths, totals, exhausted, quota, iterations
        # The exclusion takes effect in the next step, which repeats step 2 as cl. 15-17 say:
        # the successful candidates' keep factors adjusted (cl. 17, from this step's quota
        # and votes), the excluded candidates' set to 0 (cl. 16), then the votes allocated
        # (cl. 10) and the quota recalculated (cl. 11).
        for c in elected:
            keep[c] = _div_up(_mul_up(quota, keep[c]), totals[c])
        for c in losers:
            hopeful.remove(c)
            status[c] = EXCLUDED
            keep[c] = 0
        papers.advance(status)
        paths = papers.paths()
        totals, exhausted = _distribute(paths, keep, n, equal)
        quota = quota_for(totals)
        record(action, losers, _with_iterations(note, iterations))
        iterations = 0

    # The total surplus before the last iteration of this stage (None before the first).
    previous_surplus: int | None = None
    last_pass: tuple[int, int] | None = None
    while len(elected) < seats:
        # Every pass elects or excludes someone (fewer hopefuls) or iterates once more.
        this_pass = (len(hopeful), iterations)
        if this_pass == last_pass:
            raise TallyError(
                f"the Meek count made no progress at stage {len(stages) + 1} "
                f"({len(elected)} elected, {len(hopeful)} hopeful); this is a fault in the "
                "counting program, not in the ballots"
            )
        last_pass = this_pass
        if len(elected) + len(hopeful) <= seats:
            newly, order_notes = _in_order(hopeful, totals, stages, lot, names)
            elected.extend(newly)
            hopeful.clear()
            note = "; ".join(["as many candidates remain as seats to fill", *order_notes])
            record(Action.ELECT, newly, note, newly)
            break
        if constraints:
            forced, why = forced_exclusions(
                hopeful, elected, seats, election.categories, constraints
            )
            if forced:
                exclude(sorted(forced), Action.CONSTRAINT, why)
                previous_surplus = None
                continue
        reached, order_notes = _in_order(
            [c for c in hopeful if totals[c] >= quota], totals, stages, lot, names
        )
        if reached:
            newly_elected: list[int] = []
            blocked_notes: list[str] = []
            blocked: list[int] = []
            for c in reached:
                why = ""
                if constraints:
                    why = election_blocked(
                        c, elected, seats, election.categories, constraints, hopeful
                    )
                if why or len(elected) >= seats:
                    blocked.append(c)
                    blocked_notes.append(why)
                    continue
                elected.append(c)
                hopeful.remove(c)
                status[c] = ELECTED
                newly_elected.append(c)
            if newly_elected:
                papers.advance(status)
                paths = papers.paths()
                record(
                    Action.ELECT,
                    newly_elected,
                    _with_iterations(
                        "; ".join([f"quota {_as_decimal(quota)}", *order_notes]), iterations
                    ),
                    newly_elected,
                )
                iterations = 0
            if blocked and len(elected) < seats:
                exclude(blocked, Action.CONSTRAINT, "; ".join(n for n in blocked_notes if n))
            previous_surplus = None
            continue

        surplus = sum(max(0, totals[c] - quota) for c in elected)
        ranked = sorted(hopeful, key=lambda c: totals[c])
        lowest = totals[ranked[0]]
        second = totals[ranked[1]] if len(ranked) > 1 else None
        # Stable state: the last iteration did not reduce the total surplus. Rounding up at 9
        # digits has then reached its limit (keep factors that repeat, or go round in a
        # cycle), and further iterations would only go round again.
        stable = previous_surplus is not None and surplus >= previous_surplus
        if not (
            stable
            or surplus < SURPLUS_TOLERANCE
            or (second is not None and lowest + surplus < second)
        ):
            # cl. 17: adjust the keep factors of the successful candidates and distribute again.
            adjusted = {c: _div_up(_mul_up(quota, keep[c]), totals[c]) for c in elected}
            if any(adjusted[c] != keep[c] for c in elected):  # else: a fixed point, so stable
                if iterations >= MAX_ITERATIONS:
                    raise TallyError(
                        f"the Meek count did not converge: {MAX_ITERATIONS} iterations at "
                        f"stage {len(stages) + 1} left a total surplus of {_as_decimal(surplus)}"
                    )
                for c, k in adjusted.items():
                    keep[c] = k
                totals, exhausted = _distribute(paths, keep, n, equal)
                quota = quota_for(totals)
                iterations += 1
                previous_surplus = surplus
                continue
        loser, note = _choose_exclusion(
            hopeful, elected, totals, stages, lot, names, election, seats, constraints
        )
        exclude([loser], Action.EXCLUDE, note)
        previous_surplus = None

    return Result(
        rule="meek",
        seats=seats,
        candidates=names,
        elected=tuple(elected),
        valid_poll=Decimal(valid_poll),
        quota=_as_decimal(quota),
        stages=tuple(stages),
        seed=lot.recorded_seed,
        withdrawn=tuple(sorted(election.withdrawn)),
    )


def _with_iterations(note: str, iterations: int) -> str:
    if not iterations:
        return note
    suffix = f"after {iterations} iteration{'s' if iterations != 1 else ''}"
    return f"{note}; {suffix}" if note else suffix


def _choose_exclusion(
    hopeful: Sequence[int],
    elected: Sequence[int],
    totals: Sequence[int],
    stages: Sequence[Stage],
    lot: Lot,
    names: Sequence[str],
    election: Election,
    seats: int,
    constraints: Sequence[CategoryConstraint],
) -> tuple[int, str]:
    """The hopeful candidate to exclude: fewest votes, ties by AAFD (cl. 19, 40), then lot."""
    candidates = list(hopeful)
    note = ""
    if constraints:
        keep_in = protected(hopeful, elected, seats, election.categories, constraints)
        unprotected = [c for c in candidates if c not in keep_in]
        if unprotected and len(unprotected) < len(candidates):
            candidates = unprotected
            note = "candidates a category constraint needs are protected from exclusion"
    fewest = min(totals[c] for c in candidates)
    tied = [c for c in candidates if totals[c] == fewest]
    if len(tied) == 1:
        return tied[0], note
    pool = _ahead_at_first_difference(tied, stages, most=False)[0]
    if len(pool) == 1:
        why = "tie for fewest votes settled by the earliest stage that differed"
    else:
        pool[0], why = lot.draw(pool, names, decides="excluded")
    return pool[0], "; ".join(x for x in (note, why) if x)


def _ahead_at_first_difference(
    tied: Sequence[int], stages: Sequence[Stage], *, most: bool
) -> list[list[int]]:
    """Candidates with equal votes now, grouped by their votes at the earliest recorded stage
    where they differed, then the next, and so on (cl. 19, 40): best first (most votes, or
    fewest when ``most`` is False). Candidates equal at every stage share a group."""
    groups: dict[tuple[Decimal, ...], list[int]] = {}
    for c in sorted(tied):
        groups.setdefault(tuple(stage.totals[c] for stage in stages), []).append(c)
    return [groups[key] for key in sorted(groups, reverse=most)]


def _in_order(
    pool: Sequence[int],
    totals: Sequence[int],
    stages: Sequence[Stage],
    lot: Lot,
    names: Sequence[str],
) -> tuple[list[int], list[str]]:
    """Candidates elected together, in order of election: most votes first; equal votes by
    Ahead At First Difference, then by lot. Returns the order and notes on any tie."""
    levels: dict[int, list[int]] = {}
    for c in pool:
        levels.setdefault(totals[c], []).append(c)
    ordered: list[int] = []
    notes: list[str] = []
    for votes in sorted(levels, reverse=True):
        tied = levels[votes]
        if len(tied) == 1:
            ordered.extend(tied)
            continue
        groups = _ahead_at_first_difference(tied, stages, most=True)
        if len(groups) > 1:
            listed = ", ".join(names[c] for c in sorted(tied))
            notes.append(
                f"order of election of {listed} settled by the earliest stage that differed"
            )
        for group in groups:
            while len(group) > 1:
                chosen, drawn = lot.draw(group, names, decides="elected first")
                notes.append(f"order of election: {drawn}")
                ordered.append(chosen)
                group = [c for c in group if c != chosen]
            ordered.extend(group)
    return ordered, notes
