"""A small movement for oversight tests: a national committee of three, a national officer
who is the returning officer, three standing tellers holding the shares of one prepared key,
and members in two regions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from grassroots import clock
from grassroots.organisation.models import Group, Region, Role
from grassroots.oversight import services
from grassroots.oversight.models import Decision, Meeting, Route, Vote
from grassroots.people.models import Member
from tests.factories import (
    AreaFactory,
    GroupFactory,
    MemberWithLoginFactory,
    RegionFactory,
    RoleFactory,
)


@dataclass
class World:
    north: Region
    south: Region
    north_groups: list[Group]
    south_group: Group
    national: Member  # national office; the returning officer
    committee: list[Member]  # the national committee
    regional: Member  # regional coordinator of North
    tellers: list[Member]
    shares: dict[int, str]  # teller member id -> share text of the first prepared key
    members: list[Member]  # plain members: 4 in North (two groups), 2 in South


def build_world(*, prepare_key: bool = True) -> World:
    north = RegionFactory(name="North", slug="north")
    south = RegionFactory(name="South", slug="south")
    north_area = AreaFactory(region=north, name="Tyneside", slug="tyneside")
    south_area = AreaFactory(region=south, name="Devon", slug="devon")
    north_groups = [
        GroupFactory(area=north_area, name="Gateshead", slug="gateshead"),
        GroupFactory(area=north_area, name="Jarrow", slug="jarrow"),
    ]
    south_group = GroupFactory(area=south_area, name="Plymouth", slug="plymouth")
    national = RoleFactory(role=Role.NATIONAL_OFFICE, member__home_group=north_groups[0]).member
    committee = [
        RoleFactory(
            role=Role.NATIONAL_COMMITTEE,
            member__home_group=north_groups[0],
            member__first_name=first,
            member__last_name="Committee",
        ).member
        for first in ("Ada", "Bea", "Cy")
    ]
    regional = RoleFactory(
        role=Role.REGIONAL_COORDINATOR, region=north, member__home_group=north_groups[1]
    ).member
    tellers = [MemberWithLoginFactory(home_group=south_group) for _ in range(3)]
    members = [
        MemberWithLoginFactory(home_group=north_groups[0]),
        MemberWithLoginFactory(home_group=north_groups[0]),
        MemberWithLoginFactory(home_group=north_groups[1]),
        MemberWithLoginFactory(home_group=north_groups[1]),
        MemberWithLoginFactory(home_group=south_group),
        MemberWithLoginFactory(home_group=south_group),
    ]
    set_rules(national, tellers=tellers)
    shares: dict[int, str] = {}
    if prepare_key:
        shares = prepare_and_collect(national, tellers)
    return World(
        north=north,
        south=south,
        north_groups=north_groups,
        south_group=south_group,
        national=national,
        committee=committee,
        regional=regional,
        tellers=tellers,
        shares=shares,
        members=members,
    )


def set_rules(national: Member, *, tellers: list[Member], **changes: Any) -> None:
    values: dict[str, Any] = {
        "signature_percent": Decimal("20"),
        "groups_needed": 0,
        "regions_needed": 0,
        "combine": "all",
        "returning_officer": national,
        "tellers_threshold": 2,
        "call_in_route": Route.BALLOT,
        "publish_within_days": 14,
    }
    values.update(changes)
    services.set_rules(actor=national.user, values=values, standing_tellers=tellers)


def prepare_and_collect(national: Member, tellers: list[Member], count: int = 1) -> dict[int, str]:
    """Prepare keys and have every teller collect their shares; the last key's shares."""
    keys = services.prepare_keys(actor=national.user, count=count)
    shares = {}
    for key in keys:
        for share in key.shares.all():
            teller = next(t for t in tellers if t.pk == share.member_id)
            shares[teller.pk] = services.collect_prepared_share(actor=teller.user, share=share)
    return shares


def published_decision(
    world: World, *, days_ago: int = 3, title: str = "Close the Leeds office"
) -> Decision:
    """A national committee meeting, one decision with every member's vote, published."""
    held_on = clock.today() - datetime.timedelta(days=days_ago)
    meeting = services.start_meeting(
        actor=world.national.user,
        body="national_committee",
        region=None,
        title="Monthly meeting",
        held_on=held_on,
    )
    votes = {world.committee[0].pk: Vote.FOR, world.committee[1].pk: Vote.FOR}
    votes[world.committee[2].pk] = Vote.AGAINST
    decision = services.record_decision(
        actor=world.national.user,
        meeting=meeting,
        title=title,
        text=f"{title}: agreed to save money.",
        outcome="agreed",
        named_votes=votes,
    )
    services.publish_meeting(actor=world.national.user, meeting=meeting)
    return Decision.objects.select_related("meeting").get(pk=decision.pk)


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def meeting_of(decision: Decision) -> Meeting:
    return decision.meeting
