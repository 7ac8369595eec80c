"""Appointing and removing a group's officers: by the group's own vote (recorded by its Chair or
Secretary, citing the vote) or by a decision of the area, region or national office; clear
errors; the history kept and shown; the officers and area coordinators told; a new Data
Manager's access only after the agreement."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from grassroots.audit.models import AuditEntry
from grassroots.organisation.models import (
    GroupRecognition,
    GroupStatus,
    OfficerBasis,
    Role,
    RoleAssignment,
)
from grassroots.organisation.permissions import Capability, forget_cached_roles, may
from grassroots.organisation.services.officers import (
    OfficerError,
    accept_agreement,
    appoint_officer,
    end_role,
)
from grassroots.people.models import Member, MembershipStatus
from tests.factories import GroupFactory, MemberFactory, MemberWithLoginFactory, RoleFactory
from tests.mail import Mailbox
from tests.organisation.conftest import Clock, Officers
from tests.web.roles import give_authenticator_app

pytestmark = pytest.mark.django_db

AGM = "AGM 28 February 2026, minute 4"


@pytest.fixture
def coordinator(officers: Officers) -> Member:
    role = RoleFactory(role=Role.AREA_COORDINATOR, area=officers.group.area)
    give_authenticator_app(role.member.user)
    return role.member


def appoint(officers: Officers, actor, member: Member, clock: Clock, **changes):
    values = {
        "actor": actor,
        "group": officers.group,
        "role": Role.TREASURER,
        "membership_number": member.membership_number,
        "last_name": member.last_name,
        "starts_on": clock.today,
        "basis": OfficerBasis.GROUP_VOTE,
        "decided_on": clock.today - datetime.timedelta(days=2),
        "reference": AGM,
    }
    values.update(changes)
    return appoint_officer(**values)


def test_secretary_records_the_groups_vote_appointing_a_treasurer_and_everyone_is_told(
    officers: Officers,
    coordinator: Member,
    frozen_clock: Clock,
    mailbox: Mailbox,
    django_capture_on_commit_callbacks,
):
    treasurer = MemberWithLoginFactory(home_group=officers.group, last_name="Ashdown")
    with django_capture_on_commit_callbacks(execute=True):
        assignment = appoint(officers, officers.secretary.user, treasurer, frozen_clock)
    assignment.refresh_from_db()
    assert (assignment.member, assignment.role, assignment.group) == (
        treasurer,
        Role.TREASURER,
        officers.group,
    )
    assert assignment.appointed_basis == OfficerBasis.GROUP_VOTE
    assert assignment.appointed_decided_on == datetime.date(2026, 2, 28)
    assert assignment.appointed_reference == AGM
    assert assignment.appointed_by == officers.secretary.user
    entry = AuditEntry.objects.get(action="appoint_officer")
    assert entry.detail["member"] == treasurer.membership_number
    assert entry.detail["basis"] == "group_vote"
    assert entry.purpose == AGM
    for person in (treasurer, officers.chair, officers.secretary, officers.data_manager):
        notice = mailbox.last_to(person.email)
        assert notice.subject == f"{treasurer.full_name} is appointed Treasurer of {officers.group}"
        assert f"by the group's vote ({AGM}, 28 February 2026)" in notice.text
    assert mailbox.last_to(coordinator.email).subject.endswith(f"Treasurer of {officers.group}")
    assert not mailbox.to(officers.ordinary[0].email)


def test_a_member_of_the_groups_second_group_list_may_be_appointed(
    officers: Officers, frozen_clock: Clock
):
    associate = MemberFactory(home_group=GroupFactory())
    associate.other_groups.add(officers.group)
    assignment = appoint(officers, officers.chair.user, associate, frozen_clock)
    assert assignment.member == associate


def test_a_new_data_manager_sees_members_only_after_accepting_the_agreement(
    officers: Officers, coordinator: Member, frozen_clock: Clock, mailbox: Mailbox,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    end_role(
        actor=officers.data_manager.user,
        assignment=officers.dm_role,
        ends_on=frozen_clock.today,
        reason="resigned",
    )
    frozen_clock.advance(days=1)
    newcomer = MemberWithLoginFactory(home_group=officers.group)
    with django_capture_on_commit_callbacks(execute=True):
        assignment = appoint_officer(
            actor=coordinator.user,
            group=officers.group,
            role=Role.DATA_MANAGER,
            membership_number=newcomer.membership_number.lower(),
            last_name=newcomer.last_name.upper(),
            starts_on=frozen_clock.today,
            basis=OfficerBasis.OVERSIGHT,
            reference="Interim appointment until the group's next meeting",
        )
    assert assignment.appointed_basis == OfficerBasis.OVERSIGHT
    assert assignment.appointed_decided_on is None
    notice = mailbox.last_to(newcomer.email)
    assert "by decision of " + coordinator.user.email in notice.text
    assert reverse("data_protection_agreement") in notice.text
    assert not may(newcomer.user, Capability.VIEW_MEMBERS, officers.group)
    assert GroupRecognition.objects.get(group=officers.group).status == GroupStatus.AT_RISK
    accept_agreement(actor=newcomer.user, assignment=assignment)
    forget_cached_roles(newcomer.user)
    assert may(newcomer.user, Capability.VIEW_MEMBERS, officers.group)
    assert GroupRecognition.objects.get(group=officers.group).status == GroupStatus.RECOGNISED


@pytest.mark.parametrize(
    ("who", "change", "message"),
    [
        ("outsider", {}, "No member of"),
        ("wrong_surname", {}, "No member of"),
        ("lapsed", {}, "is lapsed, not a member in good standing"),
        ("secretary", {"role": Role.SECRETARY}, "is already the group's Secretary"),
        ("ordinary", {"role": Role.CHAIR}, "is the group's Chair. A group has one Chair"),
        ("ordinary", {"decided_on": datetime.date(2026, 3, 9)}, "must already have taken place"),
        ("ordinary", {"decided_on": None}, "Give the date of the meeting"),
        ("ordinary", {"reference": "  "}, "Give the reference of the group's decision"),
        (
            "ordinary",
            {"starts_on": datetime.date(2026, 2, 1)},
            "cannot start before the vote that made it",
        ),
        ("ordinary", {"role": Role.AREA_COORDINATOR}, "Choose one of the group's roles"),
        (
            "ordinary",
            {"basis": OfficerBasis.OVERSIGHT},
            "Only the area, region or national office appoints",
        ),
    ],
)
def test_appointments_the_rules_refuse_say_why_and_store_nothing(
    officers: Officers, frozen_clock: Clock, who: str, change: dict, message: str
):
    if who == "outsider":
        member = MemberFactory(home_group=GroupFactory())
    elif who == "wrong_surname":
        member = MemberFactory(home_group=officers.group, last_name="Right")
        change = {"last_name": "Wrong"}
    elif who == "lapsed":
        member = MemberFactory(home_group=officers.group, status=MembershipStatus.LAPSED)
    elif who == "secretary":
        member = officers.secretary
    else:
        member = officers.ordinary[0]
    before = RoleAssignment.objects.count()
    with pytest.raises(OfficerError, match=message):
        appoint(officers, officers.secretary.user, member, frozen_clock, **change)
    assert RoleAssignment.objects.count() == before
    assert not AuditEntry.objects.filter(action="appoint_officer").exists()


def test_only_the_groups_chair_or_secretary_or_those_above_may_appoint(
    officers: Officers, frozen_clock: Clock
):
    other_secretary = RoleFactory(role=Role.SECRETARY, group=GroupFactory()).member
    regional = RoleFactory(role=Role.REGIONAL_COORDINATOR, region=officers.group.area.region)
    national = RoleFactory(role=Role.NATIONAL_OFFICE)
    for actor in (officers.data_manager, officers.ordinary[0], other_secretary):
        user = actor.user if actor.user_id else MemberWithLoginFactory().user
        with pytest.raises(PermissionDenied):
            appoint(officers, user, officers.ordinary[1], frozen_clock)
    appoint(officers, regional.member.user, officers.ordinary[1], frozen_clock)
    RoleAssignment.objects.filter(role=Role.TREASURER).delete()
    appoint(
        officers,
        national.member.user,
        officers.ordinary[1],
        frozen_clock,
        basis=OfficerBasis.OVERSIGHT,
        decided_on=None,
        reference="The group asked the national office to appoint",
    )


def test_the_groups_vote_removes_an_officer_and_the_history_keeps_both_ends(
    officers: Officers,
    coordinator: Member,
    frozen_clock: Clock,
    mailbox: Mailbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        end_role(
            actor=officers.secretary.user,
            assignment=officers.dm_role,
            ends_on=frozen_clock.today,
            reason="Special general meeting, motion 2",
            basis=OfficerBasis.GROUP_VOTE,
            decided_on=frozen_clock.today,
        )
    officers.dm_role.refresh_from_db()
    assert officers.dm_role.ends_on == frozen_clock.today
    assert officers.dm_role.ended_basis == OfficerBasis.GROUP_VOTE
    assert officers.dm_role.ended_reference == "Special general meeting, motion 2"
    removal = mailbox.to(officers.data_manager.email)[0]
    assert removal.subject == (
        f"{officers.data_manager.full_name} is removed as Data Manager of {officers.group}"
    )
    assert mailbox.to(coordinator.email)
    with pytest.raises(OfficerError, match="Only the area, region or national office"):
        end_role(
            actor=officers.secretary.user,
            assignment=RoleAssignment.objects.get(group=officers.group, role=Role.CHAIR),
            ends_on=frozen_clock.today,
            reason="We do not like them",
            basis=OfficerBasis.OVERSIGHT,
        )
    with pytest.raises(OfficerError, match="Only the officer can resign"):
        end_role(
            actor=officers.secretary.user,
            assignment=RoleAssignment.objects.get(group=officers.group, role=Role.CHAIR),
            ends_on=frozen_clock.today,
            reason="resigned",
            basis=OfficerBasis.RESIGNATION,
        )

    frozen_clock.advance(days=1)
    newcomer = MemberWithLoginFactory(home_group=officers.group, first_name="Nell")
    appoint(
        officers,
        officers.chair.user,
        newcomer,
        frozen_clock,
        role=Role.DATA_MANAGER,
        decided_on=datetime.date(2026, 2, 28),
    )
    client = Client()
    client.force_login(MemberWithLoginFactory(home_group=officers.group).user)
    page = client.get(reverse("group_officers", args=[officers.group.slug])).content.decode()
    assert "Special general meeting, motion 2" in page
    assert f"The group&#x27;s vote on 28 Feb 2026: {AGM}" in page
    assert escape(officers.data_manager.full_name) in page and escape(newcomer.full_name) in page
    assert "Appoint an officer" not in page


def test_appoint_page_shows_errors_on_the_form_and_appoints_on_success(
    officers: Officers, frozen_clock: Clock
):
    give_authenticator_app(officers.secretary.user)
    client = Client()
    client.force_login(officers.secretary.user)
    url = reverse("group_appoint_officer", args=[officers.group.slug])
    form = client.get(url).content.decode()
    assert "The group voted for it" in form
    assert "A decision of the area, region or national office" not in form
    outsider = MemberFactory(home_group=GroupFactory(), last_name="Elsewhere")
    data = {
        "role": Role.TREASURER,
        "membership_number": outsider.membership_number,
        "last_name": "Elsewhere",
        "basis": OfficerBasis.GROUP_VOTE,
        "decided_on": "2026-02-28",
        "reference": AGM,
        "starts_on": "2026-03-02",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert f"No member of {officers.group.name} has the membership number" in (
        response.content.decode()
    )
    assert not RoleAssignment.objects.filter(role=Role.TREASURER).exists()
    response = client.post(url, {**data, "decided_on": ""})
    assert "Give the date of the meeting or ballot." in response.content.decode()

    treasurer = officers.ordinary[0]
    data.update(membership_number=treasurer.membership_number, last_name=treasurer.last_name)
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("group_officers", args=[officers.group.slug])
    assert RoleAssignment.objects.get(role=Role.TREASURER).member == treasurer


def test_the_officer_history_is_for_the_groups_members_and_those_above(officers: Officers):
    url = reverse("group_officers", args=[officers.group.slug])
    client = Client()
    client.force_login(MemberWithLoginFactory(home_group=GroupFactory()).user)
    assert client.get(url).status_code == 404
    client.force_login(MemberWithLoginFactory(home_group=officers.group).user)
    assert client.get(url).status_code == 200
