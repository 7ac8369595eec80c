"""Ballot papers as plaintext bytes, and recounting them with ``grassroots.tally``.

A sealed ballot holds one answer to one question, as canonical JSON (compact, sorted keys,
UTF-8): ``{"question":"<id>","ranking":[2,0,1]}`` for ranked rules (irv and the STV rules:
candidate indices, most preferred first) and ``{"question":"<id>","choices":[0,3]}`` for the
others (the marked candidates, ascending; for yes/no, 0 is Yes, 1 No, 2 Abstain). An empty list
is a blank paper. Only that exact form is valid, so equal votes are equal bytes.

Meek, the one rule that counts equal preferences (docs/tally.md), also takes a ranking with
candidates marked equal: the equal ones as an ascending list of two or more in the place of
one index, ``{"question":"<id>","ranking":[2,[0,1]]}`` ("C, then A and B equally").

``grassroots.tally`` is imported when a count is asked for, not when this module loads, so the
rest of the verifier runs even on a machine where the counting package is missing or broken.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from grassroots.ledger.record import JsonObject, Question, canonical_json, reject_constant

if TYPE_CHECKING:
    from grassroots.tally.types import Result


class BallotPaperError(ValueError):
    """A plaintext that is not a valid ballot paper for this election."""


EQUAL_PREFERENCE_RULES = frozenset({"meek"})


@dataclass(frozen=True, slots=True)
class BallotPaper:
    question: str
    marks: tuple[int, ...]  # for a paper with equal preferences: every candidate, in order
    # A Meek paper with an equal preference: each preference in order, a tuple of the
    # candidates marked equal there; () for every other paper.
    ranks: tuple[tuple[int, ...], ...] = ()
    # An electoral college's paper: the index of its voter's college (None: the voter is in
    # no college of the question, and the paper is blank).
    college: int | None = None


def ballot_plaintext(
    question: Question,
    marks: Sequence[int],
    *,
    ranks: Sequence[Sequence[int]] = (),
    college: int | None = None,
) -> bytes:
    """The canonical plaintext of one answer; raises if the marks are not a valid paper.

    ``ranks`` (instead of ``marks``) gives a ranking with equal preferences, each preference a
    group of candidates; only a question counted by a rule that defines them accepts one.
    ``college``: on an electoral college's question, the voter's college (its index), which
    the paper carries (``{"college": 1, "question": ..., "ranking": [...]}``); a voter in no
    college leaves a blank paper without one."""
    if ranks:
        return _equal_plaintext(question, ranks)
    marks = tuple(marks)
    if len(set(marks)) != len(marks):
        raise BallotPaperError(f"question {question.id}: a candidate is marked twice")
    if any(not 0 <= m < len(question.candidates) for m in marks):
        raise BallotPaperError(f"question {question.id}: no such candidate")
    value: dict[str, object] = {"question": question.id}
    if college is not None:
        if not question.colleges or not 0 <= college < len(question.colleges):
            raise BallotPaperError(f"question {question.id}: no college {college}")
        value["college"] = college
    elif question.colleges and marks:
        raise BallotPaperError(f"question {question.id}: a marked paper names its college")
    if question.is_ranked:
        value["ranking"] = list(marks)
    else:
        value["choices"] = sorted(marks)
    return canonical_json(value)


def _equal_plaintext(question: Question, ranks: Sequence[Sequence[int]]) -> bytes:
    if question.rule not in EQUAL_PREFERENCE_RULES:
        raise BallotPaperError(
            f"question {question.id}: equal preferences are counted only by Meek, not by "
            f"{question.rule}"
        )
    if not question.equal_preferences:
        raise BallotPaperError(
            f"question {question.id}: the returning officer did not allow equal preferences "
            '(its parameters have no "equal_preferences": true)'
        )
    if any(not rank for rank in ranks):
        raise BallotPaperError(f"question {question.id}: a preference marks no candidate")
    flat = [c for rank in ranks for c in rank]
    ballot_plaintext(question, flat)  # each candidate once, every one on the paper
    ranking: list[int | list[int]] = [rank[0] if len(rank) == 1 else sorted(rank) for rank in ranks]
    return canonical_json({"question": question.id, "ranking": ranking})


def parse_plaintext(plaintext: bytes, questions: dict[str, Question]) -> BallotPaper:
    """Read one opened ballot; only the exact canonical form of a valid paper is accepted."""
    paper = _parse_plain(plaintext, questions)
    if paper is not None:
        return paper
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
    college = value.get("college")
    if question.colleges and "college" in value:
        if not _is_index(college) or set(value) != {"question", "college", key}:
            raise BallotPaperError(f"a paper for question {question.id} names its college")
        if not isinstance(marks, list) or not all(_is_index(m) for m in marks):
            raise BallotPaperError(f"question {question.id}: marks are candidate numbers")
        if ballot_plaintext(question, marks, college=college) != plaintext:
            raise BallotPaperError(f"question {question.id}: the paper is not in canonical form")
        return BallotPaper(question=question.id, marks=tuple(marks), college=college)
    if set(value) != {"question", key} or not isinstance(marks, list):
        raise BallotPaperError(f"a paper for question {question.id} has exactly {key!r}")
    if question.is_ranked and any(isinstance(m, list) for m in marks):
        ranks = tuple(tuple(m) if isinstance(m, list) else (m,) for m in marks)
        if not all(_is_index(c) for rank in ranks for c in rank):
            raise BallotPaperError(f"question {question.id}: marks are candidate numbers")
        if ballot_plaintext(question, (), ranks=ranks) != plaintext:
            raise BallotPaperError(f"question {question.id}: the paper is not in canonical form")
        flat = tuple(c for rank in ranks for c in rank)
        return BallotPaper(question=question.id, marks=flat, ranks=ranks)
    if not all(_is_index(m) for m in marks):
        raise BallotPaperError(f"question {question.id}: marks are candidate numbers")
    if ballot_plaintext(question, marks) != plaintext:
        raise BallotPaperError(f"question {question.id}: the paper is not in canonical form")
    return BallotPaper(question=question.id, marks=tuple(marks))


# The common papers, read without JSON: a strict ranking or a set of choices, no college, a
# question id that JSON writes as itself. Numbers as JSON writes them (no leading zero).
_NUMBERS = rb"((?:0|[1-9][0-9]{0,8})(?:,(?:0|[1-9][0-9]{0,8}))*)?"
_ID = rb'"([A-Za-z0-9_.:-]+)"'
_RANKING = re.compile(rb'\{"question":' + _ID + rb',"ranking":\[' + _NUMBERS + rb"\]\}")
_CHOICES = re.compile(rb'\{"choices":\[' + _NUMBERS + rb'\],"question":' + _ID + rb"\}")


def _parse_plain(plaintext: bytes, questions: dict[str, Question]) -> BallotPaper | None:
    """The paper, if ``plaintext`` is a common one in canonical form, else None (then the full
    reader decides, and gives the error if there is one).

    Only a shortcut: whatever it accepts, the full reader accepts as the same paper (a
    hypothesis test holds it to that), since a match is exactly the bytes that
    ``ballot_plaintext`` writes for these marks. A count of 100,000 papers reads tens of
    thousands of distinct ones, and this reads each in a few microseconds instead of a JSON
    round trip."""
    ranked = _RANKING.fullmatch(plaintext)
    if ranked is not None:
        question_id, numbers = ranked.group(1), ranked.group(2)
    else:
        chosen = _CHOICES.fullmatch(plaintext)
        if chosen is None:
            return None
        numbers, question_id = chosen.group(1), chosen.group(2)
    question = questions.get(question_id.decode("ascii"))
    if question is None or question.colleges or question.is_ranked != (ranked is not None):
        return None
    marks = tuple(int(n) for n in numbers.split(b",")) if numbers else ()
    if any(m >= len(question.candidates) for m in marks) or len(set(marks)) != len(marks):
        return None
    if ranked is None and list(marks) != sorted(marks):
        return None
    return BallotPaper(question=question.id, marks=marks)


def _is_index(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _option_value(value: str | int | bool) -> object:
    if isinstance(value, str) and "/" in value:
        numerator, _, denominator = value.partition("/")
        if numerator.isdigit() and denominator.isdigit() and int(denominator) > 0:
            return Fraction(int(numerator), int(denominator))
    return value


NO_VALID_PAPERS = (
    "No valid papers: every paper for this question was blank or named only withdrawn "
    "candidates, so there was nothing to count and nobody is elected."
)


# A ballot box's papers: one per paper, in the log's order, or grouped (each distinct paper with
# how many times it was cast, as :func:`group_papers` makes them). Both count the same.
Papers = Sequence[BallotPaper] | Mapping[BallotPaper, int]


def group_papers(papers: Iterable[BallotPaper]) -> dict[BallotPaper, int]:
    """Each distinct paper with how many times it is in ``papers``, in the order each first
    appears. Equal papers are equal bytes, so this is what ``GROUP BY plaintext`` gives."""
    grouped: dict[BallotPaper, int] = {}
    for paper in papers:
        grouped[paper] = grouped.get(paper, 0) + 1
    return grouped


def count_question(question: Question, papers: Papers, *, roll_size: int) -> Result:
    """Count one question's papers by its rule with ``grassroots.tally.count``.

    ``papers`` may be grouped (a mapping of each distinct paper to its number): the engine
    counts a group of ``n`` equal papers as one line of weight ``n``, and every rule gives the
    same result, figure for figure, as for the papers one by one (tests/ledger/
    test_grouped_count.py holds it to that), so a count of 100,000 papers handles a few
    thousand lines instead of 100,000 objects.

    A question with no valid papers is declared void, as a returning officer would, rather
    than stopping the whole ballot's count: the engine refuses such a count (it could only
    elect by lot), and the result says so with no stages and nobody elected
    (docs/record-spec.md, section 6)."""
    from grassroots.tally.types import NoValidPapers, Result

    try:
        return _count(question, papers, roll_size=roll_size)
    except NoValidPapers:
        return Result(
            rule=question.rule,
            seats=question.seats,
            candidates=question.candidates,
            elected=(),
            valid_poll=Decimal(0),
            quota=None,
            stages=(),
            notes=(NO_VALID_PAPERS,),
            withdrawn=question.withdrawn,
        )


def _mine(question: Question, papers: Papers) -> list[tuple[BallotPaper, int]]:
    """The question's own papers, each with its number (1 for papers given one by one)."""
    if isinstance(papers, Mapping):
        return [(p, n) for p, n in papers.items() if p.question == question.id and n > 0]
    return [(p, 1) for p in papers if p.question == question.id]


