"""Counting rules for Grassroots ballots, runnable by anyone on a published ballot file.

``count(election, rule=...)`` is the one entry point; each rule's module can also be used on
its own. Rules and their keyword options:

* ``"plurality"``: first past the post; bloc voting when ``election.seats`` > 1.
  ``first_preferences=True`` counts a ranked ballot's first ``seats`` preferences as marks.
* ``"approval"``: every marked candidate gets a vote.
* ``"yesno"``: a motion with options Yes, No (and optionally Abstain).
  ``threshold="majority"`` (more than half), ``"two-thirds"`` (at least two thirds) or a
  ``Fraction`` (at least that share) of votes for and against; ``abstentions_count=True`` to
  measure against all valid papers; ``quorum`` as an ``int`` number of papers or a
  ``Fraction`` of ``roll`` (the number entitled to vote).
* ``"irv"``: the alternative vote (one seat).

``seats=`` overrides ``election.seats`` (1 to the number of candidates).
* ``"scottish"``, ``"ers97"``, ``"meek"``: the single transferable vote under those rules,
  with ``constraints`` (minimum/maximum per category). ``blank_papers_valid=True`` counts
  blank papers (no standing candidate marked) in the valid poll, and so in the quota, as
  some references do; they are non-transferable from the first stage.

Ties the rules cannot settle are decided by lot from ``random.Random(seed)``; the seed must be
published before the count and is recorded in ``Result.seed`` when a lot was drawn. Every rule
that needs a lot and was given no seed stops with a :class:`TallyError` asking for it.

Nothing here imports Django; the package is plain Python (and numpy, for Meek).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from grassroots.tally.types import (
    Action,
    Ballot,
    CategoryConstraint,
    Election,
    EqualBallot,
    NoValidPapers,
    Result,
    Stage,
    TallyError,
)

__all__ = [
    "RULES",
    "Action",
    "Ballot",
    "CategoryConstraint",
    "Election",
    "EqualBallot",
    "NoValidPapers",
    "Result",
    "Stage",
    "TallyError",
    "count",
    "read_blt",
    "write_blt",
]

RULES = ("plurality", "approval", "yesno", "irv", "scottish", "ers97", "meek")
_RANKED_STV = ("scottish", "ers97", "meek")
_WITH_OPTIONS = {
    "plurality": frozenset({"first_preferences"}),
    "approval": frozenset(),
    "yesno": frozenset({"threshold", "abstentions_count", "quorum", "roll"}),
    "irv": frozenset(),
    "scottish": frozenset({"blank_papers_valid"}),
    "ers97": frozenset({"blank_papers_valid"}),
    "meek": frozenset({"blank_papers_valid"}),
}


def count(
    election: Election,
    *,
    rule: str,
    seats: int | None = None,
    constraints: Sequence[CategoryConstraint] = (),
    seed: int | None = None,
    **options: Any,
) -> Result:
    """Count ``election`` by ``rule`` (one of :data:`RULES`) and return every stage.

    ``seats`` replaces ``election.seats`` when given; it must be a whole number from 1 to the
    number of candidates (a yes/no motion takes only 1). ``seed`` is the published seed for
    any lot; a count that needs a lot and has no seed raises :class:`TallyError`.
    """
    if rule not in _WITH_OPTIONS:
        raise TallyError(f"unknown rule {rule!r}; the rules are: {', '.join(RULES)}")
    unknown = set(options) - _WITH_OPTIONS[rule]
    if unknown:
        allowed = ", ".join(sorted(_WITH_OPTIONS[rule])) or "none"
        raise TallyError(
            f"rule {rule!r} does not take option(s) {', '.join(sorted(unknown))}; "
            f"its options are: {allowed}"
        )
    if constraints and rule not in _RANKED_STV:
        raise TallyError(f"category constraints apply to STV rules only, not {rule!r}")
    if seats is not None:
        election = replace(election, seats=check_seats(seats, election, rule))
    else:
        # The file's own number of seats passes the same check as an explicit ``seats``.
        check_seats(election.seats, election, rule, source="the election's number of seats")
    if election.candidates and len(election.withdrawn) >= len(election.candidates):
        raise TallyError("every candidate is withdrawn: there is nobody to elect")

    if rule == "plurality":
        from grassroots.tally.simple import count_plurality

        return count_plurality(election, seed=seed, **options)
    if rule == "approval":
        from grassroots.tally.simple import count_approval

        return count_approval(election, seed=seed)
    if rule == "yesno":
        from grassroots.tally.simple import count_yesno

        return count_yesno(election, **options)
    if rule == "irv":
        from grassroots.tally.irv import count_irv

        return count_irv(election, seed=seed)
    stv = _stv_rule(rule)
    return stv(election, constraints=tuple(constraints), seed=seed, **options)


def check_seats(seats: object, election: Election, rule: str, *, source: str = "seats") -> int:
    """``seats`` if it is a valid number of seats to fill in ``election``, else TallyError.

    ``source`` names where the number came from in the message (the ``seats`` argument, or
    the election's own, as a BLT file's header gives it).
    """
    ncand = len(election.candidates)
    if isinstance(seats, bool) or not isinstance(seats, int):
        raise TallyError(f"{source} must be a whole number, not {seats!r}")
    if rule == "yesno" and seats != 1:
        raise TallyError(f"a yes/no motion has no seats to fill but its one decision, not {seats}")
    if not 1 <= seats <= ncand:
        raise TallyError(
            f"{source} must be from 1 to the number of candidates ({ncand}), not {seats}"
        )
    return seats


def _stv_rule(rule: str) -> Callable[..., Result]:
    # Imported by name so that this module works before every rule's module has landed.
    module_name, function_name = {
        "scottish": ("grassroots.tally.scottish", "count_scottish"),
        "ers97": ("grassroots.tally.ers97", "count_ers97"),
        "meek": ("grassroots.tally.meek", "count_meek"),
    }[rule]
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise TallyError(f"the {rule!r} rule is not available in this build: {error}") from error
    function: Callable[..., Result] = getattr(module, function_name)
    return function


def __getattr__(name: str) -> Any:
    # BLT reading and writing live in blt.py; loaded on first use to keep this module light.
    if name in ("read_blt", "write_blt"):
        from grassroots.tally import blt

        return getattr(blt, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
