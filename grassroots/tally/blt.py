"""Read and write BLT ballot files (the OpenSTV / OpaVote format).

A BLT file is::

    6 4                 number of candidates, seats
    -2                  optional: withdrawn candidates, as negative numbers (one line or several)
    370 1 0             ballot lines: weight, preferences (1-based candidates), 0
    41 1 2 0
    0                   end of ballots
    "John COOKE"        one name per candidate, quoted or bare
    ...
    "Ward title"        the election's title

Text after ``#`` on a line is a comment, except inside a quoted name or title (``"Smith #2"``
is a name). Every problem is reported as a :class:`TallyError` naming the line.

Read as droop and OpenSTV read them: a UTF-8 byte-order mark; droop's option lines before the
ballots (``[nick a b c]`` nicknames that ballot lines may use instead of numbers,
``[withdrawn 2]``, ``[tie 3 1 2]`` a tie-break order fixed before the count, and ``[droop
...]``, droop's own counting options, which ``--rule`` replaces here); equal preferences
(``1=2``), kept apart as :class:`~grassroots.tally.types.EqualBallot` (only Meek counts
them); and, after the title, a quoted source and a quoted comment (Wichmann's format).

Identical ballot lines are grouped while reading (a count of each distinct line) so a file of a
million ballots is parsed once per distinct ranking, not once per paper.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from grassroots.tally.bltscan import scan_blt_bytes, scan_blt_file
from grassroots.tally.packed import BallotArray, PackedBallots
from grassroots.tally.types import Ballot, Election, EqualBallot, TallyError


def load_blt(path: str | Path) -> Election:
    """Read a BLT file from disk: a plain file by the fast scanner, any other by read_blt."""
    scanned = scan_blt_file(path)
    if scanned is not None:
        election = _from_scan(*scanned)
        if election is not None:
            return election
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise TallyError(f"{path}: cannot read the file ({error.strerror})") from None
    return read_blt(data, scan=False)


def _from_scan(
    ballots: BallotArray, ncand: int, seats: int, withdrawn: frozenset[int], rest: bytes
) -> Election | None:
    """The election the scanner read, or None when its names need the full reader (which
    reports any problem with the right line number)."""
    try:
        names = _names(rest.split(b"\n"), 1, ncand)
    except TallyError:
        return None
    if len(names) < ncand:
        return None
    return Election(
        candidates=tuple(name for _, name in names[:ncand]),
        seats=seats,
        ballots=ballots,
        withdrawn=withdrawn,
        title=names[ncand][1] if len(names) > ncand else "",
    )


def _strip_comment(line: bytes) -> bytes:
    hash_at = line.find(b"#")
    if hash_at >= 0:
        line = line[:hash_at]
    return line.strip()


def _int(token: bytes, line_number: int, what: str) -> int:
    try:
        if not token.lstrip(b"-").isdigit():
            raise ValueError
        return int(token)
    except ValueError:
        shown = token.decode("utf-8", "replace")
        raise TallyError(f"line {line_number}: {what} {shown!r} is not a whole number") from None


def _parse_ballot(
    line: bytes, line_number: int, ncand: int, nicks: dict[bytes, int]
) -> tuple[int, tuple[tuple[int, ...], ...]]:
    """A ballot line's weight and preferences, each a tuple of the candidates at it (one,
    or several marked equal with ``=``). Candidates are numbers or droop ``[nick]`` names."""
    tokens = line.split()
    weight = _int(tokens[0], line_number, "weight")
    if weight < 0:
        raise TallyError(f"line {line_number}: weight {weight} is negative")
    if len(tokens) < 2 or tokens[-1] != b"0":
        raise TallyError(f"line {line_number}: ballot line does not end with 0")
    ranks: list[tuple[int, ...]] = []
    seen: set[int] = set()
    for token in tokens[1:-1]:
        rank: list[int] = []
        for part in token.split(b"="):
            candidate = _candidate(part, line_number, ncand, nicks)
            if candidate in seen:
                raise TallyError(f"line {line_number}: candidate {candidate + 1} is ranked twice")
            seen.add(candidate)
            rank.append(candidate)
        ranks.append(tuple(rank))
    return weight, tuple(ranks)


def _candidate(token: bytes, line_number: int, ncand: int, nicks: dict[bytes, int]) -> int:
    """The 0-based candidate a ballot token names: a number 1 to ``ncand`` or a nickname."""
    if token in nicks:
        return nicks[token]
    if not token.isdigit():
        shown = token.decode("utf-8", "replace")
        known = " (no [nick] line gives nicknames)" if not nicks else ""
        raise TallyError(f"line {line_number}: unknown candidate {shown!r}{known}")
    number = int(token)
    if not 1 <= number <= ncand:
        raise TallyError(
            f"line {line_number}: unknown candidate {number} (candidates are 1 to {ncand})"
        )
    return number - 1


def _has_repeats(prefs: npt.NDArray[np.int64], lengths: npt.NDArray[np.int64], ncand: int) -> bool:
    """Whether any line (``lengths`` preferences each, laid end to end) repeats a candidate."""
    filled = lengths > 0
    if not filled.any():
        return False
    starts = (np.cumsum(lengths) - lengths)[filled]
    if ncand <= 62:
        # One bit per candidate: a line repeats a candidate exactly when adding its bits
        # differs from or-ing them.
        bits = np.left_shift(np.int64(1), prefs)
        return bool(np.any(np.add.reduceat(bits, starts) != np.bitwise_or.reduceat(bits, starts)))
    row = np.repeat(np.arange(lengths.size, dtype=np.int64), lengths)
    keys = np.sort(row * (ncand + 1) + prefs)
    return bool(np.any(keys[1:] == keys[:-1]))


_FAST_MAX_CANDIDATES = 1_000_000
_LONG_NUMBER = re.compile(rb"[0-9]{19}")


@dataclass(frozen=True, slots=True)
class _Plain:
    """Distinct ballot lines parsed at once: arrays, and each line's ranking as a tuple."""

    weights: npt.NDArray[np.int64]  # the weight at the start of each line
    lengths: npt.NDArray[np.int64]  # preferences on each line
    prefs: npt.NDArray[np.int64]  # every line's preferences laid end to end, 0-based
    rankings: list[tuple[int, ...]]


