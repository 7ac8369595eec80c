"""Writing a record: each file in its one canonical form, and the election key's signature."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import nacl.exceptions
import nacl.signing

from grassroots.ledger.heads import (
    SignedTreeHead,
)
from grassroots.ledger.record.document import (
    BALLOTS_FILE,
    HEADS_FILE,
    PARAMETERS_FORMAT,
    PLAINTEXTS_FILE,
    RECORD_FILE,
    RECORD_FORMAT,
    ElectionParameters,
    ElectionRecord,
    JsonObject,
    Question,
    RecordError,
    SealedBallot,
    canonical_json,
    pretty_json,
)


def question_to_json(question: Question) -> JsonObject:
    value = _question_json(question)
    if question.section:
        value["section"] = question.section
    if question.colleges:
        value["colleges"] = [{"name": c.name, "weight": c.weight} for c in question.colleges]
    if question.equal_preferences:
        value["equal_preferences"] = True
    return value


def _question_json(question: Question) -> JsonObject:
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
            **(
                {
                    "sections": [
                        {"question": s.question, "roll_size": s.roll_size, "voted": s.voted}
                        for s in record.roll.sections
                    ]
                }
                if record.roll.sections
                else {}
            ),
            **(
                {
                    "colleges": [
                        {
                            "question": c.question,
                            "college": c.college,
                            "roll_size": c.roll_size,
                            "voted": c.voted,
                        }
                        for c in record.roll.colleges
                    ]
                }
                if record.roll.colleges
                else {}
            ),
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


def record_file_lines(
    record: ElectionRecord,
    *,
    ballots: Iterable[SealedBallot] | None = None,
    plaintexts: Iterable[bytes] | None = None,
) -> dict[str, Iterable[bytes]]:
    """The record's four files, each as the byte strings to write one after the other:
    record.json whole, then one line per ballot, head and plaintext. ``ballots`` and
    ``plaintexts`` stand in for the record's own when given (a stream read from a database as
    it is written, so a large record need not be held in memory; the record's signature does
    not cover them)."""
    document = _unsigned_record_json(record)
    document["signature"] = record.signature.hex()
    return {
        RECORD_FILE: (pretty_json(document),),
        BALLOTS_FILE: (
            canonical_json(ballot_to_json(b)) + b"\n"
            for b in (record.ballots if ballots is None else ballots)
        ),
        HEADS_FILE: (canonical_json(head_to_json(h)) + b"\n" for h in record.heads),
        PLAINTEXTS_FILE: _plaintext_lines(record.plaintexts if plaintexts is None else plaintexts),
    }


def _plaintext_lines(plaintexts: Iterable[bytes]) -> Iterator[bytes]:
    for number, plaintext in enumerate(plaintexts, start=1):
        if b"\n" in plaintext:
            raise RecordError(PLAINTEXTS_FILE, "a plaintext ballot contains a newline", number)
        yield plaintext + b"\n"


def write_record(record: ElectionRecord, directory: Path) -> None:
    """Write the record's four files into ``directory`` (created if missing)."""
    write_record_files(record_file_lines(record), directory)


def write_record_files(files: dict[str, Iterable[bytes]], directory: Path) -> None:
    """Write :func:`record_file_lines`' files into ``directory`` (created if missing), line
    by line as they come."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, lines in files.items():
        with (directory / name).open("wb") as out:
            out.writelines(lines)
