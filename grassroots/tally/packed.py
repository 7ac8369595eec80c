"""Ballots as numpy arrays, built once per election and shared by the rules that count with numpy.

``Election.ballots`` is a tuple of :class:`~grassroots.tally.types.Ballot` objects: easy to read
and to build, but slow to turn into arrays (a million-ballot election has hundreds of thousands
of distinct rankings, each a Python tuple). :class:`PackedBallots` holds the same ballots, in the
same order, as three arrays:

* ``rankings``: every ballot's preferences one after another (0-based candidates, ``int32``,
  or ``int16`` from the BLT scanner when every candidate number fits);
* ``lengths``: how many preferences each ballot has (``int64``);
* ``weights``: how many papers each ballot stands for (``int64``; an ``object`` array of
  Python integers when a weight does not fit in ``int64``).

A reader that already has the numbers as arrays (the BLT reader does) attaches a
``PackedBallots`` to the :class:`~grassroots.tally.types.Election` it returns
(``Election.packed``), so counting a file never converts the tuples back. Rules get the arrays
from :func:`packed_ballots`, which uses ``election.packed`` only when it was made from the very
tuple in ``election.ballots`` (``source``), and otherwise packs the tuples itself. So an
``Election`` built by hand, or copied with ``dataclasses.replace(election, ballots=...)``, can
never be counted from stale arrays. The arrays are read-only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain
from operator import attrgetter
from typing import TYPE_CHECKING, Any, overload

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from grassroots.tally.types import Ballot, Election

__all__ = [
    "BallotArray",
    "PackedBallots",
    "counting_arrays",
    "exact_weights",
    "pack",
    "packed_ballots",
]

INT64_MAX = 2**63 - 1


@dataclass(frozen=True, slots=True, eq=False)
class PackedBallots:
    """``source``'s ballots as arrays, in the same order (see the module docstring)."""

    # The tuple the arrays were made from; None for arrays read straight from a file (then a
    # BallotArray holds them, and the election's ballots are that BallotArray).
    source: tuple[Ballot, ...] | None
    rankings: npt.NDArray[np.signedinteger[Any]]
    lengths: npt.NDArray[np.int64]
    weights: npt.NDArray[Any]
    # True for arrays the BLT scanner made and grouped: no two ballots share a ranking (and
    # every ranking is clean, below), so a rule need not group or clean them again.
    distinct: bool = False
    # True for arrays the BLT scanner made, grouped or not: no ranking names a candidate twice
    # or out of range and no weight is below 1 (it checked every line).
    clean: bool = False

    def __post_init__(self) -> None:
        rows = self.lengths.size
        if self.lengths.shape != (rows,) or self.weights.shape != (rows,):
            raise ValueError("lengths and weights need one entry per ballot")
        if self.rankings.shape != (int(self.lengths.sum()),):
            raise ValueError("rankings must hold exactly the preferences the lengths count")
        for array in (self.rankings, self.lengths, self.weights):
            array.flags.writeable = False

    def __repr__(self) -> str:
        return f"PackedBallots({self.lengths.size} ballots, {self.rankings.size} preferences)"

    def ranking(self, row: int) -> tuple[int, ...]:
        """Ballot ``row``'s preferences as a tuple."""
        start = int(self.offsets[row])
        ranking: tuple[int, ...] = tuple(
            self.rankings[start : start + int(self.lengths[row])].tolist()
        )
        return ranking

    @property
    def offsets(self) -> npt.NDArray[np.int64]:
        """Where each ballot's preferences start in ``rankings``."""
        starts: npt.NDArray[np.int64] = np.cumsum(self.lengths) - self.lengths
        return starts

    def padded(
        self, fill: int, rows: npt.NDArray[np.bool_] | None = None, dtype: type = np.int32
    ) -> npt.NDArray[Any]:
        """The rankings as a matrix, one row per ballot, padded on the right with ``fill``.

        Every row ends with at least one ``fill``. ``rows``, a mask over the ballots, keeps
        only those ballots. ``dtype`` (``int32`` unless a smaller type holds every candidate
        and ``fill``) saves memory on large elections.
        """
        lengths, flat = self.lengths, self.rankings
        if rows is not None:
            flat = flat[np.repeat(rows, lengths)]
            lengths = lengths[rows]
        width = int(lengths.max(initial=0)) + 1
        matrix: npt.NDArray[Any] = np.full((lengths.size, width), fill, dtype=dtype)
        if lengths.size and int(lengths.min()) == width - 1:  # every ranking as long
            matrix[:, : width - 1] = flat.reshape(lengths.size, width - 1)
            return matrix
        # The cells before each row's length, read row by row, are the preferences in order.
        matrix[np.arange(width, dtype=np.int64)[None, :] < lengths[:, None]] = flat
        return matrix


