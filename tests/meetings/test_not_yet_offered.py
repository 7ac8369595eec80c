"""Issue 21: an action that cannot be done yet is not offered. A Chair is not offered
"Record the outcome" before the meeting starts, and minutes are approved only at a later
meeting of the same body that has started, so only those are offered."""

from __future__ import annotations

import datetime
import re

from django.test import Client
from django.urls import reverse

from tests.meetings.builders import amendment_to, group_meeting, minutes_of, motion_in
from tests.web.roles import give_authenticator_app


def _client(member) -> Client:
    give_authenticator_app(member.user)
    client = Client()
    client.force_login(member.user)
    return client


def test_outcomes_are_offered_only_once_the_meeting_has_started(branch, clock_):
    motion = motion_in(branch.meeting, branch.mover, branch.seconder)
    amendment_to(motion, branch.amender)
    chair = _client(branch.chair)
    url = reverse("meetings:motion_detail", args=[branch.meeting.pk, motion.pk])
    outcome = reverse("meetings:motion_outcome", args=[branch.meeting.pk, motion.pk])

    before = chair.get(url).content.decode()
    assert f'href="{outcome}"' not in before
    assert "Record the outcome of amendment" not in before
    assert 'id="outcome-not-yet"' in before and "once it starts" in before

    clock_.advance(days=14, minutes=1)
    during = chair.get(url).content.decode()
    assert f'href="{outcome}"' in during and "Record the outcome of amendment 1" in during
    assert 'id="outcome-not-yet"' not in during


def _approval_choices(page: str) -> list[str]:
    select = re.search(r'<select name="at_meeting"[^>]*>(.*?)</select>', page, re.S)
    return re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1)) if select else []


def test_minutes_are_offered_for_approval_only_at_a_later_meeting_that_has_started(branch, clock_):
    held = group_meeting(
        branch.group,
        branch.secretary,
        starts_in=-datetime.timedelta(days=30),
        deadline_in=-datetime.timedelta(days=37),
        title="March",
    )
    minutes_of(held)
    group_meeting(branch.other_group, branch.outsider, title="Another body's meeting")
    secretary = _client(branch.secretary)
    url = reverse("meetings:minutes", args=[held.pk])

    # The branch's next meeting (in 14 days) has not started: nothing to choose yet.
    page = secretary.get(url).content.decode()
    assert _approval_choices(page) == [] and 'id="approve-not-yet"' in page
    refused = secretary.post(
        reverse("meetings:minutes_approve", args=[held.pk]),
        {"at_meeting": str(branch.meeting.pk)},
    )
    assert "Choose the later meeting" in refused.content.decode()

    clock_.advance(days=14, minutes=1)
    page = secretary.get(url).content.decode()
    choices = _approval_choices(page)
    assert len(choices) == 1 and choices[0].startswith("Branch meeting")
    assert "Another body" not in page