def _parse_plain(unique_lines: list[bytes], ncand: int) -> _Plain | None:
    """Parse ballot lines of digits and single spaces at once; None if any line needs care.

    This is the fast path for large files: numpy reads every number in one call and checks
    ranges, terminators and repeats for all lines together. Any doubt sends the caller to the
    line-by-line parser, which names the line and the problem.
    """
    if not unique_lines:
        return None
    region = b"\n".join(unique_lines)
    if region.translate(None, b"0123456789 \n") or b"  " in region:
        return None
    # numpy's int64 would clamp a number of 19 digits or more, and the repeat check multiplies
    # by the number of candidates: such files take the exact (Python int) line-by-line path.
    if ncand > _FAST_MAX_CANDIDATES or _LONG_NUMBER.search(region):
        return None
    # Tokens per line: one more than its spaces. The lines hold no other whitespace.
    text = np.frombuffer(region, dtype=np.uint8)
    line_ends = np.append(np.flatnonzero(text == ord("\n")), text.size)
    spaces_before = np.searchsorted(np.flatnonzero(text == ord(" ")), line_ends)
    tokens = np.diff(spaces_before, prepend=0) + 1
    values = np.fromstring(region, dtype=np.int64, sep=" ")
    if values.size != int(tokens.sum()) or int(tokens.min()) < 2:
        return None
    ends = np.cumsum(tokens)
    starts = ends - tokens
    if np.any(values[ends - 1] != 0):
        return None
    is_pref = np.ones(values.size, dtype=bool)
    is_pref[starts] = False
    is_pref[ends - 1] = False
    prefs = values[is_pref]
    if prefs.size and (int(prefs.min()) < 1 or int(prefs.max()) > ncand):
        return None
    lengths = tokens - 2
    if _has_repeats(prefs, lengths, ncand):
        return None
    prefs -= 1
    # Each ranking is a slice of one tuple of all the preferences, cut without a Python loop.
    flat = tuple(prefs.tolist())
    bounds = np.cumsum(lengths)
    cuts = map(slice, (bounds - lengths).tolist(), bounds.tolist())
    return _Plain(values[starts], lengths, prefs, list(map(flat.__getitem__, cuts)))


