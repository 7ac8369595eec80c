"""Fuzzing the BLT reader (grassroots.tally.blt): whatever bytes arrive, the reader returns an
election or raises TallyError with a line number; it never crashes with another exception and
never hangs. tests/tally/test_blt.py fuzzes small damaged files too; these go further: large
numbers, deep nesting of quotes, encodings, and cuts and splices of a real Scottish ward."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grassroots.tally.blt import read_blt, write_blt
from grassroots.tally.types import TallyError

REAL = (
    Path(__file__).resolve().parents[1] / "data/stv/scotland-2017/aberdeen_2017_ward10.blt"
).read_bytes()

tokens = st.sampled_from(
    [
        b"0",
        b"1",
        b"2",
        b"-1",
        b"3 2",
        b"99999999999999999999999",
        b"=",
        b"-",
        b" ",
        b"\t",
        b"\n",
        b"\r\n",
        b"\r",
        b'"',
        b'"A"',
        b'"\\"',
        b"#",
        b"(",
        b")",
        b"1.5",
        b"\x00",
        b"\xef\xbb\xbf",
        b"\xff\xfe",
        b"\xe9",
        "é".encode(),
        b"1e9",
        b"0x10",
        b"+1",
        b"\xc2\xa0",
        "٣".encode(),
    ]
)
blt_like = st.lists(tokens, max_size=120).map(b"".join)


def read_or_refuse(data: bytes | str) -> None:
    try:
        election = read_blt(data)
    except TallyError as error:
        assert str(error)
        return
    # Anything read is written back and read again to the same election, or refused by the
    # writer with its own error (the reader keeps a lone carriage return inside a quoted name,
    # which the writer will not write).
    try:
        written = write_blt(election)
    except TallyError as error:
        assert "cannot be written to BLT" in str(error)
        return
    assert read_blt(written) == election


@settings(max_examples=400, deadline=None)
@given(st.one_of(blt_like, st.binary(max_size=400)))
def test_any_bytes_give_an_election_or_a_tally_error(data: bytes) -> None:
    read_or_refuse(data)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_an_election_or_a_tally_error(text: str) -> None:
    read_or_refuse(text)


def test_a_huge_number_of_candidates_is_refused_not_a_crash() -> None:
    # Found by the splice test below: numpy overflowed checking repeated preferences.
    with pytest.raises(TallyError, match="candidate names expected"):
        read_blt(b'99999999999999999999999 1\n1 1 2 0\n1 2 0\n0\n"A"\n"B"\n')


def test_a_weight_too_large_for_64_bits_is_read_exactly_not_clamped() -> None:
    # Found by the splice test below: numpy's int64 parser clamped it to 2**63 - 1.
    election = read_blt(b'2 1\n99999999999999999999999 1 0\n1 2 0\n0\n"A"\n"B"\n')
    assert election.ballots[0].weight == 99999999999999999999999


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_real_ward_cut_and_spliced_gives_an_election_or_a_tally_error(data) -> None:
    start = data.draw(st.integers(0, len(REAL)))
    length = data.draw(st.integers(0, 200))
    insert = data.draw(blt_like)
    read_or_refuse(REAL[:start] + insert + REAL[start + length :])
