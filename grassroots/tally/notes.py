"""The shapes of the counting rules' notes, so that a reader of the results can have them in
their own language (docs/i18n.md) while the record keeps the rules' English words.

A stage's note (and a result's notes) is the record's text, the same for the verifier and the
published record: parts joined by ``"; "``. :func:`parse` reads each part back into a
:class:`Note`: a code naming its shape and the shape's parameters (names, numbers, and for
``drawn`` and ``why`` another note, parsed in turn). A part of no known shape keeps code ``""``
and its words. Each shape is written here once, in the words the rules write it; the tests
hold every note the rules make on the test elections to a known shape.

Plain Python: no Django (the package's import contract).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# What a lot or a tie-break order decided for the candidate drawn (Lot.draw's ``decides``).
DECIDES = r"excluded|elected first|elected|surplus transferred first|gets seat \d+"

SHAPES: tuple[tuple[str, str], ...] = (
    ("lot", "lot (seed {seed}) drawn between {names}: {name} {decides}"),
    (
        "tie_break_order",
        "tie between {names} settled by the file's tie-break order: {name} {decides}",
    ),
    ("tie_earlier_stage", "tie between candidates {numbers}: {word} at an earlier stage"),
    ("tie_looking_back", "tie for fewest votes settled by looking back: {name} excluded"),
    (
        "tie_earliest_point",
        "tie for {what} settled by the earliest point at which the votes differed",
    ),
    ("tie_earliest_stage", "tie for fewest votes settled by the earliest stage that differed"),
    ("tie_name_order", "tie between {names} takes the next seats in name order"),
    ("only_continuing", "{name} is the only continuing candidate"),
    ("majority", "{name} has {votes} of {held} continuing votes"),
    ("seats_left", "r.52(1): continuing candidates no more than the seats left"),
    ("constraint_kept", "candidates {numbers} kept: a category constraint needs them"),
    ("constraint_protects", "candidates a category constraint needs are protected from exclusion"),
    ("constraint_maximum", "constraint {constraint}: the category has its maximum elected"),
    (
        "constraint_needs_seats",
        "constraint {constraint}: the {seats} seats left are needed for the category",
    ),
    ("constraint_exceeds", "constraint {constraint}: electing would exceed the maximum"),
    (
        "constraint_leaves_too_few",
        "constraint {constraint}: electing would leave {seats} seats for {need} still needed",
    ),
    (
        "constraints_together_electing",
        "constraints {constraints} together: electing would leave no way of filling the seats "
        "left within them",
    ),
    ("constraint_forbids", "a constraint forbids election"),
    # A constraint as constraints.describe writes it, inside the notes above.
    ("limit_both", "{category}: at least {minimum} and at most {maximum}"),
    ("limit_minimum", "{category}: at least {minimum}"),
    ("limit_maximum", "{category}: at most {maximum}"),
    ("limit_none", "{category}: no limit"),
    (
        "constraints_together",
        "constraints {constraints} together: no way of filling the {seats} seats left within "
        "them includes these candidates",
    ),
    (
        "bulk_exclusion_limited",
        "bulk exclusion limited to {allowed} of {best} candidates: a category constraint needs "
        "the others",
    ),
    ("quota", "quota {quota}"),
    ("quota_recalculated", "quota recalculated to {quota} (5.4.8)"),
    ("order_drawn", "order of election: {drawn}"),
    (
        "order_earliest_point",
        "order of election of {names} settled by the earliest point at which the votes differed",
    ),
    (
        "order_earliest_stage",
        "order of election of {names} settled by the earliest stage that differed",
    ),
    (
        "equal_throughout",
        "equal votes throughout for the last place(s): {names} not deemed elected at this stage "
        "(5.6.2)",
    ),
    ("not_deemed_elected", "{name} not deemed elected: {why}"),
    ("as_many_as_places", "as many continuing candidates as places remaining (5.5.1)"),
    ("as_many_as_seats", "as many candidates remain as seats to fill"),
    (
        "excluding_leaves_places",
        "excluding {names} would leave as many continuing candidates as places (5.5.1)",
    ),
    ("surplus_deferred", "surplus(es) totalling {total} deferred (5.2.2)"),
    ("excluded_together", "{count} candidates excluded together (5.2.5)"),
    ("iteration", "after {count} iteration"),
    ("iterations", "after {count} iterations"),
    ("void_papers", "{count} void or blank paper(s) not counted"),
    ("carried", "carried"),
    ("not_carried", "not carried"),
    ("quorum_met", "turnout {turnout} meets the quorum of {needed}"),
    ("quorum_not_met", "turnout {turnout} does not meet the quorum of {needed}"),
    (
        "threshold_met_at_least",
        "yes {yes} of {base}: meets the threshold (at least {share} = {needed})",
    ),
    (
        "threshold_not_met_at_least",
        "yes {yes} of {base}: does not meet the threshold (at least {share} = {needed})",
    ),
    (
        "threshold_met_more_than",
        "yes {yes} of {base}: meets the threshold (more than {share} = {needed})",
    ),
    (
        "threshold_not_met_more_than",
        "yes {yes} of {base}: does not meet the threshold (more than {share} = {needed})",
    ),
    (
        "college_units",
        "Electoral college: every figure is in units of 1/{scale} of the whole college (the "
        "whole college is {whole} votes).",
    ),
    (
        "college_worth",
        "{college}: weight {weight}, each valid paper worth {worth} of the electoral college",
    ),
    (
        "college_no_paper",
        "{college}: weight {weight}, no valid paper, so its weight goes to nobody",
    ),
)

_SPECIAL = {
    "decides": DECIDES,
    "word": "highest|lowest",
    "seed": r"-?\d+",
    "count": r"\d+",
    "minimum": r"\d+",
    "maximum": r"\d+",
}


@dataclass(frozen=True)
class Note:
    """One part of a note: ``code`` "" when no shape matched (``text`` is its words)."""

    code: str
    text: str
    params: dict[str, str] = field(default_factory=dict)
    # For the parameters that hold a note of their own (``drawn``, ``why``): that note.
    inner: dict[str, tuple[Note, ...]] = field(default_factory=dict)


def _pattern(template: str) -> re.Pattern[str]:
    pieces = re.split(r"\{(\w+)\}", template)
    out = []
    for index, piece in enumerate(pieces):
        if index % 2:
            out.append(f"(?P<{piece}>{_SPECIAL.get(piece, '.+?')})")
        else:
            out.append(re.escape(piece))
    return re.compile("^" + "".join(out) + "$", re.S)


_PATTERNS = tuple((code, _pattern(template)) for code, template in SHAPES)
TEMPLATES = dict(SHAPES)
NESTED = ("drawn", "why", "constraint")


def parse_part(text: str) -> Note:
    for code, pattern in _PATTERNS:
        match = pattern.match(text)
        if match is not None:
            params = match.groupdict()
            inner = {name: parse(params[name]) for name in NESTED if name in params}
            return Note(code=code, text=text, params=params, inner=inner)
    return Note(code="", text=text)


def parse(note: str) -> tuple[Note, ...]:
    """A note of the record, part by part."""
    return tuple(parse_part(part) for part in note.split("; ") if part)


def write(code: str, **params: object) -> str:
    """A shape's words in English, as the rules write them (for tests and new notes)."""
    return TEMPLATES[code].format(**params)
