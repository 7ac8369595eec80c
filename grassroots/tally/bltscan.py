"""The fast path for reading a large BLT file: numpy over the bytes, no Python object per line.

:func:`scan_blt` reads the ballot lines of a file in fixed-size chunks (so the memory it needs
does not grow with the file beyond the arrays it returns), parses every number of a chunk at
once, and checks each line (a weight, candidates 1 to n, none twice, a closing 0). The
ballots come back as a :class:`~grassroots.tally.packed.BallotArray` over the lines as read:
Scottish STV, ERS97 and Meek count those lines (a ranking may be on several of them), and
identical rankings are grouped, with a 64-bit hash of each line checked line by line against
the first line of its group, only when something asks for the ballots themselves (IRV,
plurality, approval, comparing elections); a ``Ballot`` is made only when a rule asks for
one.

It handles the plain files large elections produce: a header, optional ``-N`` withdrawn
lines, ballot lines of digits and spaces. Anything else (comments, options, equal
preferences, nicknames, carriage returns, numbers of 19 digits or more, any error) answers
``None``, and the caller reads the file with :func:`grassroots.tally.blt.read_blt`, which
handles every case and names the line of any problem.
"""

from __future__ import annotations

import mmap
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from grassroots.tally.packed import BallotArray, PackedBallots, exact_weights

__all__ = ["CHUNK", "scan_blt_bytes", "scan_blt_file"]

CHUNK = 1 << 20  # bytes of ballot lines parsed at once (their arrays take about 20 times this)
_MAX_DIGITS = 18  # int64 holds every number of 18 digits

IntArray = npt.NDArray[np.int64]
_EMPTY = np.zeros(0, dtype=np.uint8)
_MIXER = np.uint64(0x9E3779B97F4A7C15)
_POWERS: list[npt.NDArray[np.uint64]] = []


def _powers(count: int) -> npt.NDArray[np.uint64]:
    """r**k modulo 2**64 (r = _MIXER, odd) for k below ``count``, computed once and kept."""
    if not _POWERS or _POWERS[0].size < count:
        table = np.ones(max(count, 64), dtype=np.uint64)
        table[1:] = np.cumprod(np.full(table.size - 1, _MIXER, dtype=np.uint64))  # wraps
        _POWERS[:] = [table]
    return _POWERS[0][:count]


class _NotPlain(Exception):
    """The file needs the full reader."""


def scan_blt_file(path: str | Path) -> tuple[BallotArray, int, int, frozenset[int], bytes] | None:
    """Scan a file on disk through a memory map (pages are read as needed, never copied whole)."""
    try:
        with Path(path).open("rb") as handle:
            size = handle.seek(0, 2)
            if size == 0:
                return None
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                return scan_blt_bytes(mapped)
    except OSError:
        return None


def scan_blt_bytes(
    data: bytes | mmap.mmap,
) -> tuple[BallotArray, int, int, frozenset[int], bytes] | None:
    """``(ballots, candidates, seats, withdrawn, rest)`` of a plain BLT file, or None.

    ``rest`` is the file after the ``0`` line that ends the ballots (names and title), for
    the full reader's name parser.
    """
    try:
        return _scan(data)
    except _NotPlain:
        return None


def _header(data: bytes | mmap.mmap) -> tuple[int, int, frozenset[int], int]:
    """Candidates, seats, withdrawn candidates and the offset of the first ballot line."""
    at = 3 if data[:3] == b"\xef\xbb\xbf" else 0
    first = True
    ncand = seats = 0
    withdrawn: set[int] = set()
    while True:
        end = data.find(b"\n", at)
        if end < 0:
            raise _NotPlain
        line = bytes(data[at:end])
        if line.translate(None, b"0123456789 -"):
            raise _NotPlain
        words = line.split()
        if first:
            if not words:
                at = end + 1
                continue
            if len(words) != 2 or not all(w.isdigit() for w in words):
                raise _NotPlain
            ncand, seats = int(words[0]), int(words[1])
            if not 1 <= ncand <= 30_000 or seats < 1:
                raise _NotPlain
            first = False
        elif words and words[0].startswith(b"-"):
            for word in words:
                if not (word.startswith(b"-") and word[1:].isdigit()):
                    raise _NotPlain
                number = int(word[1:])
                if not 1 <= number <= ncand:
                    raise _NotPlain
                withdrawn.add(number - 1)
        elif words:
            return ncand, seats, frozenset(withdrawn), at
        at = end + 1


