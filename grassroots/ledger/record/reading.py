"""Reading a record: every file parsed strictly, refusing any form but the canonical one, each
error naming the file and line."""

from __future__ import annotations

import base64
import binascii
import json
import re
from pathlib import Path
from typing import Any

from grassroots.ledger.heads import (
    HeadError,
    SignedTreeHead,
    TreeHead,
    check_election_id,
    check_timestamp,
)
from grassroots.ledger.record.document import (
    BALLOTS_FILE,
    HEADS_FILE,
    MARKED_RULES,
    PLAINTEXTS_FILE,
    RANKED_RULES,
    RECORD_FILE,
    RECORD_FORMAT,
    CollegeTurnout,
    CollegeWeight,
    Constraint,
    ElectionParameters,
    ElectionRecord,
    JsonObject,
    Question,
    RecordError,
    Roll,
    ScopeTurnout,
    SealedBallot,
    SectionTurnout,
    canonical_json,
    pretty_json,
)

_HEX32 = re.compile(r"[0-9a-f]{64}")
_HEX64 = re.compile(r"[0-9a-f]{128}")


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> JsonObject:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("a key appears twice in one object")
    return dict(pairs)


class _Reader:
    """Typed access to one parsed JSON object, with errors that say where the problem is."""

    def __init__(self, value: Any, file: str, line: int | None, path: str) -> None:
        if not isinstance(value, dict):
            raise RecordError(file, f"{path or 'the document'} must be a JSON object", line)
        self.value: JsonObject = value
        self.file, self.line, self.path = file, line, path

    def error(self, message: str) -> RecordError:
        return RecordError(self.file, message, self.line)

    def _name(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def expect_keys(self, *keys: str) -> None:
        missing = [k for k in keys if k not in self.value]
        extra = sorted(set(self.value) - set(keys))
        if missing:
            raise self.error(f"{self.path or 'the document'} lacks {', '.join(missing)}")
        if extra:
            raise self.error(f"{self.path or 'the document'} has unknown field(s) {extra}")

    def get(self, key: str) -> Any:
        if key not in self.value:
            raise self.error(f"{self._name(key)} is missing")
        return self.value[key]

    def string(self, key: str) -> str:
        value = self.get(key)
        if not isinstance(value, str):
            raise self.error(f"{self._name(key)} must be a string")
        return value

    def integer(self, key: str, minimum: int = 0) -> int:
        value = self.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.error(f"{self._name(key)} must be a whole number of at least {minimum}")
        return value

    def optional_integer(self, key: str) -> int | None:
        if self.get(key) is None:
            return None
        return self.integer(key)

    def hex_bytes(self, key: str, length: int) -> bytes:
        value = self.string(key)
        if len(value) != 2 * length or not re.fullmatch(r"[0-9a-f]*", value):
            raise self.error(f"{self._name(key)} must be {2 * length} lowercase hex digits")
        return bytes.fromhex(value)

    def array(self, key: str) -> list[Any]:
        value = self.get(key)
        if not isinstance(value, list):
            raise self.error(f"{self._name(key)} must be a JSON array")
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        items = self.array(key)
        if not all(isinstance(item, str) for item in items):
            raise self.error(f"{self._name(key)} must be an array of strings")
        return tuple(items)

    def integers(self, key: str) -> tuple[int, ...]:
        items = self.array(key)
        if not all(isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in items):
            raise self.error(f"{self._name(key)} must be an array of whole numbers")
        return tuple(items)

    def child(self, key: str) -> _Reader:
        return _Reader(self.get(key), self.file, self.line, self._name(key))

    def children(self, key: str) -> list[_Reader]:
        return [
            _Reader(item, self.file, self.line, f"{self._name(key)}[{i}]")
            for i, item in enumerate(self.array(key))
        ]


def reject_constant(name: str) -> Any:
    """JSON has no NaN or Infinity; Python's reader takes them unless told not to (and the
    canonical writer then refuses them, which crashed the verifier on a forged record)."""
    raise ValueError(f"{name} is not a JSON number")


def _parse_json(text: bytes, file: str, line: int | None) -> Any:
    try:
        return json.loads(
            text.decode("utf-8"),
            object_pairs_hook=_reject_duplicates,
            parse_constant=reject_constant,
        )
    except UnicodeDecodeError as error:
        raise RecordError(file, f"not UTF-8 text ({error.reason})", line) from error
    except ValueError as error:
        raise RecordError(file, f"not valid JSON: {error}", line) from error


QUESTION_KEYS = (
    "id",
    "title",
    "rule",
    "seats",
    "candidates",
    "categories",
    "constraints",
    "withdrawn",
    "seed",
    "options",
)


def _read_question(reader: _Reader) -> Question:
    optional = [k for k in ("section", "colleges", "equal_preferences") if k in reader.value]
    reader.expect_keys(*QUESTION_KEYS, *optional)
    section = reader.string("section") if "section" in optional else ""
    if "section" in optional and not section:
        raise reader.error(f"{reader.path}.section is empty (leave it out instead)")
    colleges = []
    for item in reader.children("colleges") if "colleges" in optional else []:
        item.expect_keys("name", "weight")
        colleges.append(CollegeWeight(name=item.string("name"), weight=item.string("weight")))
    if "colleges" in optional and len(colleges) < 2:
        raise reader.error(f"{reader.path}.colleges has fewer than two colleges")
    rule = reader.string("rule")
    if rule not in RANKED_RULES | MARKED_RULES:
        raise reader.error(f"{reader.path}.rule {rule!r} is not a counting rule")
    equal = "equal_preferences" in optional
    if equal and (reader.value["equal_preferences"] is not True or rule != "meek"):
        raise reader.error(f"{reader.path}.equal_preferences is true for a meek question only")
    candidates = reader.strings("candidates")
    categories: dict[int, tuple[str, ...]] = {}
    for key in reader.child("categories").value:
        if not key.isdigit() or int(key) >= len(candidates) or str(int(key)) != key:
            raise reader.error(f"{reader.path}.categories has {key!r}, not a candidate index")
        categories[int(key)] = reader.child("categories").strings(key)
    constraints = []
    for item in reader.children("constraints"):
        item.expect_keys("category", "minimum", "maximum")
        constraints.append(
            Constraint(
                category=item.string("category"),
                minimum=item.integer("minimum"),
                maximum=item.optional_integer("maximum"),
            )
        )
    options = reader.child("options").value
    for name, value in options.items():
        if not isinstance(value, str | int | bool):
            raise reader.error(f"{reader.path}.options.{name} must be a string, number or boolean")
    withdrawn = reader.integers("withdrawn")
    if any(index >= len(candidates) for index in withdrawn):
        raise reader.error(f"{reader.path}.withdrawn names a candidate that does not exist")
    return Question(
        id=reader.string("id"),
        title=reader.string("title"),
        rule=rule,
        seats=reader.integer("seats", minimum=1),
        candidates=candidates,
        categories=categories,
        constraints=tuple(constraints),
        withdrawn=withdrawn,
        seed=reader.optional_integer("seed"),
        options=dict(options),
        section=section,
        colleges=tuple(colleges),
        equal_preferences=equal,
    )


def _read_parameters(reader: _Reader) -> ElectionParameters:
    reader.expect_keys(
        "election_id",
        "title",
        "questions",
        "election_public_key",
        "tellers_public_key",
        "tellers",
        "threshold",
        "share_hashes",
    )
    election_id = reader.string("election_id")
    try:
        check_election_id(election_id)
    except HeadError as error:
        raise reader.error(str(error)) from error
    questions = tuple(_read_question(q) for q in reader.children("questions"))
    ids = [q.id for q in questions]
    if len(set(ids)) != len(ids):
        raise reader.error("two questions have the same id")
    tellers = reader.integer("tellers", minimum=1)
    threshold = reader.integer("threshold", minimum=1)
    if threshold > tellers:
        raise reader.error(f"threshold {threshold} is more than the {tellers} tellers")
    share_hashes = reader.strings("share_hashes")
    if len(share_hashes) != tellers or not all(_HEX32.fullmatch(h) for h in share_hashes):
        raise reader.error(
            f"parameters.share_hashes must be {tellers} hashes of 64 lowercase hex digits, "
            "one per teller"
        )
    return ElectionParameters(
        election_id=election_id,
        title=reader.string("title"),
        questions=questions,
        election_public_key=reader.hex_bytes("election_public_key", 32),
        tellers_public_key=reader.hex_bytes("tellers_public_key", 32),
        tellers=tellers,
        threshold=threshold,
        share_hashes=share_hashes,
    )


def _read_roll(reader: _Reader) -> Roll:
    optional = [key for key in ("sections", "colleges") if key in reader.value]
    reader.expect_keys("size", "voted", "scopes", *optional)
    has_sections = "sections" in optional
    colleges = []
    for item in reader.children("colleges") if "colleges" in optional else []:
        item.expect_keys("question", "college", "roll_size", "voted")
        colleges.append(
            CollegeTurnout(
                question=item.string("question"),
                college=item.integer("college"),
                roll_size=item.integer("roll_size"),
                voted=item.integer("voted"),
            )
        )
    if "colleges" in optional and not colleges:
        raise reader.error("roll.colleges is empty (leave it out instead)")
    sections = []
    for item in reader.children("sections") if has_sections else []:
        item.expect_keys("question", "roll_size", "voted")
        sections.append(
            SectionTurnout(
                question=item.string("question"),
                roll_size=item.integer("roll_size"),
                voted=item.integer("voted"),
            )
        )
    if has_sections and not sections:
        raise reader.error("roll.sections is empty (leave it out instead)")
    scopes = []
    for item in reader.children("scopes"):
        item.expect_keys("scope", "roll_size", "voted")
        scopes.append(
            ScopeTurnout(
                scope=item.string("scope"),
                roll_size=item.integer("roll_size"),
                voted=item.integer("voted"),
            )
        )
    return Roll(
        size=reader.integer("size"),
        voted=reader.integer("voted"),
        scopes=tuple(scopes),
        sections=tuple(sections),
        colleges=tuple(colleges),
    )


def _read_record_document(data: bytes) -> tuple[JsonObject, _Reader]:
    document = _parse_json(data, RECORD_FILE, None)
    if data != pretty_json(document):
        raise RecordError(
            RECORD_FILE, "not in canonical form (sorted keys, two-space indent, final newline)"
        )
    reader = _Reader(document, RECORD_FILE, None, "")
    reader.expect_keys(
        "format", "parameters", "roll", "results", "key_shares", "head_count", "signature"
    )
    if reader.string("format") != RECORD_FORMAT:
        raise reader.error(f"format must be {RECORD_FORMAT!r}")
    return document, reader


def _lines(data: bytes, file: str) -> list[bytes]:
    if not data:
        return []
    if not data.endswith(b"\n"):
        raise RecordError(file, "the last line does not end with a newline")
    return data[:-1].split(b"\n")


def _read_jsonl(data: bytes, file: str) -> list[_Reader]:
    readers = []
    for number, line in enumerate(_lines(data, file), start=1):
        value = _parse_json(line, file, number)
        if canonical_json(value) != line:
            raise RecordError(file, "not in canonical JSON form (compact, sorted keys)", number)
        readers.append(_Reader(value, file, number, ""))
    return readers


def _read_ballot(reader: _Reader) -> SealedBallot:
    reader.expect_keys("tracker", "ciphertext")
    tracker = reader.string("tracker")
    if not _HEX32.fullmatch(tracker):
        raise reader.error("tracker must be 64 lowercase hex digits")
    text = reader.string("ciphertext")
    try:
        ciphertext = base64.b64decode(text, validate=True)
    except binascii.Error as error:
        raise reader.error(f"ciphertext is not base64: {error}") from error
    if base64.b64encode(ciphertext).decode() != text:
        raise reader.error("ciphertext is not in canonical base64")
    return SealedBallot(tracker=tracker, ciphertext=ciphertext)


def _read_head(reader: _Reader) -> SignedTreeHead:
    reader.expect_keys(
        "election_id",
        "sequence",
        "tree_size",
        "root_hash",
        "parameters_hash",
        "timestamp",
        "signature",
    )
    timestamp = reader.string("timestamp")
    try:
        check_timestamp(timestamp)
    except HeadError as error:
        raise reader.error(str(error)) from error
    return SignedTreeHead(
        head=TreeHead(
            election_id=reader.string("election_id"),
            sequence=reader.integer("sequence"),
            tree_size=reader.integer("tree_size"),
            root_hash=reader.hex_bytes("root_hash", 32),
            parameters_hash=reader.hex_bytes("parameters_hash", 32),
            timestamp=timestamp,
        ),
        signature=reader.hex_bytes("signature", 64),
    )


def read_record(location: Path) -> ElectionRecord:
    """Read and check the form of every file; :class:`RecordError` names the first problem.

    ``location`` is the record's folder, a folder with the record's folder in it, or the
    downloaded zip.
    """
    from grassroots.ledger.record_files import read_record_files

    return parse_record(read_record_files(location))


def parse_record(files: dict[str, bytes]) -> ElectionRecord:
    """The record from its four files' bytes (see :func:`read_record_files`)."""
    _, reader = _read_record_document(files[RECORD_FILE])
    results: dict[str, JsonObject] = {}
    for question_id, result in reader.child("results").value.items():
        if not isinstance(result, dict):
            raise reader.error(f"results.{question_id} must be a JSON object")
        results[question_id] = result
    key_shares = reader.strings("key_shares")
    head_count = reader.integer("head_count")
    signature_text = reader.string("signature")
    if not _HEX64.fullmatch(signature_text):
        raise reader.error("signature must be 128 lowercase hex digits")
    ballots = tuple(_read_ballot(r) for r in _read_jsonl(files[BALLOTS_FILE], BALLOTS_FILE))
    heads = tuple(_read_head(r) for r in _read_jsonl(files[HEADS_FILE], HEADS_FILE))
    plaintexts = tuple(_lines(files[PLAINTEXTS_FILE], PLAINTEXTS_FILE))
    return ElectionRecord(
        parameters=_read_parameters(reader.child("parameters")),
        roll=_read_roll(reader.child("roll")),
        results=results,
        key_shares=key_shares,
        ballots=ballots,
        heads=heads,
        plaintexts=plaintexts,
        signature=bytes.fromhex(signature_text),
        head_count=head_count,
    )


def read_saved_heads(path: Path) -> list[SignedTreeHead]:
    """Heads a member saved while the poll was open: a file of one head as JSON (as the ballot's
    log page offers it), or of several, one a line (as in heads.jsonl)."""
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as error:
        raise RecordError(name, f"cannot be read: {error.strerror or error}") from error
    lines = [line for line in data.splitlines() if line.strip()]
    if not lines:
        raise RecordError(name, "holds no tree head")
    try:
        one = [_parse_json(data, name, None)]
    except RecordError:
        one = []
    if one and isinstance(one[0], dict):
        return [_read_head(_Reader(one[0], name, None, ""))]
    return [
        _read_head(_Reader(_parse_json(line, name, number), name, number, ""))
        for number, line in enumerate(lines, start=1)
    ]