def _distinct(prefs: npt.NDArray[np.int64], lengths: npt.NDArray[np.int64]) -> bool:
    """True only if no two lines (``lengths`` preferences each, end to end) rank alike.

    Compares a 64-bit hash of each ranking: distinct hashes prove distinct rankings; equal
    hashes (a repeat, or a rare collision) answer False and the caller groups by the tuples.
    """
    rows = lengths.size
    if rows < 2:
        return True
    position = np.arange(prefs.size, dtype=np.int64) - np.repeat(
        np.cumsum(lengths) - lengths, lengths
    )
    powers = np.cumprod(np.full(int(lengths.max()) + 1, 0x9E3779B97F4A7C15, dtype=np.uint64))
    terms = (prefs.astype(np.uint64) + np.uint64(1)) * powers[position]
    hashes = lengths.astype(np.uint64)
    filled = lengths > 0
    if filled.any():
        starts = (np.cumsum(lengths) - lengths)[filled]
        hashes[filled] += np.add.reduceat(terms, starts)
    hashes.sort()
    return not bool(np.any(hashes[1:] == hashes[:-1]))


def _strip_name_comment(text: str) -> str:
    """A names-section line without its comment: ``#`` starts one only outside quotes."""
    quoted = False
    for at, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char == "#" and not quoted:
            return text[:at]
    return text


def _names(lines: list[bytes], first_number: int, ncand: int) -> list[tuple[int, str]]:
    """Names and title after the ballots: quoted strings (several may share a line) or bare.

    ``lines`` are the file's lines as read (comments not yet removed): a ``#`` inside a quoted
    name is part of the name; anywhere else it starts a comment. After the ``ncand`` names and
    the title, Wichmann's format (read by droop too) may add a quoted source and a quoted
    comment, then any unquoted text (his files end with first preferences and the quota):
    these describe the file and are not read. A third quoted string after the title is an
    error, as it most likely means more names than the header's number of candidates.
    """
    found: list[tuple[int, str]] = []
    for offset, raw in enumerate(lines):
        number = first_number + offset
        try:
            text = _strip_name_comment(raw.decode("utf-8")).strip()
        except UnicodeDecodeError:
            raise TallyError(f"line {number}: not valid UTF-8 text") from None
        if not text:
            continue
        trailing = len(found) > ncand
        if trailing and not text.startswith('"'):
            break  # unquoted material after the title and any source and comment
        if not text.startswith('"'):
            found.append((number, text))
            continue
        rest = text
        while rest:
            if not rest.startswith('"'):
                raise TallyError(f"line {number}: expected a quoted name, found {rest!r}")
            close = rest.find('"', 1)
            if close < 0:
                raise TallyError(f"line {number}: a quoted name is not closed")
            found.append((number, rest[1:close]))
            rest = rest[close + 1 :].strip()
        if len(found) > ncand + 3:
            raise TallyError(
                f"line {found[ncand + 3][0]}: too many names: expected {ncand} candidates and a "
                "title (then at most a quoted source and a quoted comment)"
            )
    return found


def _needs_strip(data: bytes) -> bool:
    """Whether any line of ``data`` (split at newlines) has whitespace at either end."""
    if any(c in data for c in (b"\r", b"\t", b"\x0b", b"\x0c")):
        return True
    return data.startswith(b" ") or data.endswith(b" ") or b"\n " in data or b" \n" in data


