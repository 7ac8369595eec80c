"""The demo's delegation: the Leeds area meeting with delegates allocated by membership and
recorded for every Leeds group, and Leeds Central's carried motion forwarded to it."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from grassroots.accounts.models import User
from grassroots.audit.models import AuditEntry
from grassroots.delegation import queries
from grassroots.delegation.models import Delegate, ForwardStatus, MotionForward
from grassroots.delegation.services.common import current_allocation
from grassroots.demo import people as demo
from grassroots.meetings.models import Meeting, Motion
from grassroots.organisation.models import ScopeLevel
from grassroots.people.models import Member
from tests.demo_database import restore_demo

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def seed() -> None:
    call_command("seed_demo", "--members", str(demo.MINIMUM_MEMBERS), stdout=io.StringIO())


def test_seed_demo_allocates_records_and_forwards_once_and_visitors_see_it():
    restore_demo()  # what seed_demo makes (tests/demo_database.py)
    meeting = Meeting.objects.get(level=ScopeLevel.AREA, title="Leeds area meeting")
    allocation = current_allocation(meeting)
    assert allocation is not None and allocation.seats == 8 and allocation.minimum == 1
    view = queries.allocation_view(meeting)
    assert view is not None and view.rederived_matches
    lines = {lv.line.group.name: lv for lv in view.lines}
    assert set(lines) == {"Leeds Central", "Headingley", "Chapeltown", "Armley"}
    assert sum(lv.line.delegates for lv in view.lines) == 8
    for lv in view.lines:
        assert lv.line.delegates >= 1
        assert len(lv.delegates) == lv.line.delegates, lv.line.group.name
        assert all(d.member.home_group_id == lv.line.group_id for d in lv.delegates)
    sam = Member.objects.get(email=demo.MEMBER_LOGIN.email)
    assert queries.is_delegate(sam, meeting)
    forward = MotionForward.objects.get(motion__title="Support the bus drivers' strike")
    assert forward.status == ForwardStatus.ON_AGENDA
    assert forward.placed_motion is not None and forward.placed_motion.meeting == meeting

    counts = (
        Delegate.objects.count(),
        MotionForward.objects.count(),
        Meeting.objects.count(),
        Motion.objects.count(),
        AuditEntry.objects.filter(action__startswith="delegation.").count(),
    )
    seed()
    assert (
        Delegate.objects.count(),
        MotionForward.objects.count(),
        Meeting.objects.count(),
        Motion.objects.count(),
        AuditEntry.objects.filter(action__startswith="delegation.").count(),
    ) == counts

    member = Client()
    member.force_login(User.objects.get(email=demo.MEMBER_LOGIN.email))
    page = member.get(reverse("delegation_meeting", args=[meeting.pk])).content.decode()
    assert "Sam Okafor (at Leeds Central branch meeting (last month))" in page
    assert "Stand down" in page
    motion = forward.motion
    page = member.get(
        reverse("meetings:motion_detail", args=[motion.meeting_id, motion.pk])
    ).content.decode()
    assert "Forwarded to Leeds (area)" in page and "Leeds area meeting" in page
