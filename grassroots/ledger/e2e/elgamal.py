"""ElGamal encryption over the Ed25519 prime-order group, with re-encryption for the mix-net.

A message is a group element M (docs/e2e.md, "Papers as group elements", says how a paper
becomes one or more of them). With the election's public key Y = x·B and a random scalar r:

    Enc(M; r) = (alpha, beta) = (r·B, M + r·Y)
    ReEnc((alpha, beta); r') = (alpha + r'·B, beta + r'·Y)
    Dec((alpha, beta)) = beta - x·alpha

A ballot is a tuple of ciphertexts (one per preference slot, or one per packed chunk of the
paper); each ciphertext has its own randomness, so no difference between two of a ballot's
ciphertexts survives a re-encryption unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from grassroots.ledger.e2e.group import (
    GroupError,
    add,
    base_mul,
    mul,
    point_from_hex,
    random_scalar,
    sub,
)


@dataclass(frozen=True, slots=True)
class Ciphertext:
    alpha: bytes  # r·B
    beta: bytes  # M + r·Y

    def to_json(self) -> list[str]:
        return [self.alpha.hex(), self.beta.hex()]

    @classmethod
    def from_json(cls, value: object) -> Ciphertext:
        if not isinstance(value, list) or len(value) != 2:
            raise GroupError("a ciphertext is a list of two group elements [alpha, beta]")
        alpha, beta = value
        if not isinstance(alpha, str) or not isinstance(beta, str):
            raise GroupError("a ciphertext's alpha and beta are hex strings")
        return cls(point_from_hex(alpha), point_from_hex(beta))


EncryptedBallot = tuple[Ciphertext, ...]


def encrypt(public_key: bytes, message: bytes, randomness: int) -> Ciphertext:
    return Ciphertext(base_mul(randomness), add(message, mul(randomness, public_key)))


def encrypt_points(
    public_key: bytes, messages: Sequence[bytes], randomness: Sequence[int] | None = None
) -> tuple[EncryptedBallot, tuple[int, ...]]:
    """The ballot encrypting ``messages`` and the randomness used (fresh unless given)."""
    scalars = (
        tuple(randomness) if randomness is not None else tuple(random_scalar() for _ in messages)
    )
    if len(scalars) != len(messages):
        raise GroupError("one random scalar is needed per message")
    ballot = tuple(encrypt(public_key, m, r) for m, r in zip(messages, scalars, strict=True))
    return ballot, scalars


def reencrypt(public_key: bytes, ciphertext: Ciphertext, randomness: int) -> Ciphertext:
    return Ciphertext(
        add(ciphertext.alpha, base_mul(randomness)),
        add(ciphertext.beta, mul(randomness, public_key)),
    )


def decrypt(secret_key: int, ciphertext: Ciphertext) -> bytes:
    return sub(ciphertext.beta, mul(secret_key, ciphertext.alpha))


def ballot_to_json(ballot: EncryptedBallot) -> list[list[str]]:
    return [c.to_json() for c in ballot]


def ballot_from_json(value: object, width: int | None = None) -> EncryptedBallot:
    if not isinstance(value, list) or not value:
        raise GroupError("an encrypted ballot is a non-empty list of ciphertexts")
    if width is not None and len(value) != width:
        raise GroupError(f"an encrypted ballot here has {width} ciphertexts, not {len(value)}")
    return tuple(Ciphertext.from_json(c) for c in value)
