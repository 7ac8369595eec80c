"""The parser of another organisation's membership list (issue 16): a good file is read back
exactly, every bad row is reported on its own line, and no text at all makes it raise."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grassroots.people import affiliations

# --- The parser --------------------------------------------------------------------------------

NUMBERS = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789-/", min_size=1, max_size=12)
EMAILS = st.from_regex(r"[a-z]{1,8}\.[a-z]{1,8}@[a-z]{2,8}\.(org|com|uk)", fullmatch=True)


def _csv(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


@given(st.lists(st.tuples(NUMBERS, st.one_of(st.just(""), EMAILS)), max_size=30))
def test_a_good_list_is_read_back_exactly(rows):
    numbers_seen: set[str] = set()
    emails_seen: set[str] = set()
    unique = []
    for number, email in rows:
        if number in numbers_seen or (email and email in emails_seen):
            continue
        numbers_seen.add(number)
        if email:
            emails_seen.add(email)
        unique.append((number, email))
    text = _csv(["membership_number", "email"], [[n, e] for n, e in unique])
    parsed = affiliations.read_list(io.StringIO(text))
    assert parsed.errors == []
    assert parsed.rows == unique


@given(
    good=st.lists(NUMBERS, min_size=1, max_size=15, unique=True),
    bad=st.lists(
        st.sampled_from(["malformed number", "malformed email", "duplicate", "short row"]),
        min_size=1,
        max_size=8,
    ),
    seed=st.randoms(use_true_random=False),
)
def test_every_bad_row_is_reported_on_its_own_line(good, bad, seed):
    rows: list[list[str]] = [[n, ""] for n in good]
    expected: dict[int, str] = {}
    for kind in bad:
        at = seed.randint(1, len(rows))  # never before the first good row, which it may copy
        if kind == "malformed number":
            row = ["no spaces allowed!", ""]
        elif kind == "malformed email":
            row = [f"X{len(rows)}Y", "not-an-address"]
        elif kind == "duplicate":
            row = [rows[0][0].lower(), ""]
        else:
            row = ["Z9"]
        rows.insert(at, row)
    # Lines: the header is 1, so row i is line i + 2.
    for i, row in enumerate(rows):
        if row == ["no spaces allowed!", ""]:
            expected[i + 2] = "characters other than"
        elif len(row) == 1:
            expected[i + 2] = "has 1 columns where the header has 2"
        elif row[1] == "not-an-address":
            expected[i + 2] = "is not an email address"
        elif i > 0 and row[0].upper() == rows[0][0].upper():
            expected[i + 2] = "is also on row 2"
    parsed = affiliations.read_list(io.StringIO(_csv(["membership_number", "email"], rows)))
    assert parsed.error_count == len(expected)
    for error in parsed.errors:
        line = int(error.split(":")[0].removeprefix("Row "))
        assert expected[line] in error, error
    assert {int(e.split(":")[0].removeprefix("Row ")) for e in parsed.errors} == set(expected)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_any_text_at_all_is_read_without_an_exception(text):
    parsed = affiliations.read_list(io.StringIO(text))
    for error in parsed.errors:
        assert error.startswith("Row ")


def test_unknown_and_missing_columns_are_named_and_no_row_is_read():
    parsed = affiliations.read_list(io.StringIO("member_no,Email,branch\n123,a@b.org,X\n"))
    assert parsed.rows == []
    assert "Row 1: unknown column “member_no”" in parsed.errors[0]
    assert any("unknown column “branch”" in e for e in parsed.errors)
    assert any("there is no “membership_number” column" in e for e in parsed.errors)


def test_a_number_is_compared_without_spaces_and_case():
    parsed = affiliations.read_list(io.StringIO("membership_number\n ab 12/3 \n"))
    assert parsed.rows == [("AB12/3", "")]
