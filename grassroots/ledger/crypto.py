"""Sealing ballots to the tellers, ballot trackers, and the tellers' k-of-n key shares.

* A ballot is sealed with a libsodium sealed box (X25519 + XSalsa20-Poly1305 with a fresh
  ephemeral key) to the tellers' public key; only the tellers' private key opens it.
* A ballot's tracker is ``SHA-256(election id as UTF-8 || 0x00 || ciphertext)``, written as 64
  lowercase hex digits. The 0x00 cannot occur in an election id, so the split between id and
  ciphertext is unambiguous. The tracker's 32 raw bytes are the ballot's leaf in the Merkle log.
* The tellers' 32-byte private key is split with Shamir's scheme over the prime field
  GF(2**521 - 1) (a Mersenne prime, the field of NIST P-521), large enough to hold any 32-byte
  key as one field element. A share is written ``"<index>:<132 lowercase hex digits>"``; its
  index is its x-coordinate and the hex digits its y-coordinate, big-endian.
* Each share's hash, ``SHA-256("grassroots-key-share/1\n" || share text)``, is published in the
  election's parameters when the key is made, so a share entered at the count is checked at
  once against the one its teller was given (:func:`share_hash`).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

import nacl.exceptions
import nacl.public

# 2**521 - 1 is prime (the 13th Mersenne prime), so every non-zero element has an inverse.
PRIME = 2**521 - 1
SHARE_HEX_DIGITS = 132  # 66 bytes, enough for any element below PRIME
SHARE_PATTERN = re.compile(rf"([1-9][0-9]{{0,3}}):([0-9a-f]{{{SHARE_HEX_DIGITS}}})")
MAX_SHARES = 255


class SealError(ValueError):
    """A ballot that cannot be sealed or opened, or key shares that cannot be used."""


@dataclass(frozen=True, slots=True)
class Share:
    """One teller's share: the secret polynomial's value at ``index`` (1, 2, ...)."""

    index: int
    value: int

    def to_text(self) -> str:
        return f"{self.index}:{self.value:0{SHARE_HEX_DIGITS}x}"

    @classmethod
    def from_text(cls, text: str) -> Share:
        match = SHARE_PATTERN.fullmatch(text)
        if match is None:
            raise SealError(
                f"a key share is written index:{SHARE_HEX_DIGITS} lowercase hex digits, "
                f"not {text[:40]!r}"
            )
        index, value = int(match.group(1)), int(match.group(2), 16)
        if index > MAX_SHARES or value >= PRIME:
            raise SealError(f"key share {index} is out of range")
        return cls(index=index, value=value)


SHARE_HASH_PREFIX = b"grassroots-key-share/1\n"


def share_hash(share_text: str) -> str:
    """The published commitment to one share: 64 lowercase hex digits.

    A share is a random point of a random polynomial (or, with a threshold of one, the random
    key itself), so its hash reveals nothing usable about it.
    """
    return hashlib.sha256(SHARE_HASH_PREFIX + share_text.encode("ascii")).hexdigest()


def clamp(private: bytes) -> bytes:
    """The X25519 private key in its clamped form (RFC 7748 §5: decodeScalar25519).

    X25519 clears the three low bits and the top bit of a key and sets bit 254: five bits are
    fixed whatever the bytes say, so 32 different byte strings act as the same key. The tellers'
    key is kept and shared in clamped form so that exactly one 32-byte value matches the public
    key, and a changed share cannot combine to a different value that still opens the ballots.
    """
    if len(private) != 32:
        raise SealError("an X25519 private key is 32 bytes")
    scalar = bytearray(private)
    scalar[0] &= 248
    scalar[31] &= 127
    scalar[31] |= 64
    return bytes(scalar)


def generate_tellers_key() -> tuple[bytes, bytes]:
    """A new X25519 tellers' key as (private, public), 32 bytes each; the private key clamped."""
    private = clamp(bytes(nacl.public.PrivateKey.generate()))
    return private, bytes(nacl.public.PrivateKey(private).public_key)


def tellers_public_key(private: bytes) -> bytes:
    return bytes(nacl.public.PrivateKey(private).public_key)


def seal_ballot(plaintext: bytes, tellers_public: bytes) -> bytes:
    if len(tellers_public) != 32:
        raise SealError("the tellers' public key is 32 bytes")
    return bytes(nacl.public.SealedBox(nacl.public.PublicKey(tellers_public)).encrypt(plaintext))


def ballot_opener(tellers_private: bytes) -> Callable[[bytes], bytes]:
    """A function that opens sealed ballots with the tellers' key (set up once, used often)."""
    if len(tellers_private) != 32:
        raise SealError("the tellers' private key is 32 bytes")
    box = nacl.public.SealedBox(nacl.public.PrivateKey(tellers_private))

    def open_one(ciphertext: bytes) -> bytes:
        try:
            return bytes(box.decrypt(ciphertext))
        except nacl.exceptions.CryptoError as error:
            raise SealError("the ciphertext does not open with the tellers' key") from error

    return open_one


def open_ballot(ciphertext: bytes, tellers_private: bytes) -> bytes:
    """The plaintext of a sealed ballot; :class:`SealError` if the key or ciphertext is wrong."""
    return ballot_opener(tellers_private)(ciphertext)


def tracker(election_id: str, ciphertext: bytes) -> str:
    """The ballot's receipt: see the module docstring for the exact bytes hashed."""
    encoded = election_id.encode("utf-8")
    if b"\x00" in encoded:
        raise SealError("an election id cannot contain a NUL character")
    return hashlib.sha256(encoded + b"\x00" + ciphertext).hexdigest()


def split_secret(secret: bytes, *, threshold: int, shares: int) -> list[Share]:
    """Split ``secret`` so that any ``threshold`` of the ``shares`` recover it and fewer reveal
    nothing: the shares are points of a random polynomial of degree ``threshold - 1`` whose
    constant term is the secret."""
    if not 1 <= threshold <= shares <= MAX_SHARES:
        raise SealError(f"need 1 <= threshold ({threshold}) <= shares ({shares}) <= {MAX_SHARES}")
    if len(secret) > 64:
        raise SealError("the secret must fit in the field: at most 64 bytes")
    coefficients = [int.from_bytes(secret, "big")]
    coefficients += [secrets.randbelow(PRIME) for _ in range(threshold - 1)]
    result = []
    for x in range(1, shares + 1):
        y = 0
        for coefficient in reversed(coefficients):  # Horner's rule
            y = (y * x + coefficient) % PRIME
        result.append(Share(index=x, value=y))
    return result


def combine_shares(shares: list[Share], *, length: int = 32) -> bytes:
    """The secret at x = 0 by Lagrange interpolation through all the given shares.

    With fewer shares than the threshold the answer is a wrong key (unrelated to the secret),
    not an error: the caller checks it against the published public key.
    """
    if not shares:
        raise SealError("no key shares were given")
    indices = [share.index for share in shares]
    if len(set(indices)) != len(indices):
        raise SealError("two key shares have the same index")
    secret = 0
    for share in shares:
        numerator, denominator = 1, 1
        for other in shares:
            if other.index != share.index:
                numerator = numerator * other.index % PRIME
                denominator = denominator * (other.index - share.index) % PRIME
        secret = (secret + share.value * numerator * pow(denominator, -1, PRIME)) % PRIME
    if secret >= 1 << (8 * length):
        raise SealError(f"the key shares do not combine to a {length}-byte key")
    return secret.to_bytes(length, "big")
