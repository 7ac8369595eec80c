"""Keys the server holds for a ballot, and how they are kept.

The election's Ed25519 private key (it signs tree heads and the record) and each teller's key
share until the teller collects it are sealed with XSalsa20-Poly1305 (PyNaCl's SecretBox) under
a key derived from ``settings.SECRET_KEY``. A copy of the database alone therefore cannot sign a
head or read a share.

Limitation, stated plainly: anyone holding both the database and SECRET_KEY (the server itself,
or an operator with both) can sign heads as the election. The defence is that heads are
published while polling is open, so a rewritten past does not match what members already saw.
A hardware key or a separate signing service is the next step up.
"""

from __future__ import annotations

import hashlib

import nacl.secret
import nacl.utils
from django.conf import settings


def _server_key(purpose: str) -> bytes:
    return hashlib.blake2b(
        settings.SECRET_KEY.encode("utf-8"),
        digest_size=nacl.secret.SecretBox.KEY_SIZE,
        person=b"grassroots-keys",
        salt=hashlib.sha256(purpose.encode()).digest()[:16],
    ).digest()


def server_key(purpose: str) -> bytes:
    """A 32-byte key derived from SECRET_KEY for one purpose (e.g. the voters' e2e credentials)."""
    return _server_key(purpose)


def seal_with_server_key(secret: bytes, *, purpose: str) -> bytes:
    return bytes(nacl.secret.SecretBox(_server_key(purpose)).encrypt(secret))


def open_with_server_key(sealed: bytes, *, purpose: str) -> bytes:
    return bytes(nacl.secret.SecretBox(_server_key(purpose)).decrypt(bytes(sealed)))


def receipt_key(idempotency_key: str) -> bytes:
    """The key that seals a receipt for a retry: derived from the voter's idempotency key."""
    return hashlib.blake2b(
        idempotency_key.encode("utf-8"),
        digest_size=nacl.secret.SecretBox.KEY_SIZE,
        person=b"grassroots-rcpt",
    ).digest()


def seal_receipt(receipt: bytes, idempotency_key: str) -> bytes:
    return bytes(nacl.secret.SecretBox(receipt_key(idempotency_key)).encrypt(receipt))


def open_receipt(sealed: bytes, idempotency_key: str) -> bytes:
    return bytes(nacl.secret.SecretBox(receipt_key(idempotency_key)).decrypt(bytes(sealed)))
