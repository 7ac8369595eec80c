"""Officers' member lists through the API: the pages' scope, the pages' 404, an audit row per
read with its purpose."""

from __future__ import annotations

import datetime

import pytest

from grassroots.audit.models import AuditEntry
from grassroots.people.models import ConsentSource
from tests.api.conftest import api_as, assert_error
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def _numbers(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["membership_number"] for row in response.json()["results"]}


def test_a_data_manager_lists_only_their_groups_members_and_it_is_audited(movement):
    m = movement
    listed = _numbers(api_as(m.data_manager_a).get("/members"))
    assert m.in_group_a.membership_number in listed
    assert m.in_sibling.membership_number not in listed
    assert m.in_group_b.membership_number not in listed
    entry = AuditEntry.objects.filter(action="list_members").latest("id")
    assert entry.actor == m.data_manager_a.user
    assert entry.purpose == "member list page (API)"
    assert entry.detail["shown"] == len(listed)


def test_an_area_coordinator_sees_the_whole_area_and_national_office_everyone(movement):
    m = movement
    listed = _numbers(api_as(m.coordinator).get("/members"))
    assert {m.in_group_a.membership_number, m.in_sibling.membership_number} <= listed
    assert m.in_group_b.membership_number not in listed
    assert m.in_group_b.membership_number in _numbers(api_as(m.national).get("/members"))


def test_members_without_a_member_list_get_404(movement):
    for person in (movement.member, movement.secretary_a, movement.auditor):
        assert_error(api_as(person).get("/members"), 404, "not_found")
    assert not AuditEntry.objects.filter(action="list_members").exists()


def test_search_and_follow_up_lists_use_the_pages_filters(movement):
    m = movement
    api = api_as(m.data_manager_a)
    found = _numbers(api.get("/members", q=m.in_group_a.last_name))
    assert m.in_group_a.membership_number in found
    assert _numbers(api.get("/members", q=m.in_group_b.membership_number)) == set()
    newcomer = MemberFactory(home_group=m.group_a, joined_on=datetime.date.today())
    assert _numbers(api.get("/members", show="new")) == {newcomer.membership_number}
    entry = AuditEntry.objects.filter(action="list_members").latest("id")
    assert entry.purpose == "new-joiner follow-up list (API)"
    assert_error(api.get("/members", group=m.group_b.pk), 404, "not_found")
    assert_error(api.get("/members", q="bad\x00text"), 422, "invalid")


def test_a_member_record_within_scope_is_shown_and_audited(movement):
    m = movement
    response = api_as(m.data_manager_a).get(f"/members/{m.in_group_a.membership_number}")
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == m.in_group_a.email
    assert body["home_group"] == m.group_a.name
    entry = AuditEntry.objects.filter(action="view_member").latest("id")
    assert entry.subject_id == m.in_group_a.membership_number
    assert entry.purpose == "member record (API)"


def test_a_record_outside_scope_is_the_same_404_as_a_missing_one(movement):
    m = movement
    api = api_as(m.data_manager_a)
    outside = assert_error(api.get(f"/members/{m.in_group_b.membership_number}"), 404, "not_found")
    missing = assert_error(api.get("/members/GR9999999"), 404, "not_found")
    assert outside == missing
    assert not AuditEntry.objects.filter(action="view_member").exists()


def test_a_secretary_gets_consenting_members_contact_details_only(movement, clock_):
    m = movement
    consenting = MemberFactory(
        home_group=m.group_a,
        consent_to_contact=True,
        consent_recorded_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC),
        consent_source=ConsentSource.JOIN_FORM,
        phone="07700 900123",
    )
    response = api_as(m.secretary_a).get("/members/contacts")
    assert response.status_code == 200
    body = response.json()
    assert body["groups"] == [m.group_a.name]
    assert {
        "first_name": consenting.first_name,
        "last_name": consenting.last_name,
        "email": consenting.email,
        "phone": "07700 900123",
    } in body["results"]
    assert all(set(row) == {"first_name", "last_name", "email", "phone"} for row in body["results"])
    assert len(body["results"]) == 1  # nobody else in group A consented
    entry = AuditEntry.objects.filter(action="list_member_contacts").latest("id")
    assert entry.purpose == "contacting members who agreed to be contacted (API)"
    assert_error(api_as(m.data_manager_a).get("/members/contacts"), 404, "not_found")
