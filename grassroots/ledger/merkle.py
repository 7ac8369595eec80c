"""Merkle tree hashing, inclusion and consistency proofs as RFC 9162 (CT v2) defines them.

Hashes are SHA-256. A leaf's hash is ``H(0x00 || leaf)``, an interior node's ``H(0x01 || left ||
right)`` (RFC 9162 §2.1.1), so a leaf can never be passed off as a node. The tree over ``n`` leaves
splits at the largest power of two smaller than ``n``, which makes every left subtree complete:
that is what lets :class:`MerkleLog` answer any root or proof from stored complete subtrees.

Proof generation follows RFC 9162 §2.1.3.1 and §2.1.4.1; verification follows the iterative
algorithms of §2.1.3.2 and §2.1.4.2 literally, so a member can compare this file with the RFC.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
# MTH({}) = HASH() (RFC 9162 §2.1.1).
EMPTY_ROOT = hashlib.sha256(b"").digest()


class MerkleError(ValueError):
    """A request the tree cannot answer, such as a proof for a leaf beyond the tree size."""


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(LEAF_PREFIX + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def _split_point(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (``n`` > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def _is_power_of_two(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0


class MerkleLog:
    """An append-only log of leaf hashes that answers roots and proofs at any past size.

    ``_levels[k]`` holds, concatenated, the hash of every complete aligned subtree of ``2**k``
    leaves seen so far (level 0 holds the leaf hashes). Appending does amortised O(1) hashing;
    the root at any size, and any proof, costs O(log n) look-ups plus O(log n) hashes, because
    every range the RFC recursion visits is either such a complete subtree or splits into one.
    """

    def __init__(self) -> None:
        self._levels: list[bytearray] = [bytearray()]
        self._size = 0

    def __len__(self) -> int:
        return self._size

    @classmethod
    def from_leaves(cls, leaves: Iterable[bytes]) -> MerkleLog:
        log = cls()
        for leaf in leaves:
            log.append(leaf)
        return log

    def append(self, leaf: bytes) -> int:
        """Append a leaf (its hash is stored, not the leaf) and return its 0-based index."""
        return self.append_hash(leaf_hash(leaf))

    def append_hash(self, hashed_leaf: bytes) -> int:
        if len(hashed_leaf) != HASH_SIZE:
            raise MerkleError(f"a leaf hash is {HASH_SIZE} bytes, not {len(hashed_leaf)}")
        index = self._size
        self._size += 1
        levels = self._levels
        levels[0] += hashed_leaf
        count = self._size
        level = 0
        # A subtree of 2**(level+1) leaves completes whenever count has another factor of two.
        while count % 2 == 0:
            below = levels[level]
            combined = node_hash(
                bytes(below[-2 * HASH_SIZE : -HASH_SIZE]), bytes(below[-HASH_SIZE:])
            )
            level += 1
            if level == len(levels):
                levels.append(bytearray())
            levels[level] += combined
            count //= 2
        return index

    def leaf_hash_at(self, index: int) -> bytes:
        if not 0 <= index < self._size:
            raise MerkleError(f"leaf {index} is not in a log of {self._size} leaves")
        return bytes(self._levels[0][index * HASH_SIZE : (index + 1) * HASH_SIZE])

    def _subtree(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]) for a range the RFC recursion can reach from D[0:size]."""
        n = end - start
        if _is_power_of_two(n) and start % n == 0:
            level = n.bit_length() - 1
            position = (start >> level) * HASH_SIZE
            return bytes(self._levels[level][position : position + HASH_SIZE])
        k = _split_point(n)
        return node_hash(self._subtree(start, start + k), self._subtree(start + k, end))

    def _check_size(self, size: int) -> None:
        if not 0 <= size <= self._size:
            raise MerkleError(f"size {size} is beyond the log's {self._size} leaves")

    def root(self, size: int | None = None) -> bytes:
        """MTH of the first ``size`` leaves (all of them by default)."""
        size = self._size if size is None else size
        self._check_size(size)
        if size == 0:
            return EMPTY_ROOT
        return self._subtree(0, size)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """PATH(index, D[0:size]) of RFC 9162 §2.1.3.1."""
        size = self._size if size is None else size
        self._check_size(size)
        if not 0 <= index < size:
            raise MerkleError(f"leaf {index} is not in a tree of {size} leaves")
        proof: list[bytes] = []
        start, end = 0, size
        # Walk down from the root; the sibling of each step is collected, then reversed so
        # the proof runs from the leaf upwards as the RFC's recursion emits it.
        while end - start > 1:
            k = _split_point(end - start)
            if index < start + k:
                proof.append(self._subtree(start + k, end))
                end = start + k
            else:
                proof.append(self._subtree(start, start + k))
                start = start + k
        proof.reverse()
        return proof

    def consistency_proof(self, first: int, second: int | None = None) -> list[bytes]:
        """PROOF(first, D[0:second]) of RFC 9162 §2.1.4.1."""
        second = self._size if second is None else second
        self._check_size(second)
        if not 0 <= first <= second:
            raise MerkleError(f"no consistency proof from size {first} to size {second}")
        if first == 0 or first == second:
            return []
        proof: list[bytes] = []
        start, end, m = 0, second, first
        is_whole_old_tree = True  # the RFC's flag b
        while m != end - start:
            k = _split_point(end - start)
            if m <= k:
                proof.append(self._subtree(start + k, end))
                end = start + k
            else:
                proof.append(self._subtree(start, start + k))
                start, m = start + k, m - k
                is_whole_old_tree = False
        if not is_whole_old_tree:
            proof.append(self._subtree(start, end))
        proof.reverse()
        return proof


