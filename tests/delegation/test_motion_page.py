"""The group's motion page (a meetings page) offers a carried motion for forwarding to those
who may forward it, and once forwarded says where it went."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from grassroots.delegation.bodies import Body
from grassroots.delegation.services.forwarding import forward_motion, place_forward_on_agenda
from grassroots.organisation.models import ScopeLevel
from grassroots.people.models import Member
from tests.delegation.builders import carried_group_motion, held_meeting, motion_at

pytestmark = pytest.mark.django_db


def page(user, motion) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("meetings:motion_detail", args=[motion.meeting_id, motion.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def carried(setup):
    setup.motion = carried_group_motion(
        group=setup.gateshead,
        title="Save the central library",
        text="This branch resolves to campaign to keep the central library open.",
        proposer=setup.delegate,
        seconder=setup.voter,
        chair=Member.objects.get(user=setup.secretary),
    )
    return setup


def test_the_secretary_sees_forward_on_a_carried_motion_and_a_member_does_not(carried):
    forward_url = reverse("delegation_forward", args=[carried.motion.pk])
    assert f'href="{forward_url}"' in page(carried.secretary, carried.motion)
    assert forward_url not in page(carried.voter.user, carried.motion)
    # The same permission as the forwarding page itself: the member gets a 404 there.
    client = Client()
    client.force_login(carried.voter.user)
    assert client.get(forward_url).status_code == 404


def test_a_motion_not_carried_offers_no_forward(carried):
    pending = motion_at(
        held_meeting(group=carried.gateshead, title="Later", created_by=carried.voter),
        title="Still in debate",
        text="This branch resolves to wait.",
        proposer=carried.delegate,
        seconder=carried.voter,
    )
    assert reverse("delegation_forward", args=[pending.pk]) not in page(carried.secretary, pending)


def test_after_forwarding_the_motion_page_says_where_it_went(carried):
    area = Body(level=ScopeLevel.AREA, area=carried.area)
    forward = forward_motion(actor=carried.secretary, motion=carried.motion, to=area)
    html = page(carried.voter.user, carried.motion)
    assert "Forwarded to Northumbria (area)" in html
    assert "awaiting a place on an agenda" in html
    assert reverse("delegation_forward_detail", args=[forward.pk]) in html
    # Forwarded once: no second offer.
    assert reverse("delegation_forward", args=[carried.motion.pk]) not in page(
        carried.secretary, carried.motion
    )
    placed = place_forward_on_agenda(
        actor=carried.coordinator, forward=forward, meeting=carried.meeting
    )
    html = page(carried.voter.user, carried.motion)
    assert "on the agenda of" in html
    assert reverse("meetings:motion_detail", args=[carried.meeting.pk, placed.pk]) in html
