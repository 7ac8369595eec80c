from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client

from grassroots.assembly.models import LiveVote, Proxy, SpeakerRequest, StandingOrders, VoteMark
from grassroots.demo.assembly import REGIONAL_MEETING
from grassroots.demo.people import MEMBER_LOGIN, REGIONAL_LOGIN
from grassroots.meetings.models import Attendance
from grassroots.organisation.permissions import has_officer_role
from grassroots.people.models import Member
from tests.demo_database import restore_demo
from tests.web.roles import give_authenticator_app

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def _client(email: str) -> Client:
    user = Member.objects.get(email=email).user
    if has_officer_role(user):
        give_authenticator_app(user)  # officers log in with a second factor
    client = Client()
    client.force_login(user)
    return client


def _follow_navigation(client: Client, *links: str) -> str:
    """From the navigation's Meetings page, follow links named by text, as a person would."""
    response = client.get("/meetings/")
    assert response.status_code == 200
    page = response.content.decode()
    for text in links:
        found = re.search(rf'<a href="([^"]+)"[^>]*>\s*{re.escape(text)}', page)
        assert found, f"no link {text!r} in {re.sub(r'<[^>]+>', ' ', page)[-3000:]}"
        response = client.get(found.group(1).replace("&amp;", "&"))
        assert response.status_code == 200
        page = response.content.decode()
    return page


def test_seed_demo_puts_a_regional_delegate_meeting_in_session_with_a_vote_open_once():
    from grassroots.demo import people as demo

    restore_demo()  # what seed_demo makes (tests/demo_database.py)
    orders = StandingOrders.objects.get(meeting__title="Leeds area meeting")
    assert (orders.weighting, orders.balance, orders.proxies_per_holder) == (
        "delegation",
        "side",
        2,
    )
    vote = LiveVote.objects.get(meeting__title=REGIONAL_MEETING)
    meeting = vote.meeting
    assert vote.is_open and vote.is_secret and vote.is_weighted
    assert VoteMark.objects.filter(vote=vote).count() == 3  # with printed codes
    assert Attendance.objects.filter(meeting=meeting, presence="online").exists()
    assert Proxy.objects.filter(meeting=meeting, holder__email=MEMBER_LOGIN.email).count() == 1
    assert SpeakerRequest.objects.filter(meeting=meeting, status="speaking").count() == 1

    # The attendee (the demo member, a delegate) reaches the vote from the navigation and can
    # vote, for themselves and by proxy.
    member = _client(MEMBER_LOGIN.email)
    live = _follow_navigation(member, REGIONAL_MEETING, "The meeting in session")
    assert "Cast my vote" in live and "By proxy for" in live
    projector = _follow_navigation(
        member, REGIONAL_MEETING, "The meeting in session", "Projector view"
    )
    assert "A regional tenants&#x27; union network" in projector
    # The chair (the regional coordinator) reaches the chair's console the same way.
    chair = _client(REGIONAL_LOGIN.email)
    console = _follow_navigation(
        chair, REGIONAL_MEETING, "The meeting in session", "Chair's console"
    )
    assert "Close the vote" in console

    call_command("seed_demo", "--members", str(demo.MINIMUM_MEMBERS), stdout=io.StringIO())
    assert StandingOrders.objects.count() == 2
    assert LiveVote.objects.count() == 1 and VoteMark.objects.count() == 3
