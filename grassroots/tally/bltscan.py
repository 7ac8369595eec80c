"""The fast path for reading a large BLT file: numpy over the bytes, no Python object per line.

:func:`scan_blt` reads the ballot lines of a file in fixed-size chunks (so the memory it needs
does not grow with the file beyond the arrays it returns), parses every number of a chunk at
once, checks each line (a weight, candidates 1 to n, none twice, a closing 0), and groups
identical rankings with a 64-bit hash of each row, checked row by row against the first row
of its group. The ballots come back as a
:class:`~grassroots.tally.packed.BallotArray`: arrays that every rule can count from, with a
``Ballot`` made only when a rule asks for one.

It handles the plain files large elections produce: a header, optional ``-N`` withdrawn
lines, ballot lines of digits and spaces. Anything else (comments, options, equal
preferences, nicknames, carriage returns, numbers of 19 digits or more, any error) answers
``None``, and the caller reads the file with :func:`grassroots.tally.blt.read_blt`, which
handles every case and names the line of any problem.
"""

from __future__ import annotations

import mmap
from pathlib import Path

import numpy as np
import numpy.typing as npt

from grassroots.tally.packed import BallotArray, PackedBallots

__all__ = ["CHUNK", "scan_blt_bytes", "scan_blt_file"]

CHUNK = 2 << 20  # bytes of ballot lines parsed at once (their arrays take about 20 times this)
_MAX_DIGITS = 18  # int64 holds every number of 18 digits

_ALLOWED = np.zeros(256, dtype=bool)
_ALLOWED[list(b"0123456789 \n")] = True

IntArray = npt.NDArray[np.int64]
_EMPTY = np.zeros(0, dtype=np.uint8)


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


def _lines(chunk: npt.NDArray[np.uint8], ncand: int) -> tuple[IntArray, IntArray, IntArray]:
    """Weights, preference counts and preferences (0-based, end to end) of the ballot lines in
    ``chunk``: whole lines of numbers, each followed by one space or the newline that ends
    its line. Anything else (two spaces running, a space at either end of a line, an empty
    line) is left to the full reader."""
    separators = np.flatnonzero(chunk < ord("0"))  # only spaces and newlines are below "0"
    starts = np.empty(separators.size, dtype=np.int64)
    starts[0] = 0
    starts[1:] = separators[:-1] + 1
    widths = separators - starts
    if int(widths.min(initial=1)) < 1 or int(widths.max(initial=1)) > _MAX_DIGITS:
        raise _NotPlain
    numbers = chunk[starts].astype(np.int64) - ord("0")
    for place in range(1, int(widths.max(initial=1))):
        longer = np.flatnonzero(widths > place)
        numbers[longer] = numbers[longer] * 10 + (chunk[starts[longer] + place] - ord("0"))
    line_ends = np.flatnonzero(chunk[separators] == ord("\n"))  # the last number of each line
    counts = np.diff(line_ends, prepend=-1)
    last = line_ends
    first = last - counts + 1
    if int(counts.min(initial=2)) < 2 or np.any(numbers[last] != 0):
        raise _NotPlain  # a line that is not "weight preferences... 0"
    weights = numbers[first]
    is_pref = np.ones(numbers.size, dtype=bool)
    is_pref[first] = False
    is_pref[last] = False
    prefs = numbers[is_pref]
    if prefs.size and (int(prefs.min()) < 1 or int(prefs.max()) > ncand):
        raise _NotPlain
    return weights, counts - 2, prefs - 1


def _has_repeats(prefs: IntArray, lengths: IntArray, ncand: int) -> bool:
    """Whether any line (``lengths`` preferences each, end to end) names a candidate twice."""
    filled = lengths > 0
    if not prefs.size:
        return False
    starts = (np.cumsum(lengths) - lengths)[filled]
    if ncand <= 62:
        # One bit per candidate: a line repeats one exactly when adding its bits differs from
        # or-ing them.
        bits = np.left_shift(np.int64(1), prefs)
        return bool(np.any(np.add.reduceat(bits, starts) != np.bitwise_or.reduceat(bits, starts)))
    row = np.repeat(np.arange(lengths.size, dtype=np.int64), lengths)
    keys = np.sort(row * ncand + prefs)
    return bool(np.any(keys[1:] == keys[:-1]))


