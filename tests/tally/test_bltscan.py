"""The fast BLT scanner: the same election as the full reader, or a fallback to it.

``read_blt(text)`` scans a plain file with numpy (``grassroots.tally.bltscan``) and hands any
other to the line-by-line reader; ``read_blt(text, scan=False)`` always uses the latter. They
must agree on every file, including the order of the ballots and every error message.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from grassroots.tally import bltscan, count
from grassroots.tally.blt import load_blt, read_blt
from grassroots.tally.packed import BallotArray, counting_arrays, packed_ballots
from grassroots.tally.types import TallyError

WARDS = Path(__file__).resolve().parent.parent / "data" / "stv" / "scotland-2017"


def both(text: str | bytes) -> None:
    """The scanner and the full reader give the same election, or the same error."""
    try:
        slow = read_blt(text, scan=False)
    except TallyError as error:
        with pytest.raises(TallyError) as caught:
            read_blt(text)
        assert str(caught.value) == str(error)
        return
    fast = read_blt(text)
    assert fast == slow
    assert list(fast.ballots) == list(slow.ballots)  # the same order, too
    packed = packed_ballots(fast)
    assert packed.lengths.tolist() == [len(b.ranking) for b in slow.ballots]
    assert packed.rankings.tolist() == [c for b in slow.ballots for c in b.ranking]
    assert packed.weights.tolist() == [b.weight for b in slow.ballots]


def test_a_plain_file_is_scanned_and_any_other_read_line_by_line() -> None:
    plain = read_blt("3 1\n2 1 2 0\n1 3 0\n0\nA\nB\nC\nT\n")
    assert isinstance(plain.ballots, BallotArray)
    commented = read_blt("3 1\n2 1 2 0 # two papers\n1 3 0\n0\nA\nB\nC\nT\n")
    assert isinstance(commented.ballots, tuple)
    assert list(plain.ballots) == list(commented.ballots)


def test_a_real_ward_file_is_scanned_to_the_same_election(tmp_path: Path) -> None:
    path = WARDS / "glasgow_2017_ward1.blt"
    scanned = load_blt(path)
    assert isinstance(scanned.ballots, BallotArray)
    assert scanned == read_blt(path.read_bytes(), scan=False)


@pytest.mark.parametrize("chunk", [16, 64, 1000])
def test_chunks_cut_at_line_ends_give_the_same_election(
    monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    text = "4 2\n-2\n" + "".join(f"{i % 5} {i % 4 + 1} {(i + 1) % 4 + 1} 0\n" for i in range(300))
    text += '0\n"A"\n"B"\n"C"\n"D"\n"T"\n'
    expected = read_blt(text, scan=False)
    monkeypatch.setattr(bltscan, "CHUNK", chunk)
    assert read_blt(text) == expected


def test_an_empty_file_is_the_full_readers_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.blt"
    empty.write_bytes(b"")
    with pytest.raises(TallyError, match="the file is empty"):
        load_blt(empty)


lines = st.lists(
    st.one_of(
        st.tuples(st.integers(0, 12), st.lists(st.integers(0, 6), max_size=6)).map(
            lambda t: f"{t[0]} " + "".join(f"{c} " for c in t[1]) + "0"
        ),
        st.sampled_from(["", " ", "1  2 0", " 1 2 0", "1 2 0 ", "0", "1 2", "x", "1 2=3 0"]),
    ),
    max_size=20,
)


@settings(max_examples=400, deadline=None)
@given(st.integers(1, 5), st.integers(1, 3), lines, st.sampled_from(["", "-2\n", "-1 -3\n"]))
@example(3, 1, ["1 1 0", "0 2 0", "2 1 0"], "")
@example(2, 1, ["99999999999999999999 1 0"], "")
@example(2, 1, ["9223372036854775807 1 0", "9223372036854775807 1 0"], "")
def test_the_scanner_agrees_with_the_full_reader(
    ncand: int, seats: int, ballot_lines: list[str], withdrawn: str
) -> None:
    names = "".join(f'"C{c}"\n' for c in range(ncand))
    body = "".join(f"{line}\n" for line in ballot_lines)
    both(f'{ncand} {seats}\n{withdrawn}{body}0\n{names}"Title"\n')


wide_lines = st.lists(
    st.tuples(
        st.one_of(st.integers(0, 3), st.integers(0, 10**17)),
        st.lists(st.integers(1, 300), max_size=8, unique=True),
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 300), wide_lines, st.sampled_from([8, 40, 1 << 20]))
def test_numbers_of_any_width_and_any_chunk_read_alike(
    ncand: int, ballot_lines: list[tuple[int, list[int]]], chunk: int
) -> None:
    # Numbers of one and two digits are read by the scanner's fast arithmetic, longer ones
    # (weights, candidates past 99) a place at a time; lines may repeat, to be grouped.
    body = "".join(
        f"{weight} " + "".join(f"{c} " for c in ranking if c <= ncand) + "0\n"
        for weight, ranking in ballot_lines + ballot_lines[:3]
    )
    names = "".join(f'"C{c}"\n' for c in range(ncand))
    saved = bltscan.CHUNK
    bltscan.CHUNK = chunk
    try:
        both(f"{ncand} 1\n{body}0\n{names}")
    finally:
        bltscan.CHUNK = saved


def test_a_hash_collision_is_grouped_by_whole_rankings(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every ranking given the same hash: grouping must see that the lines differ and group
    # them by comparing whole rankings, never merge two of them.
    text = '3 1\n1 1 2 0\n1 2 1 0\n2 1 2 0\n1 3 0\n4 0\n2 2 1 0\n0\n"A"\n"B"\n"C"\n'
    monkeypatch.setattr(
        bltscan, "_hashes", lambda prefs, lengths: np.zeros(lengths.size, dtype=np.uint64)
    )
    election = read_blt(text)
    assert isinstance(election.ballots, BallotArray)
    assert election == read_blt(text, scan=False)
    assert [(b.ranking, b.weight) for b in election.ballots] == [
        ((0, 1), 3),
        ((1, 0), 3),
        ((2,), 1),
        ((), 4),
    ]


def test_the_lines_are_grouped_only_when_the_ballots_are_asked_for() -> None:
    # Scottish STV, ERS97 and Meek count the lines as read (counting_arrays); the ballots,
    # one per distinct ranking, are made when something asks for them, and count alike.
    text = '3 1\n1 1 2 0\n1 2 1 0\n2 1 2 0\n1 3 0\n0\n"A"\n"B"\n"C"\n'
    election = read_blt(text)
    assert isinstance(election.ballots, BallotArray)
    assert counting_arrays(election).lengths.size == 4
    assert election.ballots._packed is None  # not grouped yet
    for rule in ("scottish", "ers97", "meek"):
        assert count(election, rule=rule) == count(read_blt(text, scan=False), rule=rule)
    assert election.ballots._packed is None  # counting did not need it
    assert packed_ballots(election).lengths.size == 3
