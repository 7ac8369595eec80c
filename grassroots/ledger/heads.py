"""Signed tree heads: the election key's numbered, dated statement of the log's size and root.

A head commits to the log (``tree_size``, ``root_hash``) and to the election's parameters
(``parameters_hash``: SHA-256 of the canonical parameters, see :mod:`grassroots.ledger.record`),
so once a head is published neither the past ballots nor the questions, candidates, rules or the
tellers' key can be changed without the change showing. Heads are numbered from 0 (the empty
log at opening) in the order they are signed, so a record that leaves one out shows a gap, and a
head a member saved names its place in the sequence (docs/ledger.md, check 5).

The signed bytes are UTF-8 text, one field a line, each line ending in ``\\n``::

    grassroots-tree-head/2
    <election id>
    <sequence number, decimal, no leading zeros: 0 for the first head>
    <tree size, decimal, no leading zeros>
    <root hash, 64 lowercase hex digits>
    <parameters hash, 64 lowercase hex digits>
    <timestamp, YYYY-MM-DDTHH:MM:SSZ, UTC>

The signature is a plain Ed25519 signature (RFC 8032) over exactly those bytes.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import nacl.exceptions
import nacl.signing

HEAD_FORMAT = "grassroots-tree-head/2"
TIMESTAMP_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
ELECTION_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


class HeadError(ValueError):
    """A tree head that cannot be formed or read."""


@dataclass(frozen=True, slots=True)
class KeyPair:
    """Raw key bytes: a 32-byte private key (Ed25519 seed or X25519 scalar) and its public key."""

    private: bytes
    public: bytes


@dataclass(frozen=True, slots=True)
class TreeHead:
    election_id: str
    sequence: int  # 0 for the first head, then one more for each head signed
    tree_size: int
    root_hash: bytes
    parameters_hash: bytes
    timestamp: str


@dataclass(frozen=True, slots=True)
class SignedTreeHead:
    head: TreeHead
    signature: bytes


def check_election_id(election_id: str) -> None:
    """Election ids are short ASCII names, so they can sit in hashes and files unescaped."""
    if not ELECTION_ID_PATTERN.fullmatch(election_id):
        raise HeadError(
            f"election id {election_id!r} must be 1-128 characters of letters, digits and ._:- "
            "starting with a letter or digit"
        )


def format_timestamp(moment: datetime) -> str:
    """An aware datetime as the head's timestamp text (UTC, whole seconds)."""
    if moment.tzinfo is None:
        raise HeadError("a tree head's time must be an aware datetime")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_timestamp(timestamp: str) -> None:
    if not TIMESTAMP_PATTERN.fullmatch(timestamp):
        raise HeadError(f"timestamp {timestamp!r} is not of the form YYYY-MM-DDTHH:MM:SSZ")
    try:
        datetime.strptime(timestamp[:-1] + "+0000", "%Y-%m-%dT%H:%M:%S%z")
    except ValueError as error:
        raise HeadError(f"timestamp {timestamp!r} is not a real date and time") from error


def head_bytes(head: TreeHead) -> bytes:
    """The exact bytes the election key signs (see the module docstring)."""
    check_election_id(head.election_id)
    check_timestamp(head.timestamp)
    if head.tree_size < 0 or head.sequence < 0:
        raise HeadError("a tree size or sequence number cannot be negative")
    if len(head.root_hash) != 32 or len(head.parameters_hash) != 32:
        raise HeadError("root and parameters hashes are 32 bytes")
    lines = (
        HEAD_FORMAT,
        head.election_id,
        str(head.sequence),
        str(head.tree_size),
        head.root_hash.hex(),
        head.parameters_hash.hex(),
        head.timestamp,
    )
    return "".join(line + "\n" for line in lines).encode("utf-8")


def generate_signing_key() -> KeyPair:
    """A new Ed25519 election key: the private part is the 32-byte RFC 8032 seed."""
    key = nacl.signing.SigningKey.generate()
    return KeyPair(private=bytes(key), public=bytes(key.verify_key))


def signing_public_key(private: bytes) -> bytes:
    return bytes(nacl.signing.SigningKey(private).verify_key)


def key_fingerprint(public_key: bytes) -> str:
    """A short form of an election key for comparing by eye: the first 10 bytes of its SHA-256,
    as five groups of four lowercase hex digits (``3f2a 9c01 ...``)."""
    digest = hashlib.sha256(public_key).hexdigest()[:20]
    return " ".join(digest[i : i + 4] for i in range(0, 20, 4))


def sign_head(head: TreeHead, private_key: bytes) -> SignedTreeHead:
    signed = nacl.signing.SigningKey(private_key).sign(head_bytes(head))
    return SignedTreeHead(head=head, signature=signed.signature)


def verify_head(signed: SignedTreeHead, public_key: bytes) -> bool:
    """True only if the signature is the election key's over this head's exact bytes."""
    if len(public_key) != 32 or len(signed.signature) != 64:
        return False
    try:
        message = head_bytes(signed.head)
        nacl.signing.VerifyKey(public_key).verify(message, signed.signature)
    except (HeadError, nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError):
        return False
    return True