def _scan(data: bytes | mmap.mmap) -> tuple[BallotArray, int, int, frozenset[int], bytes]:
    ncand, seats, withdrawn, at = _header(data)
    size = len(data)
    weights: list[IntArray] = []
    lengths: list[IntArray] = []
    prefs: list[npt.NDArray[np.int16] | IntArray] = []
    small = ncand < 2**15
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
        view = np.frombuffer(data, dtype=np.uint8, count=stop - at, offset=at)
        # The 0 line that ends the ballots: a line that is exactly "0".
        end = _end_line(view)
        if end is not None:
            rest = bytes(data[at + end + 2 :]) if at + end + 2 <= size else b""
            view = view[:end]
        if view.size and not bool(_ALLOWED[view].all()):
            raise _NotPlain
        if view.size:
            if view[-1] != ord("\n"):
                raise _NotPlain
            w, n, p = _lines(view, ncand)
            if _has_repeats(p, n, ncand):
                raise _NotPlain
            weights.append(w)
            lengths.append(n)
            prefs.append(p.astype(np.int16) if small else p)
        view = _EMPTY  # no array may still point into the map when it is closed
        if end is not None:
            break
        released = _release(data, released, stop)
        at = stop
    all_weights = np.concatenate(weights) if weights else np.zeros(0, dtype=np.int64)
    all_lengths = np.concatenate(lengths) if lengths else np.zeros(0, dtype=np.int64)
    all_prefs: npt.NDArray[np.integer] = (
        np.concatenate(prefs) if prefs else np.zeros(0, dtype=np.int64)
    )
    del weights, lengths, prefs  # the chunks' arrays, now copied
    return _group(all_weights, all_lengths, all_prefs), ncand, seats, withdrawn, rest


def _release(data: bytes | mmap.mmap, released: int, stop: int) -> int:
    """Let the kernel drop the mapped pages already parsed, so the file is never resident
    whole; returns how far the file has been released."""
    if not isinstance(data, mmap.mmap):
        return released
    upto = stop - stop % mmap.PAGESIZE
    if upto > released:
        data.madvise(mmap.MADV_DONTNEED, released, upto - released)
    return max(released, upto)


def _end_line(view: npt.NDArray[np.uint8]) -> int | None:
    """The offset of the line that is exactly ``0`` in ``view`` (which starts at a line)."""
    zeros = np.flatnonzero(view == ord("0"))
    if not zeros.size:
        return None
    before = np.ones(zeros.size, dtype=bool)
    inside = zeros > 0
    before[inside] = view[zeros[inside] - 1] == ord("\n")
    after = np.zeros(zeros.size, dtype=bool)
    within = zeros + 1 < view.size
    after[within] = view[zeros[within] + 1] == ord("\n")
    # A 0 at the very end of the view with nothing after it ends the file, hence the ballots.
    after[~within] = True
    found = zeros[before & after]
    return int(found[0]) if found.size else None


def _group(weights: IntArray, lengths: IntArray, prefs: npt.NDArray[np.integer]) -> BallotArray:
    """One ballot per distinct ranking, in order of first appearance, papers of no weight out."""
    weighty = weights != 0
    if not bool(weighty.all()):
        prefs = prefs[np.repeat(weighty, lengths)]
        weights, lengths = weights[weighty], lengths[weighty]
    rows = lengths.size
    width = int(lengths.max(initial=0))
    dtype = np.int16 if prefs.dtype == np.int16 else np.int32
    per_word = 8 // np.dtype(dtype).itemsize
    padded = -(-(width + 1) // per_word) * per_word  # whole 64-bit words per row
    matrix = np.full((rows, padded), -1, dtype=dtype)
    if rows and int(lengths.min()) == width:  # every ranking as long (full rankings): no mask
        matrix[:, :width] = prefs.reshape(rows, width)
    else:
        matrix[np.arange(padded, dtype=np.int64)[None, :] < lengths[:, None]] = prefs
    # A 64-bit hash of each row, a word at a time; rows are then checked against the first row
    # of their group, so a collision can only cost the fallback, never a wrong grouping.
    words = matrix.view(np.uint64)
    mixer = np.uint64(0x9E3779B97F4A7C15)
    hashes = lengths.astype(np.uint64) * mixer
    for column in range(words.shape[1]):
        hashes ^= words[:, column]
        hashes *= mixer
        hashes ^= hashes >> np.uint64(29)
    unique, first, inverse = np.unique(hashes, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    if unique.size < rows:
        leader = first[inverse]
        repeats = np.flatnonzero(leader != np.arange(rows))
        if not bool((matrix[repeats] == matrix[leader[repeats]]).all()):
            raise _NotPlain  # a hash collision: rare; the full reader groups exactly
        if int(weights.max(initial=0)) * rows >= 2**62:
            raise _NotPlain  # sums could pass int64: the full reader counts exactly
        totals = np.zeros(unique.size, dtype=np.int64)
        np.add.at(totals, inverse, weights)
        order = np.argsort(first, kind="stable")
        chosen = first[order]
        weights = totals[order]
        lengths = lengths[chosen]
        flat = matrix[chosen][np.arange(padded, dtype=np.int64)[None, :] < lengths[:, None]]
    else:  # every ranking distinct: the lines as read
        del matrix, words
        flat = prefs
    packed = PackedBallots(None, flat.astype(np.int32), lengths, weights, distinct=True)
    return BallotArray(packed)
