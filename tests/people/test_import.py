"""Member import: the checks on every row, all-or-nothing, idempotent re-import, both layouts,
the command and the national office's page."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grassroots.audit.models import AuditEntry
from grassroots.organisation.models import Group
from grassroots.people import services
from grassroots.people.importing import (
    COLUMNS,
    Layout,
    ParsedFile,
    _clean_date,
    _clean_datetime,
    parse_members,
)
from grassroots.people.management.commands.import_members import Command as ImportCommand
from grassroots.people.models import ConsentSource, Member, MembershipStatus
from grassroots.people.queries import import_group_directory
from tests.factories import AreaFactory, GroupFactory, MemberFactory
from tests.web.roles import build_movement

pytestmark = pytest.mark.django_db

HEADER = ",".join(COLUMNS)
GOOD_ROWS = [
    "GR5000001,Ada,Lovelace,ada@example.org,+44 7700 900123,ls1 1ab,member,2020-01-02,"
    "2027-01-02,leeds-central,Headingley,yes,2020-01-02T10:00:00,join_form",
    ",Bob,Smith,bob@example.org,07700 900456,LS6 2QN,supporter,02/03/2021,,Headingley,,no,,",
    "GR5000003,Eve,Adeyemi,eve@example.org,,,Lapsed,2019-05-05,2024-05-05,Leeds Central,,"
    "yes,2019-05-05,",
]
BAD_ROWS = [
    "GR5000004,Mallory,Jones,not-an-email,,,member,2020-01-01,,leeds-central,,no,,",
    "GR5000005,Trent,Ng,trent@example.org,,,member,2020-01-01,,atlantis,,no,,",
    "GR5000006,Dup,Ada,ADA@example.org,,,member,2020-01-01,,leeds-central,,no,,",
    "GR5000007,,Nameless,nameless@example.org,,,member,2020-01-01,,leeds-central,,no,,",
    'GR5000008,"=HYPERLINK(""http://x"")",Hacker,h@example.org,,,member,2020-01-01,,'
    "leeds-central,,no,,",
]


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


@pytest.fixture
def leeds() -> tuple[Group, Group]:
    area = AreaFactory(name="Leeds", slug="leeds")
    return (
        GroupFactory(area=area, name="Leeds Central", slug="leeds-central"),
        GroupFactory(area=area, name="Headingley", slug="headingley"),
    )


def run_import(data: bytes, **options: object) -> services.ImportOutcome:
    layout = options.pop("layout", Layout.GRASSROOTS)
    parsed = parse_members(data, groups=import_group_directory(), layout=layout)  # type: ignore[arg-type]
    return services.import_members(actor=None, parsed=parsed, **options)  # type: ignore[arg-type]


def snapshot() -> list[tuple[object, ...]]:
    return list(
        Member.objects.order_by("membership_number").values_list(
            "membership_number", "email", "postcode", "status", "updated_at", "other_groups"
        )
    )


def test_file_with_bad_rows_is_refused_whole_with_a_report_per_row(leeds):
    outcome = run_import(csv_bytes(*GOOD_ROWS, *BAD_ROWS))
    assert not outcome.applied
    assert Member.objects.count() == 0
    reasons = {(p.line, p.column): p.message for p in outcome.problems}
    assert "not a valid email" in reasons[(5, "email")]
    assert "atlantis" in reasons[(6, "home_group")]
    assert "also on line 2" in reasons[(7, "email")]
    assert "first name is missing" in reasons[(8, "first_name")]
    assert "formula" in reasons[(9, "first_name")]
    assert outcome.rejected == 5
    assert outcome.rows_read == 8


def test_fixed_file_imports_every_row(leeds):
    leeds_central, headingley = leeds
    outcome = run_import(csv_bytes(*GOOD_ROWS))
    assert outcome.applied and not outcome.problems
    assert (outcome.created, outcome.updated, outcome.unchanged) == (3, 0, 0)
    ada = Member.objects.get(membership_number="GR5000001")
    assert ada.postcode == "LS1 1AB"
    assert ada.phone == "+44 7700 900123"
    assert ada.home_group == leeds_central
    assert list(ada.other_groups.all()) == [headingley]
    assert ada.consent_to_contact and ada.consent_source == ConsentSource.JOIN_FORM
    assert ada.consent_recorded_at == datetime.datetime(2020, 1, 2, 10, tzinfo=datetime.UTC)
    bob = Member.objects.get(email="bob@example.org")
    assert bob.membership_number.startswith("GR")
    assert bob.joined_on == datetime.date(2021, 3, 2)  # DD/MM/YYYY, the UK way
    assert bob.status == MembershipStatus.SUPPORTER
    eve = Member.objects.get(membership_number="GR5000003")
    assert eve.status == MembershipStatus.LAPSED
    assert eve.consent_source == ConsentSource.IMPORT  # consent given, source not stated


def test_reimporting_the_same_file_changes_nothing(leeds):
    run_import(csv_bytes(*GOOD_ROWS))
    before = snapshot()
    outcome = run_import(csv_bytes(*GOOD_ROWS))
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 0, 3)
    assert snapshot() == before


def test_rows_match_by_number_else_by_email_ignoring_case(leeds):
    leeds_central, _ = leeds
    by_number = MemberFactory(membership_number="GR5000001", email="old@example.org")
    by_email = MemberFactory(membership_number="GR0000042", email="Bob@Example.org")
    outcome = run_import(csv_bytes(*GOOD_ROWS))
    assert (outcome.created, outcome.updated) == (1, 2)
    by_number.refresh_from_db()
    by_email.refresh_from_db()
    assert by_number.email == "ada@example.org"
    assert by_number.home_group == leeds_central
    assert by_email.membership_number == "GR0000042"
    assert by_email.first_name == "Bob"


def test_an_email_that_belongs_to_another_member_is_refused(leeds):
    MemberFactory(membership_number="GR0000042", email="ada@example.org")
    outcome = run_import(csv_bytes(GOOD_ROWS[0]))
    assert not outcome.applied
    assert "already belongs to member GR0000042" in outcome.problems[0].message


def test_allow_partial_imports_the_good_rows_only(leeds):
    outcome = run_import(csv_bytes(*GOOD_ROWS, *BAD_ROWS), allow_partial=True)
    assert outcome.applied
    assert outcome.created == 3
    assert outcome.rejected == 5
    assert set(Member.objects.values_list("email", flat=True)) == {
        "ada@example.org",
        "bob@example.org",
        "eve@example.org",
    }


def test_dry_run_reports_and_writes_nothing(leeds):
    outcome = run_import(csv_bytes(*GOOD_ROWS), dry_run=True)
    assert outcome.created == 3 and not outcome.applied
    assert Member.objects.count() == 0


def test_an_import_writes_one_audit_row(leeds):
    before = AuditEntry.objects.filter(action="import_members").count()
    run_import(csv_bytes(*GOOD_ROWS))
    entry = AuditEntry.objects.filter(action="import_members").latest("id")
    assert AuditEntry.objects.filter(action="import_members").count() == before + 1
    assert entry.detail["created"] == 3


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "The file is empty"),
        (b"  \n\n", "The file is empty"),
        (b"first_name,last_name\nAda,Lovelace\n", "missing the column(s): membership"),
        (csv_bytes(header=HEADER + ",shoe_size"), "does not know: 'shoe_size'"),
        (HEADER.encode() + b"\n", "header but no members"),
        (csv_bytes(GOOD_ROWS[0]).replace(b"Lovelace", b"Lov\xe9lace"), "not UTF-8"),
        (csv_bytes("a,b,c"), "has 3 cells but the header has 14"),
        (csv_bytes(GOOD_ROWS[0].replace("2020-01-02,", "2020-02-30,", 1)), "is not a date"),
        (csv_bytes(GOOD_ROWS[0].replace("ls1 1ab", "SW1A 1A")), "not a UK postcode"),
        (csv_bytes(GOOD_ROWS[0].replace("member", "mmber", 1)), "Unknown status"),
        (csv_bytes(GOOD_ROWS[0].replace("Lovelace", "@SUM(A1)")), "formula"),
        (csv_bytes(GOOD_ROWS[0].replace("Lovelace", "\tLovelace")), "a tab"),
    ],
)
def test_each_kind_of_problem_is_named(leeds, data, expected):
    parsed = parse_members(data, groups=import_group_directory())
    assert parsed.rows == []
    assert any(expected in p.message for p in parsed.problems), parsed.problems


def test_byte_order_mark_and_windows_line_ends_are_accepted(leeds):
    data = b"\xef\xbb\xbf" + csv_bytes(*GOOD_ROWS).replace(b"\n", b"\r\n")
    parsed = parse_members(data, groups=import_group_directory())
    assert parsed.is_clean and len(parsed.rows) == 3


NATIONBUILDER_HEADER = (
    "nationbuilder_id,first_name,last_name,email,phone_number,mobile_number,primary_zip,"
    "tag_list,email_opt_in,created_at,membership_name,membership_status,"
    "membership_started_at,membership_expires_on,employer"
)


def test_nationbuilder_export_is_mapped(leeds):
    leeds_central, headingley = leeds
    data = csv_bytes(
        '101,Ada,Lovelace,ada@example.org,,07700 900123,ls1 1ab,"volunteer, group:leeds-central,'
        ' group:Headingley",true,2019-03-04T10:00:00+00:00,Member,active,2019-03-04,2026-03-04,'
        "Analytical Engines Ltd",
        "102,Bob,Smith,bob@example.org,,,LS6 2QN,group:headingley,false,2020-01-01T09:00:00Z,,,,,",
        "103,Eve,Jones,eve@example.org,,,,group:leeds-central,false,2018-01-01,Member,expired,"
        "2018-01-01,2019-01-01,",
        header=NATIONBUILDER_HEADER,
    )
    outcome = run_import(data, layout=Layout.NATIONBUILDER)
    assert outcome.applied, outcome.problems
    ada = Member.objects.get(membership_number="NB101")
    assert ada.home_group == leeds_central
    assert list(ada.other_groups.all()) == [headingley]
    assert ada.phone == "07700 900123"
    assert ada.status == MembershipStatus.MEMBER
    assert ada.renewal_due_on == datetime.date(2026, 3, 4)
    assert ada.consent_to_contact and ada.consent_source == ConsentSource.IMPORT
    bob = Member.objects.get(membership_number="NB102")
    assert bob.status == MembershipStatus.SUPPORTER
    assert bob.joined_on == datetime.date(2020, 1, 1)
    assert not bob.consent_to_contact
    assert Member.objects.get(membership_number="NB103").status == MembershipStatus.LAPSED
    again = run_import(data, layout=Layout.NATIONBUILDER)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_nationbuilder_row_without_a_group_tag_is_refused(leeds):
    data = csv_bytes(
        "101,Ada,Lovelace,ada@example.org,volunteer,2020-01-01",
        header="nationbuilder_id,first_name,last_name,email,tag_list,created_at",
    )
    parsed = parse_members(data, groups=import_group_directory(), layout=Layout.NATIONBUILDER)
    assert [(p.line, p.column) for p in parsed.problems] == [(2, "tag_list")]


# --- the command ---


@pytest.fixture
def run_command(capsys, monkeypatch):
    """Run the command as manage.py would (exit status, stderr), inside the test's database."""
    # run_from_argv closes every connection when it ends, which would end the test transaction.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    return lambda *argv: _run_command(capsys, *argv)