def _lines(
    chunk: npt.NDArray[np.uint8], ncand: int
) -> tuple[IntArray, IntArray, npt.NDArray[np.signedinteger[Any]]]:
    """Weights, preference counts and preferences (0-based, end to end) of each ballot line
    in ``chunk``: whole lines of numbers, each followed by one space or the newline that ends
    its line. Anything else (another byte, two spaces running,
    a space at either end of a line, an empty line) is left to the full reader."""
    if int(chunk.max()) > ord("9"):
        raise _NotPlain
    digit = chunk >= ord("0")
    # The last digit of each number: a digit before a separator (the chunk ends with one).
    ends = np.flatnonzero(digit[:-1] & ~digit[1:])
    if not digit[0] or ends.size != chunk.size - int(np.count_nonzero(digit)):
        raise _NotPlain  # a separator first, or two running
    kinds = chunk[ends + 1]
    is_end = kinds == ord("\n")
    if int(np.count_nonzero(is_end)) + int(np.count_nonzero(kinds == ord(" "))) != kinds.size:
        raise _NotPlain
    numbers: npt.NDArray[np.signedinteger[Any]]
    if bool(np.any(digit[:-2] & digit[1:-1] & digit[2:])):
        numbers = _long_numbers(chunk, ends)
    else:
        # Every number has one or two digits: its last digit, plus ten times the one before.
        numbers = chunk[ends].astype(np.int16) - ord("0")
        before = ends - 1
        numbers += (chunk[before].astype(np.int16) - ord("0")) * digit[before] * 10
    line_ends = np.flatnonzero(is_end)  # the last number of each line
    counts = np.diff(line_ends, prepend=-1)
    last = line_ends
    first = last - counts + 1
    if int(counts.min(initial=2)) < 2 or np.any(numbers[last] != 0):
        raise _NotPlain  # a line that is not "weight preferences... 0"
    weights = numbers[first].astype(np.int64)
    is_pref = np.ones(numbers.size, dtype=bool)
    is_pref[first] = False
    is_pref[last] = False
    prefs = numbers[is_pref]
    if prefs.size and (int(prefs.min()) < 1 or int(prefs.max()) > ncand):
        raise _NotPlain
    return weights, counts - 2, prefs - 1


def _long_numbers(chunk: npt.NDArray[np.uint8], ends: IntArray) -> IntArray:
    """The numbers ending at ``ends``, when some have three digits or more (up to 18)."""
    widths = np.diff(ends, prepend=-2) - 1  # each number starts after the separator before it
    if int(widths.max(initial=1)) > _MAX_DIGITS:
        raise _NotPlain
    numbers = chunk[ends].astype(np.int64) - ord("0")
    longer = np.flatnonzero(widths > 1)
    scale = 10
    for place in range(2, int(widths.max(initial=1)) + 1):
        longer = longer[widths[longer] >= place]
        numbers[longer] += (chunk[ends[longer] - place + 1].astype(np.int64) - ord("0")) * scale
        scale *= 10
    return numbers


def _has_repeats(prefs: IntArray, lengths: IntArray, ncand: int) -> bool:
    """Whether any line (``lengths`` preferences each, end to end) names a candidate twice."""
    filled = lengths > 0
    if not prefs.size:
        return False
    starts = (np.cumsum(lengths) - lengths)[filled]
    if ncand <= 62:
        # One bit per candidate: a line names each candidate once exactly when adding its bits
        # carries nowhere, that is when the sum has as many bits set as the line has
        # preferences (a carry, or a sum wrapping past 2**64, only ever lowers the count).
        bits = np.left_shift(np.uint64(1), prefs.astype(np.uint64))
        total = np.add.reduceat(bits, starts)
        return bool(np.any(np.bitwise_count(total) != lengths[filled]))
    row = np.repeat(np.arange(lengths.size, dtype=np.int64), lengths)
    keys = np.sort(row * ncand + prefs)
    return bool(np.any(keys[1:] == keys[:-1]))


