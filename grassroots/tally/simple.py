"""Non-transferable votes: plurality (single seat and bloc), approval, and yes/no/abstain.

Every count here is a single stage: the first-preference (or mark) totals, then the
declaration. Totals are whole numbers of papers; nothing is ever divided except to test a
threshold, and that is done with exact fractions.

Ties for the last seat(s) are broken by lot drawn from ``random.Random(seed)`` with the seed
published before the count (:class:`Lot`). The other counting modules use the same ``Lot`` so
that every rule draws in the same auditable way.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

import numpy as np

from grassroots.tally.packed import BallotArray, PackedBallots
from grassroots.tally.types import Action, Election, NoValidPapers, Result, Stage, TallyError

__all__ = [
    "Lot",
    "and_list",
    "count_approval",
    "count_plurality",
    "count_yesno",
    "parse_threshold",
    "refuse_empty_count",
    "refuse_equal_preferences",
    "valid_rankings",
]


@dataclass(slots=True)
class Lot:
    """The seeded lot that settles ties a rule cannot settle otherwise.

    The tied candidates are sorted by their BLT number, then ``random.Random(seed)`` picks one
    with ``randrange``; a later draw continues the same random stream, so the whole count is
    reproducible from the published seed. Without a seed, a tie that needs a lot is an error:
    the returning officer must publish the seed before counting.
    """

    seed: int | None
    # A tie-break order published before the count (droop's ``[tie]``): the tied candidate
    # earliest in it is chosen, and no seed is needed.
    order: Sequence[int] | None = None
    drawn: bool = False
    _rng: random.Random | None = field(default=None, repr=False)

    def draw(self, tied: Iterable[int], names: Sequence[str], *, decides: str) -> tuple[int, str]:
        """Pick one of ``tied`` by lot; return it and a note saying how it was drawn.

        ``decides`` is what the draw decided for the candidate drawn, in the rule's own words
        ("excluded", "elected", "elected first", "surplus transferred first"): the note reads
        ``lot (seed 5) drawn between A and B: A excluded``, so it never needs the rule to be
        read right.
        """
        pool = sorted(set(tied))
        if len(pool) == 1:
            return pool[0], ""
        if self.order is not None:
            rank = {c: at for at, c in enumerate(self.order)}
            chosen = min(pool, key=lambda c: rank.get(c, len(rank)))
            listed = and_list([names[c] for c in pool])
            return chosen, (
                f"tie between {listed} settled by the file's tie-break order: "
                f"{names[chosen]} {decides}"
            )
        if self.seed is None:
            listed = ", ".join(names[c] for c in pool)
            raise TallyError(
                f"a tie between {listed} must be broken by lot: give the published seed"
            )
        if self._rng is None:
            # A lot must be reproducible from the published seed, so not a secret generator.
            self._rng = random.Random(self.seed)  # noqa: S311
        chosen = pool[self._rng.randrange(len(pool))]
        self.drawn = True
        listed = and_list([names[c] for c in pool])
        return chosen, f"lot (seed {self.seed}) drawn between {listed}: {names[chosen]} {decides}"

    @property
    def recorded_seed(self) -> int | None:
        return self.seed if self.drawn else None


def and_list(words: Sequence[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def refuse_equal_preferences(election: Election, rule: str) -> None:
    """Stop a rule that has no way to count equal preferences (BLT ``2=3``) from miscounting."""
    if election.equal_ballots:
        example = next(b for b in election.equal_ballots if any(len(r) > 1 for r in b.ranks))
        shown = " ".join("=".join(election.candidates[c] for c in rank) for rank in example.ranks)
        raise TallyError(
            f"{len(election.equal_ballots)} ballot line(s) give candidates equal preferences "
            f"(e.g. {shown}); the {rule!r} rule does not define how to count them: only "
            "'meek' does (the paper's value is split equally between them)"
        )


def refuse_empty_count(election: Election, valid_poll: object) -> None:
    """Stop a count with nobody standing or no valid papers, which could only elect by lot.

    ``valid_poll`` is the rule's own valid poll (0 when every ballot line has weight 0, is
    blank, or names only withdrawn candidates).
    """
    if len(election.withdrawn) >= len(election.candidates):
        raise TallyError("every candidate is withdrawn: there is nobody to elect")
    if not valid_poll:
        raise NoValidPapers(
            "there are no valid papers to count: every ballot line has weight 0, is blank or "
            "names only withdrawn candidates"
        )


def _scanned_rankings(
    packed: PackedBallots, withdrawn: frozenset[int]
) -> list[tuple[tuple[int, ...], int]]:
    """:func:`valid_rankings` of ballots the BLT scanner read: it checked every candidate and
    weight and refused repeats, so only withdrawn candidates need striking off; the tuples
    are cut from one list, without a Ballot each."""
    flat = packed.rankings.tolist()
    bounds = np.cumsum(packed.lengths).tolist()
    starts = [0, *bounds[:-1]] if bounds else []
    rankings = [tuple(flat[a:b]) for a, b in zip(starts, bounds, strict=True)]
    if withdrawn:
        rankings = [
            r if withdrawn.isdisjoint(r) else tuple(c for c in r if c not in withdrawn)
            for r in rankings
        ]
    return list(zip(rankings, packed.weights.tolist(), strict=True))


def valid_rankings(election: Election) -> list[tuple[tuple[int, ...], int]]:
    """Each ballot's ranking cleaned for counting, with its weight.

    Withdrawn candidates are skipped (as if struck off the paper) and a repeated candidate is
    ignored after its first appearance. An index outside the candidate list is an error in the
    input, not something to guess about.
    """
    n = len(election.candidates)
    withdrawn = election.withdrawn
    if isinstance(election.ballots, BallotArray) and election.ballots.packed.distinct:
        return _scanned_rankings(election.ballots.packed, withdrawn)
    out: list[tuple[tuple[int, ...], int]] = []
    for number, ballot in enumerate(election.ballots, start=1):
        ranking = ballot.ranking
        if ballot.weight <= 0:
            if ballot.weight < 0:
                raise TallyError(f"ballot line {number} has a negative weight {ballot.weight}")
            continue
        # Fast path, for large counts: a clean ranking is kept as it is.
        if (
            (not ranking or (min(ranking) >= 0 and max(ranking) < n))
            and len(set(ranking)) == len(ranking)
            and (not withdrawn or withdrawn.isdisjoint(ranking))
        ):
            out.append((ranking, ballot.weight))
            continue
        seen: set[int] = set()
        kept: list[int] = []
        for c in ballot.ranking:
            if not 0 <= c < n:
                raise TallyError(
                    f"ballot line {number} names candidate {c + 1}, but there are {n} candidates"
                )
            if c in seen or c in withdrawn:
                continue
            seen.add(c)
            kept.append(c)
        out.append((tuple(kept), ballot.weight))
    return out


def _check_seats(election: Election, *, at_most: int | None = None) -> None:
    if election.seats < 1:
        raise TallyError(f"an election needs at least one seat, not {election.seats}")
    if at_most is not None and election.seats > at_most:
        raise TallyError(f"this rule fills at most {at_most} seat(s), not {election.seats}")


def _decimal_totals(totals: Sequence[int]) -> tuple[Decimal, ...]:
    return tuple(Decimal(t) for t in totals)


def _top_by_votes(
    totals: Sequence[int], eligible: Sequence[int], seats: int, lot: Lot, names: Sequence[str]
) -> tuple[tuple[int, ...], str]:
    """The ``seats`` eligible candidates with most votes; a tie across the cut goes to lot."""
    ordered = sorted(eligible, key=lambda c: (-totals[c], c))
    if len(ordered) <= seats:
        return tuple(ordered), ""
    cut = totals[ordered[seats - 1]]
    sure = [c for c in ordered if totals[c] > cut]
    tied = [c for c in ordered if totals[c] == cut]
    if len(sure) + len(tied) <= seats:
        return tuple(sure + tied), ""
    winners = list(sure)
    notes: list[str] = []
    pool = list(tied)
    while len(winners) < seats:
        chosen, note = lot.draw(pool, names, decides="elected")
        notes.append(note)
        winners.append(chosen)
        pool.remove(chosen)
    return tuple(winners), "; ".join(notes)


def _single_stage_result(
    rule: str,
    election: Election,
    totals: list[int],
    winners: tuple[int, ...],
    valid_poll: int,
    lot: Lot,
    note: str,
    notes: tuple[str, ...] = (),
) -> Result:
    decimal_totals = _decimal_totals(totals)
    stages = (
        Stage(number=1, action=Action.FIRST, candidates=(), totals=decimal_totals),
        Stage(
            number=2,
            action=Action.ELECT,
            candidates=winners,
            totals=decimal_totals,
            elected=winners,
            note=note,
        ),
    )
    return Result(
        rule=rule,
        seats=election.seats,
        candidates=election.candidates,
        elected=winners,
        valid_poll=Decimal(valid_poll),
        quota=None,
        stages=stages,
        seed=lot.recorded_seed,
        notes=notes,
        withdrawn=tuple(sorted(election.withdrawn)),
    )


def count_plurality(
    election: Election, *, seed: int | None = None, first_preferences: bool = False
) -> Result:
    """First past the post, or bloc voting when ``election.seats`` > 1.

    Each ballot is the set of candidates marked. A paper marking more candidates than there are
    seats is void (not a valid vote), as is a blank paper. With ``first_preferences=True`` a
    ranked ballot counts as marks for its first ``seats`` preferences instead, which lets a BLT
    file of preferential ballots be counted by plurality.
    """
    _check_seats(election)
    refuse_equal_preferences(election, "plurality")
    seats = election.seats
    totals = [0] * len(election.candidates)
    valid_poll = 0
    void = 0
    for ranking, weight in valid_rankings(election):
        marks = ranking[:seats] if first_preferences else ranking
        if not marks or len(marks) > seats:
            void += weight
            continue
        valid_poll += weight
        for c in marks:
            totals[c] += weight
    refuse_empty_count(election, valid_poll)
    eligible = [c for c in range(len(election.candidates)) if c not in election.withdrawn]
    lot = Lot(seed, election.tie_order)
    winners, note = _top_by_votes(totals, eligible, seats, lot, election.candidates)
    notes = (f"{void} void or blank paper(s) not counted",) if void else ()
    rule = "plurality" if seats == 1 else "bloc plurality"
    return _single_stage_result(rule, election, totals, winners, valid_poll, lot, note, notes)


def count_approval(election: Election, *, seed: int | None = None) -> Result:
    """Approval voting: every marked candidate gets one vote; the most approved are elected.

    A blank paper is not a valid vote; any number of marks is allowed otherwise.
    """
    _check_seats(election)
    refuse_equal_preferences(election, "approval")
    totals = [0] * len(election.candidates)
    valid_poll = 0
    for ranking, weight in valid_rankings(election):
        if not ranking:
            continue
        valid_poll += weight
        for c in ranking:
            totals[c] += weight
    refuse_empty_count(election, valid_poll)
    eligible = [c for c in range(len(election.candidates)) if c not in election.withdrawn]
    lot = Lot(seed, election.tie_order)
    winners, note = _top_by_votes(totals, eligible, election.seats, lot, election.candidates)
    return _single_stage_result("approval", election, totals, winners, valid_poll, lot, note)


Threshold = str | Fraction


def parse_threshold(threshold: Threshold) -> tuple[Fraction, bool]:
    """A threshold as (share, strictly more than?).

    ``"majority"`` means more than half; ``"two-thirds"`` means at least two thirds (the usual
    wording of constitutions: "a two-thirds majority of those voting"). A ``Fraction`` means at
    least that share.
    """
    if threshold == "majority":
        return Fraction(1, 2), True
    if threshold == "two-thirds":
        return Fraction(2, 3), False
    if isinstance(threshold, Fraction) and 0 < threshold <= 1:
        return threshold, False
    raise TallyError(
        f"threshold must be 'majority', 'two-thirds' or a Fraction in (0, 1], not {threshold!r}"
    )


def count_yesno(
    election: Election,
    *,
    threshold: Threshold = "majority",
    abstentions_count: bool = False,
    quorum: int | Fraction | None = None,
    roll: int | None = None,
) -> Result:
    """A motion or referendum: candidates are ("Yes", "No") or ("Yes", "No", "Abstain").

    Each ballot marks exactly one of them; other papers are void. The motion is carried when:

    * the yes votes reach ``threshold`` of the votes cast for and against (or of all valid
      papers, abstentions included, when ``abstentions_count=True``), and
    * the turnout (valid papers, abstentions included) reaches ``quorum``: an ``int`` is a
      number of papers; a ``Fraction`` is a share of the ``roll`` (the number entitled to
      vote), which must then be given.

    ``Result.elected`` is ``(0,)`` (Yes) when carried and ``()`` when not; ``Result.notes``
    says why. No lot is ever drawn: a tie on a majority threshold is not carried.
    """
    names = election.candidates
    if len(names) not in (2, 3):
        raise TallyError("a yes/no ballot has the options Yes, No and optionally Abstain")
    share, strict = parse_threshold(threshold)
    refuse_equal_preferences(election, "yesno")
    totals = [0] * len(names)
    void = 0
    for ranking, weight in valid_rankings(election):
        if len(ranking) != 1:
            void += weight
            continue
        totals[ranking[0]] += weight
    yes, no = totals[0], totals[1]
    abstain = totals[2] if len(names) == 3 else 0
    turnout = yes + no + abstain
    base = turnout if abstentions_count else yes + no

    notes: list[str] = []
    quorum_met = True
    if quorum is not None:
        if isinstance(quorum, Fraction):
            if roll is None or roll < 0:
                raise TallyError("a quorum given as a share needs the size of the roll")
            needed = quorum * roll
        elif quorum >= 0:
            needed = Fraction(quorum)
        else:
            raise TallyError(f"quorum must not be negative, not {quorum}")
        quorum_met = turnout >= needed
        notes.append(
            f"turnout {turnout} {'meets' if quorum_met else 'does not meet'} the quorum of "
            f"{_show_fraction(needed)}"
        )
    needed_yes = share * base
    if base == 0:
        threshold_met = False
    elif strict:
        threshold_met = yes > needed_yes
    else:
        threshold_met = yes >= needed_yes
    wording = "more than" if strict else "at least"
    notes.append(
        f"yes {yes} of {base}: {'meets' if threshold_met else 'does not meet'} the threshold "
        f"({wording} {share} = {_show_fraction(needed_yes)})"
    )
    carried = quorum_met and threshold_met
    notes.append("carried" if carried else "not carried")
    if void:
        notes.append(f"{void} void or blank paper(s) not counted")
    winners: tuple[int, ...] = (0,) if carried else ()
    return _single_stage_result(
        "yesno",
        Election(
            candidates=names,
            seats=1,
            ballots=election.ballots,
            withdrawn=election.withdrawn,
            title=election.title,
        ),
        totals,
        winners,
        turnout,
        Lot(None),
        "; ".join(notes),
        tuple(notes),
    )


def _show_fraction(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    approx = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"))
    return f"{value} (about {approx})"