def _group(
    counts: Counter[bytes], ncand: int, lines: list[bytes], first: int, nicks: dict[bytes, int]
) -> tuple[tuple[Ballot, ...], PackedBallots | None, tuple[EqualBallot, ...]]:
    """The ballots of the distinct lines ``counts``, one per distinct ranking in order of
    first appearance, papers of no weight left out; with their arrays when the fast parser
    produced them and no two lines share a ranking (the usual case); and the papers with
    equal preferences, apart."""
    equal_ballots: tuple[EqualBallot, ...] = ()
    plain = _parse_plain(list(counts), ncand)
    if plain is not None:
        multiplicity = np.fromiter(counts.values(), dtype=np.int64, count=len(counts))
        safe = int(plain.weights.max()) * int(multiplicity.max()) < 2**62
        if safe and _distinct(plain.prefs, plain.lengths):
            papers = plain.weights * multiplicity
            rankings, lengths, prefs = plain.rankings, plain.lengths, plain.prefs
            weighty = papers != 0
            if not weighty.all():
                rankings = [r for r, keep in zip(rankings, weighty.tolist(), strict=True) if keep]
                prefs = prefs[np.repeat(weighty, lengths)]
                lengths, papers = lengths[weighty], papers[weighty]
            ballots = tuple(map(Ballot, rankings, papers.tolist()))
            packed = PackedBallots(ballots, prefs.astype(np.int32), lengths, papers)
            return ballots, packed, equal_ballots
        parsed = list(zip(plain.weights.tolist(), plain.rankings, strict=True))
    else:
        ranked: list[tuple[int, tuple[tuple[int, ...], ...]]] = []
        for line in counts:
            try:
                ranked.append(_parse_ballot(line, 0, ncand, nicks))
            except TallyError as error:
                number = lines.index(line, first) + 1
                raise TallyError(str(error).replace("line 0:", f"line {number}:", 1)) from None
        equal: dict[tuple[tuple[int, ...], ...], int] = {}
        parsed = []
        for (weight, ranks), multiplicity_ in zip(ranked, counts.values(), strict=True):
            if all(len(rank) == 1 for rank in ranks):
                parsed.append((weight, tuple(rank[0] for rank in ranks)))
                continue
            parsed.append((0, ()))  # one entry per distinct line, so the zip below lines up
            if weight:
                equal[ranks] = equal.get(ranks, 0) + weight * multiplicity_
        equal_ballots = tuple(map(EqualBallot, equal, equal.values()))
    grouped: dict[tuple[int, ...], int] = {}
    for (weight, ranking), multiplicity_ in zip(parsed, counts.values(), strict=True):
        if weight:
            grouped[ranking] = grouped.get(ranking, 0) + weight * multiplicity_
    return tuple(map(Ballot, grouped, grouped.values())), None, equal_ballots


def read_blt(source: str | bytes, *, scan: bool = True) -> Election:
    """Parse BLT text into an :class:`Election`; raise :class:`TallyError` on any problem.

    A plain file is read by the fast scanner (:mod:`grassroots.tally.bltscan`) unless
    ``scan`` is False; both give the same election.
    """
    data = source.encode("utf-8") if isinstance(source, str) else source
    if scan:
        scanned = scan_blt_bytes(data)
        if scanned is not None:
            election = _from_scan(*scanned)
            if election is not None:
                return election
    data = data.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 byte-order mark, as Windows writes
    raw_lines = data.split(b"\n")
    if b"#" in data:
        lines = [_strip_comment(line) for line in raw_lines]
    elif _needs_strip(data):
        lines = [line.strip() for line in raw_lines]
    else:
        lines = raw_lines

    index = 0
    total = len(lines)
    while index < total and not lines[index]:
        index += 1
    if index == total:
        raise TallyError("line 1: the file is empty")
    header = lines[index].split()
    if len(header) != 2:
        raise TallyError(
            f"line {index + 1}: the first line must be 'candidates seats', "
            f"found {lines[index].decode('utf-8', 'replace')!r}"
        )
    ncand = _int(header[0], index + 1, "number of candidates")
    seats = _int(header[1], index + 1, "number of seats")
    if ncand < 1:
        raise TallyError(f"line {index + 1}: there must be at least one candidate")
    if seats < 1:
        raise TallyError(f"line {index + 1}: there must be at least one seat")
    index += 1

    withdrawn: set[int] = set()
    nicks: dict[bytes, int] = {}
    tie_order: tuple[int, ...] | None = None
    while index < total and (not lines[index] or lines[index][:1] in (b"-", b"[")):
        line = lines[index]
        if line.startswith(b"["):
            name, values = _option(line, index + 1)
            if name == b"nick":
                nicks = _nicknames(values, ncand, index + 1)
            elif name == b"withdrawn":
                withdrawn.update(_candidate(v, index + 1, ncand, nicks) for v in values)
            elif name == b"tie":
                tie_order = _tie_order(values, ncand, nicks, index + 1)
            elif name != b"droop":  # droop's own counting options: --rule chooses here
                raise TallyError(
                    f"line {index + 1}: unknown option [{name.decode('utf-8', 'replace')}] "
                    "(known: [nick], [withdrawn], [tie], [droop])"
                )
            index += 1
            continue
        for token in line.split():
            number = _int(token, index + 1, "withdrawn candidate")
            if not -ncand <= number <= -1:
                raise TallyError(
                    f"line {index + 1}: withdrawn candidate {token.decode('utf-8', 'replace')} "
                    f"is not -1 to -{ncand}"
                )
            withdrawn.add(-number - 1)
        index += 1

    try:
        end = lines.index(b"0", index)
    except ValueError:
        raise TallyError(
            f"line {total}: no '0' line ends the ballots (or a ballot line is missing its 0)"
        ) from None

    counts = Counter(lines[index:end])
    counts.pop(b"", None)
    ballots, packed, equal_ballots = _group(counts, ncand, lines, index, nicks)

    names = _names(raw_lines[end + 1 :], end + 2, ncand)
    if len(names) < ncand:
        where = names[-1][0] if names else end + 1
        raise TallyError(
            f"line {where}: {ncand} candidate names expected after the ballots, found {len(names)}"
        )
    title = names[ncand][1] if len(names) > ncand else ""
    return Election(
        candidates=tuple(name for _, name in names[:ncand]),
        seats=seats,
        ballots=ballots,
        withdrawn=frozenset(withdrawn),
        title=title,
        packed=packed,
        equal_ballots=equal_ballots,
        tie_order=tie_order,
    )


