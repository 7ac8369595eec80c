"""What meetings ask of a member, for the home page (grassroots.people.attention)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots import clock
from grassroots.meetings.models import MeetingStatus, Motion, MotionStatus, Rsvp, RsvpResponse
from grassroots.people.attention import AttentionItem, Probe
from grassroots.people.models import Member


def _to_second_of(member_id: int) -> QuerySet[Motion]:
    return Motion.objects.filter(seconder_id=member_id, status=MotionStatus.AWAITING_SECONDER)


def _to_second(member: Member) -> QuerySet[Motion]:
    return _to_second_of(member.pk)


def _today() -> dict[str, datetime.datetime]:
    # Today in the movement's own time zone: a meeting at 7pm is "today" all day in the UK.
    local_now = timezone.localtime(clock.now())
    start = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    return {
        "start": max(start, local_now - datetime.timedelta(hours=3)),
        "end": start + datetime.timedelta(days=1),
    }


def _going_between(
    member_id: int, start: datetime.datetime, end: datetime.datetime
) -> QuerySet[Rsvp]:
    return Rsvp.objects.filter(
        member_id=member_id,
        response=RsvpResponse.GOING,
        meeting__starts_at__gte=start,
        meeting__starts_at__lt=end,
    ).exclude(meeting__status=MeetingStatus.CANCELLED)


def _going_today(member: Member) -> QuerySet[Rsvp]:
    return _going_between(member.pk, **_today())


def second_probe(user: Any, member: Member | None) -> list[Probe]:
    return [] if member is None else [Probe(_to_second_of, {"member_id": member.pk})]


def today_probe(user: Any, member: Member | None) -> list[Probe]:
    if member is None:
        return []
    return [Probe(_going_between, {"member_id": member.pk, **_today()})]


def second_items(user: Any, member: Member | None) -> list[AttentionItem]:
    if member is None:
        return []
    return [
        AttentionItem(
            kind="second",
            text=_("%(name)s asks you to second “%(title)s”")
            % {"name": motion.proposer.full_name, "title": motion.title},
            url=reverse("meetings:motion_detail", args=[motion.meeting_id, motion.pk]),
            due=motion.meeting.motions_deadline or motion.meeting.starts_at,
        )
        for motion in _to_second(member).select_related("meeting", "proposer")
    ]


def today_items(user: Any, member: Member | None) -> list[AttentionItem]:
    if member is None:
        return []
    items: list[AttentionItem] = []
    for rsvp in _going_today(member).select_related("meeting"):
        meeting = rsvp.meeting
        items.append(
            AttentionItem(
                kind="meeting",
                text=_("Today at %(time)s: %(title)s")
                % {
                    "time": f"{timezone.localtime(meeting.starts_at):%H:%M}",
                    "title": meeting.title,
                },
                url=reverse("meetings:detail", args=[meeting.pk]),
                due=meeting.starts_at,
            )
        )
    return items
