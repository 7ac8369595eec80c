"""The election record: the files a member downloads to check an election without the server.

A record is a directory of four files (the format is described in docs/ledger.md):

* ``record.json``: the parameters, roll figures, published results, keys, revealed key shares,
  the number of heads issued and the election key's signature over all of it;
* ``ballots.jsonl``: every sealed ballot in log order, ``{"ciphertext": base64, "tracker": hex}``;
* ``heads.jsonl``: every signed tree head ever issued, numbered from 0 in the order signed;
* ``plaintexts.jsonl``: the opened ballots in log order, one canonical JSON ballot paper a line.

Every file is written in one canonical form and a reader refuses any other, so that no byte of
a record can change without the verifier noticing: a change either breaks the canonical form
(check 1) or changes a value some other check covers.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nacl.exceptions
import nacl.signing

from grassroots.ledger.heads import (
    HeadError,
    SignedTreeHead,
    TreeHead,
    check_election_id,
    check_timestamp,
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
_HEX32 = re.compile(r"[0-9a-f]{64}")
_HEX64 = re.compile(r"[0-9a-f]{128}")

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


def _pretty_json(value: Any) -> bytes:
    text = json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")


@dataclass(frozen=True, slots=True)
class Constraint:
    """At least ``minimum`` and at most ``maximum`` of the elected come from ``category``."""

    category: str
    minimum: int = 0
    maximum: int | None = None


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
class Roll:
    """The frozen roll's size, how many on it voted, and the same by scope (e.g. by region)."""

    size: int
    voted: int
    scopes: tuple[ScopeTurnout, ...] = ()


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


# Writing


def question_to_json(question: Question) -> JsonObject:
    return {
        "id": question.id,
        "title": question.title,
        "rule": question.rule,
        "seats": question.seats,
        "candidates": list(question.candidates),
        "categories": {
            str(index): list(labels) for index, labels in sorted(question.categories.items())
        },
        "constraints": [
            {"category": c.category, "minimum": c.minimum, "maximum": c.maximum}
            for c in question.constraints
        ],
        "withdrawn": list(question.withdrawn),
        "seed": question.seed,
        "options": dict(question.options),
    }


def parameters_to_json(parameters: ElectionParameters) -> JsonObject:
    return {
        "election_id": parameters.election_id,
        "title": parameters.title,
        "questions": [question_to_json(q) for q in parameters.questions],
        "election_public_key": parameters.election_public_key.hex(),
        "tellers_public_key": parameters.tellers_public_key.hex(),
        "tellers": parameters.tellers,
        "threshold": parameters.threshold,
        "share_hashes": list(parameters.share_hashes),
    }


def parameters_hash(parameters: ElectionParameters) -> bytes:
    """SHA-256 of ``grassroots-election-parameters/1\\n`` + the canonical parameters JSON."""
    return hashlib.sha256(
        (PARAMETERS_FORMAT + "\n").encode() + canonical_json(parameters_to_json(parameters))
    ).digest()


def _unsigned_record_json(record: ElectionRecord) -> JsonObject:
    return {
        "format": RECORD_FORMAT,
        "parameters": parameters_to_json(record.parameters),
        "roll": {
            "size": record.roll.size,
            "voted": record.roll.voted,
            "scopes": [
                {"scope": s.scope, "roll_size": s.roll_size, "voted": s.voted}
                for s in record.roll.scopes
            ],
        },
        "results": record.results,
        "key_shares": list(record.key_shares),
        "head_count": record.heads_issued,
    }


def record_signing_bytes(record: ElectionRecord) -> bytes:
    """What the election key signs at publication: record.json's content minus the signature."""
    return (RECORD_FORMAT + "\n").encode() + canonical_json(_unsigned_record_json(record))


def sign_record(record: ElectionRecord, election_private_key: bytes) -> ElectionRecord:
    signed = nacl.signing.SigningKey(election_private_key).sign(record_signing_bytes(record))
    return ElectionRecord(
        parameters=record.parameters,
        roll=record.roll,
        results=record.results,
        key_shares=record.key_shares,
        ballots=record.ballots,
        heads=record.heads,
        plaintexts=record.plaintexts,
        signature=signed.signature,
        head_count=record.heads_issued,
    )


def record_signature_is_valid(record: ElectionRecord) -> bool:
    try:
        nacl.signing.VerifyKey(record.parameters.election_public_key).verify(
            record_signing_bytes(record), record.signature
        )
    except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError, ValueError):
        return False
    return True


def head_to_json(signed: SignedTreeHead) -> JsonObject:
    head = signed.head
    return {
        "election_id": head.election_id,
        "sequence": head.sequence,
        "tree_size": head.tree_size,
        "root_hash": head.root_hash.hex(),
        "parameters_hash": head.parameters_hash.hex(),
        "timestamp": head.timestamp,
        "signature": signed.signature.hex(),
    }


