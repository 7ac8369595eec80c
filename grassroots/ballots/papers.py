"""Reading numbered preferences the way a paper STV ballot is read, with errors a voter can act on.

On paper a returning officer reads preferences up to the first gap or repeat. Online we can do
better: we tell the voter before the ballot is cast, so nobody's later preferences are lost; and
we tell them every mistake on the paper at once (each box involved marked), not one per try.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class PaperError(ValueError):
    """A mistake in one question's numbers; ``candidate`` is the box to point the voter at."""

    message: str
    candidate: int

    def __str__(self) -> str:
        return self.message


def paper_problems(
    entries: Sequence[tuple[int, str, str]], *, allow_equal: bool = False
) -> list[PaperError]:
    """Every mistake in one question's numbered boxes, from (candidate id, name, what the voter
    wrote), in ballot-paper order: each box that is not a whole number, or is out of range, and
    (unless ``allow_equal``) each box of a number given to more than one candidate (all of
    them, each told who else has it); then, if the numbers used leave gaps, one problem on the
    box after the first gap. Empty boxes are fine; no problems means the paper reads as a
    ranking (:func:`ranking_from_numbers`, or :func:`ranks_from_numbers` with equal ones)."""
    problems: list[PaperError] = []
    holders: dict[int, list[tuple[int, str]]] = {}
    for candidate, name, text in entries:
        text = text.strip()
        if not text:
            continue
        if not text.isdigit() or not text.isascii():
            problems.append(
                PaperError(
                    _("Use whole numbers only: “%(text)s” beside %(name)s is not one.")
                    % {"text": text, "name": name},
                    candidate,
                )
            )
            continue
        number = int(text)
        if number < 1 or number > len(entries):
            problems.append(
                PaperError(
                    _("Number the candidates from 1 to %(most)s: %(name)s has %(number)s.")
                    % {"most": len(entries), "name": name, "number": number},
                    candidate,
                )
            )
            continue
        holders.setdefault(number, []).append((candidate, name))
    for number, boxes in sorted(holders.items()):
        if len(boxes) < 2 or allow_equal:
            continue
        names = [name for _candidate, name in boxes]
        together = _("%(names)s and %(last)s") % {
            "names": ", ".join(names[:-1]),
            "last": names[-1],
        }
        message = (
            _(
                "You gave the number %(number)s to both %(names)s. "
                "Give each candidate a different number."
            )
            if len(boxes) == 2
            else _(
                "You gave the number %(number)s to each of %(names)s. "
                "Give each candidate a different number."
            )
        ) % {"number": number, "names": together}
        problems.extend(PaperError(message, candidate) for candidate, _name in boxes)
    used = sorted(holders)
    missing = [n for n in range(1, used[-1]) if n not in holders] if used else []
    if missing:
        later = min(n for n in used if n > missing[0])
        message = (
            _(
                "There is a gap in your numbers: you used %(later)s but not %(missing)s. "
                "Number your choices 1, 2, 3 and so on without missing any; after equal "
                "choices, go on with the next number (1, 2, 2, 3)."
            )
            if allow_equal
            else _(
                "There is a gap in your numbers: you used %(later)s but not %(missing)s. "
                "Number your choices 1, 2, 3 and so on without missing any."
            )
        )
        problems.append(
            PaperError(message % {"later": later, "missing": missing[0]}, holders[later][0][0])
        )
    return problems


def ranking_from_numbers(entries: Sequence[tuple[int, str, str]]) -> list[int]:
    """Candidate ids in preference order from (candidate id, name, what the voter wrote).

    Empty boxes are fine; the numbers used must be whole numbers 1, 2, 3, ... with no repeats
    and no gaps. No numbers at all is a blank paper (an empty ranking). A paper with mistakes
    raises the first of :func:`paper_problems`.
    """
    return [rank[0] for rank in _read_numbers(entries, allow_equal=False)]


def ranks_from_numbers(entries: Sequence[tuple[int, str, str]]) -> list[list[int]]:
    """Like :func:`ranking_from_numbers` for a question that allows equal preferences: the
    same number may stand beside several candidates ("1, 2, 2, 3": the two 2s are equal
    second choices), so each preference is a list of candidate ids, in ballot-paper order.
    The numbers used must still run 1, 2, 3, ... without a gap."""
    return _read_numbers(entries, allow_equal=True)


def _read_numbers(entries: Sequence[tuple[int, str, str]], *, allow_equal: bool) -> list[list[int]]:
    problems = paper_problems(entries, allow_equal=allow_equal)
    if problems:
        raise problems[0]
    numbered: dict[int, list[int]] = {}
    for candidate, _name, text in entries:
        if text.strip():
            numbered.setdefault(int(text.strip()), []).append(candidate)
    return [numbered[n] for n in sorted(numbered)]
