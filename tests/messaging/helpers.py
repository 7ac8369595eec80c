"""A small movement for the messaging tests: two groups in one area, a third elsewhere, officers
with the roles that may (and may not) write to members, and members with and without consent."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.test import Client

from grassroots.organisation.models import Area, Group, Role
from grassroots.people.models import Member, MembershipStatus
from tests.factories import (
    AreaFactory,
    GroupFactory,
    MemberFactory,
    MemberWithLoginFactory,
    RoleFactory,
)
from tests.web.roles import give_authenticator_app

CONSENTED = {
    "consent_to_contact": True,
    "consent_recorded_at": datetime.datetime(2024, 5, 1, tzinfo=datetime.UTC),
    "consent_source": "join_form",
}


@dataclass(frozen=True)
class Town:
    area: Area
    group_a: Group
    group_a2: Group  # another group in A's area
    group_b: Group  # a group in another area
    secretary_a: Member
    chair_b: Member
    data_manager_a: Member
    coordinator: Member  # of A's area
    national: Member
    treasurer_a: Member
    consenting_a: list[Member]
    not_consenting_a: Member
    lapsed_a: Member
    consenting_b: Member


def officer(role: str, **scope: Any) -> Member:
    home = scope.get("group") or GroupFactory()
    member = MemberWithLoginFactory(home_group=home, **CONSENTED)
    RoleFactory(member=member, role=role, **scope)
    give_authenticator_app(member.user)
    return member


def build_town() -> Town:
    area = AreaFactory(name="Tyneside")
    group_a = GroupFactory(area=area, name="Gateshead")
    group_a2 = GroupFactory(area=area, name="Jarrow")
    group_b = GroupFactory(name="Plymouth")
    return Town(
        area=area,
        group_a=group_a,
        group_a2=group_a2,
        group_b=group_b,
        secretary_a=officer(Role.SECRETARY, group=group_a),
        chair_b=officer(Role.CHAIR, group=group_b),
        data_manager_a=officer(Role.DATA_MANAGER, group=group_a),
        coordinator=officer(Role.AREA_COORDINATOR, area=area),
        national=officer(Role.NATIONAL_OFFICE),
        treasurer_a=officer(Role.TREASURER, group=group_a),
        consenting_a=[MemberFactory(home_group=group_a, **CONSENTED) for _ in range(3)],
        not_consenting_a=MemberFactory(home_group=group_a),
        lapsed_a=MemberFactory(home_group=group_a, status=MembershipStatus.LAPSED, **CONSENTED),
        consenting_b=MemberFactory(home_group=group_b, **CONSENTED),
    )


def client_for(member: Member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client
