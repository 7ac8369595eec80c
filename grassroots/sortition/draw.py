"""A stratified draw by lot: choose ``seats`` volunteers so that every quota holds.

PURE PYTHON, no Django import, so any member can rerun a published draw with no server
(``python -m grassroots.sortition rerun RECORD.json``). docs/sortition.md states the algorithm
precisely enough to reimplement it; in short:

1. The volunteers' ids are sorted (Unicode code point order, the same as UTF-8 byte order).
2. A Fisher-Yates shuffle puts them in a *lottery order*, taking its random numbers from
   HMAC-SHA256(key=seed, message=DOMAIN || counter as 8 bytes big-endian), counter 0, 1, 2...
   (see :func:`random_below`); Python's ``random`` is not used, so no library change can move
   the result.
3. Seats are filled one at a time: each goes to the first volunteer in lottery order, not yet
   chosen, such that the people chosen so far plus that volunteer can still be completed to a
   full body meeting every quota. (The check is exact: :class:`_Completion`.)
4. Replacements continue the same way from the same lottery order: the first volunteers never
   chosen before whose choice keeps the body completable.

If the quotas cannot all be met by any selection of the volunteers, the draw refuses before
using the seed and :class:`QuotasInfeasible` says why in words.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

DOMAIN = b"grassroots-sortition/1"
MINIMUM_SEED_BYTES = 16


class SortitionError(ValueError):
    """Input a draw cannot use, with a message for the person who gave it."""


class Reason(str):
    """A reason in English words (the text, as the rerun prints it), with its shape (``code``)
    and the figures in it (``params``), so a page can say it in its reader's language."""

    code: str
    params: dict[str, object]

    def __new__(cls, text: str, code: str, **params: object) -> Reason:
        reason = super().__new__(cls, text)
        reason.code = code
        reason.params = params
        return reason


class QuotasInfeasible(SortitionError):
    """No selection of the volunteers meets every quota; ``reasons`` says why, in words."""

    def __init__(self, reasons: Sequence[str]) -> None:
        self.reasons = tuple(reasons)
        super().__init__("The quotas cannot be met: " + "; ".join(self.reasons) + ".")


@dataclass(frozen=True)
class Volunteer:
    """A volunteer as the draw sees them: a pseudonymous id and a value for each category."""

    id: str
    categories: Mapping[str, str]


@dataclass(frozen=True)
class Quota:
    """At least ``minimum`` and at most ``maximum`` (None: no maximum) of the body have
    ``category`` = ``value``."""

    category: str
    value: str
    minimum: int = 0
    maximum: int | None = None

    def describe(self) -> str:
        if self.maximum is None:
            return f"at least {self.minimum} with {self.category} “{self.value}”"
        if self.minimum == 0:
            return f"at most {self.maximum} with {self.category} “{self.value}”"
        return f"{self.minimum} to {self.maximum} with {self.category} “{self.value}”"


@dataclass(frozen=True)
class Pool:
    """What a draw is made from: seats to fill, the categories every volunteer states, the
    volunteers, and the quotas."""

    seats: int
    categories: tuple[str, ...]
    volunteers: tuple[Volunteer, ...]
    quotas: tuple[Quota, ...] = ()


@dataclass(frozen=True)
class DrawResult:
    order: tuple[str, ...]  # every volunteer id, in lottery order
    selected: tuple[str, ...]  # the body, in the order its seats were filled


def random_below(seed: bytes, counter: int, n: int) -> tuple[int, int]:
    """A uniform integer in [0, n) from the seed's stream, and the next counter.

    Block ``c`` is HMAC-SHA256(seed, DOMAIN || c as 8 bytes big-endian), read as a 256-bit
    big-endian integer. A block at or above the largest multiple of n below 2**256 is
    rejected (so every residue is equally likely) and the next counter tried.
    """
    if n < 1:
        raise SortitionError("cannot choose from nothing")
    limit = (1 << 256) - (1 << 256) % n
    while True:
        block = hmac.new(seed, DOMAIN + counter.to_bytes(8, "big"), hashlib.sha256).digest()
        counter += 1
        value = int.from_bytes(block, "big")
        if value < limit:
            return value % n, counter


def lottery_order(ids: Collection[str], seed: bytes) -> tuple[str, ...]:
    """The ids sorted, then shuffled by Fisher-Yates (Durstenfeld: i from the last index down
    to 1 swaps with j = random_below(i + 1)), counter starting at 0."""
    order = sorted(ids)
    counter = 0
    for i in range(len(order) - 1, 0, -1):
        j, counter = random_below(seed, counter, i + 1)
        order[i], order[j] = order[j], order[i]
    return tuple(order)