def _scan(data: bytes | mmap.mmap) -> tuple[BallotArray, int, int, frozenset[int], bytes]:
    ncand, seats, withdrawn, at = _header(data)
    size = len(data)
    # The results go straight into arrays as large as the file could need (a line takes at
    # least 4 bytes, a preference 2): memory is only taken as they fill, and no chunk's
    # arrays are kept to be joined at the end.
    most_lines = (size - at) // 4 + 1
    weights = np.empty(most_lines, dtype=np.int64)
    lengths = np.empty(most_lines, dtype=np.int64)
    prefs: npt.NDArray[np.signedinteger[Any]] = np.empty(
        (size - at) // 2 + 1, dtype=np.int16 if ncand < 2**15 else np.int32
    )
    lines = filled = 0
    rest = b""
    released = 0
    while True:
        if at >= size:
            raise _NotPlain  # no 0 line
        stop = min(at + CHUNK, size)
        if stop < size:
            cut = data.rfind(b"\n", at, stop)
            if cut <= at:
                raise _NotPlain
            stop = cut + 1
        # The 0 line that ends the ballots: a line that is exactly "0" (the byte before
        # ``at`` ends the header or the last chunk's last line).
        found = data.find(b"\n0\n", at - 1, stop)
        if found < 0 and stop == size and data[max(at - 1, 0) :].endswith(b"\n0"):
            found = size - 2
        end = None if found < 0 else found + 1 - at
        count = stop - at if end is None else end
        if end is not None:
            rest = bytes(data[at + end + 2 :]) if at + end + 2 <= size else b""
        if count:
            view = np.frombuffer(data, dtype=np.uint8, count=count, offset=at)
            if view[-1] != ord("\n"):
                raise _NotPlain
            w, n, p = _lines(view, ncand)
            view = _EMPTY  # no array may still point into the map when it is closed
            if _has_repeats(p, n, ncand):
                raise _NotPlain
            weights[lines : lines + w.size] = w
            lengths[lines : lines + w.size] = n
            prefs[filled : filled + p.size] = p
            lines += w.size
            filled += p.size
        if end is not None:
            break
        released = _release(data, released, stop)
        at = stop
    return (
        _ballots(weights[:lines], lengths[:lines], prefs[:filled]),
        ncand,
        seats,
        withdrawn,
        rest,
    )


def _release(data: bytes | mmap.mmap, released: int, stop: int) -> int:
    """Let the kernel drop the mapped pages already parsed, so the file is never resident
    whole; returns how far the file has been released."""
    if not isinstance(data, mmap.mmap):
        return released
    upto = stop - stop % mmap.PAGESIZE
    if upto > released:
        data.madvise(mmap.MADV_DONTNEED, released, upto - released)
    return max(released, upto)


def _ballots(
    weights: IntArray, lengths: IntArray, prefs: npt.NDArray[np.signedinteger[Any]]
) -> BallotArray:
    """The lines as read, papers of no weight left out, grouped one ballot per distinct
    ranking only when something asks for the ballots (:class:`BallotArray`)."""
    weighty = weights != 0
    if not bool(weighty.all()):
        prefs = prefs[np.repeat(weighty, lengths)]
        weights, lengths = weights[weighty], lengths[weighty]
    lines = PackedBallots(None, prefs, lengths, weights, clean=True)
    return BallotArray(lines, lambda: _group(lines))


