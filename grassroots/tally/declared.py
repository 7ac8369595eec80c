"""Whether a declared result agrees with the votes counted for it.

A chair declares a motion carried or fallen, and may give the numbers for, against and
abstaining. The declaration must agree with the numbers under the majority the decision needed
(``"majority"``: more for than against; ``"two-thirds"``: at least two thirds of those voting
for or against; abstentions are not votes cast, as in most standing orders). A tie is left to
the chair (a casting vote, where the standing orders give one), so only a declaration the
numbers plainly contradict is refused. The numbers may be weighted (a delegate's vote carrying
its group's weight): they are compared as exact fractions, never floats.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from grassroots.tally.simple import Threshold, parse_threshold

Number = int | Fraction | Decimal


def _show(value: Number) -> str:
    if isinstance(value, Fraction) and value.denominator != 1:
        return f"{float(value):.2f}"
    return str(int(value)) if value == int(value) else str(value)


def meets_threshold(votes_for: Number, votes_against: Number, threshold: Threshold) -> bool:
    """Whether ``votes_for`` reach ``threshold`` of the votes cast for and against."""
    share, strict = parse_threshold(threshold)
    base = Fraction(votes_for) + Fraction(votes_against)
    if base == 0:
        return False
    needed = share * base
    return Fraction(votes_for) > needed if strict else Fraction(votes_for) >= needed


def contradiction(
    *,
    carried: bool,
    votes_for: Number | None,
    votes_against: Number | None,
    threshold: Threshold = "majority",
) -> str | None:
    """The reason a declaration contradicts its numbers, or None when they agree (or when the
    numbers were not counted)."""
    if votes_for is None or votes_against is None:
        return None
    share, _ = parse_threshold(threshold)
    wording = {"majority": "a simple majority", "two-thirds": "a two-thirds majority"}.get(
        str(threshold), f"a {share} majority"
    )
    figures = f"{_show(votes_for)} for and {_show(votes_against)} against"
    if carried and Fraction(votes_against) > Fraction(votes_for):
        return f"Carried with {figures} contradicts the votes: more voted against than for."
    meets = meets_threshold(votes_for, votes_against, threshold)
    if carried and Fraction(votes_against) < Fraction(votes_for) and not meets:
        return f"Carried with {figures} contradicts the votes: it needed {wording}."
    if not carried and Fraction(votes_for) > Fraction(votes_against) and meets:
        return (
            f"Fallen with {figures} contradicts the votes: they give {wording} for. "
            "If the decision needed two thirds, say so."
        )
    return None
