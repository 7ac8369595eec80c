"""Regional meetings and the national body: allocation across a region's areas, forwarding
from a region to the nation, and the delegation home page listing what each person can act on."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from grassroots import clock
from grassroots.delegation.bodies import Body
from grassroots.delegation.models import Delegate
from grassroots.delegation.services.allocation import allocate_delegates
from grassroots.delegation.services.common import DelegationError
from grassroots.delegation.services.delegates import record_delegate
from grassroots.delegation.services.forwarding import forward_motion, place_forward_on_agenda
from grassroots.organisation.models import ScopeLevel
from grassroots.people.models import Member
from tests.delegation.builders import (
    add_members,
    build_area,
    carry,
    held_meeting,
    motion_at,
    recognise,
    schedule,
)
from tests.factories import AreaFactory, GroupFactory

pytestmark = pytest.mark.django_db


def test_a_regional_meeting_shares_delegates_among_every_group_of_the_region(setup):
    other_area = AreaFactory(region=setup.area.region, name="Tyneside", slug="tyneside")
    jarrow = GroupFactory(area=other_area, name="Jarrow", slug="jarrow")
    recognise(jarrow)
    add_members(jarrow, 45)
    regional = schedule(
        title="North regional meeting", region=setup.area.region, created_by=setup.delegate
    )
    allocation = allocate_delegates(
        actor=setup.national, meeting=regional, seats=12, minimum=1, counted_on=clock.today()
    )
    shares = {line.group.name: line.delegates for line in allocation.lines.all()}
    # Members 45, 33, 10, 2 (Hexham suspended): one each, then from divisor 3 the eight seats
    # left go J 15, G 11, J 9, G 6.6, J 6.43, J 5, G 4.71, J 4.09; Sunderland's 3.33 just misses.
    assert shares == {"Alnwick": 1, "Gateshead": 4, "Hexham": 0, "Jarrow": 6, "Sunderland": 1}
    assert "Truro" not in shares


def test_an_area_coordinator_cannot_allocate_for_the_whole_region(setup):
    from django.core.exceptions import PermissionDenied

    AreaFactory(region=setup.area.region)  # the region now reaches beyond the coordinator's area
    GroupFactory(area=setup.area.region.areas.exclude(pk=setup.area.pk).get())
    regional = schedule(title="Regional", region=setup.area.region, created_by=setup.delegate)
    with pytest.raises(PermissionDenied):
        allocate_delegates(
            actor=setup.coordinator, meeting=regional, seats=5, minimum=1, counted_on=clock.today()
        )


def test_a_regional_motion_goes_on_to_the_national_body(setup):
    region = setup.area.region
    regional = schedule(
        title="North regional meeting", region=region, created_by=setup.delegate, days_from_now=-2
    )
    motion = carry(
        motion_at(
            regional,
            title="A national housing plan",
            text="This region resolves to ask for a national housing plan.",
            proposer=setup.delegate,
            seconder=setup.voter,
        ),
        chair=setup.delegate,
    )
    nation = Body(level=ScopeLevel.NATION)
    with pytest.raises(DelegationError, match="cannot forward a motion to"):
        forward_motion(
            actor=setup.national, motion=motion, to=Body(level=ScopeLevel.AREA, area=setup.area)
        )
    forward = forward_motion(actor=setup.national, motion=motion, to=nation)
    conference = schedule(title="National conference", created_by=setup.delegate, days_from_now=60)
    placed = place_forward_on_agenda(actor=setup.national, forward=forward, meeting=conference)
    assert placed.meeting.level == ScopeLevel.NATION
    client = Client()
    client.force_login(setup.voter.user)
    page = client.get(reverse("delegation_body", args=["nation"])).content.decode()
    assert "A national housing plan" in page


def test_the_home_page_lists_what_each_person_can_act_on(setup):
    motion = carry(
        motion_at(
            held_meeting(group=setup.gateshead, title="Branch", created_by=setup.delegate),
            title="Bus fares",
            text="Resolves to campaign on bus fares.",
            proposer=setup.delegate,
            seconder=setup.voter,
        ),
        chair=setup.delegate,
    )
    secretary = Client()
    secretary.force_login(setup.secretary)
    page = secretary.get(reverse("delegation_home")).content.decode()
    assert "Northumbria area meeting" in page
    assert reverse("delegation_forward", args=[motion.pk]) in page
    coordinator = Client()
    coordinator.force_login(setup.coordinator)
    page = coordinator.get(reverse("delegation_home")).content.decode()
    assert reverse("delegation_body", args=["area-northumbria"]) in page
    outsider = Client()
    outsider.force_login(Member.objects.get(user=setup.secretary_elsewhere).user)
    page = outsider.get(reverse("delegation_home")).content.decode()
    assert "Northumbria area meeting" not in page
    assert reverse("delegation_forward", args=[motion.pk]) not in page


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_secretaries_racing_for_the_last_place_record_one_delegate():
    """Alnwick has one place; two officers record different members at the same moment. The
    allocation row lock makes the second wait, see the place taken and be refused."""
    area = build_area()
    allocate_delegates(
        actor=area.coordinator, meeting=area.meeting, seats=10, minimum=1, counted_on=clock.today()
    )
    first, second = list(Member.objects.filter(home_group=area.alnwick)[:2])
    electing = held_meeting(group=area.alnwick, title="Alnwick AGM", created_by=first)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def record(member: Member) -> None:
        barrier.wait()
        try:
            record_delegate(
                actor=area.national,
                meeting=area.meeting,
                group=area.alnwick,
                member=member,
                elected_by="meeting",
                group_meeting=electing,
            )
            outcomes.append("recorded")
        except DelegationError as error:
            outcomes.append(str(error))
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=record, args=(m,)) for m in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == [
        "Alnwick has 1 delegate and 1 already recorded: there is no place left.",
        "recorded",
    ]
    assert Delegate.objects.filter(group=area.alnwick).count() == 1
