"""When a group is merged into another, its meetings go with it (organisation's merge hook,
registered in ``MeetingsConfig.ready``): the surviving group's page lists them, minutes and
attendance included. Quorum rules stay with the closed group as its history."""

from __future__ import annotations

from grassroots.meetings.models import Meeting
from grassroots.organisation.models import Group


def carry_meetings(source: Group, into: Group) -> int:
    return Meeting.objects.filter(group=source).update(group=into)
