"""Sealed ballots, trackers, tree-head signatures and the tellers' key shares."""

from __future__ import annotations

import contextlib
import hashlib
import itertools
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grassroots.ledger.crypto import (
    PRIME,
    SealError,
    Share,
    combine_shares,
    generate_tellers_key,
    open_ballot,
    seal_ballot,
    split_secret,
    tellers_public_key,
    tracker,
)
from grassroots.ledger.heads import (
    HeadError,
    SignedTreeHead,
    TreeHead,
    format_timestamp,
    generate_signing_key,
    head_bytes,
    sign_head,
    signing_public_key,
    verify_head,
)


def is_probable_prime(n: int) -> bool:
    """Miller-Rabin with fixed bases, enough to catch a mistyped modulus."""
    d, r = n - 1, 0
    while d % 2 == 0:
        d, r = d // 2, r + 1
    for a in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def test_the_share_field_is_prime_and_holds_any_32_byte_key() -> None:
    assert is_probable_prime(PRIME)
    assert PRIME > 2**256


def test_a_sealed_ballot_opens_only_with_the_tellers_key() -> None:
    private, public = generate_tellers_key()
    assert tellers_public_key(private) == public
    ciphertext = seal_ballot(b'{"question":"q1","ranking":[2,0]}', public)
    assert open_ballot(ciphertext, private) == b'{"question":"q1","ranking":[2,0]}'
    other, _ = generate_tellers_key()
    with pytest.raises(SealError):
        open_ballot(ciphertext, other)
    altered = bytearray(ciphertext)
    altered[-1] ^= 1
    with pytest.raises(SealError):
        open_ballot(bytes(altered), private)


def test_sealing_the_same_ballot_twice_gives_different_ciphertexts() -> None:
    _, public = generate_tellers_key()
    assert seal_ballot(b"x", public) != seal_ballot(b"x", public)


def test_the_tracker_hashes_election_id_nul_and_ciphertext() -> None:
    expected = hashlib.sha256(b"2026-ncm\x00" + b"\x01\x02").hexdigest()
    assert tracker("2026-ncm", b"\x01\x02") == expected
    assert tracker("2026-ncm", b"\x01\x02") != tracker("2026-ncn", b"\x01\x02")


def head(size: int = 3) -> TreeHead:
    return TreeHead(
        election_id="2026-ncm",
        sequence=5,
        tree_size=size,
        root_hash=bytes(range(32)),
        parameters_hash=bytes(32),
        timestamp="2026-05-01T12:00:00Z",
    )


def test_head_bytes_are_the_documented_lines() -> None:
    assert head_bytes(head()) == (
        b"grassroots-tree-head/2\n2026-ncm\n5\n3\n" + bytes(range(32)).hex().encode() + b"\n"
        b"0000000000000000000000000000000000000000000000000000000000000000\n"
        b"2026-05-01T12:00:00Z\n"
    )


def test_a_signed_head_verifies_only_unaltered_and_with_the_election_key() -> None:
    keys = generate_signing_key()
    assert signing_public_key(keys.private) == keys.public
    signed = sign_head(head(), keys.private)
    assert verify_head(signed, keys.public)
    assert not verify_head(sign_head(head(), generate_signing_key().private), keys.public)
    assert not verify_head(SignedTreeHead(head(4), signed.signature), keys.public)
    for position in range(64):
        altered = bytearray(signed.signature)
        altered[position] ^= 0x40
        assert not verify_head(SignedTreeHead(head(), bytes(altered)), keys.public)


def test_head_fields_are_validated() -> None:
    with pytest.raises(HeadError):
        head_bytes(TreeHead("bad\nid", 0, 1, bytes(32), bytes(32), "2026-05-01T12:00:00Z"))
    with pytest.raises(HeadError):
        head_bytes(TreeHead("e", 0, 1, bytes(32), bytes(32), "2026-05-01 12:00:00"))
    with pytest.raises(HeadError):
        head_bytes(TreeHead("e", 0, 1, bytes(32), bytes(32), "2026-02-30T12:00:00Z"))
    with pytest.raises(HeadError):
        format_timestamp(datetime(2026, 5, 1))
    assert format_timestamp(datetime(2026, 5, 1, 12, 0, 0, 5, tzinfo=UTC)) == (
        "2026-05-01T12:00:00Z"
    )


@settings(max_examples=40, deadline=None)
@given(
    secret=st.binary(min_size=32, max_size=32),
    shares=st.integers(min_value=1, max_value=7),
    data=st.data(),
)
def test_any_k_shares_recover_the_key_and_k_minus_1_do_not(
    secret: bytes, shares: int, data: st.DataObject
) -> None:
    threshold = data.draw(st.integers(min_value=1, max_value=shares))
    split = split_secret(secret, threshold=threshold, shares=shares)
    for chosen in itertools.combinations(split, threshold):
        assert combine_shares(list(chosen)) == secret
    if threshold > 1:
        fewer = data.draw(st.permutations(split))[: threshold - 1]
        # Either a wrong key or a number too large to be a key: never the secret.
        with contextlib.suppress(SealError):
            assert combine_shares(fewer) != secret


def test_shares_round_trip_as_index_colon_hex() -> None:
    split = split_secret(bytes(range(32)), threshold=2, shares=3)
    texts = [share.to_text() for share in split]
    assert all(text.startswith(f"{i}:") and len(text) == 134 for i, text in enumerate(texts, 1))
    assert [Share.from_text(text) for text in texts] == split


@pytest.mark.parametrize(
    "text", ["0:" + "0" * 132, "1:" + "0" * 131, "1:" + "A" * 132, "x:1", "1:" + "f" * 132, ""]
)
def test_malformed_shares_are_refused(text: str) -> None:
    with pytest.raises(SealError):
        Share.from_text(text)


def test_combining_refuses_repeated_or_missing_shares() -> None:
    split = split_secret(bytes(32), threshold=2, shares=3)
    with pytest.raises(SealError):
        combine_shares([split[0], split[0]])
    with pytest.raises(SealError):
        combine_shares([])
    with pytest.raises(SealError):
        split_secret(bytes(32), threshold=4, shares=3)
