"""Suspension with the disciplinary steps: notice with the reason, the member's response by a
date, the named body's decision, the appeal to the other body; each a status change; a
suspended member cannot vote or sign and sees the reason."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from grassroots.ballots.eligibility import eligible_members
from grassroots.people import discipline
from grassroots.people.models import MembershipStatus, MemberStatusChange
from tests.factories import MemberWithLoginFactory, RoleFactory
from tests.mail import Mailbox, mailbox
from tests.organisation.conftest import Clock, frozen_clock

__all__ = ["frozen_clock", "mailbox"]
pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def test_suspension_with_response_decision_and_appeal(
    frozen_clock: Clock, mailbox: Mailbox, django_capture_on_commit_callbacks
) -> None:
    from tests.ballots.conftest import open_group_ballot

    national = RoleFactory(role="national_office").member
    committee = RoleFactory(role="national_committee").member
    member = MemberWithLoginFactory()
    chair = RoleFactory(role="chair", group=member.home_group, member=member)
    with django_capture_on_commit_callbacks(execute=True):
        case = discipline.give_notice(
            actor=national.user,
            member=member,
            sanction="suspend",
            reason="Abusive messages to members",
            body="national_committee",
            respond_by=frozen_clock.today + 14 * DAY,
        )
    notice = mailbox.last_to(member.email)
    assert "Abusive messages to members" in notice.text and "right to respond" in notice.text
    with pytest.raises(discipline.DisciplineError, match="may respond until"):
        discipline.decide(actor=committee.user, case=case, impose=True, reasons="Early")
    discipline.respond(actor=member.user, case=case, response="I apologise.")
    with pytest.raises(PermissionDenied):
        discipline.decide(actor=national.user, case=case, impose=True, reasons="Wrong body")
    discipline.decide(
        actor=committee.user,
        case=case,
        impose=True,
        reasons="Proven; three months",
        suspended_until=frozen_clock.today + 90 * DAY,
    )
    member.refresh_from_db()
    assert member.status == MembershipStatus.SUSPENDED
    assert MemberStatusChange.objects.filter(member=member).latest("id").cause == "discipline"
    chair.refresh_from_db()
    assert chair.ends_on == frozen_clock.today - DAY
    # A suspended member cannot vote, whatever statuses the ballot takes, nor sign.
    ballot = open_group_ballot(group=member.home_group, officer=national, teller=national)
    ballot.eligible_statuses = ["member", "suspended"]
    assert member not in eligible_members(ballot)
    client = Client()
    client.force_login(member.user)
    page = client.get(reverse("my_membership")).content.decode()
    assert "Proven; three months" in page and "cannot vote" in page

    discipline.lodge_appeal(actor=member.user, case=case, statement="Disproportionate")
    case.refresh_from_db()
    assert case.appeal_body == "national_office"
    with pytest.raises(PermissionDenied):
        discipline.decide_appeal(actor=committee.user, case=case, uphold=True, reasons="x")
    discipline.decide_appeal(actor=national.user, case=case, uphold=True, reasons="Too long")
    member.refresh_from_db()
    assert member.status == MembershipStatus.MEMBER
    assert MemberStatusChange.objects.filter(member=member).latest("id").cause == "appeal"


def test_notice_needs_reason_time_to_respond_and_national_office(frozen_clock: Clock) -> None:
    national = RoleFactory(role="national_office").member
    member = MemberWithLoginFactory()
    values = {
        "member": member,
        "sanction": "expel",
        "reason": "Reason",
        "body": "national_committee",
        "respond_by": frozen_clock.today + 14 * DAY,
    }
    with pytest.raises(PermissionDenied):
        discipline.give_notice(actor=member.user, **values)
    with pytest.raises(discipline.DisciplineError, match="at least 14 days"):
        discipline.give_notice(
            actor=national.user, **{**values, "respond_by": frozen_clock.today + 3 * DAY}
        )
    with pytest.raises(discipline.DisciplineError, match="reason"):
        discipline.give_notice(actor=national.user, **{**values, "reason": " "})
    discipline.give_notice(actor=national.user, **values)
    with pytest.raises(discipline.DisciplineError, match="already has an open case"):
        discipline.give_notice(actor=national.user, **values)


def test_a_suspension_ends_on_its_day(frozen_clock: Clock) -> None:
    national = RoleFactory(role="national_office").member
    member = MemberWithLoginFactory()
    case = discipline.give_notice(
        actor=national.user,
        member=member,
        sanction="suspend",
        reason="r",
        body="national_office",
        respond_by=frozen_clock.today + 14 * DAY,
    )
    frozen_clock.advance(days=15)
    discipline.decide(
        actor=national.user,
        case=case,
        impose=True,
        reasons="r",
        suspended_until=frozen_clock.today + 5 * DAY,
    )
    frozen_clock.advance(days=6)
    assert discipline.end_due_suspensions() == 1
    member.refresh_from_db()
    assert member.status == MembershipStatus.MEMBER
