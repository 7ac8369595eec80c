"""Linear combinations Σ s·P of group elements, in this process or spread over worker processes.

The mix-net, the decryption proofs and the verifier spend nearly all their time in scalar
multiplications; each sum is cut into jobs of about 2,000 terms for a process pool. A term whose
scalar is 1 costs an addition only; a term on the base point uses libsodium's fixed-base
multiplication (about five times faster).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor

from grassroots.ledger.e2e.group import GroupError, L, add, base_mul, mul

BASE = base_mul(1)
CHUNK_TERMS = 2000

Term = tuple[int, bytes]


def _term(scalar: int, point: bytes) -> bytes:
    if scalar % L == 1:
        return point
    return base_mul(scalar) if point == BASE else mul(scalar, point)


def _sum_terms(terms: Sequence[Term]) -> bytes:
    result = None
    for scalar, point in terms:
        value = _term(scalar, point)
        result = value if result is None else add(result, value)
    if result is None:
        raise GroupError("an empty linear combination")
    return result


def _job(parts: list[tuple[int, list[Term]]]) -> list[tuple[int, bytes]]:
    return [(index, _sum_terms(terms)) for index, terms in parts]


def linear_combinations(sums: Sequence[Sequence[Term]], pool: Executor | None) -> list[bytes]:
    """Σ s·P for each list of terms: in this process, or cut into jobs of ~2,000 terms."""
    if pool is None:
        return [_sum_terms(terms) for terms in sums]
    jobs: list[list[tuple[int, list[Term]]]] = [[]]
    size = 0
    for index, terms in enumerate(sums):
        for start in range(0, len(terms), CHUNK_TERMS):
            piece = list(terms[start : start + CHUNK_TERMS])
            jobs[-1].append((index, piece))
            size += len(piece)
            if size >= CHUNK_TERMS:
                jobs.append([])
                size = 0
    results: list[bytes | None] = [None] * len(sums)
    for partials in pool.map(_job, [job for job in jobs if job]):
        for index, point in partials:
            current = results[index]
            results[index] = point if current is None else add(current, point)
    return [_checked(point) for point in results]


def _checked(point: bytes | None) -> bytes:
    if point is None:
        raise GroupError("an empty linear combination")
    return point


def worker_pool(workers: int) -> ProcessPoolExecutor | None:
    return ProcessPoolExecutor(max_workers=workers) if workers > 1 else None
