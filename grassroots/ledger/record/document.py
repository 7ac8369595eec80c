"""The election record's shapes: its constants, its error, its canonical JSON and the
values a record holds (parameters, questions, roll figures, sealed ballots, heads)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from grassroots.ledger.heads import (
    SignedTreeHead,
)

RECORD_FORMAT = "grassroots-election-record/2"
PARAMETERS_FORMAT = "grassroots-election-parameters/2"
RECORD_FILE = "record.json"
BALLOTS_FILE = "ballots.jsonl"
HEADS_FILE = "heads.jsonl"
PLAINTEXTS_FILE = "plaintexts.jsonl"

# Rules whose ballot paper is a ranking (most preferred first); the others take a set of marks.
RANKED_RULES = frozenset({"irv", "scottish", "ers97", "meek"})
MARKED_RULES = frozenset({"plurality", "approval", "yesno"})

JsonObject = dict[str, Any]


class RecordError(ValueError):
    """A record file that cannot be read, naming the file and line so it can be found."""

    def __init__(self, file: str, message: str, line: int | None = None) -> None:
        self.file = file
        self.line = line
        where = f"{file}, line {line}" if line is not None else file
        super().__init__(f"{where}: {message}")


def canonical_json(value: Any) -> bytes:
    """Compact JSON with sorted keys, UTF-8, no floats: the form every hash and signature uses."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def pretty_json(value: Any) -> bytes:
    text = json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")


@dataclass(frozen=True, slots=True)
class Constraint:
    """At least ``minimum`` and at most ``maximum`` of the elected come from ``category``."""

    category: str
    minimum: int = 0
    maximum: int | None = None


@dataclass(frozen=True, slots=True)
class CollegeWeight:
    name: str
    weight: str  # a fraction as published, e.g. "1/3"


@dataclass(frozen=True, slots=True)
class Question:
    """One question on the ballot paper and how it is counted.

    ``candidates`` are the options in ballot-paper order (for ``yesno``: Yes, No[, Abstain]);
    ballots refer to them by 0-based index. ``options`` are the counting rule's keyword options
    (e.g. ``{"threshold": "two-thirds"}``); a string ``"a/b"`` stands for a fraction.
    """

    id: str
    title: str
    rule: str
    seats: int
    candidates: tuple[str, ...]
    categories: dict[int, tuple[str, ...]] = field(default_factory=dict)
    constraints: tuple[Constraint, ...] = ()
    withdrawn: tuple[int, ...] = ()
    seed: int | None = None
    options: dict[str, str | int | bool] = field(default_factory=dict)
    # A section of a selection ballot: the region whose members (as the frozen roll records
    # them) answer it; "" for a question every voter answers. Written only when set, so a
    # record without sections keeps its bytes.
    section: str = ""
    # An electoral college (grassroots.tally.colleges): each college's name and published
    # weight ("1/3"); each paper names its voter's college. Written only when set.
    colleges: tuple[CollegeWeight, ...] = ()
    # Meek only, if the returning officer allowed them; written only when set (absent: not).
    equal_preferences: bool = False

    @property
    def is_ranked(self) -> bool:
        return self.rule in RANKED_RULES


@dataclass(frozen=True, slots=True)
class ElectionParameters:
    """Everything fixed before the poll opens; every tree head commits to its hash."""

    election_id: str
    title: str
    questions: tuple[Question, ...]
    election_public_key: bytes
    tellers_public_key: bytes
    tellers: int
    threshold: int
    # share_hashes[i] is crypto.share_hash of the share with index i + 1, published at set-up so
    # a share entered at the count can be checked against the one its teller was given.
    share_hashes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ScopeTurnout:
    scope: str
    roll_size: int
    voted: int


@dataclass(frozen=True, slots=True)
class SectionTurnout:
    """A section's own roll: how many on the frozen roll answer ``question``, how many voted."""

    question: str
    roll_size: int
    voted: int


@dataclass(frozen=True, slots=True)
class CollegeTurnout:
    """How many on the frozen roll are in college ``college`` of ``question``, how many voted."""

    question: str
    college: int
    roll_size: int
    voted: int


@dataclass(frozen=True, slots=True)
class Roll:
    """The frozen roll's size and turnout; by scope, section and college (each when there)."""

    size: int
    voted: int
    scopes: tuple[ScopeTurnout, ...] = ()
    sections: tuple[SectionTurnout, ...] = ()
    colleges: tuple[CollegeTurnout, ...] = ()


@dataclass(frozen=True, slots=True)
class SealedBallot:
    tracker: str
    ciphertext: bytes


@dataclass(frozen=True, slots=True)
class ElectionRecord:
    parameters: ElectionParameters
    roll: Roll
    # Question id -> the published count (see grassroots.ledger.recount.result_to_json).
    results: dict[str, JsonObject]
    key_shares: tuple[str, ...]
    ballots: tuple[SealedBallot, ...]
    heads: tuple[SignedTreeHead, ...]
    plaintexts: tuple[bytes, ...]
    # The election key's signature over record_signing_bytes(); empty until signed.
    signature: bytes = b""
    # How many heads record.json says were issued, as read; None: as many as ``heads`` holds.
    head_count: int | None = None

    @property
    def heads_issued(self) -> int:
        return len(self.heads) if self.head_count is None else self.head_count
