"""Motion texts as paragraphs, amendments applied to them, and the diff members read.

Plain Python (no Django): a motion's text is paragraphs separated by blank lines; an amendment
inserts a paragraph after paragraph N (0: at the start), deletes paragraph N or replaces it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from django.utils.translation import gettext

INSERT = "insert"
DELETE = "delete"
REPLACE = "replace"

STRUCTURE_HEADINGS = ("This meeting notes:", "This meeting believes:", "This meeting resolves:")


class AmendmentDoesNotApply(ValueError):
    """The amendment names a paragraph the text does not have, or has no text where it needs
    some."""


def split_paragraphs(text: str) -> list[str]:
    """A motion's paragraphs: blocks separated by one or more blank lines, trimmed."""
    blocks: list[str] = []
    current: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.strip():
            current.append(line.rstrip())
        elif current:
            blocks.append("\n".join(current).strip())
            current = []
    if current:
        blocks.append("\n".join(current).strip())
    return blocks


def join_paragraphs(paragraphs: list[str]) -> str:
    return "\n\n".join(p.strip() for p in paragraphs if p.strip())


def structured_text(notes: str, believes: str, resolves: str) -> str:
    """The text of a motion written as notes / believes / resolves: each part that has text,
    under its heading, as paragraphs an amendment can name like any other."""
    parts: list[str] = []
    for heading, body in zip(STRUCTURE_HEADINGS, (notes, believes, resolves), strict=True):
        if body.strip():
            parts.append(heading)
            parts.extend(split_paragraphs(body))
    return join_paragraphs(parts)


def apply_amendment(text: str, kind: str, paragraph: int, new_text: str) -> str:
    """The text with the amendment made. Raises AmendmentDoesNotApply when it cannot be."""
    paragraphs = split_paragraphs(text)
    new_paragraphs = split_paragraphs(new_text)
    if kind == INSERT:
        if not 0 <= paragraph <= len(paragraphs):
            raise AmendmentDoesNotApply(
                gettext(
                    "There is no paragraph %(paragraph)s to insert after: the motion has "
                    "%(paragraphs)s (0 inserts at the start)."
                )
                % {"paragraph": paragraph, "paragraphs": len(paragraphs)}
            )
        if not new_paragraphs:
            raise AmendmentDoesNotApply(gettext("Write the text to insert."))
        return join_paragraphs(paragraphs[:paragraph] + new_paragraphs + paragraphs[paragraph:])
    if not 1 <= paragraph <= len(paragraphs):
        raise AmendmentDoesNotApply(
            gettext("There is no paragraph %(paragraph)s: the motion has %(paragraphs)s.")
            % {"paragraph": paragraph, "paragraphs": len(paragraphs)}
        )
    if kind == DELETE:
        if len(paragraphs) == 1:
            raise AmendmentDoesNotApply(
                gettext(
                    "Deleting the only paragraph would leave no motion: oppose the motion instead."
                )
            )
        return join_paragraphs(paragraphs[: paragraph - 1] + paragraphs[paragraph:])
    if kind == REPLACE:
        if not new_paragraphs:
            raise AmendmentDoesNotApply(gettext("Write the replacement text."))
        if new_paragraphs == [paragraphs[paragraph - 1]]:
            raise AmendmentDoesNotApply(gettext("The replacement is the same as the paragraph."))
        return join_paragraphs(
            paragraphs[: paragraph - 1] + new_paragraphs + paragraphs[paragraph:]
        )
    raise AmendmentDoesNotApply(
        gettext("Unknown kind of amendment %(kind)s.") % {"kind": repr(kind)}
    )


@dataclass(frozen=True)
class Piece:
    """A run of words in a changed paragraph: kept ("equal"), added ("insert") or removed
    ("delete")."""

    op: str
    text: str


@dataclass(frozen=True)
class DiffParagraph:
    """One paragraph of the diff: unchanged, added, removed, or changed (with word pieces)."""

    op: str  # "equal", "insert", "delete", "replace"
    number: int | None  # its number in the old text (None for an added paragraph)
    old: str
    new: str
    pieces: tuple[Piece, ...] = ()


def _word_pieces(old: str, new: str) -> tuple[Piece, ...]:
    a, b = old.split(" "), new.split(" ")
    pieces: list[Piece] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(Piece("equal", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(Piece("delete", " ".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(Piece("insert", " ".join(b[j1:j2])))
    return tuple(pieces)


def diff_paragraphs(old_text: str, new_text: str) -> list[DiffParagraph]:
    """Paragraph-by-paragraph diff; a replaced paragraph also carries a word-level diff."""
    old, new = split_paragraphs(old_text), split_paragraphs(new_text)
    result: list[DiffParagraph] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            result += [DiffParagraph("equal", i + 1, old[i], old[i]) for i in range(i1, i2)]
        elif op == "replace" and i2 - i1 == j2 - j1:
            for k in range(i2 - i1):
                o, n = old[i1 + k], new[j1 + k]
                result.append(DiffParagraph("replace", i1 + k + 1, o, n, _word_pieces(o, n)))
        else:
            result += [DiffParagraph("delete", i + 1, old[i], "") for i in range(i1, i2)]
            result += [DiffParagraph("insert", None, "", new[j]) for j in range(j1, j2)]
    return result