def _run_command(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        ImportCommand().run_from_argv(["manage.py", "import_members", *argv])
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_command_imports_a_good_file(leeds, tmp_path: Path, run_command):
    path = tmp_path / "members.csv"
    path.write_bytes(csv_bytes(*GOOD_ROWS))
    code, out, _ = run_command(str(path))
    assert code == 0
    assert "3 created, 0 updated, 0 unchanged" in out
    assert Member.objects.count() == 3


def test_command_for_a_missing_file_exits_1_with_a_clear_message(run_command):
    code, _, err = run_command("/no/such/members.csv")
    assert code == 1
    assert "There is no file /no/such/members.csv" in err
    assert "Traceback" not in err


def test_command_for_a_bad_header_names_the_columns_and_imports_nothing(
    leeds, tmp_path, run_command
):
    path = tmp_path / "members.csv"
    path.write_bytes(b"first_name,surname\nAda,Lovelace\n")
    code, _, err = run_command(str(path))
    assert code == 1
    assert "missing the column(s): membership_number, last_name" in err
    assert "'surname'" in err
    assert "nothing was imported" in err
    assert "Traceback" not in err


def test_command_lists_each_bad_row_on_stderr(leeds, tmp_path, run_command):
    path = tmp_path / "members.csv"
    path.write_bytes(csv_bytes(*GOOD_ROWS, *BAD_ROWS))
    code, _, err = run_command(str(path))
    assert code == 1
    for line in (5, 6, 7, 8, 9):
        assert f"line {line}, " in err
    assert Member.objects.count() == 0


def test_command_dry_run_changes_nothing(leeds, tmp_path):
    path = tmp_path / "members.csv"
    path.write_bytes(csv_bytes(*GOOD_ROWS))
    call_command("import_members", str(path), "--dry-run")
    assert Member.objects.count() == 0
    with pytest.raises(CommandError):
        call_command("import_members", str(tmp_path / "nope.csv"))


# --- the page ---


def upload(client, data: bytes, name: str = "members.csv", **fields: object):
    return client.post(
        reverse("member_import"),
        {
            "file": SimpleUploadedFile(name, data, content_type="text/csv"),
            "layout": "grassroots",
            **fields,
        },
    )


def test_national_office_uploads_and_sees_the_report(client):
    movement = build_movement()
    client.force_login(movement.national.user)
    assert client.get(reverse("member_import")).status_code == 200
    bad = csv_bytes(
        "GR7000001,Ada,Lovelace,ada@example.org,,,member,2020-01-01,,gateshead,,no,,",
        "GR7000002,Bob,Smith,bad-address,,,member,2020-01-01,,gateshead,,no,,",
    )
    response = upload(client, bad)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was imported" in page
    assert "&#x27;bad-address&#x27; is not a valid email address" in page
    assert not Member.objects.filter(membership_number="GR7000001").exists()

    good = csv_bytes("GR7000001,Ada,Lovelace,ada@example.org,,,member,2020-01-01,,gateshead,,no,,")
    page = upload(client, good).content.decode()
    assert "Import finished" in page
    assert "1 members created" in page
    assert Member.objects.filter(membership_number="GR7000001").exists()


def test_page_refuses_a_file_that_is_not_csv(client):
    movement = build_movement()
    client.force_login(movement.national.user)
    response = client.post(
        reverse("member_import"),
        {
            "file": SimpleUploadedFile("m.xlsx", b"PK\x03\x04", content_type="application/zip"),
            "layout": "grassroots",
        },
    )
    assert "Choose a .csv file" in response.content.decode()


@pytest.mark.parametrize("who", ["data_manager_a", "coordinator", "member"])
def test_only_the_national_office_has_the_import_page(client, who):
    movement = build_movement()
    client.force_login(getattr(movement, who).user)
    assert client.get(reverse("member_import")).status_code == 404
    response = upload(client, csv_bytes(GOOD_ROWS[0]))
    assert response.status_code == 404
    assert Member.objects.filter(membership_number="GR5000001").count() == 0


# --- fuzzing the parser ---

GROUPS = {"leeds-central": 1, "leeds central": 1, "headingley": 2}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2_000))
def test_any_bytes_give_a_report_never_an_exception(data):
    for layout in Layout:
        parsed = parse_members(data, groups=GROUPS, layout=layout)
        assert isinstance(parsed, ParsedFile)
        assert parsed.rows or parsed.problems


