"""Fuzzing the member CSV reader (grassroots.people.importing.parse_members): any file gives
rows or reasons (it "never raises for bad input"), nothing it accepts starts a spreadsheet
formula, and the page answers every such upload with a report, never an error page.
tests/people/test_import.py fuzzes random bytes and random cells; these damage a real file."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grassroots.people.importing import COLUMNS, Layout, ParsedFile, parse_members

GROUPS = {"leeds-central": 1, "leeds central": 1, "headingley": 2}
GOOD = (
    ",".join(COLUMNS)
    + "\n"
    + "GR5000001,Ada,Lovelace,ada@example.org,+44 7700 900123,ls1 1ab,member,2020-01-02,"
    "2027-01-02,leeds-central,Headingley,yes,2020-01-02T10:00:00,join_form\n"
    + ",Bob,Smith,bob@example.org,07700 900456,LS6 2QN,supporter,02/03/2021,,Headingley,,no,,\n"
).encode()
pieces = st.sampled_from(
    [
        b",",
        b'"',
        b'""',
        b"\n",
        b"\r",
        b"\r\n",
        b"\x00",
        b"\xef\xbb\xbf",
        b"\xff",
        b"=",
        b"+",
        b"@",
        b"-",
        b"\t",
        b";",
        b"2020-02-30",
        b"9999-99-99",
        b"GR",
        b"a@b",
        b"x" * 300,
        "Ł".encode(),
        b"\\",
        b"'",
    ]
)
damage = st.lists(pieces, max_size=30).map(b"".join)


def check(parsed: ParsedFile) -> None:
    assert parsed.rows or parsed.problems
    for row in parsed.rows:
        assert row.first_name and row.last_name and row.home_group_id in (1, 2)
        for value in (row.first_name, row.last_name):
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r"))
    for problem in parsed.problems:
        assert problem.message and str(problem)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(GOOD)), st.integers(0, 20), damage, st.sampled_from(list(Layout)))
def test_a_damaged_file_gives_rows_or_reasons(at: int, cut: int, insert: bytes, layout: Layout):
    check(parse_members(GOOD[:at] + insert + GOOD[at + cut :], groups=GROUPS, layout=layout))


@pytest.mark.django_db
def test_the_import_page_reports_on_damaged_files_without_an_error_page(client: Client):
    from tests.web.roles import build_movement

    client.force_login(build_movement().national.user)

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.integers(0, len(GOOD)), damage)
    def upload(at: int, insert: bytes) -> None:
        data = GOOD[:at] + insert + GOOD[at:]
        response = client.post(
            reverse("member_import"),
            {
                "file": SimpleUploadedFile("m.csv", data, content_type="text/csv"),
                "layout": "grassroots",
                "dry_run": "on",
            },
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert "Nothing was imported" in page or "Import" in page

    upload()
