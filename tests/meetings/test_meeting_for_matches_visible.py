"""``get_meeting_for`` reads the meeting by its id and asks its body the question
``meetings_visible_to`` asks in SQL (issue 17: the live page's frame): for every kind of
person and every kind of body, both answer alike."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from grassroots import clock
from grassroots.meetings import queries
from grassroots.meetings.models import Meeting
from grassroots.organisation.models import Role, ScopeLevel
from grassroots.people.models import MembershipStatus
from tests.factories import (
    AreaFactory,
    GroupFactory,
    MemberWithLoginFactory,
    RegionFactory,
    RoleFactory,
)


def _meeting(created_by, level: str, **body) -> Meeting:
    moment = clock.now()
    return Meeting.objects.create(
        title=f"{level} meeting",
        level=level,
        starts_at=moment + datetime.timedelta(days=1),
        ends_at=moment + datetime.timedelta(days=2),
        created_by=created_by,
        created_at=moment,
        updated_at=moment,
        **body,
    )


def test_get_meeting_for_answers_as_meetings_visible_to(db):
    region, far_region = RegionFactory(), RegionFactory()
    area, sister_area, far_area = (
        AreaFactory(region=region),
        AreaFactory(region=region),
        AreaFactory(region=far_region),
    )
    group, sister, far = (
        GroupFactory(area=area),
        GroupFactory(area=sister_area),
        GroupFactory(area=far_area),
    )
    member = MemberWithLoginFactory(home_group=group)
    two_groups = MemberWithLoginFactory(home_group=group)
    two_groups.other_groups.add(far)
    supporter = MemberWithLoginFactory(home_group=sister, status=MembershipStatus.SUPPORTER)
    lapsed = MemberWithLoginFactory(home_group=group, status=MembershipStatus.LAPSED)
    coordinator = MemberWithLoginFactory(home_group=far, status=MembershipStatus.LAPSED)
    RoleFactory(member=coordinator, role=Role.AREA_COORDINATOR, area=sister_area)
    national = MemberWithLoginFactory(home_group=far)
    RoleFactory(member=national, role=Role.NATIONAL_OFFICE)
    meetings = [
        _meeting(member, ScopeLevel.NATION),
        _meeting(member, ScopeLevel.REGION, region=region),
        _meeting(member, ScopeLevel.REGION, region=far_region),
        _meeting(member, ScopeLevel.AREA, area=area),
        _meeting(member, ScopeLevel.AREA, area=sister_area),
        _meeting(member, ScopeLevel.AREA, area=far_area),
        _meeting(member, ScopeLevel.GROUP, group=group),
        _meeting(member, ScopeLevel.GROUP, group=sister),
        _meeting(member, ScopeLevel.GROUP, group=far),
    ]
    actors = [AnonymousUser()] + [
        m.user for m in (member, two_groups, supporter, lapsed, coordinator, national)
    ]
    answers = set()
    for actor in actors:
        for meeting in meetings:
            expected = queries.meetings_visible_to(actor).filter(pk=meeting.pk).exists()
            try:
                found = queries.get_meeting_for(actor, meeting.pk) == meeting
            except Http404:
                found = False
            assert found == expected, (actor, meeting.title, meeting.pk)
            answers.add((actor.pk, meeting.pk, found))
        with pytest.raises(Http404):
            queries.get_meeting_for(actor, max(m.pk for m in meetings) + 1)
    seen = {pk for user_pk, pk, found in answers if found and user_pk == member.user.pk}
    assert seen == {meetings[i].pk for i in (0, 1, 3, 6)}
    lapsed_saw = {pk for user_pk, pk, found in answers if found and user_pk == lapsed.user.pk}
    assert lapsed_saw == set()
