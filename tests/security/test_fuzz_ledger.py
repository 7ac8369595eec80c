"""Fuzzing the election record reader and verifier (grassroots.ledger): a damaged or crafted
record is refused with RecordError naming the file, or read and then failed by a check; the
verifier CLI's entry never raises. A member runs this on files from anywhere."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grassroots.ledger.record import (
    BALLOTS_FILE,
    HEADS_FILE,
    PLAINTEXTS_FILE,
    RECORD_FILE,
    RecordError,
    read_record,
    write_record,
)
from grassroots.ledger.verify import verify_directory
from tests.ledger.conftest import make_record

FILES = [RECORD_FILE, BALLOTS_FILE, HEADS_FILE, PLAINTEXTS_FILE]


@pytest.fixture(scope="module")
def good_files() -> dict[str, bytes]:
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        write_record(make_record(ballots=24, seed=3), directory)
        return {file: (directory / file).read_bytes() for file in FILES}


pieces = st.sampled_from(
    [
        b"{",
        b"}",
        b"[",
        b"]",
        b'"',
        b",",
        b":",
        b"\n",
        b"null",
        b"true",
        b"-1",
        b"1e999",
        b"99999999999999999999999999",
        b'"x"',
        b"\\u0000",
        b"\xff",
        b"0" * 64,
        b"a" * 128,
        b'"tree_size":',
        b'"ballots":[]',
        b"NaN",
        b"Infinity",
    ]
)
splice = st.lists(pieces, max_size=12).map(b"".join)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.sampled_from(FILES), st.data())
def test_a_damaged_record_is_refused_or_fails_a_check_never_crashes(
    good_files: dict[str, bytes], file: str, data
) -> None:
    original = good_files[file]
    at = data.draw(st.integers(0, len(original)))
    cut = data.draw(st.integers(0, 40))
    insert = data.draw(splice)
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        for other, content in good_files.items():
            (directory / other).write_bytes(content)
        damaged = original[:at] + insert + original[at + cut :]
        (directory / file).write_bytes(damaged)
        try:
            read_record(directory)
        except RecordError as error:
            assert str(error)
        results = verify_directory(directory)
        assert results and all(result.line() for result in results)
        if damaged != original:
            # A change that still parses must still be caught by some check, unless it is
            # only a change the record's form allows (whitespace in the pretty record file).
            assert not all(r.passed for r in results) or file == RECORD_FILE


def test_the_undamaged_record_passes(good_files: dict[str, bytes]) -> None:
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        for file, content in good_files.items():
            (directory / file).write_bytes(content)
        assert all(r.passed for r in verify_directory(directory))


@pytest.mark.parametrize("constant", [b"NaN", b"Infinity", b"-Infinity"])
@pytest.mark.parametrize("file", FILES)
def test_a_nan_or_infinity_in_any_file_is_refused_by_name(
    good_files: dict[str, bytes], file: str, constant: bytes
) -> None:
    # Found by the fuzz test above: Python's JSON reader takes NaN, and writing the record's
    # canonical form then raised ValueError out of the verifier instead of a failed check.
    original = good_files[file]
    # The first value in the file, a number or a string, becomes the constant.
    damaged, count = re.subn(rb'(":\s*)(\d+|"[^"]*")', rb"\g<1>" + constant, original, count=1)
    assert count == 1, f"no value in {file} to damage"
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        for other, content in good_files.items():
            (directory / other).write_bytes(content)
        (directory / file).write_bytes(damaged)
        results = verify_directory(directory)
        failed = [r.line() for r in results if not r.passed]
        assert failed, f"{constant!r} in {file} passed every check"
