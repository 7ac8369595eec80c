"""Ballot papers as plaintext bytes, and recounting them with ``grassroots.tally``.

A sealed ballot holds one answer to one question, as canonical JSON (compact, sorted keys,
UTF-8): ``{"question":"<id>","ranking":[2,0,1]}`` for ranked rules (irv and the STV rules:
candidate indices, most preferred first) and ``{"question":"<id>","choices":[0,3]}`` for the
others (the marked candidates, ascending; for yes/no, 0 is Yes, 1 No, 2 Abstain). An empty list
is a blank paper. Only that exact form is valid, so equal votes are equal bytes.

``grassroots.tally`` is imported when a count is asked for, not when this module loads, so the
rest of the verifier runs even on a machine where the counting package is missing or broken.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from grassroots.ledger.record import JsonObject, Question, canonical_json, reject_constant

if TYPE_CHECKING:
    from grassroots.tally.types import Result


class BallotPaperError(ValueError):
    """A plaintext that is not a valid ballot paper for this election."""


@dataclass(frozen=True, slots=True)
class BallotPaper:
    question: str
    marks: tuple[int, ...]


def ballot_plaintext(question: Question, marks: Sequence[int]) -> bytes:
    """The canonical plaintext of one answer; raises if the marks are not a valid paper."""
    marks = tuple(marks)
    if len(set(marks)) != len(marks):
        raise BallotPaperError(f"question {question.id}: a candidate is marked twice")
    if any(not 0 <= m < len(question.candidates) for m in marks):
        raise BallotPaperError(f"question {question.id}: no such candidate")
    if question.is_ranked:
        return canonical_json({"question": question.id, "ranking": list(marks)})
    return canonical_json({"question": question.id, "choices": sorted(marks)})


def parse_plaintext(plaintext: bytes, questions: dict[str, Question]) -> BallotPaper:
    """Read one opened ballot; only the exact canonical form of a valid paper is accepted."""
    try:
        value = json.loads(plaintext.decode("utf-8"), parse_constant=reject_constant)
    except (UnicodeDecodeError, ValueError) as error:
        raise BallotPaperError(f"not a JSON ballot paper: {error}") from error
    if not isinstance(value, dict) or not isinstance(value.get("question"), str):
        raise BallotPaperError("a ballot paper is an object naming its question")
    question = questions.get(value["question"])
    if question is None:
        raise BallotPaperError(f"no question {value['question']!r} in this election")
    key = "ranking" if question.is_ranked else "choices"
    marks = value.get(key)
    if set(value) != {"question", key} or not isinstance(marks, list):
        raise BallotPaperError(f"a paper for question {question.id} has exactly {key!r}")
    if not all(isinstance(m, int) and not isinstance(m, bool) for m in marks):
        raise BallotPaperError(f"question {question.id}: marks are candidate numbers")
    if ballot_plaintext(question, marks) != plaintext:
        raise BallotPaperError(f"question {question.id}: the paper is not in canonical form")
    return BallotPaper(question=question.id, marks=tuple(marks))


def _option_value(value: str | int | bool) -> object:
    if isinstance(value, str) and "/" in value:
        numerator, _, denominator = value.partition("/")
        if numerator.isdigit() and denominator.isdigit() and int(denominator) > 0:
            return Fraction(int(numerator), int(denominator))
    return value


def count_question(question: Question, papers: Sequence[BallotPaper], *, roll_size: int) -> Result:
    """Count one question's papers by its rule with ``grassroots.tally.count``."""
    from grassroots import tally
    from grassroots.tally.types import Ballot, CategoryConstraint, Election

    election = Election(
        candidates=question.candidates,
        seats=question.seats,
        ballots=tuple(Ballot(ranking=p.marks) for p in papers if p.question == question.id),
        withdrawn=frozenset(question.withdrawn),
        title=question.title,
        categories={i: frozenset(labels) for i, labels in question.categories.items()},
    )
    options: dict[str, Any] = {k: _option_value(v) for k, v in question.options.items()}
    if question.rule == "yesno":
        options.setdefault("roll", roll_size)
    return tally.count(
        election,
        rule=question.rule,
        constraints=[
            CategoryConstraint(category=c.category, minimum=c.minimum, maximum=c.maximum)
            for c in question.constraints
        ],
        seed=question.seed,
        **options,
    )


def _fixed(value: Decimal) -> str:
    """A figure in plain positional notation: ``0.000000000``, never Python's ``0E-9``."""
    return format(value, "f")


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else _fixed(value)


def result_to_json(result: Result) -> JsonObject:
    """The published form of a count: every figure as a decimal string in positional notation
    (``-``, digits, ``.`` and the rule's places), stages in order (docs/record-spec.md)."""
    return {
        "rule": result.rule,
        "seats": result.seats,
        "candidates": list(result.candidates),
        "elected": list(result.elected),
        "valid_poll": _fixed(result.valid_poll),
        "quota": _decimal(result.quota),
        "seed": result.seed,
        "notes": list(result.notes),
        "stages": [
            {
                "number": stage.number,
                "action": str(stage.action),
                "candidates": list(stage.candidates),
                "totals": [_fixed(t) for t in stage.totals],
                "exhausted": _fixed(stage.exhausted),
                "loss_by_rounding": _fixed(stage.loss_by_rounding),
                "transfer_value": _decimal(stage.transfer_value),
                "elected": list(stage.elected),
                "keep_factors": (
                    None if stage.keep_factors is None else [_fixed(k) for k in stage.keep_factors]
                ),
                "parcels": list(stage.parcels),
                "note": stage.note,
            }
            for stage in result.stages
        ],
    }


def first_difference(published: Any, recounted: Any, path: str = "") -> str | None:
    """Where two results first differ, as a readable path (``stages[2].totals[1]``), or None."""
    if isinstance(published, dict) and isinstance(recounted, dict):
        for key in sorted(set(published) | set(recounted)):
            if key not in published or key not in recounted:
                return f"{path}.{key}".lstrip(".") + " is present in only one"
            found = first_difference(published[key], recounted[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(published, list) and isinstance(recounted, list):
        if len(published) != len(recounted):
            return f"{path.lstrip('.')} has {len(published)} items, the recount {len(recounted)}"
        for i, (a, b) in enumerate(zip(published, recounted, strict=True)):
            found = first_difference(a, b, f"{path}[{i}]")
            if found:
                return found
        return None
    if type(published) is not type(recounted) or published != recounted:
        return f"{path.lstrip('.')} is {published!r}, the recount gives {recounted!r}"
    return None