def check_pool(pool: Pool) -> None:
    """Refuse a pool the draw cannot use, naming the first problem."""
    if pool.seats < 1:
        raise SortitionError("a body needs at least one seat")
    if len(set(pool.categories)) != len(pool.categories):
        raise SortitionError("a category is listed twice")
    seen: set[str] = set()
    for volunteer in pool.volunteers:
        if not volunteer.id:
            raise SortitionError("a volunteer has an empty id")
        if volunteer.id in seen:
            raise SortitionError(f"volunteer {volunteer.id} is listed twice")
        seen.add(volunteer.id)
        for category in pool.categories:
            if not volunteer.categories.get(category):
                raise SortitionError(f"volunteer {volunteer.id} has no {category}")
        extra = set(volunteer.categories) - set(pool.categories)
        if extra:
            raise SortitionError(
                f"volunteer {volunteer.id} has a category the draw does not use: "
                + ", ".join(sorted(extra))
            )
    quota_keys: set[tuple[str, str]] = set()
    for quota in pool.quotas:
        if quota.category not in pool.categories:
            raise SortitionError(f"a quota names {quota.category}, which is not a category")
        if (quota.category, quota.value) in quota_keys:
            raise SortitionError(f"two quotas for {quota.category} “{quota.value}”")
        quota_keys.add((quota.category, quota.value))
        if quota.minimum < 0 or (quota.maximum is not None and quota.maximum < 0):
            raise SortitionError(f"the quota for {quota.category} “{quota.value}” is negative")
        if quota.maximum is not None and quota.maximum < quota.minimum:
            raise SortitionError(
                f"the quota for {quota.category} “{quota.value}” has its maximum "
                f"({quota.maximum}) below its minimum ({quota.minimum})"
            )


Type = tuple[str, ...]


class _Completion:
    """Can a partly chosen body be completed so that every quota holds?

    Volunteers are grouped by *type*, their values in the categories that have quotas. The
    question is then whether whole numbers x_t (0 <= x_t <= volunteers of type t still
    available) exist that add up to the seats left and keep every quota's count within its
    limits. A depth-first search over the types answers it exactly, pruned by bounds that
    hold for any completion and remembering the states already found hopeless.
    """

    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        self.categories = tuple(sorted({q.category for q in pool.quotas}))
        index = {c: i for i, c in enumerate(self.categories)}
        self.limits = [
            (index[q.category], q.value, q.minimum, pool.seats if q.maximum is None else q.maximum)
            for q in sorted(pool.quotas, key=lambda q: (q.category, q.value))
        ]
        self.type_of = {
            v.id: tuple(v.categories[c] for c in self.categories) for v in pool.volunteers
        }

    def hits(self, kind: Type) -> list[int]:
        return [k for k, (c, value, _, _) in enumerate(self.limits) if kind[c] == value]

    def counts(self, chosen: Sequence[str]) -> list[int]:
        counts = [0] * len(self.limits)
        for vid in chosen:
            for k in self.hits(self.type_of[vid]):
                counts[k] += 1
        return counts

    def available(self, excluded: Collection[str]) -> Counter[Type]:
        return Counter(t for vid, t in self.type_of.items() if vid not in excluded)

    def possible(self, chosen: Sequence[str], available: Counter[Type]) -> bool:
        need = self.pool.seats - len(chosen)
        if need < 0:
            return False
        kinds = sorted(t for t, n in available.items() if n > 0)
        hits = [self.hits(t) for t in kinds]
        # suffix[i][k]: volunteers of types i.. that count towards limit k
        suffix = [[0] * len(self.limits) for _ in range(len(kinds) + 1)]
        totals = [0] * (len(kinds) + 1)
        for i in range(len(kinds) - 1, -1, -1):
            suffix[i] = list(suffix[i + 1])
            for k in hits[i]:
                suffix[i][k] += available[kinds[i]]
            totals[i] = totals[i + 1] + available[kinds[i]]
        by_category: dict[int, list[int]] = {}
        for k, (c, _, _, _) in enumerate(self.limits):
            by_category.setdefault(c, []).append(k)
        hopeless: set[tuple[int, int, tuple[int, ...]]] = set()

        def search(i: int, left: int, counts: tuple[int, ...]) -> bool:
            for k, (_, _, low, high) in enumerate(self.limits):
                if counts[k] > high or counts[k] + min(suffix[i][k], left) < low:
                    return False
            for ks in by_category.values():
                if sum(max(0, self.limits[k][2] - counts[k]) for k in ks) > left:
                    return False
            if left == 0:
                return True
            if totals[i] < left:
                return False
            state = (i, left, counts)
            if state in hopeless:
                return False
            most = min(available[kinds[i]], left)
            for k in hits[i]:
                most = min(most, self.limits[k][3] - counts[k])
            for take in range(most, -1, -1):
                after = list(counts)
                for k in hits[i]:
                    after[k] += take
                if search(i + 1, left - take, tuple(after)):
                    return True
            hopeless.add(state)
            return False

        return search(0, need, tuple(self.counts(chosen)))

    def reasons(self, chosen: Sequence[str], available: Counter[Type]) -> list[str]:
        """Why ``possible`` said no, in words: the simple causes first, else the general one."""
        need = self.pool.seats - len(chosen)
        reasons: list[str] = []
        total = sum(available.values())
        if total < need:
            reasons.append(
                Reason(
                    f"{need} seat{'s' if need != 1 else ''} to fill but only {total} "
                    f"volunteer{'s' if total != 1 else ''} available",
                    "seats",
                    need=need,
                    total=total,
                )
            )
        counts = self.counts(chosen)
        spare = [0] * len(self.limits)
        for kind, n in available.items():
            for k in self.hits(kind):
                spare[k] += n
        quotas = sorted(self.pool.quotas, key=lambda q: (q.category, q.value))
        for k, quota in enumerate(quotas):
            if counts[k] + spare[k] < quota.minimum:
                have = counts[k] + spare[k]
                reasons.append(
                    Reason(
                        f"the quota needs {quota.describe()} but only {have} "
                        f"such volunteer{'s' if have != 1 else ''} "
                        + ("are available" if chosen else "volunteered"),
                        "quota_short",
                        quota=quota,
                        have=have,
                        chosen=bool(chosen),
                    )
                )
            if counts[k] > self.limits[k][3]:
                reasons.append(
                    Reason(
                        f"{counts[k]} already chosen exceed the quota {quota.describe()}",
                        "over_quota",
                        quota=quota,
                        count=counts[k],
                    )
                )
        for c, category in enumerate(self.categories):
            ks = [k for k, limit in enumerate(self.limits) if limit[0] == c]
            shortfall = sum(max(0, quotas[k].minimum - counts[k]) for k in ks)
            if shortfall > need:
                reasons.append(
                    Reason(
                        f"the minimums for {category} need {shortfall} more seats than the "
                        f"{need} there are",
                        "minimums",
                        category=category,
                        shortfall=shortfall,
                        need=need,
                    )
                )
            limited = {self.limits[k][1]: k for k in ks}
            room = 0
            for kind, n in available.items():
                room += 0 if kind[c] in limited else n
            room += sum(min(self.limits[k][3] - counts[k], spare[k]) for k in ks)
            if total >= need and room < need:
                reasons.append(
                    Reason(
                        f"the maximums for {category} leave room for only {room} of the {need} "
                        "seats among the volunteers",
                        "maximums",
                        category=category,
                        room=room,
                        need=need,
                    )
                )
        if not reasons:
            reasons.append(
                Reason(
                    "each quota could be met on its own, but no selection of the volunteers "
                    "meets them all at once",
                    "all_at_once",
                )
            )
        return reasons


