"""The papers to count, cleaned, as numpy arrays: shared by the rules that move papers in numpy
(ERS97 and Meek).

:func:`counted_rankings` returns the number of papers of each ranking and the
rankings as the rows of a matrix padded with -1, cleaned as
:func:`~grassroots.tally.simple.valid_rankings` cleans them (withdrawn candidates struck off,
a repeated candidate ignored after its first appearance, papers of no weight and papers with
no standing candidate left out). A bad candidate number or a negative weight is reported with
its ballot line by :func:`~grassroots.tally.simple.valid_rankings`, so every rule words it
alike.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from grassroots.tally.packed import counting_arrays, exact_weights
from grassroots.tally.simple import valid_rankings
from grassroots.tally.types import Election

__all__ = ["counted_rankings"]

IntArray = npt.NDArray[np.int64]


def counted_rankings(election: Election) -> tuple[IntArray, npt.NDArray[np.signedinteger[Any]]]:
    """``(papers, matrix)``: papers per distinct ranking and the rankings padded with -1
    (every row ends with at least one -1), blanks dropped (see the module docstring). The
    matrix is of the smallest integer type that holds every candidate number.

    The arrays come from :func:`~grassroots.tally.packed.counting_arrays` (the scanner's lines
    as read, or the ballots packed). Identical rows of hand-built ballots are merged with
    numpy (the scanner's lines, checked clean, are counted as they are; a ranking on several
    rows counts the same); withdrawn candidates are struck off in numpy; only the rare
    ranking that names a candidate twice (never one the BLT scanner read) is cleaned in
    Python.
    """
    n = len(election.candidates)
    packed = counting_arrays(election)
    # Exact at any size: Python integers when int64 could overflow (decided up front).
    weights, lengths = exact_weights(packed.weights), packed.lengths
    if weights.size and int(weights.min()) < 0:
        valid_rankings(election)  # raises, naming the ballot line
    counted = (weights > 0) & (lengths > 0)
    everything = bool(counted.all())
    flat = packed.rankings if everything else packed.rankings[np.repeat(counted, lengths)]
    if flat.size and (int(flat.min()) < 0 or int(flat.max()) >= n):
        valid_rankings(election)  # raises, naming the ballot line
    small = np.int8 if n < 2**7 else np.int16 if n < 2**15 else np.int32
    matrix = packed.padded(-1, None if everything else counted, small)
    weights = weights[counted]
    if election.withdrawn:
        matrix = _strike_off(matrix, sorted(election.withdrawn))
    if matrix.shape[0] > 1 and not packed.clean:
        # Merge identical rankings: each row as one opaque value, so rows sort as fast as bytes.
        row_bytes = matrix.shape[1] * matrix.itemsize
        rows = np.ascontiguousarray(matrix).view(np.dtype((np.void, row_bytes)))
        unique, inverse = np.unique(rows.reshape(-1), return_inverse=True)
        if unique.size < matrix.shape[0]:
            matrix = unique.view(matrix.dtype).reshape(unique.size, matrix.shape[1])
            merged: IntArray = np.zeros(unique.size, dtype=weights.dtype)
            np.add.at(merged, inverse.reshape(-1), weights)
            weights = merged
    papers: IntArray = weights.copy()
    if not packed.clean:  # the scanner refused any line that ranks a candidate twice
        ordered = np.sort(matrix, axis=1)
        bad = ((ordered[:, 1:] == ordered[:, :-1]) & (ordered[:, 1:] >= 0)).any(axis=1)
        if bad.any():
            matrix = matrix.copy()
            for index in np.flatnonzero(bad).tolist():
                kept: list[int] = []
                for c in matrix[index].tolist():
                    if c >= 0 and c not in kept:
                        kept.append(c)
                matrix[index] = -1
                matrix[index, : len(kept)] = kept
    live = (matrix[:, 0] >= 0) & (papers > 0)  # nothing left on the paper: not a valid vote
    if bool(live.all()):
        return papers, matrix
    return papers[live], matrix[live]


def _strike_off(
    matrix: npt.NDArray[np.signedinteger[Any]], withdrawn: list[int]
) -> npt.NDArray[np.signedinteger[Any]]:
    """``matrix`` with the withdrawn candidates taken out of every row, the preferences after
    them moved up, so a paper goes on as if they had never been on it."""
    keep = (matrix >= 0) & ~np.isin(matrix, withdrawn)
    if bool((keep == (matrix >= 0)).all()):
        return matrix
    out = np.full_like(matrix, -1)
    place = np.cumsum(keep, axis=1) - 1
    rows = np.broadcast_to(np.arange(matrix.shape[0])[:, None], matrix.shape)
    out[rows[keep], place[keep]] = matrix[keep]
    return out