def ballot_to_json(ballot: SealedBallot) -> JsonObject:
    return {"tracker": ballot.tracker, "ciphertext": base64.b64encode(ballot.ciphertext).decode()}


def _jsonl(lines: list[bytes]) -> bytes:
    return b"".join(line + b"\n" for line in lines)


def write_record(record: ElectionRecord, directory: Path) -> None:
    """Write the record's four files into ``directory`` (created if missing)."""
    directory.mkdir(parents=True, exist_ok=True)
    document = _unsigned_record_json(record)
    document["signature"] = record.signature.hex()
    (directory / RECORD_FILE).write_bytes(_pretty_json(document))
    (directory / BALLOTS_FILE).write_bytes(
        _jsonl([canonical_json(ballot_to_json(b)) for b in record.ballots])
    )
    (directory / HEADS_FILE).write_bytes(
        _jsonl([canonical_json(head_to_json(h)) for h in record.heads])
    )
    for number, plaintext in enumerate(record.plaintexts, start=1):
        if b"\n" in plaintext:
            raise RecordError(PLAINTEXTS_FILE, "a plaintext ballot contains a newline", number)
    (directory / PLAINTEXTS_FILE).write_bytes(_jsonl(list(record.plaintexts)))


# Reading


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


def _read_question(reader: _Reader) -> Question:
    reader.expect_keys(
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
    rule = reader.string("rule")
    if rule not in RANKED_RULES | MARKED_RULES:
        raise reader.error(f"{reader.path}.rule {rule!r} is not a counting rule")
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
    reader.expect_keys("size", "voted", "scopes")
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
    return Roll(size=reader.integer("size"), voted=reader.integer("voted"), scopes=tuple(scopes))


def _read_record_document(data: bytes) -> tuple[JsonObject, _Reader]:
    document = _parse_json(data, RECORD_FILE, None)
    if data != _pretty_json(document):
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


RECORD_FILES = (RECORD_FILE, BALLOTS_FILE, HEADS_FILE, PLAINTEXTS_FILE)
# A zip member larger than this is refused before it is unpacked (a record of 500,000 ballots
# is about 40 MB zipped and a few hundred MB unpacked).
MAX_MEMBER_BYTES = 4 * 1024**3


def _directory_files(directory: Path) -> dict[str, bytes]:
    files = {}
    for name in RECORD_FILES:
        path = directory / name
        try:
            files[name] = path.read_bytes()
        except FileNotFoundError as error:
            raise RecordError(name, f"missing from {directory}") from error
        except OSError as error:
            raise RecordError(name, f"cannot be read: {error.strerror}") from error
    return files


def _record_folder(directory: Path) -> Path:
    """The folder holding record.json: ``directory`` itself, or its one subfolder that does (as
    when a downloaded zip is unpacked into a folder of its own)."""
    if (directory / RECORD_FILE).exists():
        return directory
    inner = sorted(p for p in directory.iterdir() if p.is_dir() and (p / RECORD_FILE).exists())
    if len(inner) == 1:
        return inner[0]
    if not inner:
        raise RecordError(str(directory), f"holds no {RECORD_FILE}, nor does any folder in it")
    names = ", ".join(p.name for p in inner)
    raise RecordError(str(directory), f"holds several records ({names}); name one of them")


def _zip_files(path: Path) -> dict[str, bytes]:
    """The record's files from the downloaded zip, read in memory (nothing is unpacked)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = {info.filename: info for info in archive.infolist() if not info.is_dir()}
            found = [n for n in members if n.rsplit("/", 1)[-1] == RECORD_FILE]
            if len(found) != 1:
                what = "no" if not found else "more than one"
                raise RecordError(str(path), f"the zip holds {what} {RECORD_FILE}")
            prefix = found[0][: -len(RECORD_FILE)]
            files = {}
            for name in RECORD_FILES:
                info = members.get(prefix + name)
                if info is None:
                    raise RecordError(name, f"missing from the zip {path.name}")
                if info.file_size > MAX_MEMBER_BYTES:
                    raise RecordError(name, "is too large to be a record file")
                files[name] = archive.read(info)
            return files
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError) as error:
        raise RecordError(str(path), f"is not a readable zip file: {error}") from error


def read_record_files(location: Path) -> dict[str, bytes]:
    """The four files' bytes from a record folder, a folder holding one, or the zip itself."""
    if location.is_dir():
        return _directory_files(_record_folder(location))
    if location.is_file():
        if zipfile.is_zipfile(location):
            return _zip_files(location)
        raise RecordError(str(location), "is neither a folder nor a zip file")
    raise RecordError(str(location), "does not exist")


def read_record(location: Path) -> ElectionRecord:
    """Read and check the form of every file; :class:`RecordError` names the first problem.

    ``location`` is the record's folder, a folder with the record's folder in it, or the
    downloaded zip.
    """
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
