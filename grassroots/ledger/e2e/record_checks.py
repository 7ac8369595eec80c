"""Checks 6 and 7 of an end-to-end ballot's record (docs/e2e.md, "The record"): the server
never held the tellers' key, so there are no revealed shares to combine and no sealed boxes to
open; instead these checks tie the record's main files to its ``e2e/`` folder.

* check 6: no key share is revealed, and ``share_hashes[i]`` is the hash of teller i+1's
  published commitments (``commitment_hash``), so the first signed head, which commits to the
  parameters, commits to the tellers' commitments;
* check 7: ``e2e/SIGNATURE`` is the election key's Ed25519 signature over every file of the
  folder (``folder_signing_bytes``), so no byte of e2e/ (a mixer's name, a line's spacing)
  changes unseen; the ballots in the Merkle log (``ballots.jsonl``) are exactly the cast
  ballots that were mixed (same trackers, each question's in log order), and
  ``plaintexts.jsonl`` is the valid decrypted papers of ``e2e/<question>/plaintexts.jsonl``,
  question by question, in the canonical form check 8 recounts (invalid papers are listed
  there and not counted).
Whether the decrypted papers are right is checks 10-14.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

import nacl.exceptions
import nacl.signing

from grassroots.ledger.e2e.ceremony import TellerCommitment
from grassroots.ledger.e2e.checks import cast_trackers, decrypted_papers
from grassroots.ledger.e2e.files import E2EFileError, read_deals
from grassroots.ledger.e2e.papers import InvalidPaper
from grassroots.ledger.record import ElectionRecord, canonical_json
from grassroots.ledger.recount import BallotPaperError, ballot_plaintext


class E2ERecordError(ValueError):
    """Why the record's main files and its e2e/ folder disagree."""


def commitment_hash(commitment: TellerCommitment) -> str:
    """SHA-256("grassroots-e2e-commitment/1\\n" ‖ canonical JSON of the commitment object)."""
    data = b"grassroots-e2e-commitment/1\n" + canonical_json(commitment.to_json())
    return hashlib.sha256(data).hexdigest()


def check_commitment_hashes(record: ElectionRecord, folder: Path) -> None:
    if record.key_shares:
        raise E2ERecordError("an end-to-end record reveals no key shares, but this one does")
    try:
        deals = read_deals(folder / "tellers")
    except E2EFileError as error:
        raise E2ERecordError(str(error)) from error
    hashes = [commitment_hash(d.commitment) for d in deals]
    if tuple(hashes) != record.parameters.share_hashes:
        raise E2ERecordError(
            "the parameters' share_hashes are not the hashes of the tellers' published "
            "commitments (e2e/tellers/deal-<i>.json)"
        )


SIGNATURE_FILE = "SIGNATURE"


def folder_signing_bytes(election_id: str, files: Mapping[str, bytes]) -> bytes:
    """What the election key signs over an e2e/ folder: a header line, the election id, then
    for each file but SIGNATURE, in sorted order of its path inside e2e/ (``/``-separated),
    the path and the SHA-256 of its bytes in hex, each on its own line."""
    lines = ["grassroots-e2e-folder/1", election_id]
    for path in sorted(files):
        if path != SIGNATURE_FILE:
            lines += [path, hashlib.sha256(files[path]).hexdigest()]
    return ("\n".join(lines) + "\n").encode()


def sign_folder(election_id: str, files: Mapping[str, bytes], private_key: bytes) -> bytes:
    """SIGNATURE's content: the signature in hex and a newline."""
    signed = nacl.signing.SigningKey(private_key).sign(folder_signing_bytes(election_id, files))
    return signed.signature.hex().encode() + b"\n"


def _folder_files(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def check_folder_signature(record: ElectionRecord, folder: Path) -> None:
    files = _folder_files(folder)
    try:
        signature = bytes.fromhex(files[SIGNATURE_FILE].decode("ascii").strip())
        nacl.signing.VerifyKey(record.parameters.election_public_key).verify(
            folder_signing_bytes(record.parameters.election_id, files), signature
        )
    except KeyError as error:
        raise E2ERecordError("e2e/SIGNATURE is missing") from error
    except (ValueError, UnicodeDecodeError, nacl.exceptions.BadSignatureError) as error:
        raise E2ERecordError(
            "e2e/SIGNATURE is not the election key's signature over the e2e/ folder's files"
        ) from error


def check_ballots_and_papers(record: ElectionRecord, folder: Path) -> dict[str, int]:
    """Check 7 for an e2e record; answers each question's number of papers, valid or not."""
    check_folder_signature(record, folder)
    try:
        cast = cast_trackers(folder)
        papers = decrypted_papers(folder)
    except E2EFileError as error:
        raise E2ERecordError(str(error)) from error
    logged = [b.tracker for b in record.ballots]
    if Counter(logged) != Counter(t for trackers in cast.values() for t in trackers):
        raise E2ERecordError("the ballots in the log are not the cast ballots that were mixed")
    for question_id, trackers in cast.items():
        mine = set(trackers)
        if [t for t in logged if t in mine] != trackers:
            raise E2ERecordError(f"{question_id}/cast.jsonl is not in the log's order")
    questions = {q.id: q for q in record.parameters.questions}
    expected = []
    for question_id, items in papers.items():
        question = questions.get(question_id)
        if question is None:
            raise E2ERecordError(f"e2e/election.json has question {question_id}; record.json not")
        for item in items:
            if isinstance(item, InvalidPaper):
                continue
            try:
                expected.append(ballot_plaintext(question, item.marks))
            except BallotPaperError as error:
                raise E2ERecordError(str(error)) from error
    if list(record.plaintexts) != expected:
        raise E2ERecordError(
            "plaintexts.jsonl is not the valid decrypted papers of e2e/<question>/plaintexts.jsonl"
        )
    return {question_id: len(items) for question_id, items in papers.items()}
