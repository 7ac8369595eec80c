"""What meetings ask of a member, for the home page (grassroots.people.attention)."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone

from grassroots import clock
from grassroots.meetings.models import MeetingStatus, Motion, MotionStatus, Rsvp, RsvpResponse
from grassroots.people.attention import AttentionItem
from grassroots.people.models import Member


def attention_items(user: Any, member: Member | None) -> list[AttentionItem]:
    if member is None:
        return []
    items = [
        AttentionItem(
            kind="second",
            text=f"{motion.proposer.full_name} asks you to second “{motion.title}”",
            url=reverse("meetings:motion_detail", args=[motion.meeting_id, motion.pk]),
            due=motion.meeting.motions_deadline or motion.meeting.starts_at,
        )
        for motion in Motion.objects.filter(
            seconder=member, status=MotionStatus.AWAITING_SECONDER
        ).select_related("meeting", "proposer")
    ]
    # Today in the movement's own time zone: a meeting at 7pm is "today" all day in the UK.
    local_now = timezone.localtime(clock.now())
    start = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    end = start + datetime.timedelta(days=1)
    for rsvp in (
        Rsvp.objects.filter(
            member=member,
            response=RsvpResponse.GOING,
            meeting__starts_at__gte=max(start, local_now - datetime.timedelta(hours=3)),
            meeting__starts_at__lt=end,
        )
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .select_related("meeting")
    ):
        meeting = rsvp.meeting
        items.append(
            AttentionItem(
                kind="meeting",
                text=f"Today at {timezone.localtime(meeting.starts_at):%H:%M}: {meeting.title}",
                url=reverse("meetings:detail", args=[meeting.pk]),
                due=meeting.starts_at,
            )
        )
    return items
