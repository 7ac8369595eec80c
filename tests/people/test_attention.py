"""The home page's "Needs my attention": every app's source answers for the person logged in
(grassroots.people.attention), and what is done drops off."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from grassroots import clock
from grassroots.ballots.models import Ballot, BallotStatus, RollEntry, Teller
from grassroots.meetings.models import MotionStatus, Rsvp, RsvpResponse
from grassroots.organisation.models import ScopeLevel
from grassroots.oversight.models import (
    Combine,
    Initiative,
    InitiativeKind,
    InitiativeStatus,
    Route,
    Signature,
)
from grassroots.people.attention import attention_for, attention_sources
from grassroots.surveys.models import Respondent, Survey, SurveyStatus
from tests.ballots.conftest import open_group_ballot
from tests.meetings.builders import group_meeting, motion_in
from tests.web.roles import build_movement

pytestmark = pytest.mark.django_db


@pytest.fixture
def movement():
    return build_movement()


def _kinds(user, member) -> list[str]:
    return [item.kind for item in attention_for(user, member)]


def test_every_app_that_asks_something_of_members_registers_a_source():
    assert attention_sources() == [
        "ballots",
        "meetings",
        "membership",
        "organisation",
        "oversight",
        "proposals",
        "surveys",
    ]


def test_an_open_ballot_is_listed_until_the_member_votes(movement):
    ballot = open_group_ballot(
        group=movement.group_a, officer=movement.national, teller=movement.secretary_a
    )
    member = movement.member
    items = attention_for(member.user, member)
    vote = [item for item in items if item.kind == "vote"]
    assert [item.url for item in vote] == [reverse("ballot_vote", args=[ballot.pk])]
    assert vote[0].due == ballot.closes_at
    # Group B's member is not on group A's roll.
    assert "vote" not in _kinds(movement.other_member.user, movement.other_member)
    RollEntry.objects.filter(ballot=ballot, member=member).update(has_voted=True)
    assert "vote" not in _kinds(member.user, member)


def test_a_closed_ballot_asks_its_tellers_for_their_shares(movement):
    ballot = open_group_ballot(
        group=movement.group_a, officer=movement.national, teller=movement.secretary_a
    )
    teller = movement.secretary_a
    assert "teller" not in _kinds(teller.user, teller)  # collected, and voting is open
    Ballot.objects.filter(pk=ballot.pk).update(status=BallotStatus.CLOSED)
    items = [i for i in attention_for(teller.user, teller) if i.kind == "teller"]
    assert [i.url for i in items] == [reverse("ballot_teller_reveal", args=[ballot.pk])]
    Teller.objects.filter(ballot=ballot).update(revealed_share="entered")
    assert "teller" not in _kinds(teller.user, teller)


def test_a_motion_waiting_for_its_seconder_is_listed_for_them_only(movement):
    meeting = group_meeting(movement.group_a, movement.secretary_a)
    motion = motion_in(meeting, movement.in_group_a, movement.member, seconded=False)
    items = [i for i in attention_for(movement.member.user, movement.member) if i.kind == "second"]
    assert items[0].url == reverse("meetings:motion_detail", args=[meeting.pk, motion.pk])
    assert motion.title in items[0].text
    assert "second" not in _kinds(movement.secretary_a.user, movement.secretary_a)
    type(motion).objects.filter(pk=motion.pk).update(status=MotionStatus.SUBMITTED)
    assert "second" not in _kinds(movement.member.user, movement.member)


def test_a_meeting_today_that_the_member_is_going_to(movement, monkeypatch):
    # Midday in London; a meeting this evening is today, one in three days is not.
    noon = datetime.datetime(2026, 6, 10, 11, 0, tzinfo=datetime.UTC)
    monkeypatch.setattr(clock, "now", lambda: noon)
    tonight = group_meeting(
        movement.group_a,
        movement.secretary_a,
        starts_in=datetime.timedelta(hours=7),
        deadline_in=None,
    )
    later = group_meeting(
        movement.group_a,
        movement.secretary_a,
        starts_in=datetime.timedelta(days=3),
        deadline_in=None,
    )
    for meeting in (tonight, later):
        Rsvp.objects.create(
            meeting=meeting, member=movement.member, response=RsvpResponse.GOING, responded_at=noon
        )
    items = [i for i in attention_for(movement.member.user, movement.member) if i.kind == "meeting"]
    assert [i.url for i in items] == [reverse("meetings:detail", args=[tonight.pk])]
    assert items[0].text == f"Today at 19:00: {tonight.title}"
    assert "meeting" not in _kinds(movement.other_member.user, movement.other_member)


def test_an_open_survey_in_scope_until_answered(movement):
    survey = Survey.objects.create(
        title="What should we campaign on?",
        level=ScopeLevel.GROUP,
        group=movement.group_a,
        status=SurveyStatus.OPEN,
        created_by=movement.secretary_a,
        created_at=clock.now(),
        opened_at=clock.now(),
    )
    assert "survey" in _kinds(movement.member.user, movement.member)
    assert "survey" not in _kinds(movement.other_member.user, movement.other_member)
    Respondent.objects.create(survey=survey, member=movement.member)
    assert "survey" not in _kinds(movement.member.user, movement.member)


def test_an_initiative_collecting_signatures_until_signed(movement):
    initiative = Initiative.objects.create(
        kind=InitiativeKind.POLICY,
        title="Publish the committee's minutes",
        text="Within a week of each meeting.",
        started_by=movement.in_group_a,
        started_at=clock.now(),
        closes_at=clock.now() + datetime.timedelta(days=30),
        status=InitiativeStatus.COLLECTING,
        route=Route.BALLOT,
        members_in_scope=10,
        signatures_needed=5,
        groups_needed=0,
        regions_needed=0,
        combine=Combine.ALL,
    )
    items = [
        i for i in attention_for(movement.member.user, movement.member) if i.kind == "initiative"
    ]
    assert [i.url for i in items] == [reverse("oversight_initiative", args=[initiative.pk])]
    Signature.objects.create(
        initiative=initiative,
        member=movement.member,
        group=movement.group_a,
        region=movement.group_a.area.region,
        signed_at=clock.now(),
    )
    assert "initiative" not in _kinds(movement.member.user, movement.member)


def test_home_page_shows_the_items_with_links_and_deadlines(movement):
    ballot = open_group_ballot(
        group=movement.group_a, officer=movement.national, teller=movement.secretary_a
    )
    client = Client()
    client.force_login(movement.member.user)
    page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("ballot_vote", args=[ballot.pk])}"' in page
    assert "Vote in “Adopt the group&#x27;s standing orders”" in page
    assert "Nothing needs your attention" not in page