cell = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30
) | st.sampled_from(["", "leeds-central", "2020-01-01", "yes", "GR1", "LS1 1AB", "a@b.org"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(cell, min_size=14, max_size=14), min_size=1, max_size=8))
def test_any_cells_under_a_good_header_give_rows_or_reasons(rows):
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    parsed = parse_members(buffer.getvalue().encode(), groups=GROUPS)
    for row in parsed.rows:
        assert row.first_name and row.last_name and row.home_group_id in (1, 2)
        assert not row.first_name.startswith(("=", "+", "-", "@"))
    for problem in parsed.problems:
        assert problem.message


def test_large_files_match_by_reading_the_whole_table_with_the_same_result(leeds, monkeypatch):
    MemberFactory(membership_number="GR5000001", email="old@example.org")
    MemberFactory(membership_number="GR0000042", email="Bob@Example.org")
    monkeypatch.setattr(services, "WHOLE_TABLE_ABOVE", 0)
    outcome = run_import(csv_bytes(*GOOD_ROWS))
    assert (outcome.created, outcome.updated) == (1, 2)
    again = run_import(csv_bytes(*GOOD_ROWS))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_changing_other_groups_replaces_them(leeds):
    run_import(csv_bytes(*GOOD_ROWS))
    changed = GOOD_ROWS[0].replace(",Headingley,", ",,").replace("Lovelace", "King")
    outcome = run_import(csv_bytes(changed))
    assert outcome.updated == 1
    ada = Member.objects.get(membership_number="GR5000001")
    assert ada.last_name == "King"
    assert list(ada.other_groups.all()) == []


