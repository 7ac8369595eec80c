"""Ledger speed: appending a million ballot leaves, and roots and proofs at any size.

Run: .venv/bin/python bench/ledger.py   (figures go in docs/benchmarks.md)
"""

from __future__ import annotations

import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grassroots.ledger.merkle import (
    MerkleLog,
    verify_consistency,
    verify_inclusion,
)

LEAVES = 1_000_000
SAMPLES = 1000


def main() -> None:
    started = time.perf_counter()
    log = MerkleLog()
    for i in range(LEAVES):
        log.append(i.to_bytes(8, "big"))
    print(f"append {LEAVES:,} leaves: {time.perf_counter() - started:.2f} s")
    sizes = range(2, LEAVES + 1, LEAVES // SAMPLES)
    steps: list[tuple[str, Callable[[int], object]]] = [
        ("root at a size", lambda s: log.root(s)),
        ("inclusion proof", lambda s: log.inclusion_proof(s // 2, s)),
        ("consistency proof", lambda s: log.consistency_proof(s // 3 + 1, s)),
    ]
    for name, step in steps:
        started = time.perf_counter()
        for size in sizes:
            step(size)
        each = (time.perf_counter() - started) / len(sizes)
        print(f"{name}: {each * 1e6:.1f} us each (mean of {len(sizes)})")
    started = time.perf_counter()
    for size in sizes:
        root = log.root(size)
        index = size // 2
        proof = log.inclusion_proof(index, size)
        assert verify_inclusion(index, size, log.leaf_hash_at(index), proof, root)
        first = size // 3 + 1
        proof = log.consistency_proof(first, size)
        assert verify_consistency(first, size, log.root(first), root, proof)
    each = (time.perf_counter() - started) / len(sizes)
    print(f"prove and verify both: {each * 1e6:.1f} us each")
    print(
        f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}"
    )


if __name__ == "__main__":
    main()
