"""The fast BLT scanner: the same election as the full reader, or a fallback to it.

``read_blt(text)`` scans a plain file with numpy (``grassroots.tally.bltscan``) and hands any
other to the line-by-line reader; ``read_blt(text, scan=False)`` always uses the latter. They
must agree on every file, including the order of the ballots and every error message.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from grassroots.tally import bltscan
from grassroots.tally.blt import load_blt, read_blt
from grassroots.tally.packed import BallotArray, packed_ballots
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