def pack(ballots: Sequence[Ballot]) -> PackedBallots:
    """Pack ``ballots`` (a tuple of :class:`Ballot`) into arrays, in one pass over each field."""
    source = tuple(ballots)
    rows = len(source)
    rankings = list(map(attrgetter("ranking"), source))
    lengths = np.fromiter(map(len, rankings), dtype=np.int64, count=rows)
    flat = np.fromiter(
        chain.from_iterable(rankings), dtype=np.int64, count=int(lengths.sum(initial=0))
    )
    if flat.size and (int(flat.min()) < np.iinfo(np.int32).min or int(flat.max()) > 2**31 - 1):
        # Out of any candidate range; keep the value visible to the rule's own range check.
        flat = np.clip(flat, -1, 2**31 - 1)
    weights: npt.NDArray[Any]
    try:
        weights = np.fromiter(map(attrgetter("weight"), source), dtype=np.int64, count=rows)
    except OverflowError:  # a weight past int64: keep every weight as an exact Python int
        weights = np.array([ballot.weight for ballot in source] or [0], dtype=object)[:rows]
    return PackedBallots(source, flat.astype(np.int32), lengths, weights)


def exact_weights(weights: npt.NDArray[Any], factor: int = 1) -> npt.NDArray[Any]:
    """``weights`` in a dtype whose arithmetic cannot overflow in a count that multiplies a
    weight by at most ``factor`` and adds up every product.

    ``int64`` (the fast path) when every weight, and the sum of them all, times ``factor``
    fits in it; otherwise an ``object`` array of Python integers, exact at any size. Decided
    once, up front, from a bound (the largest weight times the number of weights), so no
    sum can wrap round silently.
    """
    if weights.dtype != object and weights.size:
        largest = max(abs(int(weights.max())), abs(int(weights.min())))
        if largest * weights.size * factor <= INT64_MAX:
            return weights
    elif weights.dtype != object:
        return weights
    return weights.astype(object)


class BallotArray(Sequence["Ballot"]):
    """Ballots held as arrays (:class:`PackedBallots`): a sequence of
    :class:`~grassroots.tally.types.Ballot` that makes each one only when it is asked for.

    The BLT reader returns one as ``Election.ballots`` so that a million distinct rankings
    cost arrays, not a million Python objects; rules that count with numpy take the arrays
    (:func:`packed_ballots`), and the others iterate as over a tuple. It compares equal to any
    sequence of the same ballots, a tuple included.
    """

    __slots__ = ("_group", "_packed", "lines")

    def __init__(
        self, packed: PackedBallots, group: Callable[[], PackedBallots] | None = None
    ) -> None:
        # With ``group``, ``packed`` holds the file's lines as read, a ranking possibly on
        # several of them, and ``group`` makes one ballot per distinct ranking when something
        # first asks for the ballots themselves. Rules that count every line alike (Scottish,
        # ERS97 and Meek) take the lines (:func:`counting_arrays`) and never need it.
        self.lines = packed
        self._packed = None if group is not None else packed
        self._group = group

    @property
    def packed(self) -> PackedBallots:
        """The ballots as arrays: one row per distinct ranking, as the full reader groups them."""
        if self._packed is None:
            group, self._group = self._group, None
            self._packed = group() if group is not None else self.lines
        return self._packed

    def __len__(self) -> int:
        return int(self.packed.lengths.size)

    @overload
    def __getitem__(self, index: int) -> Ballot: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Ballot, ...]: ...

    def __getitem__(self, index: int | slice) -> Ballot | tuple[Ballot, ...]:
        from grassroots.tally.types import Ballot

        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(len(self))))
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("ballot index out of range")
        return Ballot(self.packed.ranking(index), int(self.packed.weights[index]))

    def __iter__(self) -> Iterator[Ballot]:
        from grassroots.tally.types import Ballot

        flat = self.packed.rankings.tolist()
        bounds = np.cumsum(self.packed.lengths).tolist()
        start = 0
        for end, weight in zip(bounds, self.packed.weights.tolist(), strict=True):
            yield Ballot(tuple(flat[start:end]), weight)
            start = end

    def __eq__(self, other: object) -> bool:
        if isinstance(other, BallotArray):
            other = tuple(other)
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"BallotArray({len(self)} ballots)"


def counting_arrays(election: Election) -> PackedBallots:
    """Arrays a rule that counts every line alike may count from: the BLT scanner's lines as
    read (a ranking possibly on several rows, each row clean), else :func:`packed_ballots`."""
    if isinstance(election.ballots, BallotArray):
        return election.ballots.lines
    return packed_ballots(election)


def packed_ballots(election: Election) -> PackedBallots:
    """``election.packed`` if it was made from ``election.ballots``, else the ballots packed now."""
    if isinstance(election.ballots, BallotArray):
        return election.ballots.packed
    packed = election.packed
    if packed is not None and packed.source is election.ballots:
        return packed
    return pack(election.ballots)
