"""The My data page: everything held about the member, and who else looked at their record."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from grassroots.audit.services import record
from grassroots.messaging.models import Unsubscribe
from grassroots.organisation.models import RoleAssignment
from grassroots.people.queries import get_member_for
from grassroots.people.subject_access import record_views
from tests.web.roles import build_movement

pytestmark = pytest.mark.django_db


def logged_in(member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def test_member_sees_which_data_manager_viewed_their_record_with_role_and_purpose():
    m = build_movement()
    get_member_for(m.data_manager_a.user, m.member.membership_number, purpose="follow-up call")

    response = logged_in(m.member).get(reverse("my_data"))

    assert response.status_code == 200
    views = response.context["report"]["record_views"]
    assert [(v["viewer"], v["roles"], v["purpose"]) for v in views] == [
        ("Dara Mansell", ["Data Manager, Gateshead"], "follow-up call")
    ]
    assert b"Dara Mansell" in response.content
    assert b"follow-up call" in response.content
    assert b"INVALID_TEMPLATE_VARIABLE" not in response.content


def test_members_own_reads_and_system_jobs_are_not_listed_as_views():
    m = build_movement()
    number = m.member.membership_number
    record(actor=m.member.user, action="view_member", subject_type="member", subject_id=number)
    record(actor=None, action="unsubscribe", subject_type="member", subject_id=number)

    assert record_views(m.member) == []


def test_role_shown_is_the_one_held_when_the_record_was_viewed():
    m = build_movement()
    get_member_for(m.data_manager_a.user, m.member.membership_number, purpose="welcome call")
    # The Data Manager stood down later: the view still names the role held that day.
    RoleAssignment.objects.filter(member=m.data_manager_a).update(
        ends_on=datetime.date.today() + datetime.timedelta(days=1)
    )
    RoleAssignment.objects.create(
        member=m.data_manager_a,
        role="secretary",
        level="group",
        group=m.group_a,
        starts_on=datetime.date.today() + datetime.timedelta(days=2),
    )

    [view] = record_views(m.member)

    assert view["roles"] == ["Data Manager, Gateshead"]


def test_national_office_view_names_its_national_role():
    m = build_movement()
    get_member_for(m.national.user, m.member.membership_number, purpose="complaint")

    [view] = record_views(m.member)

    assert (view["viewer"], view["roles"]) == ("Nia Hughes", ["National Office, National"])


def test_page_shows_consent_with_date_and_source_groups_roles_and_unsubscribes():
    m = build_movement()
    member = m.member
    member.consent_to_contact = True
    member.consent_recorded_at = datetime.datetime(2024, 2, 3, 10, 0, tzinfo=datetime.UTC)
    member.consent_source = "join_form"
    member.save()
    member.other_groups.add(m.group_a_sibling)
    Unsubscribe.objects.create(
        member=member,
        scope_key="nation",
        created_at=datetime.datetime(2024, 5, 1, tzinfo=datetime.UTC),
        via="page",
    )

    response = logged_in(member).get(reverse("my_data"))

    report = response.context["report"]
    assert report["consent"]["source_label"] == "Joining form"
    assert b"3 February 2024" in response.content
    assert [g["name"] for g in report["groups"]] == ["Gateshead", "Sunderland"]
    assert report["unsubscribes"][0]["scope"] == "nation"
    assert reverse("profile_edit").encode() in response.content

    officer = logged_in(m.data_manager_a).get(reverse("my_data")).context["report"]
    assert [r["role_label"] for r in officer["roles"]] == ["Data Manager"]


def test_a_login_without_a_member_record_gets_404():
    from tests.factories import UserFactory

    client = Client()
    client.force_login(UserFactory())

    assert client.get(reverse("my_data")).status_code == 404
    assert client.get(reverse("my_data_export_json")).status_code == 404
