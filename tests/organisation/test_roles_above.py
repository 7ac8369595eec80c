"""Appointing and removing coordinators and national roles: by the body's vote (cited) or from
above with a reason; only who the rules name may; the history kept, audited and mailed; the
new officer meets the MFA gate."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from grassroots.audit.models import AuditEntry
from grassroots.organisation.models import OfficerBasis, Role, RoleAssignment
from grassroots.organisation.permissions import NATION
from grassroots.organisation.services.officers import OfficerError
from grassroots.organisation.services.roles import appoint_role, end_role_above
from grassroots.people.models import Member
from tests.factories import (
    AreaFactory,
    GroupFactory,
    MemberWithLoginFactory,
    RegionFactory,
    RoleFactory,
)
from tests.mail import Mailbox
from tests.organisation.conftest import Clock
from tests.web.roles import give_authenticator_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def national(frozen_clock: Clock) -> Member:
    role = RoleFactory(role=Role.NATIONAL_OFFICE)
    give_authenticator_app(role.member.user)
    return role.member


def test_regional_coordinator_appoints_an_area_coordinator_by_the_areas_vote(
    national: Member, frozen_clock: Clock, mailbox: Mailbox, django_capture_on_commit_callbacks
) -> None:
    area = AreaFactory()
    regional = RoleFactory(role=Role.REGIONAL_COORDINATOR, region=area.region).member
    person = MemberWithLoginFactory(home_group=GroupFactory(area=area), last_name="Okafor")
    with django_capture_on_commit_callbacks(execute=True):
        role = appoint_role(
            actor=regional.user,
            role=Role.AREA_COORDINATOR,
            body=area,
            membership_number=person.membership_number,
            last_name="okafor",
            starts_on=frozen_clock.today,
            basis=OfficerBasis.GROUP_VOTE,
            decided_on=frozen_clock.today - datetime.timedelta(days=3),
            reference="Area meeting 27 February, minute 2",
        )
    assert (role.area, role.level, role.member) == (area, "area", person)
    assert AuditEntry.objects.get(action="appoint_officer").detail["basis"] == "group_vote"
    notice = mailbox.last_to(person.email)
    assert "Area Coordinator" in notice.subject and "second factor" in notice.text
    assert mailbox.last_to(national.email)
    # The new coordinator is an officer: the MFA gate sends them to set up a second factor.
    client = Client()
    client.force_login(person.user)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and "/2fa/" in response["Location"]


def test_only_the_rules_appointers_may_and_refusals_say_why(
    national: Member, frozen_clock: Clock
) -> None:
    area = AreaFactory()
    other_regional = RoleFactory(role=Role.REGIONAL_COORDINATOR, region=RegionFactory()).member
    person = MemberWithLoginFactory(home_group=GroupFactory(area=area))
    values = {
        "role": Role.AREA_COORDINATOR,
        "body": area,
        "membership_number": person.membership_number,
        "last_name": person.last_name,
        "starts_on": frozen_clock.today,
        "basis": OfficerBasis.OVERSIGHT,
        "reference": "Nobody else stood",
    }
    with pytest.raises(PermissionDenied):
        appoint_role(actor=other_regional.user, **values)
    with pytest.raises(PermissionDenied):
        appoint_role(actor=other_regional.user, **{**values, "role": Role.AUDITOR, "body": NATION})
    with pytest.raises(OfficerError, match="reason"):
        appoint_role(actor=national.user, **{**values, "reference": " "})
    outsider = MemberWithLoginFactory()
    with pytest.raises(OfficerError, match="whose home group is in"):
        appoint_role(
            actor=national.user,
            **{
                **values,
                "membership_number": outsider.membership_number,
                "last_name": outsider.last_name,
            },
        )
    role = appoint_role(actor=national.user, **values)
    with pytest.raises(OfficerError, match="already"):
        appoint_role(actor=national.user, **values)
    assert role.appointed_reference == "Nobody else stood"


def test_national_office_appoints_and_removes_an_auditor_keeping_the_history(
    national: Member, frozen_clock: Clock
) -> None:
    person = MemberWithLoginFactory()
    role = appoint_role(
        actor=national.user,
        role=Role.AUDITOR,
        body=NATION,
        membership_number=person.membership_number,
        last_name=person.last_name,
        starts_on=frozen_clock.today,
        basis=OfficerBasis.OVERSIGHT,
        reference="Annual appointment",
    )
    end_role_above(
        actor=national.user,
        assignment=role,
        ends_on=frozen_clock.today,
        basis=OfficerBasis.OVERSIGHT,
        reason="Term ended",
    )
    role.refresh_from_db()
    assert role.ends_on == frozen_clock.today and role.ended_reference == "Term ended"
    assert RoleAssignment.objects.filter(pk=role.pk).exists()
    assert AuditEntry.objects.filter(action="end_role").count() == 1


def test_roles_page_appoints_from_the_form(national: Member, client: Client) -> None:
    person = MemberWithLoginFactory()
    client.force_login(national.user)
    response = client.post(
        reverse("roles_appoint"),
        {
            "post": "national_committee",
            "membership_number": person.membership_number,
            "last_name": person.last_name,
            "basis": "oversight",
            "reference": "Elected at conference",
            "starts_on": "2026-03-02",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert RoleAssignment.objects.filter(member=person, role=Role.NATIONAL_COMMITTEE).exists()
    page = client.get(reverse("roles_above")).content.decode()
    assert escape(person.full_name) in page and "Elected at conference" in page
