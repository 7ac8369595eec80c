"""Reading numbered preferences the way a paper STV ballot is read, with errors a voter can act on.

On paper a returning officer reads preferences up to the first gap or repeat. Online we can do
better: we tell the voter before the ballot is cast, so nobody's later preferences are lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class PaperError(ValueError):
    """A mistake in one question's numbers; ``candidate`` is the box to point the voter at."""

    message: str
    candidate: int

    def __str__(self) -> str:
        return self.message


def ranking_from_numbers(entries: Sequence[tuple[int, str, str]]) -> list[int]:
    """Candidate ids in preference order from (candidate id, name, what the voter wrote).

    Empty boxes are fine; the numbers used must be whole numbers 1, 2, 3, ... with no repeats
    and no gaps. No numbers at all is a blank paper (an empty ranking).
    """
    numbered: dict[int, tuple[int, str]] = {}
    for candidate, name, text in entries:
        text = text.strip()
        if not text:
            continue
        if not text.isdigit() or not text.isascii():
            raise PaperError(
                f"Use whole numbers only: “{text}” beside {name} is not one.", candidate
            )
        number = int(text)
        if number < 1 or number > len(entries):
            raise PaperError(
                f"Number the candidates from 1 to {len(entries)}: {name} has {number}.", candidate
            )
        if number in numbered:
            first = numbered[number][1]
            raise PaperError(
                f"You gave the number {number} to both {first} and {name}. "
                "Give each candidate a different number.",
                candidate,
            )
        numbered[number] = (candidate, name)
    for expected in range(1, len(numbered) + 1):
        if expected not in numbered:
            later = min(n for n in numbered if n > expected)
            raise PaperError(
                f"There is a gap in your numbers: you used {later} but not {expected}. "
                "Number your choices 1, 2, 3 and so on without missing any.",
                numbered[later][0],
            )
    return [numbered[n][0] for n in sorted(numbered)]
