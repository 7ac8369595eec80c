"""Motions that travel upward: a carried motion forwarded from a group to its area and on to
its region, keeping where it came from, the amendments on the way and the groups behind it;
composites with every mover's agreement."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from grassroots.audit.models import AuditEntry
from grassroots.delegation import queries
from grassroots.delegation.bodies import Body
from grassroots.delegation.models import Composite, CompositeStatus, ForwardStatus, MotionForward
from grassroots.delegation.services.common import DelegationError
from grassroots.delegation.services.composites import (
    agree_to_composite,
    place_composite_on_agenda,
    propose_composite,
)
from grassroots.delegation.services.forwarding import forward_motion, place_forward_on_agenda
from grassroots.meetings.models import Motion, MotionStatus
from grassroots.organisation.models import ScopeLevel
from grassroots.people.models import Member
from tests.delegation.builders import (
    carried_group_motion,
    carry,
    carry_amendment,
    held_meeting,
    motion_at,
    schedule,
)

pytestmark = pytest.mark.django_db

TEXT = (
    "This branch notes the council's plan to close the central library.\n\n"
    "This branch believes libraries are for everyone.\n\n"
    "This branch resolves to campaign to keep it open."
)


def area_of(setup) -> Body:
    return Body(level=ScopeLevel.AREA, area=setup.area)


def region_of(setup) -> Body:
    return Body(level=ScopeLevel.REGION, region=setup.area.region)


@pytest.fixture
def motions(setup):
    gateshead_chair = Member.objects.get(user=setup.secretary)
    sunderland = list(Member.objects.filter(home_group=setup.sunderland)[:2])
    setup.gateshead_motion = carried_group_motion(
        group=setup.gateshead,
        title="Save the central library",
        text=TEXT,
        proposer=setup.delegate,
        seconder=setup.voter,
        chair=gateshead_chair,
    )
    setup.sunderland_motion = carried_group_motion(
        group=setup.sunderland,
        title="Libraries are for everyone",
        text="This branch resolves to defend every library in the area.",
        proposer=sunderland[0],
        seconder=sunderland[1],
        chair=sunderland[1],
    )
    setup.sunderland_mover = sunderland[0]
    return setup


def test_a_carried_motion_is_forwarded_to_the_groups_area(motions):
    forward = forward_motion(
        actor=motions.secretary, motion=motions.gateshead_motion, to=area_of(motions)
    )
    assert forward.status == ForwardStatus.AWAITING
    assert forward.mover == motions.delegate
    assert forward.to_area == motions.area
    assert AuditEntry.objects.filter(action="delegation.forward_motion").count() == 1


def test_a_motion_that_was_not_carried_cannot_be_forwarded_and_nothing_changes(motions):
    meeting = held_meeting(group=motions.gateshead, title="Another", created_by=motions.voter)
    fallen = motion_at(
        meeting,
        title="Fallen",
        text="Resolves nothing.",
        proposer=motions.voter,
        seconder=motions.delegate,
        status=MotionStatus.FALLEN,
    )
    audit_rows = AuditEntry.objects.count()
    with pytest.raises(DelegationError, match="Only a carried motion can be forwarded; this one"):
        forward_motion(actor=motions.secretary, motion=fallen, to=area_of(motions))
    assert not MotionForward.objects.exists()
    assert AuditEntry.objects.count() == audit_rows


def test_a_motion_is_forwarded_once_and_only_upward_to_its_own_bodies(motions):
    from grassroots.organisation.models import Area

    elsewhere = Body(level=ScopeLevel.AREA, area=Area.objects.get(groups=motions.elsewhere))
    with pytest.raises(DelegationError, match="cannot forward a motion to"):
        forward_motion(actor=motions.national, motion=motions.gateshead_motion, to=elsewhere)
    forward_motion(actor=motions.secretary, motion=motions.gateshead_motion, to=area_of(motions))
    with pytest.raises(DelegationError, match="already been forwarded"):
        forward_motion(
            actor=motions.secretary, motion=motions.gateshead_motion, to=region_of(motions)
        )


def test_only_those_who_may_forward_for_the_group_can(motions):
    with pytest.raises(PermissionDenied):
        forward_motion(
            actor=motions.secretary_elsewhere,
            motion=motions.gateshead_motion,
            to=area_of(motions),
        )
    with pytest.raises(PermissionDenied):
        forward_motion(
            actor=motions.voter.user, motion=motions.gateshead_motion, to=area_of(motions)
        )


def test_the_area_puts_it_on_its_agenda_and_then_forwards_it_on_with_its_history(motions):
    forward = forward_motion(
        actor=motions.secretary, motion=motions.gateshead_motion, to=area_of(motions)
    )
    placed = place_forward_on_agenda(
        actor=motions.coordinator, forward=forward, meeting=motions.meeting
    )
    assert placed.meeting == motions.meeting
    assert placed.agenda_item is not None
    assert placed.proposer == motions.delegate
    assert placed.status == MotionStatus.IN_ORDER
    assert placed.text == TEXT
    forward.refresh_from_db()
    assert forward.status == ForwardStatus.ON_AGENDA
    assert forward.placed_motion == placed

    # At the area meeting a delegate amends it and the meeting carries it.
    coordinator = Member.objects.get(user=motions.coordinator)
    carry_amendment(
        placed,
        proposer=coordinator,
        paragraph=3,
        new_text="This area resolves to campaign to keep every library open.",
    )
    carry(placed, chair=coordinator)

    onward = forward_motion(actor=motions.coordinator, motion=placed, to=region_of(motions))
    regional_meeting = schedule(
        title="North regional meeting", region=motions.area.region, created_by=coordinator
    )
    at_region = place_forward_on_agenda(
        actor=motions.national, forward=onward, meeting=regional_meeting
    )
    assert "every library" in at_region.text

    onward.refresh_from_db()
    stage, supporters = queries.forward_history(onward)
    assert stage.motion == at_region
    assert stage.body.level == ScopeLevel.REGION
    [area_stage] = stage.earlier
    assert area_stage.motion == placed
    assert [a.new_text for a in area_stage.amendments] == [
        "This area resolves to campaign to keep every library open."
    ]
    [group_stage] = area_stage.earlier
    assert group_stage.motion == motions.gateshead_motion
    assert group_stage.body.group == motions.gateshead
    assert supporters == [motions.gateshead]


def test_a_forward_goes_only_on_an_agenda_of_the_body_it_was_sent_to(motions):
    forward = forward_motion(
        actor=motions.secretary, motion=motions.gateshead_motion, to=area_of(motions)
    )
    group_meeting = schedule(title="Branch", group=motions.gateshead, created_by=motions.voter)
    with pytest.raises(DelegationError, match="not a meeting of"):
        place_forward_on_agenda(actor=motions.national, forward=forward, meeting=group_meeting)
    with pytest.raises(PermissionDenied):
        place_forward_on_agenda(actor=motions.secretary, forward=forward, meeting=motions.meeting)
    assert not Motion.objects.filter(meeting=motions.meeting).exists()


@pytest.fixture
def composite(motions):
    first = forward_motion(
        actor=motions.secretary, motion=motions.gateshead_motion, to=area_of(motions)
    )
    second = forward_motion(
        actor=motions.national, motion=motions.sunderland_motion, to=area_of(motions)
    )
    motions.forwards = [first, second]
    motions.composite = propose_composite(
        actor=motions.coordinator,
        forwards=[first, second],
        title="Defend our libraries",
        text="This area resolves to defend every library, starting with the central library.",
    )
    return motions


def test_a_composite_needs_every_movers_agreement_and_changes_nothing_without_it(composite):
    agree_to_composite(actor=composite.delegate.user, composite=composite.composite)
    with pytest.raises(
        DelegationError, match="still waiting for " + composite.sunderland_mover.full_name
    ):
        place_composite_on_agenda(
            actor=composite.coordinator, composite=composite.composite, meeting=composite.meeting
        )
    assert not Motion.objects.filter(meeting=composite.meeting).exists()
    composite.composite.refresh_from_db()
    assert composite.composite.status == CompositeStatus.PROPOSED


def test_only_a_mover_can_agree_to_a_composite(composite):
    with pytest.raises(PermissionDenied):
        agree_to_composite(actor=composite.voter.user, composite=composite.composite)


def test_the_agreed_composite_replaces_its_parts_with_their_history_kept(composite):
    from tests.factories import UserFactory

    mover_login = UserFactory(email=composite.sunderland_mover.email)
    composite.sunderland_mover.user = mover_login
    composite.sunderland_mover.save()
    agree_to_composite(actor=composite.delegate.user, composite=composite.composite)
    agree_to_composite(actor=mover_login, composite=composite.composite)
    motion = place_composite_on_agenda(
        actor=composite.coordinator, composite=composite.composite, meeting=composite.meeting
    )
    assert motion.title == "Defend our libraries"
    assert {motion.proposer, motion.seconder} == {composite.delegate, composite.sunderland_mover}
    assert set(MotionForward.objects.values_list("status", flat=True)) == {ForwardStatus.COMPOSITED}
    stage = queries.motion_history(motion)
    assert stage.composite == Composite.objects.get()
    assert {s.motion for s in stage.earlier} == {
        composite.gateshead_motion,
        composite.sunderland_motion,
    }
    assert queries.supporting_groups(stage) == [composite.gateshead, composite.sunderland]


def test_a_composite_withdraws_a_part_already_on_the_agenda(motions):
    first = forward_motion(
        actor=motions.secretary, motion=motions.gateshead_motion, to=area_of(motions)
    )
    second = forward_motion(
        actor=motions.national, motion=motions.sunderland_motion, to=area_of(motions)
    )
    placed = place_forward_on_agenda(
        actor=motions.coordinator, forward=first, meeting=motions.meeting
    )
    composite = propose_composite(
        actor=motions.coordinator, forwards=[first, second], title="Libraries", text="Defend them."
    )
    for forward in (first, second):
        mover = forward.mover
        if mover.user is None:
            from tests.factories import UserFactory

            mover.user = UserFactory(email=mover.email)
            mover.save()
        agree_to_composite(actor=mover.user, composite=composite)
    new = place_composite_on_agenda(
        actor=motions.coordinator, composite=composite, meeting=motions.meeting
    )
    placed.refresh_from_db()
    assert placed.status == MotionStatus.WITHDRAWN
    assert f"composite motion {new.number}" in placed.ruling_reason


def test_compositing_motions_sent_to_different_bodies_is_refused(motions):
    first = forward_motion(
        actor=motions.secretary, motion=motions.gateshead_motion, to=area_of(motions)
    )
    second = forward_motion(
        actor=motions.national, motion=motions.sunderland_motion, to=region_of(motions)
    )
    with pytest.raises(DelegationError, match="same body"):
        propose_composite(actor=motions.national, forwards=[first, second], title="T", text="X")
    assert not Composite.objects.exists()


def test_forward_page_explains_why_a_motion_that_was_not_carried_cannot_go(motions):
    meeting = held_meeting(group=motions.gateshead, title="Another", created_by=motions.voter)
    remitted = motion_at(
        meeting,
        title="Remitted",
        text="Resolves later.",
        proposer=motions.voter,
        seconder=motions.delegate,
        status=MotionStatus.REMITTED,
    )
    client = Client()
    client.force_login(motions.secretary)
    response = client.post(
        reverse("delegation_forward", args=[remitted.pk]), {"to": f"area-{motions.area.slug}"}
    )
    assert response.status_code == 200
    assert (
        "Only a carried motion can be forwarded; this one is remitted." in response.content.decode()
    )
    assert not MotionForward.objects.exists()


def test_composite_page_shows_who_has_not_agreed(composite):
    client = Client()
    client.force_login(composite.coordinator)
    url = reverse("delegation_composite_detail", args=[composite.composite.pk])
    response = client.post(url, {"meeting": composite.meeting.pk})
    page = response.content.decode()
    assert "Every mover must agree to the composite first" in page
    assert escape(composite.delegate.full_name) in page