def _group(lines: PackedBallots) -> PackedBallots:
    """One row per distinct ranking, in order of first appearance, papers added up.

    Rankings are grouped by a 64-bit hash (:func:`_hashes`); every line is then checked
    against the first line of its group, and a collision (rare) sends the lines to an exact
    grouping that compares whole rankings.
    """
    weights, lengths, prefs = lines.weights, lines.lengths, lines.rankings
    rows = lengths.size
    hashes = _hashes(prefs, lengths)
    order = np.argsort(hashes)
    ordered = hashes[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    if starts.size >= rows:  # every ranking distinct: the lines as read
        return PackedBallots(None, prefs, lengths, weights, distinct=True, clean=True)
    # The first line of each group, for every line; lines that start a group are kept.
    leader_of_group = np.minimum.reduceat(order, starts)
    leader = np.empty(rows, dtype=np.int64)
    leader[order] = np.repeat(leader_of_group, np.diff(np.append(starts, rows)))
    repeats = np.flatnonzero(leader != np.arange(rows))
    if not _same_rankings(prefs, lengths, repeats, leader[repeats]):
        return _group_exactly(lines)
    kept = leader == np.arange(rows)
    return _merged(lines, kept, (np.cumsum(kept) - 1)[leader])


def _merged(lines: PackedBallots, kept: npt.NDArray[np.bool_], group: IntArray) -> PackedBallots:
    """``lines`` with only the ``kept`` rows, each carrying the papers of every line of its
    ``group`` (an index into the kept rows, for every line)."""
    weights = lines.weights
    if int(weights.max(initial=0)) * weights.size < 2**53:  # float64 adds these exactly
        totals: npt.NDArray[Any] = np.bincount(group, weights=weights).astype(np.int64)
    else:  # sums that could pass int64: Python integers
        totals = np.zeros(int(np.count_nonzero(kept)), dtype=object)
        np.add.at(totals, group, weights.astype(object))
        totals = exact_weights(totals)
    prefs = lines.rankings[np.repeat(kept, lines.lengths)]
    return PackedBallots(None, prefs, lines.lengths[kept], totals, distinct=True, clean=True)


def _group_exactly(lines: PackedBallots) -> PackedBallots:
    """As :func:`_group`, comparing whole rankings (rows of a padded matrix) instead of hashes."""
    matrix = np.ascontiguousarray(lines.padded(-1))
    rows = matrix.view(np.dtype((np.void, matrix.shape[1] * matrix.itemsize))).reshape(-1)
    _, first, inverse = np.unique(rows, return_index=True, return_inverse=True)
    kept = np.zeros(rows.size, dtype=bool)
    kept[first] = True
    # Groups numbered in order of their first line.
    number = np.cumsum(kept) - 1
    return _merged(lines, kept, number[first[inverse.reshape(-1)]])


def _hashes(prefs: npt.NDArray[np.signedinteger[Any]], lengths: IntArray) -> npt.NDArray[np.uint64]:
    """A 64-bit hash of each line's ranking: a polynomial in an odd number modulo 2**64 (each
    preference, plus 1, times r to the power of its place), mixed with the line's length."""
    hashes = lengths.astype(np.uint64) * _MIXER
    filled = lengths > 0
    if not bool(filled.any()):
        return hashes
    starts = np.cumsum(lengths) - lengths
    place = np.arange(prefs.size, dtype=np.int64) - np.repeat(starts, lengths)
    powers = _powers(int(lengths.max()) + 1)
    terms = (prefs.astype(np.uint64) + np.uint64(1)) * powers[place]
    hashes[filled] += np.add.reduceat(terms, starts[filled])
    return hashes


def _same_rankings(
    prefs: npt.NDArray[np.integer], lengths: IntArray, rows: IntArray, others: IntArray
) -> bool:
    """Whether each of ``rows`` ranks exactly as the row beside it in ``others``."""
    if not bool((lengths[rows] == lengths[others]).all()):
        return False
    offsets = np.cumsum(lengths) - lengths
    counts = lengths[rows]
    within = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(
        np.cumsum(counts) - counts, counts
    )
    mine = np.repeat(offsets[rows], counts) + within
    theirs = np.repeat(offsets[others], counts) + within
    return bool((prefs[mine] == prefs[theirs]).all())