class MerkleFrontier:
    """The right edge of the log: the roots of its complete subtrees, largest first, one per
    set bit of the size. Appending a leaf merges equal-sized subtrees (O(log n) hashes at
    worst, amortised O(1)), and the root folds the frontier from the right (O(log n)), so a
    sealer that keeps the frontier between passes hashes only the new leaves; it never
    rebuilds the tree. ``to_bytes``/``from_bytes`` store it (at most 32 hashes for any size
    below 2**32). Its root is :class:`MerkleLog`'s root at the same size (property-tested).
    """

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        if size < 0 or len(hashes) != size.bit_count():
            raise MerkleError(f"a frontier of size {size} has {size.bit_count()} hashes")
        if any(len(h) != HASH_SIZE for h in hashes):
            raise MerkleError(f"every hash of a frontier is {HASH_SIZE} bytes")
        self._size = size
        self._hashes = list(hashes)

    def __len__(self) -> int:
        return self._size

    def append(self, leaf: bytes) -> int:
        return self.append_hash(leaf_hash(leaf))

    def append_hash(self, hashed_leaf: bytes) -> int:
        """Append a leaf hash; return its 0-based index."""
        if len(hashed_leaf) != HASH_SIZE:
            raise MerkleError(f"a leaf hash is {HASH_SIZE} bytes, not {len(hashed_leaf)}")
        index = self._size
        node = hashed_leaf
        # Each trailing 1 bit of the old size is a complete subtree of the new leaf's height.
        size = self._size
        while size & 1:
            node = node_hash(self._hashes.pop(), node)
            size >>= 1
        self._hashes.append(node)
        self._size += 1
        return index

    def root(self) -> bytes:
        """MTH of every leaf appended (RFC 9162 §2.1.1): the subtrees joined right to left."""
        if not self._hashes:
            return EMPTY_ROOT
        node = self._hashes[-1]
        for left in reversed(self._hashes[:-1]):
            node = node_hash(left, node)
        return node

    def to_bytes(self) -> bytes:
        return b"".join(self._hashes)

    @classmethod
    def from_bytes(cls, size: int, data: bytes) -> MerkleFrontier:
        if len(data) % HASH_SIZE:
            raise MerkleError(f"a stored frontier is a whole number of {HASH_SIZE}-byte hashes")
        return cls(size, [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)])


def tree_root(leaves: Sequence[bytes]) -> bytes:
    """MTH over raw leaves, for one-off use; build a :class:`MerkleLog` to ask more."""
    return MerkleLog.from_leaves(leaves).root()


def _lsb(n: int) -> bool:
    return n & 1 == 1


def root_from_inclusion_proof(
    index: int, size: int, hashed_leaf: bytes, proof: Sequence[bytes]
) -> bytes:
    """The root an inclusion proof implies (RFC 9162 §2.1.3.2); raise if the proof is malformed."""
    if not 0 <= index < size:
        raise MerkleError(f"leaf {index} is not in a tree of {size} leaves")
    if len(hashed_leaf) != HASH_SIZE or any(len(p) != HASH_SIZE for p in proof):
        raise MerkleError(f"every hash in an inclusion proof is {HASH_SIZE} bytes")
    fn, sn, r = index, size - 1, hashed_leaf
    for p in proof:
        if sn == 0:
            raise MerkleError("the inclusion proof is longer than the tree is deep")
        if _lsb(fn) or fn == sn:
            r = node_hash(p, r)
            if not _lsb(fn):
                while not _lsb(fn) and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise MerkleError("the inclusion proof is shorter than the tree is deep")
    return r


def verify_inclusion(
    index: int, size: int, hashed_leaf: bytes, proof: Sequence[bytes], root: bytes
) -> bool:
    try:
        return root_from_inclusion_proof(index, size, hashed_leaf, proof) == root
    except MerkleError:
        return False


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2, plus the trivial cases the RFC leaves to the caller.

    Size 0 is consistent with any later tree only if ``first_root`` is the empty tree's root;
    equal sizes are consistent only with equal roots and an empty proof.
    """
    if not 0 <= first <= second:
        return False
    if any(len(h) != HASH_SIZE for h in (first_root, second_root, *proof)):
        return False
    if first == 0:
        return not proof and first_root == EMPTY_ROOT
    if first == second:
        return not proof and first_root == second_root
    if not proof:
        return False
    path = list(proof)
    if _is_power_of_two(first):
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while _lsb(fn):
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if _lsb(fn) or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not _lsb(fn):
                while not _lsb(fn) and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0
