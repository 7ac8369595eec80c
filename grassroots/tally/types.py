"""Plain data that goes into and comes out of every counting rule.

Every rule takes an :class:`Election` and returns a :class:`Result`. Nothing here knows about
Django or files: readers (``blt``) build an ``Election``; reports and the CLI render a ``Result``.
Candidates are identified by their 0-based index in ``Election.candidates`` (BLT order); the
CLI and the JSON output convert to the 1-based numbers BLT uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from grassroots.tally.packed import PackedBallots


class TallyError(ValueError):
    """Input that cannot be counted, with a message a returning officer can act on."""


class NoValidPapers(TallyError):
    """A count refused because no paper is valid (every one blank, of weight 0 or naming only
    withdrawn candidates): the engine will not elect by lot, and a ballot with several
    questions declares this one void instead (``grassroots.ledger.recount``)."""


@dataclass(frozen=True, slots=True)
class Ballot:
    """A group of identical ballot papers.

    ``ranking`` holds candidate indices, most preferred first. For approval and plurality
    ballots it is the set of marked candidates in any order. ``weight`` is how many identical
    papers this line stands for (BLT's leading number).
    """

    ranking: tuple[int, ...]
    weight: int = 1


@dataclass(frozen=True, slots=True)
class EqualBallot:
    """A group of identical ballot papers that give some candidates equal preferences.

    ``ranks`` holds the preferences in order, each a tuple of the candidates marked equal at
    that preference (BLT ``2=3``): ``((0,), (1, 2))`` is "A, then B and C equally". Only Meek
    counts such papers (the value is split equally between candidates at one preference, as
    droop does); every other rule refuses an election that has any.
    """

    ranks: tuple[tuple[int, ...], ...]
    weight: int = 1


@dataclass(frozen=True, slots=True)
class Election:
    candidates: tuple[str, ...]
    seats: int
    # A tuple when built by hand; the BLT reader gives a packed.BallotArray, a sequence that
    # holds the ballots as arrays.
    ballots: Sequence[Ballot]
    withdrawn: frozenset[int] = frozenset()
    title: str = ""
    # Candidate index -> category labels (e.g. {"women"}); used by constraints.
    categories: dict[int, frozenset[str]] = field(default_factory=dict)
    # Optional: ``ballots`` already as numpy arrays, attached by a reader that has them (the
    # BLT reader does) so counting does not convert the tuples again. A cache, not data: it
    # takes no part in equality, hashing or repr, and rules use it only when it was made from
    # this very ``ballots`` tuple (see grassroots.tally.packed.packed_ballots); otherwise
    # they pack ``ballots`` themselves. Leave it None when building an Election by hand.
    packed: PackedBallots | None = field(default=None, compare=False, repr=False)
    # Papers with equal preferences (BLT ``2=3``), kept apart so that no rule can read them
    # as strict rankings by mistake; see EqualBallot.
    equal_ballots: tuple[EqualBallot, ...] = ()
    # A tie-break order fixed before the count (droop's ``[tie]`` option): every candidate,
    # 0-based, the first to be chosen first. When given, it settles what a lot would.
    tie_order: tuple[int, ...] | None = None


@dataclass(frozen=True, slots=True)
class CategoryConstraint:
    """At least ``minimum`` and at most ``maximum`` of the elected come from ``category``."""

    category: str
    minimum: int = 0
    maximum: int | None = None


class Action(StrEnum):
    FIRST = "first preferences"
    ELECT = "elect"
    SURPLUS = "transfer surplus"
    EXCLUDE = "exclude"
    ITERATE = "iterate"  # Meek: one pass of keep-factor adjustment
    CONSTRAINT = "exclude by constraint"


@dataclass(frozen=True, slots=True)
class Stage:
    """One stage of the count, as a returning officer's result sheet shows it.

    ``totals`` are the votes of every candidate (BLT order) *after* the stage's action.
    ``candidates`` are the ones the action concerns (elected, surplus transferred, excluded).
    """

    number: int
    action: Action
    candidates: tuple[int, ...]
    totals: tuple[Decimal, ...]
    exhausted: Decimal = Decimal(0)
    loss_by_rounding: Decimal = Decimal(0)
    transfer_value: Decimal | None = None
    elected: tuple[int, ...] = ()
    # Meek: every candidate's keep factor after the stage (BLT order). ERS97: one line per
    # parcel (surplus) or batch (exclusion) moved, with papers transferred and non-transferable.
    keep_factors: tuple[Decimal, ...] | None = None
    parcels: tuple[str, ...] = ()
    note: str = ""  # why a tie or a constraint decided this stage


@dataclass(frozen=True, slots=True)
class Result:
    rule: str
    seats: int
    candidates: tuple[str, ...]
    elected: tuple[int, ...]  # in order of election
    valid_poll: Decimal
    quota: Decimal | None
    stages: tuple[Stage, ...]
    seed: int | None = None  # the published seed used for drawing lots, if any lot was drawn
    notes: tuple[str, ...] = ()
    withdrawn: tuple[int, ...] = ()  # candidates withdrawn before the count, in BLT order
