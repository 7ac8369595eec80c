"""The auditor's audit-log page and export (grassroots.organisation.audit_log)."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse

from grassroots.audit.models import AuditEntry
from grassroots.audit.services import record
from grassroots.organisation import audit_log
from grassroots.organisation.models import Role
from tests.factories import MemberWithLoginFactory, RoleFactory
from tests.web.roles import give_authenticator_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor():
    role = RoleFactory(role=Role.AUDITOR)
    give_authenticator_app(role.member.user)
    return role.member.user


@pytest.fixture
def national():
    role = RoleFactory(role=Role.NATIONAL_OFFICE)
    give_authenticator_app(role.member.user)
    return role.member.user


def _entry(at: datetime.datetime, **fields: object) -> AuditEntry:
    defaults: dict[str, object] = {
        "actor_label": "dm@example.org",
        "action": "view_member",
        "subject_type": "member",
        "subject_id": "1001",
        "scope": "group:leeds-central",
        "purpose": "",
        "detail": {},
    }
    return AuditEntry.objects.create(at=at, **{**defaults, **fields})


def _day(n: int, hour: int = 12) -> datetime.datetime:
    return datetime.datetime(2026, 11, n, hour, 0, tzinfo=datetime.UTC)


def _listed(client: Client, **filters: str) -> str:
    """The table of entries on the page (the filter's choices name every action)."""
    page = client.get(reverse("audit_log"), filters).content.decode()
    return page.split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in page else ""


def test_only_the_auditor_reads_the_log_and_others_get_404(auditor, national):
    member = MemberWithLoginFactory().user
    for user, status in ((auditor, 200), (national, 404), (member, 404)):
        client = Client()
        client.force_login(user)
        assert client.get(reverse("audit_log")).status_code == status
        assert client.get(reverse("audit_log_export")).status_code == status
    assert Client().get(reverse("audit_log")).status_code == 302  # to the login page


def test_filters_narrow_the_page_and_the_reading_is_itself_audited(auditor):
    _entry(_day(1), actor_label="alice@example.org", action="view_member", subject_id="1")
    _entry(_day(2), actor_label="bob@example.org", action="export_members", purpose="AGM mailing")
    _entry(_day(3), actor_label="alice@example.org", action="erase_member", subject_id="2")
    client = Client()
    client.force_login(auditor)

    page = _listed(client, actor="ALICE")
    assert "erase_member" in page and "view_member" in page and "AGM mailing" not in page

    page = _listed(client, purpose="agm")
    assert "bob@example.org" in page and "alice@example.org" not in page

    page = _listed(client, on_or_after="2026-11-02", on_or_before="2026-11-02")
    assert "export_members" in page and "erase_member" not in page

    readings = AuditEntry.objects.filter(action="read_audit_log", actor=auditor)
    assert readings.count() == 3
    assert {"actor": "ALICE"} in [entry.detail for entry in readings]


def test_pages_walk_the_whole_log_once_each_newest_first(auditor):
    # Several entries share one timestamp, so the cursor must break ties by id.
    made = [_entry(_day(1 + i // 5), subject_id=str(i)) for i in range(audit_log.PAGE_SIZE * 2 + 7)]
    seen: list[int] = []
    before = None
    while True:
        page = audit_log.audit_log_page(
            auditor, audit_log.AuditFilters(action="view_member"), before=before
        )
        seen.extend(entry.pk for entry in page.entries)
        if page.next_cursor is None:
            break
        before = page.next_cursor
    expected = [e.pk for e in sorted(made, key=lambda e: (e.at, e.pk), reverse=True)]
    assert seen == expected


def test_export_is_csv_of_the_filtered_rows_with_formulas_neutralised(auditor):
    _entry(_day(1), purpose='=HYPERLINK("http://x")', detail={"rows": 3})
    _entry(_day(2), action="erase_member")
    client = Client()
    client.force_login(auditor)
    response = client.get(reverse("audit_log_export"), {"action": "view_member"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == list(audit_log.EXPORT_COLUMNS)
    assert len(rows) == 2
    assert rows[1][2] == "view_member"
    assert rows[1][6] == '\'=HYPERLINK("http://x")'
    assert rows[1][7] == '{"rows": 3}'
    export = AuditEntry.objects.get(action="export_audit_log")
    assert export.actor == auditor and export.detail == {"action": "view_member"}


def test_bad_filters_are_explained_and_nothing_is_read(auditor):
    client = Client()
    client.force_login(auditor)
    response = client.get(
        reverse("audit_log"), {"on_or_after": "2026-11-05", "on_or_before": "2026-11-01"}
    )
    page = response.content.decode()
    assert "The end date must not be before the start date." in page
    assert "<title>Error: Audit log" in page
    response = client.get(reverse("audit_log"), {"on_or_after": "0001-13-40"})
    assert "Enter a valid date." in response.content.decode()
    response = client.get(reverse("audit_log_export"), {"on_or_before": "yesterday"})
    assert response.status_code == 400
    assert not AuditEntry.objects.filter(action__in=["read_audit_log", "export_audit_log"])


def test_the_auditors_home_links_to_the_log(auditor):
    client = Client()
    client.force_login(auditor)
    assert reverse("audit_log") in client.get(reverse("home")).content.decode()
    member = MemberWithLoginFactory().user
    client.force_login(member)
    assert reverse("audit_log") not in client.get(reverse("home")).content.decode()


def test_record_rows_written_by_services_appear_on_the_page(auditor):
    record(actor=None, action="scheduler_tick", subject_type="ballot", subject_id=7)
    client = Client()
    client.force_login(auditor)
    page = _listed(client, actor="system")
    assert "scheduler_tick" in page and "ballot 7" in page