def _count(question: Question, papers: Papers, *, roll_size: int) -> Result:
    from grassroots import tally
    from grassroots.tally.types import Ballot, CategoryConstraint, Election, EqualBallot

    mine = _mine(question, papers)
    if question.colleges:
        return _count_colleges(question, mine)
    election = Election(
        candidates=question.candidates,
        seats=question.seats,
        ballots=tuple(Ballot(ranking=p.marks, weight=n) for p, n in mine if not p.ranks),
        equal_ballots=tuple(EqualBallot(ranks=p.ranks, weight=n) for p, n in mine if p.ranks),
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


def _count_colleges(question: Question, mine: Sequence[tuple[BallotPaper, int]]) -> Result:
    """An electoral college's question: each paper weighted by its college, exactly
    (``grassroots.tally.colleges``); a blank paper of a voter in no college counts nowhere.
    The colleges share their weights paper by paper, so a group is given as its papers again
    (one object repeated, not copies)."""
    from grassroots.tally.colleges import College, CollegePaper, count_colleges, parse_weight
    from grassroots.tally.types import Election

    election = Election(
        candidates=question.candidates,
        seats=question.seats,
        ballots=(),
        withdrawn=frozenset(question.withdrawn),
        title=question.title,
    )
    return count_colleges(
        election,
        [
            paper
            for p, n in mine
            if p.college is not None
            for paper in [CollegePaper(college=p.college, ranking=p.marks)] * n
        ],
        [College(name=c.name, weight=parse_weight(c.weight)) for c in question.colleges],
        rule=question.rule,
        seed=question.seed,
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