# Issue 21: counting rows, the date forms the messages name, the template to start from.

BOB = GOOD_ROWS[1]  # joined on 02/03/2021


def test_a_bad_header_is_a_problem_with_the_file_not_one_of_zero_rows(client, leeds):
    client.force_login(build_movement().national.user)
    upload = SimpleUploadedFile("m.csv", b"name,email\nAnn,ann@example.org\n")
    response = client.post(reverse("member_import"), {"file": upload, "layout": "grassroots"})
    page = response.content.decode()
    assert "The file cannot be imported as it is" in page
    assert "The header is missing the column(s)" in page
    assert "of 0 rows" not in page and "1 of" not in page
    outcome = run_import(b"name,email\nAnn,ann@example.org\n", allow_partial=True)
    assert outcome.rejected == 0 and outcome.file_problems and not outcome.applied


def test_the_row_count_is_of_rows_not_of_the_header(leeds):
    outcome = run_import(csv_bytes(GOOD_ROWS[0], BOB.replace("02/03/2021", "31/02/2021")))
    assert (outcome.rejected, outcome.rows_read) == (1, 2)
    assert not outcome.file_problems


@given(st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 12, 31)))
def test_every_date_form_the_messages_name_is_accepted(day):
    for text in (
        day.isoformat(),
        f"{day.day:02d}/{day.month:02d}/{day.year}",
        f"{day.day}/{day.month}/{day.year}",
    ):
        assert _clean_date(text) == day, text
    moment = _clean_datetime(f"{day.day:02d}/{day.month:02d}/{day.year} 14:05")
    assert moment is not None and (moment.date(), moment.hour, moment.minute) == (day, 14, 5)
    assert _clean_datetime(f"{day.isoformat()} 14:05") is not None


@pytest.mark.parametrize("text", ["0001-01-01", "31/12/1899", "2101-01-01", "31/02/2024", "soon"])
def test_impossible_dates_are_refused_naming_the_forms_accepted(leeds, text):
    parsed = parse_members(
        csv_bytes(BOB.replace("02/03/2021", text)), groups=import_group_directory()
    )
    (problem,) = parsed.problems
    assert problem.column == "joined_on" and not problem.whole_file
    assert ("YYYY-MM-DD (2024-03-31) or DD/MM/YYYY" in problem.message) or (
        "outside the years 1900 to 2100" in problem.message
    )


def test_the_csv_template_is_the_header_the_import_reads(leeds, client):
    template = Path(__file__).parents[2] / "static/people/members-import-template.csv"
    assert template.read_text().strip() == HEADER
    parsed = parse_members(template.read_bytes() + BOB.encode(), groups=import_group_directory())
    assert parsed.is_clean, parsed.problems
    client.force_login(build_movement().national.user)
    page = client.get(reverse("member_import")).content.decode()
    assert 'href="/static/people/members-import-template.csv" download' in page
