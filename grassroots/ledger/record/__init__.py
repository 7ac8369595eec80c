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

The package by concern: ``document`` (the constants, the error, canonical JSON and the values a
record holds), ``writing`` (each file in its canonical form, the signature) and ``reading`` (the
strict parser). Import from here: ``from grassroots.ledger.record import write_record``.
"""

from __future__ import annotations

from grassroots.ledger.record.document import (
    BALLOTS_FILE,
    HEADS_FILE,
    MARKED_RULES,
    PARAMETERS_FORMAT,
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
from grassroots.ledger.record.reading import (
    QUESTION_KEYS,
    parse_record,
    read_record,
    read_saved_heads,
    reject_constant,
)
from grassroots.ledger.record.writing import (
    ballot_to_json,
    head_to_json,
    parameters_hash,
    parameters_to_json,
    question_to_json,
    record_file_lines,
    record_signature_is_valid,
    record_signing_bytes,
    sign_record,
    write_record,
    write_record_files,
)

__all__ = [
    "BALLOTS_FILE",
    "HEADS_FILE",
    "MARKED_RULES",
    "PARAMETERS_FORMAT",
    "PLAINTEXTS_FILE",
    "QUESTION_KEYS",
    "RANKED_RULES",
    "RECORD_FILE",
    "RECORD_FORMAT",
    "CollegeTurnout",
    "CollegeWeight",
    "Constraint",
    "ElectionParameters",
    "ElectionRecord",
    "JsonObject",
    "Question",
    "RecordError",
    "Roll",
    "ScopeTurnout",
    "SealedBallot",
    "SectionTurnout",
    "ballot_to_json",
    "canonical_json",
    "head_to_json",
    "parameters_hash",
    "parameters_to_json",
    "parse_record",
    "pretty_json",
    "question_to_json",
    "read_record",
    "read_saved_heads",
    "record_file_lines",
    "record_signature_is_valid",
    "record_signing_bytes",
    "reject_constant",
    "sign_record",
    "write_record",
    "write_record_files",
]
