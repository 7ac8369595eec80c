"""The group wrapper against published vectors (RFC 8032 §7.1) and libsodium's own scalar ops."""

from __future__ import annotations

import hashlib

import nacl.bindings as sodium
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grassroots.ledger.e2e.group import (
    IDENTITY,
    GroupError,
    L,
    Transcript,
    add,
    base_mul,
    check_point,
    hash_to_point,
    mul,
    neg,
    point_from_hex,
    scalar_from_bytes,
    scalar_to_bytes,
    sub,
)

# RFC 8032 §7.1, TEST 1, 2 and 3: (secret key, public key, message, signature).
RFC8032_VECTORS = [
    (
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
        "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    ),
    (
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
        "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    ),
    (
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        "af82",
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
        "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
    ),
]
BASE_POINT = "5866666666666666666666666666666666666666666666666666666666666666"  # RFC 8032 §5.1


def _secret_scalar(secret_key: bytes) -> int:
    digest = bytearray(hashlib.sha512(secret_key).digest()[:32])
    digest[0] &= 248
    digest[31] &= 127
    digest[31] |= 64
    return int.from_bytes(digest, "little")


def test_the_base_point_is_rfc_8032s():
    assert base_mul(1).hex() == BASE_POINT
    assert check_point(bytes.fromhex(BASE_POINT)) == base_mul(1)


@pytest.mark.parametrize(("secret", "public", "message", "signature"), RFC8032_VECTORS)
def test_public_key_derivation_matches_rfc_8032(secret, public, message, signature):
    assert base_mul(_secret_scalar(bytes.fromhex(secret))).hex() == public


@pytest.mark.parametrize(("secret", "public", "message", "signature"), RFC8032_VECTORS)
def test_signature_equation_holds_with_our_group_operations(secret, public, message, signature):
    # RFC 8032 §5.1.7: [S]B = R + [k]A, k = SHA-512(R || A || M) mod L.
    a = point_from_hex(public)
    sig = bytes.fromhex(signature)
    r, s = check_point(sig[:32]), scalar_from_bytes(sig[32:])
    k = int.from_bytes(hashlib.sha512(sig[:32] + a + bytes.fromhex(message)).digest(), "little")
    assert base_mul(s) == add(r, mul(k, a))
    assert base_mul(s) != add(r, mul(k + 1, a))


scalars = st.integers(min_value=0, max_value=L - 1)


@settings(max_examples=40, deadline=None)
@given(scalars, scalars)
def test_scalar_arithmetic_is_libsodiums(x, y):
    bx, by = scalar_to_bytes(x), scalar_to_bytes(y)
    assert scalar_to_bytes(x + y) == sodium.crypto_core_ed25519_scalar_add(bx, by)
    assert scalar_to_bytes(x * y) == sodium.crypto_core_ed25519_scalar_mul(bx, by)
    assert scalar_to_bytes(x - y) == sodium.crypto_core_ed25519_scalar_sub(bx, by)
    assert scalar_to_bytes(-x) == sodium.crypto_core_ed25519_scalar_negate(bx)


@settings(max_examples=40, deadline=None)
@given(scalars, scalars)
def test_group_law(x, y):
    assert add(base_mul(x), base_mul(y)) == base_mul(x + y)
    assert sub(base_mul(x), base_mul(y)) == base_mul(x - y)
    assert mul(y, base_mul(x)) == base_mul(x * y)
    assert add(base_mul(x), neg(base_mul(x))) == IDENTITY


def test_zero_scalar_and_identity_follow_the_group_law():
    p = base_mul(7)
    assert base_mul(0) == IDENTITY == base_mul(L)
    assert mul(0, p) == IDENTITY
    assert mul(5, IDENTITY) == IDENTITY
    assert add(IDENTITY, p) == p == sub(p, IDENTITY)


def test_points_outside_the_prime_order_group_are_refused():
    small_order = (2**255 - 20).to_bytes(32, "little")  # y = -1: the point (0, -1) of order 2
    with pytest.raises(GroupError):
        check_point(small_order)
    # B plus a point of order 2 is on the curve but not in the prime-order subgroup.
    order_two = (2**255 - 20).to_bytes(32, "little")  # y = -1
    mixed = bytes(sodium.crypto_core_ed25519_add(base_mul(1), order_two))
    with pytest.raises(GroupError):
        check_point(mixed)
    with pytest.raises(GroupError):
        point_from_hex("zz" * 32)
    with pytest.raises(GroupError):
        scalar_from_bytes(L.to_bytes(32, "little"))


def test_transcripts_separate_domains_elections_and_item_boundaries():
    def challenge(domain: str, election: str, *items: bytes) -> int:
        t = Transcript(domain, election)
        for item in items:
            t.data(item)
        return t.challenge()

    base = challenge("ballot", "e1", b"ab", b"c")
    assert base != challenge("decryption", "e1", b"ab", b"c")
    assert base != challenge("ballot", "e2", b"ab", b"c")
    assert base != challenge("ballot", "e1", b"a", b"bc")
    assert 0 <= base < L
    assert len(set(Transcript("x", "e").challenges(50))) == 50


def test_independent_generators_are_distinct_group_elements():
    generators = [hash_to_point("shuffle", "e1", i) for i in range(20)]
    assert len(set(generators)) == 20
    assert all(check_point(g) == g for g in generators)
    assert hash_to_point("shuffle", "e2", 0) != generators[0]


def test_sums_of_bytes_that_are_not_points_raise_group_errors():
    not_a_point = (2).to_bytes(32, "little")  # y = 2 is not on the curve
    with pytest.raises(GroupError):
        add(base_mul(3), not_a_point)
    with pytest.raises(GroupError):
        sub(base_mul(3), not_a_point)
