"""RFC 9162 Merkle hashing and proofs, against published vectors and a literal reference."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grassroots.ledger.merkle import (
    EMPTY_ROOT,
    MerkleError,
    MerkleFrontier,
    MerkleLog,
    leaf_hash,
    node_hash,
    root_from_inclusion_proof,
    tree_root,
    verify_consistency,
    verify_inclusion,
)

# Test vectors typed from transparency-dev/merkle (the successor of Google Trillian's merkle
# package): testonly/constants.go (LeafInputs, RootHashes) and proof/verify_test.go
# (inclusionProofs, consistencyProofs). Their inclusion vectors number leaves from 1.
VECTOR_LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
VECTOR_ROOTS = [
    bytes.fromhex(h)
    for h in (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    )
]
# (leaf number from 1, tree size, proof)
VECTOR_INCLUSION = [
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (3, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        2,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
# (first size, second size, proof)
VECTOR_CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]


def reference_mth(leaves: list[bytes]) -> bytes:
    """RFC 9162 §2.1.1 written as the recursive definition, to check the fast log against."""
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + reference_mth(leaves[:k]) + reference_mth(leaves[k:])).digest()


def vector_log() -> MerkleLog:
    return MerkleLog.from_leaves(VECTOR_LEAVES)


def test_roots_match_the_published_vectors_at_every_size() -> None:
    log = vector_log()
    for size, expected in enumerate(VECTOR_ROOTS):
        assert log.root(size) == expected
    assert log.root(0) == EMPTY_ROOT


@pytest.mark.parametrize(("number", "size", "proof"), VECTOR_INCLUSION)
def test_inclusion_proofs_match_the_published_vectors(
    number: int, size: int, proof: list[str]
) -> None:
    log = vector_log()
    expected = [bytes.fromhex(h) for h in proof]
    assert log.inclusion_proof(number - 1, size) == expected
    hashed = leaf_hash(VECTOR_LEAVES[number - 1])
    assert verify_inclusion(number - 1, size, hashed, expected, VECTOR_ROOTS[size])


@pytest.mark.parametrize(("first", "second", "proof"), VECTOR_CONSISTENCY)
def test_consistency_proofs_match_the_published_vectors(
    first: int, second: int, proof: list[str]
) -> None:
    log = vector_log()
    expected = [bytes.fromhex(h) for h in proof]
    assert log.consistency_proof(first, second) == expected
    assert verify_consistency(first, second, VECTOR_ROOTS[first], VECTOR_ROOTS[second], expected)


def test_leaf_and_node_hashes_are_domain_separated() -> None:
    a, b = leaf_hash(b"a"), leaf_hash(b"b")
    assert node_hash(a, b) != leaf_hash(a + b)


def test_a_single_leaf_tree_has_the_leaf_hash_as_root_and_an_empty_proof() -> None:
    log = MerkleLog.from_leaves([b"data"])
    assert log.root() == leaf_hash(b"data")
    assert log.inclusion_proof(0) == []
    assert verify_inclusion(0, 1, leaf_hash(b"data"), [], log.root())
    assert not verify_inclusion(0, 1, leaf_hash(b"other"), [], log.root())


def test_impossible_requests_are_refused() -> None:
    log = vector_log()
    with pytest.raises(MerkleError):
        log.inclusion_proof(8, 8)
    with pytest.raises(MerkleError):
        log.root(9)
    with pytest.raises(MerkleError):
        log.consistency_proof(5, 4)
    with pytest.raises(MerkleError):
        root_from_inclusion_proof(3, 3, leaf_hash(b""), [])


def test_trivial_consistency_cases() -> None:
    root = VECTOR_ROOTS[3]
    assert verify_consistency(0, 3, EMPTY_ROOT, root, [])
    assert not verify_consistency(0, 3, root, root, [])
    assert verify_consistency(3, 3, root, root, [])
    assert not verify_consistency(3, 3, root, VECTOR_ROOTS[4], [])
    assert not verify_consistency(3, 3, root, root, [root])
    assert not verify_consistency(3, 4, root, VECTOR_ROOTS[4], [])
    assert not verify_consistency(4, 3, VECTOR_ROOTS[4], root, [root])


sizes = st.integers(min_value=1, max_value=70)


@settings(max_examples=60, deadline=None)
@given(sizes)
def test_log_roots_equal_the_recursive_definition(n: int) -> None:
    leaves = [i.to_bytes(2, "big") for i in range(n)]
    log = MerkleLog.from_leaves(leaves)
    for size in range(n + 1):
        assert log.root(size) == reference_mth(leaves[:size])
    assert tree_root(leaves) == reference_mth(leaves)


@settings(max_examples=40, deadline=None)
@given(sizes)
def test_every_inclusion_proof_verifies_for_every_index_and_size(n: int) -> None:
    log = MerkleLog.from_leaves(i.to_bytes(4, "big") for i in range(n))
    for size in range(1, n + 1):
        root = log.root(size)
        for index in range(size):
            proof = log.inclusion_proof(index, size)
            assert verify_inclusion(index, size, log.leaf_hash_at(index), proof, root)


@settings(max_examples=40, deadline=None)
@given(sizes)
def test_every_consistency_proof_verifies_for_every_pair_of_sizes(n: int) -> None:
    log = MerkleLog.from_leaves(i.to_bytes(4, "big") for i in range(n))
    for second in range(n + 1):
        for first in range(second + 1):
            proof = log.consistency_proof(first, second)
            assert verify_consistency(first, second, log.root(first), log.root(second), proof)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_any_altered_byte_breaks_an_inclusion_proof(data: st.DataObject) -> None:
    n = data.draw(st.integers(min_value=2, max_value=40))
    size = data.draw(st.integers(min_value=2, max_value=n))
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    log = MerkleLog.from_leaves(i.to_bytes(4, "big") for i in range(n))
    proof = log.inclusion_proof(index, size)
    root = log.root(size)
    hashed = log.leaf_hash_at(index)
    parts = [hashed, *proof]
    which = data.draw(st.integers(min_value=0, max_value=len(parts) - 1))
    position = data.draw(st.integers(min_value=0, max_value=31))
    flip = data.draw(st.integers(min_value=1, max_value=255))
    altered = bytearray(parts[which])
    altered[position] ^= flip
    parts[which] = bytes(altered)
    assert not verify_inclusion(index, size, parts[0], parts[1:], root)
    assert not verify_inclusion(index, size, hashed, proof[:-1], root)
    assert not verify_inclusion(index, size, hashed, [*proof, root], root)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_any_altered_byte_breaks_a_consistency_proof(data: st.DataObject) -> None:
    n = data.draw(st.integers(min_value=2, max_value=40))
    second = data.draw(st.integers(min_value=2, max_value=n))
    first = data.draw(st.integers(min_value=1, max_value=second - 1))
    log = MerkleLog.from_leaves(i.to_bytes(4, "big") for i in range(n))
    proof = log.consistency_proof(first, second)
    parts = [log.root(first), log.root(second), *proof]
    which = data.draw(st.integers(min_value=0, max_value=len(parts) - 1))
    position = data.draw(st.integers(min_value=0, max_value=31))
    flip = data.draw(st.integers(min_value=1, max_value=255))
    altered = bytearray(parts[which])
    altered[position] ^= flip
    parts[which] = bytes(altered)
    assert not verify_consistency(first, second, parts[0], parts[1], parts[2:])


def test_proofs_verify_across_a_large_log() -> None:
    """Every size from 1 to 50,000 (in steps) proves inclusion and consistency; speed is
    measured by bench/ledger.py, not here."""
    log = MerkleLog()
    for i in range(50_000):
        log.append(i.to_bytes(8, "big"))
    for size in range(1, 50_001, 97):
        root = log.root(size)
        index = size // 2
        assert verify_inclusion(
            index, size, log.leaf_hash_at(index), log.inclusion_proof(index, size), root
        )
        first = size // 3 + 1
        assert verify_consistency(
            first, size, log.root(first), root, log.consistency_proof(first, size)
        )


@given(
    first=st.lists(st.binary(max_size=40), max_size=70),
    batches=st.lists(st.lists(st.binary(max_size=40), max_size=40), max_size=6),
)
def test_the_frontier_appended_in_batches_gives_the_full_rebuilds_root(first, batches):
    """The sealer's incremental log (issue 22): a frontier stored after each batch and read
    back gives, after every batch, the root a full rebuild over all the leaves gives."""
    frontier = MerkleFrontier()
    for leaf in first:
        frontier.append(leaf)
    leaves = list(first)
    assert frontier.root() == MerkleLog.from_leaves(leaves).root()
    for batch in batches:
        stored = (len(frontier), frontier.to_bytes())
        frontier = MerkleFrontier.from_bytes(*stored)
        for leaf in batch:
            assert frontier.append(leaf) == len(leaves)
            leaves.append(leaf)
        assert len(frontier) == len(leaves)
        assert frontier.root() == MerkleLog.from_leaves(leaves).root() == tree_root(leaves)
        assert len(frontier.to_bytes()) == 32 * len(leaves).bit_count()


def test_a_stored_frontier_of_the_wrong_shape_is_refused():
    with pytest.raises(MerkleError):
        MerkleFrontier.from_bytes(3, b"\0" * 32)
    with pytest.raises(MerkleError):
        MerkleFrontier.from_bytes(1, b"\0" * 31)
    assert MerkleFrontier().root() == EMPTY_ROOT
