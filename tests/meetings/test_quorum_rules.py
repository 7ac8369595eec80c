"""Quorum rules set by each body's own officers: who may, what is refused (and stores nothing),
the history and audit, and which rule a meeting is held to when the rule changes."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from grassroots import clock
from grassroots.audit.models import AuditEntry
from grassroots.meetings import queries
from grassroots.meetings.models import QuorumRule, QuorumRuleChange
from grassroots.meetings.services.common import MeetingError
from grassroots.meetings.services.quorum import set_quorum_rule
from grassroots.organisation.models import Role, ScopeLevel
from grassroots.organisation.permissions import NATION, Capability, may
from grassroots.people.models import MembershipStatus
from tests.factories import (
    AreaFactory,
    GroupFactory,
    MemberFactory,
    RegionFactory,
    RoleFactory,
    change_status,
)
from tests.meetings.builders import group_meeting
from tests.web.roles import give_authenticator_app

pytestmark = pytest.mark.django_db


def officer(role: str, **scope: object):  # type: ignore[no-untyped-def]
    user = RoleFactory(role=role, **scope).member.user
    give_authenticator_app(user)  # officers log in with a second factor
    return user


@pytest.fixture
def bodies():  # type: ignore[no-untyped-def]
    region = RegionFactory(name="North East")
    area = AreaFactory(region=region, name="Tyneside")
    group = GroupFactory(area=area, name="Gateshead")
    other = GroupFactory(area=area, name="Jarrow")
    return region, area, group, other


def change(actor, body, level=None, minimum=5, percent=10, reason="Agreed at the AGM"):  # type: ignore[no-untyped-def]
    return set_quorum_rule(
        actor=actor,
        level=level or (ScopeLevel.NATION if body is None else type(body).__name__.lower()),
        body=body,
        minimum_present=minimum,
        percent_of_members=percent,
        reason=reason,
    )


def test_each_body_s_own_officers_and_national_office_may_set_its_quorum(bodies):
    region, area, group, other = bodies
    chair = officer(Role.CHAIR, group=group)
    secretary = officer(Role.SECRETARY, group=group)
    treasurer = officer(Role.TREASURER, group=group)
    data_manager = officer(Role.DATA_MANAGER, group=group)
    area_coordinator = officer(Role.AREA_COORDINATOR, area=area)
    regional = officer(Role.REGIONAL_COORDINATOR, region=region)
    national = officer(Role.NATIONAL_OFFICE)
    committee = officer(Role.NATIONAL_COMMITTEE)

    def sets(who, body):  # type: ignore[no-untyped-def]
        return may(who, Capability.SET_QUORUM, body)

    assert sets(chair, group) and sets(secretary, group)
    assert not sets(chair, other)
    assert not sets(treasurer, group) and not sets(data_manager, group)
    assert sets(area_coordinator, area)
    # A coordinator does not set the rules of the bodies below them.
    assert not sets(area_coordinator, group)
    assert not sets(area_coordinator, region)
    assert sets(regional, region) and not sets(regional, area)
    assert not sets(chair, NATION) and not sets(regional, NATION)
    assert all(sets(national, b) for b in (NATION, region, area, group))
    assert not any(sets(committee, b) for b in (NATION, region, area, group))


def test_setting_a_rule_keeps_history_and_an_audit_row(bodies):
    group = bodies[2]
    chair = officer(Role.CHAIR, group=group)
    first = change(chair, group, minimum=5, percent=10, reason="AGM 2026, motion 3")
    second = change(chair, group, minimum=8, percent=0, reason="Special general meeting")
    rule = QuorumRule.objects.get(group=group)
    assert (rule.minimum_present, rule.percent_of_members) == (8, 0)
    assert (first.previous_minimum_present, first.previous_percent_of_members) == (None, None)
    assert (second.previous_minimum_present, second.previous_percent_of_members) == (5, 10)
    assert second.changed_by == chair.member
    assert list(queries.quorum_history(ScopeLevel.GROUP, group)) == [second, first]
    entry = AuditEntry.objects.filter(action="set_quorum_rule").first()
    assert entry is not None and entry.purpose == "Special general meeting"
    assert entry.detail["from"] == {"minimum_present": 5, "percent_of_members": 10}
    assert entry.detail["to"] == {"minimum_present": 8, "percent_of_members": 0}


@pytest.mark.parametrize(
    ("minimum", "percent", "reason", "message"),
    [
        (-1, 10, "x", "cannot be less than 1"),
        (0, 10, "x", "cannot be less than 1"),
        (5, -5, "x", "cannot be less than 0"),
        (5, 101, "x", "cannot be more than 100"),
        (5, 10, "   ", "Write the reason"),
        (5, 10.5, "x", "whole number"),
        (1_000_000, 10, "x", "cannot be more than 100,000"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_stored(bodies, minimum, percent, reason, message):
    group = bodies[2]
    chair = officer(Role.CHAIR, group=group)
    with pytest.raises(MeetingError, match=message):
        change(chair, group, minimum=minimum, percent=percent, reason=reason)
    assert not QuorumRule.objects.exists()
    assert not QuorumRuleChange.objects.exists()
    assert not AuditEntry.objects.filter(action="set_quorum_rule").exists()


def test_the_same_rule_again_is_refused_and_another_body_s_officer_is_refused(bodies):
    group, other = bodies[2], bodies[3]
    chair = officer(Role.CHAIR, group=group)
    change(chair, group, minimum=5, percent=10)
    with pytest.raises(MeetingError, match="already the rule"):
        change(chair, group, minimum=5, percent=10)
    with pytest.raises(PermissionDenied):
        change(chair, other)
    assert QuorumRuleChange.objects.count() == 1


def test_a_meeting_under_way_keeps_the_rule_it_started_with_and_later_ones_get_the_new_rule(
    bodies, monkeypatch
):
    group = bodies[2]
    chair = officer(Role.CHAIR, group=group)
    members = [MemberFactory(home_group=group) for _ in range(9)]
    change(chair, group, minimum=2, percent=0, reason="Founding meeting")
    # ...made last week, before the meeting under way started.
    QuorumRuleChange.objects.update(changed_at=clock.now() - datetime.timedelta(days=7))
    running = group_meeting(
        group, chair.member, starts_in=datetime.timedelta(hours=-1), deadline_in=None
    )
    coming = group_meeting(group, chair.member, starts_in=datetime.timedelta(days=7))
    assert queries.quorum(running).required == 2

    change(chair, group, minimum=4, percent=50, reason="Decided tonight")
    assert queries.quorum(running).required == 2
    assert queries.quorum(running).rule_changed_since
    # Nine members in good standing: 50% is 4.5, rounded up to 5, more than the minimum of 4.
    assert queries.quorum(coming).required == 5
    assert not queries.quorum(coming).rule_changed_since

    # Once the coming meeting has started, a further change leaves it alone too.
    later = clock.now() + datetime.timedelta(days=7, minutes=5)
    monkeypatch.setattr(clock, "now", lambda: later)
    change(chair, group, minimum=9, percent=0, reason="Changed again")
    assert queries.quorum(coming).required == 5
    # A member who lapses after the meeting started still counts for its percentage.
    next_day = later.date() + datetime.timedelta(days=1)
    for m in members[:4]:
        change_status(m, MembershipStatus.LAPSED, next_day)
    assert queries.quorum(coming).members_in_scope == 9


def test_a_rule_set_before_the_history_began_applies_until_the_first_change(bodies):
    group = bodies[2]
    chair = officer(Role.CHAIR, group=group)
    QuorumRule.objects.create(
        level=ScopeLevel.GROUP, group=group, minimum_present=6, percent_of_members=0
    )
    held = group_meeting(
        group, chair.member, starts_in=datetime.timedelta(days=-3), deadline_in=None
    )
    change(chair, group, minimum=3, percent=0)
    assert queries.quorum(held).required == 6


def test_the_national_rule(bodies):
    national = officer(Role.NATIONAL_OFFICE)
    change(national, None, minimum=50, percent=5)
    assert QuorumRule.objects.get(level=ScopeLevel.NATION).minimum_present == 50


# --- the page ---------------------------------------------------------------------------------


def page(client: Client, body) -> str:  # type: ignore[no-untyped-def]
    return reverse("meetings:quorum_rule", args=[type(body).__name__.lower(), body.pk])


def test_the_page_shows_the_rule_and_changes_it_with_a_reason(bodies):
    group = bodies[2]
    secretary = officer(Role.SECRETARY, group=group)
    client = Client()
    client.force_login(secretary)
    url = page(client, group)
    response = client.get(url)
    assert response.status_code == 200
    assert "the default applies, at least <strong>3</strong>" in response.content.decode()
    response = client.post(
        url, {"minimum_present": "7", "percent_of_members": "20", "reason": "AGM vote"}
    )
    assert response.status_code == 302
    text = client.get(url).content.decode()
    assert "At least <strong>7</strong> members present" in text
    assert "AGM vote" in text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"minimum_present": "-2", "percent_of_members": "10"}, "must be at least 1"),
        ({"minimum_present": "5", "percent_of_members": "150"}, "cannot be more than 100"),
        ({"minimum_present": "5", "percent_of_members": "-1"}, "cannot be negative"),
        ({"minimum_present": "five", "percent_of_members": "10"}, "whole number"),
        ({"minimum_present": "5", "percent_of_members": "10%"}, "without the % sign"),
        ({"minimum_present": "5", "percent_of_members": "10", "reason": ""}, "Say why"),
    ],
)
def test_the_page_explains_bad_values_and_stores_nothing(bodies, data, message):
    group = bodies[2]
    client = Client()
    client.force_login(officer(Role.CHAIR, group=group))
    response = client.post(page(client, group), {"reason": "Because", **data})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not QuorumRule.objects.exists() and not QuorumRuleChange.objects.exists()


def test_the_page_is_not_found_for_other_officers_and_missing_bodies(bodies):
    _region, area, group, other = bodies
    client = Client()
    client.force_login(officer(Role.CHAIR, group=group))
    assert client.get(page(client, other)).status_code == 404
    assert client.get(page(client, area)).status_code == 404
    assert client.get(reverse("meetings:quorum_rule", args=["group", 999_999])).status_code == 404
    assert client.get(reverse("meetings:quorum_rule", args=["planet", group.pk])).status_code == 404
    assert client.get(reverse("meetings:quorum_rule_national")).status_code == 404


def test_the_meeting_pages_link_to_the_rule_for_those_who_may_change_it(bodies):
    group = bodies[2]
    chair = officer(Role.CHAIR, group=group)
    meeting = group_meeting(group, chair.member)
    client = Client()
    client.force_login(chair)
    rule_url = page(client, group)
    assert rule_url in client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert (
        rule_url in client.get(reverse("meetings:attendance", args=[meeting.pk])).content.decode()
    )
    coordinator = officer(Role.AREA_COORDINATOR, area=bodies[1])
    client.force_login(coordinator)
    detail = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert rule_url not in detail