def _option(line: bytes, line_number: int) -> tuple[bytes, list[bytes]]:
    """A droop option line ``[name value ...]``: its name and values."""
    if not line.endswith(b"]"):
        raise TallyError(f"line {line_number}: an option line must end with ']'")
    words = line[1:-1].split()
    if not words:
        raise TallyError(f"line {line_number}: an empty option '[]'")
    return words[0], words[1:]


def _nicknames(values: list[bytes], ncand: int, line_number: int) -> dict[bytes, int]:
    if len(values) != ncand or len(set(values)) != ncand:
        raise TallyError(
            f"line {line_number}: [nick] must give each of the {ncand} candidates one nickname, "
            "all different"
        )
    if any(b"=" in v for v in values):
        raise TallyError(f"line {line_number}: a nickname cannot contain '='")
    return {nick: at for at, nick in enumerate(values)}


def _tie_order(
    values: list[bytes], ncand: int, nicks: dict[bytes, int], line_number: int
) -> tuple[int, ...]:
    order = tuple(_candidate(v, line_number, ncand, nicks) for v in values)
    if sorted(order) != list(range(ncand)):
        raise TallyError(f"line {line_number}: [tie] must list each candidate exactly once")
    return order


def _quoted(text: str, what: str) -> str:
    if '"' in text or "\n" in text or "\r" in text:
        raise TallyError(f"{what} {text!r} cannot be written to BLT (quote or line break)")
    return f'"{text}"'


def write_blt(election: Election) -> str:
    """The election as BLT text; :func:`read_blt` gives the same election back."""
    out = [f"{len(election.candidates)} {election.seats}"]
    if election.withdrawn:
        out.append(" ".join(f"-{c + 1}" for c in sorted(election.withdrawn)))
    if election.tie_order is not None:
        out.append("[tie " + " ".join(str(c + 1) for c in election.tie_order) + "]")
    for ballot in election.ballots:
        prefs = "".join(f" {c + 1}" for c in ballot.ranking)
        out.append(f"{ballot.weight}{prefs} 0")
    for equal in election.equal_ballots:
        ranks = "".join(" " + "=".join(str(c + 1) for c in rank) for rank in equal.ranks)
        out.append(f"{equal.weight}{ranks} 0")
    out.append("0")
    out.extend(_quoted(name, "candidate name") for name in election.candidates)
    out.append(_quoted(election.title, "title"))
    return "\n".join(out) + "\n"
