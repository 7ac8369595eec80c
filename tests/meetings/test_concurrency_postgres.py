"""Races the database must settle, on PostgreSQL: the last place at an event."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from grassroots.meetings.models import MeetingKind, Rsvp, RsvpResponse
from grassroots.meetings.services.attendance import rsvp
from grassroots.meetings.services.common import MeetingError
from tests.factories import GroupFactory, MemberWithLoginFactory, RoleFactory
from tests.meetings.builders import group_meeting

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_members_cannot_both_take_the_last_place():
    group = GroupFactory()
    secretary = RoleFactory(role="secretary", group=group, member__home_group=group).member
    stall = group_meeting(group, secretary, kind=MeetingKind.STALL, capacity=3)
    racers = [MemberWithLoginFactory(home_group=group) for _ in range(8)]
    barrier = threading.Barrier(len(racers))
    outcomes: list[str] = []

    def reply(member) -> None:
        try:
            barrier.wait()
            rsvp(actor=member.user, meeting=stall, response=RsvpResponse.GOING)
            outcomes.append("ok")
        except MeetingError:
            outcomes.append("full")
        finally:
            connection.close()

    threads = [threading.Thread(target=reply, args=(m,)) for m in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["full"] * 5 + ["ok"] * 3
    assert Rsvp.objects.filter(meeting=stall, response=RsvpResponse.GOING).count() == 3