def _fill(
    pool: Pool,
    order: Sequence[str],
    completion: _Completion,
    members: Sequence[str],
    excluded: Collection[str],
    seats_to_fill: int,
) -> tuple[str, ...]:
    chosen = list(members)
    unavailable = set(excluded) | set(members)
    available = completion.available(unavailable)
    if not completion.possible(chosen, available):
        raise QuotasInfeasible(completion.reasons(chosen, available))
    added: list[str] = []
    for _ in range(seats_to_fill):
        refused: set[Type] = set()
        for vid in order:
            if vid in unavailable:
                continue
            kind = completion.type_of[vid]
            if kind in refused:
                continue  # same categories as one that could not be added: cannot either
            available[kind] -= 1
            if completion.possible([*chosen, vid], available):
                chosen.append(vid)
                added.append(vid)
                unavailable.add(vid)
                break
            available[kind] += 1
            refused.add(kind)
        else:  # unreachable while the invariant holds; kept so a bug cannot seat too few
            raise QuotasInfeasible(completion.reasons(chosen, available))
    return tuple(added)


def check_feasible(pool: Pool) -> None:
    """Raise :class:`QuotasInfeasible` unless some selection of the volunteers meets every quota."""
    check_pool(pool)
    completion = _Completion(pool)
    available = completion.available(())
    if not completion.possible([], available):
        raise QuotasInfeasible(completion.reasons([], available))


def draw(pool: Pool, seed: bytes) -> DrawResult:
    """Draw the body. Deterministic: the same pool and seed always give the same result."""
    check_pool(pool)
    if len(seed) < MINIMUM_SEED_BYTES:
        raise SortitionError(f"the seed must be at least {MINIMUM_SEED_BYTES} bytes")
    completion = _Completion(pool)
    order = lottery_order([v.id for v in pool.volunteers], seed)
    selected = _fill(pool, order, completion, (), (), pool.seats)
    return DrawResult(order=order, selected=selected)


def replace(
    pool: Pool,
    seed: bytes,
    *,
    members: Sequence[str],
    standing_down: Collection[str],
    ever_selected: Collection[str],
) -> tuple[str, ...]:
    """Replacements for ``standing_down`` (who leave ``members``, the body now): the next
    volunteers in the same lottery order who were never selected and keep every quota
    achievable. Returns the replacements, in the order their seats were filled."""
    check_pool(pool)
    missing = [vid for vid in standing_down if vid not in members]
    if missing:
        raise SortitionError(f"not a member of the body: {', '.join(sorted(missing))}")
    remaining = [vid for vid in members if vid not in standing_down]
    completion = _Completion(pool)
    order = lottery_order([v.id for v in pool.volunteers], seed)
    excluded = set(ever_selected) | set(members)
    return _fill(pool, order, completion, remaining, excluded, pool.seats - len(remaining))
