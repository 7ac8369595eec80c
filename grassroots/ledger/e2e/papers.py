"""Ballot papers as group elements, and back, with malformed plaintexts read as invalid papers.

A paper is the list of candidate positions (0-based, in the question's candidate order) that
the voter marked: in preference order for a ranked paper, ascending for approval, at most one
for single and yes/no (a yes/no question has two candidates, yes = 0 and no = 1). No marks is
a blank paper. This is the same list the casting service already builds (ballots.services).

Step 1, paper to slots: a vector of small integers, one per slot.
  * ranked (IRV, STV): n slots; slot i holds 1 + the candidate at preference i + 1, or 0 once
    the preferences end;
  * single, yes/no: one slot, 0 for blank or 1 + the candidate;
  * approval: n slots; slot i is 1 if candidate i is approved, else 0.
Step 2, slots to group elements, in one of two encodings:
  * ``slots`` (exponential ElGamal): slot value v becomes v·B, one ciphertext per slot;
  * ``packed``: the slot values are packed into an integer (slot i at bits [i·b, (i+1)·b), b
    the bit length of the largest value a slot can hold), written little-endian in
    ceil(n·b/8) bytes, cut into chunks of 29 bytes, and each chunk mapped into the group by
    :func:`chunk_to_point`: one ciphertext per 29 bytes (a 20-candidate ranking fits one).
Decoding reverses both steps and never raises: a group element that is not an encoding, a slot
value out of range, a repeated or interrupted ranking, or non-zero padding gives an
:class:`InvalidPaper` saying why, as a counting officer would reject a spoilt paper.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

import nacl.bindings as sodium

from grassroots.ledger.e2e.group import IDENTITY, base_mul

CHUNK_BYTES = 29
COUNTER_LIMIT = 2**16
MAX_CANDIDATES = 1000


class PaperKind(enum.StrEnum):
    RANKED = "ranked"
    SINGLE = "single"
    APPROVAL = "approval"
    YESNO = "yesno"


class Encoding(enum.StrEnum):
    SLOTS = "slots"
    PACKED = "packed"


class PaperError(ValueError):
    """A paper that does not fit its question (raised when encoding, never when decoding)."""


@dataclass(frozen=True, slots=True)
class PaperForm:
    """The shape of one question's paper: its kind and how many candidates it lists."""

    kind: PaperKind
    candidates: int

    def __post_init__(self) -> None:
        if not 1 <= self.candidates <= MAX_CANDIDATES:
            raise PaperError(f"a question lists 1 to {MAX_CANDIDATES} candidates")
        if self.kind is PaperKind.YESNO and self.candidates != 2:
            raise PaperError("a yes/no question has exactly two candidates, yes and no")

    @property
    def slot_count(self) -> int:
        return 1 if self.kind in (PaperKind.SINGLE, PaperKind.YESNO) else self.candidates

    @property
    def slot_maximum(self) -> int:
        return 1 if self.kind is PaperKind.APPROVAL else self.candidates

    @property
    def slot_bits(self) -> int:
        return self.slot_maximum.bit_length()

    def width(self, encoding: Encoding) -> int:
        """How many ciphertexts one paper of this form takes."""
        if encoding is Encoding.SLOTS:
            return self.slot_count
        return -(-self._packed_bytes() // CHUNK_BYTES)

    def _packed_bytes(self) -> int:
        return -(-(self.slot_count * self.slot_bits) // 8)


@dataclass(frozen=True, slots=True)
class Paper:
    marks: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class InvalidPaper:
    reason: str


def paper_to_slots(form: PaperForm, paper: Paper) -> tuple[int, ...]:
    marks = paper.marks
    if any(not 0 <= m < form.candidates for m in marks):
        raise PaperError(f"a mark must name one of the {form.candidates} candidates")
    if len(set(marks)) != len(marks):
        raise PaperError("a candidate is marked more than once")
    if form.kind in (PaperKind.SINGLE, PaperKind.YESNO):
        if len(marks) > 1:
            raise PaperError("choose only one")
        return (marks[0] + 1 if marks else 0,)
    if form.kind is PaperKind.APPROVAL:
        if list(marks) != sorted(marks):
            raise PaperError("approval marks are listed in candidate order")
        chosen = set(marks)
        return tuple(1 if i in chosen else 0 for i in range(form.candidates))
    return tuple(m + 1 for m in marks) + (0,) * (form.candidates - len(marks))


def slots_to_paper(form: PaperForm, slots: Sequence[int]) -> Paper | InvalidPaper:
    if len(slots) != form.slot_count:
        return InvalidPaper(f"{len(slots)} slots where the paper has {form.slot_count}")
    for position, value in enumerate(slots, start=1):
        if not 0 <= value <= form.slot_maximum:
            return InvalidPaper(f"slot {position} holds {value}, above {form.slot_maximum}")
    if form.kind in (PaperKind.SINGLE, PaperKind.YESNO):
        return Paper(() if slots[0] == 0 else (slots[0] - 1,))
    if form.kind is PaperKind.APPROVAL:
        return Paper(tuple(i for i, v in enumerate(slots) if v == 1))
    marks: list[int] = []
    for position, value in enumerate(slots, start=1):
        if value == 0:
            if any(slots[position:]):
                return InvalidPaper(f"preference {position} is empty but a later one is not")
            break
        if value - 1 in marks:
            return InvalidPaper(f"candidate {value} is ranked twice")
        marks.append(value - 1)
    return Paper(tuple(marks))


def chunk_to_point(chunk: bytes) -> bytes:
    """The group element whose encoding starts with ``chunk`` (29 bytes) and ends with 0x00.

    Tries the two counter bytes c = 0, 1, 2, ... in ``chunk || c (little-endian) || 0x00``
    until libsodium's ``crypto_core_ed25519_is_valid_point`` accepts the 32 bytes (about one
    try in 16: half of the y-coordinates are on the curve, one point in 8 of those is in the
    prime-order subgroup). The last byte 0x00 keeps y below 2^248 < p, so the encoding is
    canonical and the sign bit of x is 0.
    """
    if len(chunk) != CHUNK_BYTES:
        raise PaperError(f"a chunk is {CHUNK_BYTES} bytes")
    for counter in range(COUNTER_LIMIT):
        candidate = chunk + counter.to_bytes(2, "little") + b"\x00"
        if candidate != IDENTITY and sodium.crypto_core_ed25519_is_valid_point(candidate):
            return candidate
    raise PaperError("no group element encodes this chunk")  # probability (15/16)^65536


def point_to_chunk(point: bytes) -> bytes | None:
    if point == IDENTITY or point[31] != 0:
        return None
    return point[:CHUNK_BYTES]


def encode_paper(form: PaperForm, encoding: Encoding, paper: Paper) -> tuple[bytes, ...]:
    """The group elements (messages) that encrypt this paper; :class:`PaperError` if it is bad."""
    slots = paper_to_slots(form, paper)
    if encoding is Encoding.SLOTS:
        return tuple(base_mul(v) for v in slots)
    packed = 0
    for i, value in enumerate(slots):
        packed |= value << (i * form.slot_bits)
    data = packed.to_bytes(form.width(encoding) * CHUNK_BYTES, "little")
    return tuple(
        chunk_to_point(data[i : i + CHUNK_BYTES]) for i in range(0, len(data), CHUNK_BYTES)
    )


class SlotTable:
    """v·B → v for v = 0 .. slot maximum: the discrete logarithms a ``slots`` paper can hold."""

    def __init__(self, form: PaperForm) -> None:
        self.logarithms = {base_mul(v): v for v in range(form.slot_maximum + 1)}


def decode_paper(
    form: PaperForm, encoding: Encoding, points: Sequence[bytes], table: SlotTable | None = None
) -> Paper | InvalidPaper:
    """The paper these decrypted group elements encode, or why they are not a paper."""
    if len(points) != form.width(encoding):
        return InvalidPaper(
            f"{len(points)} group elements where the paper has {form.width(encoding)}"
        )
    if encoding is Encoding.SLOTS:
        logarithms = (table or SlotTable(form)).logarithms
        slots: list[int] = []
        for position, point in enumerate(points, start=1):
            value = logarithms.get(point)
            if value is None:
                return InvalidPaper(
                    f"slot {position} is not a number from 0 to {form.slot_maximum}"
                )
            slots.append(value)
        return slots_to_paper(form, slots)
    data = b""
    for position, point in enumerate(points, start=1):
        chunk = point_to_chunk(point)
        if chunk is None:
            return InvalidPaper(f"group element {position} does not encode a packed chunk")
        data += chunk
    packed = int.from_bytes(data, "little")
    bits = form.slot_bits
    if packed >> (form.slot_count * bits):
        return InvalidPaper("the packed paper has bits set beyond its last slot")
    mask = (1 << bits) - 1
    return slots_to_paper(form, [(packed >> (i * bits)) & mask for i in range(form.slot_count)])
