"""Category constraints ("at least 2 of the elected must be women") for every STV rule.

The method is the one UK organisations use with STV: the count runs as usual, and before every
stage the rule asks this module whether a constraint now forces its hand.

- Minimum: when the seats still to fill are only just enough to meet a category's unmet
  minimum, every continuing candidate outside the category is excluded.
- Maximum: once a category has its maximum of elected candidates, its other continuing
  candidates are excluded; a candidate who reaches the quota but would break a maximum (or
  leave too few seats for an unmet minimum) is excluded instead of elected.
- A continuing candidate whose exclusion would leave a category with fewer continuing
  candidates than its unmet minimum is *protected*: the lowest unprotected candidate is
  excluded instead. Likewise for a maximum: when the seats left that the category may not
  fill need every continuing candidate outside it, those candidates are protected.

API (all functions are pure; candidates are 0-based indices; ``categories`` is
``Election.categories``, candidate -> labels):

- ``check_feasible(standing, seats, categories, constraints)`` raises :class:`TallyError` up
  front when the standing candidates cannot possibly meet the constraints.
- ``forced_exclusions(continuing, elected, seats, categories, constraints)`` returns
  ``(candidates, note)``: the continuing candidates that must be excluded now (empty when none)
  and a note naming the constraint that forced it. Record the exclusion as an
  ``Action.CONSTRAINT`` stage with that note.
- ``election_blocked(candidate, elected, seats, categories, constraints)`` returns ``""`` when the
  candidate may be deemed elected, otherwise the reason (the candidate is then excluded).
- ``protected(continuing, elected, seats, categories, constraints)`` returns the candidates that
  must not be excluded as the lowest candidate.
- ``excludable_together(ordered, continuing, elected, seats, categories, constraints)`` says
  how many of ``ordered`` (lowest first) a bulk exclusion may take at once: no more than
  leaves every constraint possible to meet. (Excluding one unprotected candidate at a time
  never makes one impossible; excluding several together can, when none of them is protected
  on its own.)
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from grassroots.tally.types import CategoryConstraint, TallyError

Categories = Mapping[int, frozenset[str]]


def _members(candidates: Collection[int], category: str, categories: Categories) -> set[int]:
    return {c for c in candidates if category in categories.get(c, frozenset())}


def describe(constraint: CategoryConstraint) -> str:
    """A constraint as a returning officer would read it, e.g. ``women: at least 2``."""
    parts = []
    if constraint.minimum:
        parts.append(f"at least {constraint.minimum}")
    if constraint.maximum is not None:
        parts.append(f"at most {constraint.maximum}")
    return f"{constraint.category}: {' and '.join(parts) or 'no limit'}"


def check_feasible(
    standing: Collection[int],
    seats: int,
    categories: Categories,
    constraints: Sequence[CategoryConstraint],
) -> None:
    """Raise :class:`TallyError` if no set of ``seats`` standing candidates meets the constraints.

    First per constraint, with a message naming it (enough candidates in the category for a
    minimum; enough outside it for a maximum; minimum not above maximum or seats), then that
    the minimums of categories no candidate shares do not together exceed the seats, and
    finally exactly, for the constraints together however their categories overlap
    (:func:`completable`).
    """
    fill = min(seats, len(standing))
    disjoint_minimum = 0
    seen: set[int] = set()
    for constraint in constraints:
        label = describe(constraint)
        if constraint.minimum < 0 or (constraint.maximum is not None and constraint.maximum < 0):
            raise TallyError(f"constraint {label}: limits cannot be negative")
        if constraint.maximum is not None and constraint.minimum > constraint.maximum:
            raise TallyError(f"constraint {label}: the minimum is above the maximum")
        inside = _members(standing, constraint.category, categories)
        if constraint.minimum > fill:
            raise TallyError(f"constraint {label}: only {fill} seats can be filled")
        if len(inside) < constraint.minimum:
            raise TallyError(
                f"constraint {label}: only {len(inside)} standing candidates are in the category"
            )
        if constraint.maximum is not None:
            outside = len(standing) - len(inside)
            if outside + constraint.maximum < fill:
                raise TallyError(
                    f"constraint {label}: {fill} seats cannot be filled with only {outside} "
                    "candidates outside the category"
                )
        if constraint.minimum and not (inside & seen):
            disjoint_minimum += constraint.minimum
            seen |= inside
    if disjoint_minimum > fill:
        raise TallyError(
            f"the minimums together need {disjoint_minimum} seats but only {fill} can be filled"
        )
    if constraints and not completable((), standing, seats, categories, constraints):
        raise TallyError(
            f"the constraints {_listed(constraints)} cannot all be met together: no {fill} of "
            f"the {len(standing)} standing candidates meet them"
        )


def _listed(constraints: Sequence[CategoryConstraint]) -> str:
    return "; ".join(describe(constraint) for constraint in constraints)


def completable(
    elected: Collection[int],
    pool: Collection[int],
    seats: int,
    categories: Categories,
    constraints: Sequence[CategoryConstraint],
) -> bool:
    """Whether some choice of candidates from ``pool`` for the seats left (all of ``pool`` if
    it is smaller), added to ``elected``, meets every constraint. Exact, however the
    categories overlap.

    Candidates are only told apart by which constrained categories they are in, so the search
    runs over those kinds of candidate (at most one per candidate, and at most 2 ** the number
    of constraints), counting how many of each kind are chosen and, per constraint, how many of
    the chosen are in its category (counts above what any limit looks at are merged)."""
    to_fill = min(seats - len(elected), len(pool))
    if to_fill < 0:
        return False
    low: list[int] = []
    high: list[int] = []
    for constraint in constraints:
        already = len(_members(elected, constraint.category, categories))
        low.append(max(0, constraint.minimum - already))
        high.append(to_fill if constraint.maximum is None else constraint.maximum - already)
        if high[-1] < 0 or low[-1] > min(high[-1], to_fill):
            return False
    # A maximum matters only below the seats to fill: such a count is kept exactly and may not
    # pass it; any other count only needs to reach its minimum, so it is kept up to that.
    bounded = [hi < to_fill for hi in high]
    cap = [hi if bound else lo for lo, hi, bound in zip(low, high, bounded, strict=True)]
    kinds: dict[tuple[bool, ...], int] = {}
    for c in pool:
        labels = categories.get(c, frozenset())
        kind = tuple(constraint.category in labels for constraint in constraints)
        kinds[kind] = kinds.get(kind, 0) + 1
    # State: (chosen so far, then per constraint the chosen in its category, as kept).
    states: set[tuple[int, ...]] = {(0, *([0] * len(constraints)))}
    for kind, available in kinds.items():
        following: set[tuple[int, ...]] = set()
        for state in states:
            for take in range(min(available, to_fill - state[0]) + 1):
                inside = [
                    state[i + 1] + take if kind[i] else state[i + 1]
                    for i in range(len(constraints))
                ]
                if any(
                    bound and count > hi
                    for count, hi, bound in zip(inside, high, bounded, strict=True)
                ):
                    break  # taking more of this kind only passes the maximum further
                following.add(
                    (
                        state[0] + take,
                        *(min(count, c) for count, c in zip(inside, cap, strict=True)),
                    )
                )
        states = following
    return any(
        state[0] == to_fill and all(state[i + 1] >= low[i] for i in range(len(constraints)))
        for state in states
    )


def _unmet(constraint: CategoryConstraint, elected: Collection[int], categories: Categories) -> int:
    return max(0, constraint.minimum - len(_members(elected, constraint.category, categories)))


def forced_exclusions(
    continuing: Collection[int],
    elected: Collection[int],
    seats: int,
    categories: Categories,
    constraints: Sequence[CategoryConstraint],
) -> tuple[frozenset[int], str]:
    """Continuing candidates a constraint excludes now, and the note saying which constraint."""
    if not constraints:
        return frozenset(), ""
    seats_left = seats - len(elected)
    for constraint in constraints:
        inside = _members(continuing, constraint.category, categories)
        at_maximum = constraint.maximum is not None and (
            len(_members(elected, constraint.category, categories)) >= constraint.maximum
        )
        if at_maximum and inside:
            return frozenset(inside), (
                f"constraint {describe(constraint)}: the category has its maximum elected"
            )
        need = _unmet(constraint, elected, categories)
        outside = set(continuing) - inside
        if need and need >= seats_left and outside:
            return frozenset(outside), (
                f"constraint {describe(constraint)}: the {seats_left} seats left are needed "
                "for the category"
            )
    # Constraints together (overlapping categories): a candidate whom no way of filling the
    # seats left within every limit includes. Only while some way exists at all.
    if len(continuing) > seats_left > 0 and completable(
        elected, continuing, seats, categories, constraints
    ):
        pool = set(continuing)
        barred = frozenset(
            c
            for c in pool
            if not completable([*elected, c], pool - {c}, seats, categories, constraints)
        )
        if barred:
            return barred, (
                f"constraints {_listed(constraints)} together: no way of filling the "
                f"{seats_left} seats left within them includes these candidates"
            )
    return frozenset(), ""


def election_blocked(
    candidate: int,
    elected: Collection[int],
    seats: int,
    categories: Categories,
    constraints: Sequence[CategoryConstraint],
    continuing: Collection[int] | None = None,
) -> str:
    """Why ``candidate`` may not be deemed elected now (``""`` if they may).

    With ``continuing`` (the continuing candidates, ``candidate`` among them), also whether
    the constraints together could still be met from the others after electing them."""
    if not constraints:
        return ""
    after = [*elected, candidate]
    seats_left = seats - len(after)
    labels = categories.get(candidate, frozenset())
    for constraint in constraints:
        in_category = constraint.category in labels
        count = len(_members(after, constraint.category, categories))
        if in_category and constraint.maximum is not None and count > constraint.maximum:
            return f"constraint {describe(constraint)}: electing would exceed the maximum"
        need = _unmet(constraint, after, categories)
        if need > seats_left:
            return (
                f"constraint {describe(constraint)}: electing would leave {seats_left} seats "
                f"for {need} still needed"
            )
    if continuing is not None:
        pool = set(continuing) - {candidate}
        if completable(elected, [*pool, candidate], seats, categories, constraints) and not (
            completable(after, pool, seats, categories, constraints)
        ):
            return (
                f"constraints {_listed(constraints)} together: electing would leave no way of "
                "filling the seats left within them"
            )
    return ""


def protected(
    continuing: Collection[int],
    elected: Collection[int],
    seats: int,
    categories: Categories,
    constraints: Sequence[CategoryConstraint],
) -> frozenset[int]:
    """Continuing candidates whose exclusion would make a constraint impossible to meet.

    For a minimum, the category's continuing candidates when no more of them are left than
    the minimum still needs. For a maximum, the continuing candidates outside the category
    when no more of them are left than the seats the category may no longer fill.
    """
    if not constraints:
        return frozenset()
    keep: set[int] = set()
    seats_left = seats - len(elected)
    for constraint in constraints:
        need = _unmet(constraint, elected, categories)
        inside = _members(continuing, constraint.category, categories)
        if need and len(inside) <= need:
            keep |= inside
        if constraint.maximum is not None:
            room = constraint.maximum - len(_members(elected, constraint.category, categories))
            outside = set(continuing) - inside
            if seats_left - room > 0 and len(outside) <= seats_left - room:
                keep |= outside
    # Constraints together (overlapping categories): anyone without whom no way of filling the
    # seats left within every limit remains. Only while some way exists at all.
    pool = set(continuing)
    if len(pool) > seats_left > 0 and completable(elected, pool, seats, categories, constraints):
        keep |= {
            c
            for c in pool - keep
            if not completable(elected, pool - {c}, seats, categories, constraints)
        }
    return frozenset(keep)


def excludable_together(
    ordered: Sequence[int],
    continuing: Collection[int],
    elected: Collection[int],
    seats: int,
    categories: Categories,
    constraints: Sequence[CategoryConstraint],
) -> int:
    """The longest start of ``ordered`` that can be excluded at once and still leave enough
    continuing candidates inside each category with an unmet minimum, and outside each
    category with a maximum, to fill the seats (see :func:`protected`)."""
    seats_left = seats - len(elected)
    # (constraint, True for its members / False for the others) -> how many may still go.
    spare: dict[tuple[int, bool], int] = {}
    for number, constraint in enumerate(constraints):
        inside = _members(continuing, constraint.category, categories)
        need = _unmet(constraint, elected, categories)
        if need:
            spare[number, True] = len(inside) - need
        if constraint.maximum is not None:
            room = constraint.maximum - len(_members(elected, constraint.category, categories))
            if seats_left - room > 0:
                spare[number, False] = len(continuing) - len(inside) - (seats_left - room)
    most = len(ordered)
    for taken, candidate in enumerate(ordered):
        labels = categories.get(candidate, frozenset())
        for number, constraint in enumerate(constraints):
            key = (number, constraint.category in labels)
            if key in spare:
                spare[key] -= 1
                if spare[key] < 0 and most == len(ordered):
                    most = taken
    # The constraints together (overlapping categories), exactly: while some way of filling
    # the seats left within every limit exists, keep one after the exclusion.
    pool = set(continuing)
    if completable(elected, pool, seats, categories, constraints):
        for taken in range(1, most + 1):
            if not completable(
                elected, pool - set(ordered[:taken]), seats, categories, constraints
            ):
                return taken - 1
    return most
