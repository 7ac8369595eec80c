"""The one permission authority, role by role: each role's capabilities, and where they apply.

Least privilege: only roles that need members' personal data to do their job may see it.
"""

from __future__ import annotations

import datetime

import pytest

from grassroots.delegation.bodies import Body
from grassroots.organisation.models import ROLE_LEVEL, Role, ScopeLevel
from grassroots.organisation.permissions import (
    NATION,
    ROLE_CAPABILITIES,
    Capability,
    group_ids_in,
    may,
    scope_of,
    scopes_for,
)
from tests.factories import (
    AreaFactory,
    GroupFactory,
    MemberFactory,
    MemberWithLoginFactory,
    RoleFactory,
)

pytestmark = pytest.mark.django_db

# Who holds each capability that reaches personal data or the whole movement. A role gaining
# one of these is a decision about members' data: change this table in the same commit.
HOLDERS = {
    Capability.VIEW_MEMBERS: {
        Role.DATA_MANAGER,
        Role.AREA_COORDINATOR,
        Role.REGIONAL_COORDINATOR,
        Role.NATIONAL_OFFICE,
    },
    # Contact details only, of consenting members: the Secretary (who writes to members).
    Capability.CONTACT_MEMBERS: {Role.SECRETARY},
    Capability.EDIT_MEMBERS: {Role.DATA_MANAGER, Role.NATIONAL_OFFICE},
    Capability.IMPORT_MEMBERS: {Role.NATIONAL_OFFICE},
    Capability.VIEW_NATIONAL_OVERVIEW: {
        Role.NATIONAL_OFFICE,
        Role.NATIONAL_COMMITTEE,
        Role.AUDITOR,
    },
    Capability.VIEW_AUDIT_LOG: {Role.AUDITOR},
}


def test_every_role_has_a_capability_entry():
    assert set(ROLE_CAPABILITIES) == set(Role)


@pytest.mark.parametrize("capability", list(HOLDERS))
def test_only_the_roles_that_need_it_hold_each_sensitive_capability(capability):
    holders = {role for role, caps in ROLE_CAPABILITIES.items() if capability in caps}
    assert holders == HOLDERS[capability]


@pytest.mark.parametrize("role", [Role.CHAIR, Role.SECRETARY, Role.TREASURER])
def test_group_officers_other_than_data_manager_cannot_view_members(role):
    group = GroupFactory()
    officer = RoleFactory(role=role, group=group)
    member = MemberFactory(home_group=group)
    assert not may(officer.member.user, Capability.VIEW_MEMBERS, member)
    assert scopes_for(officer.member.user, Capability.VIEW_MEMBERS).is_empty


@pytest.fixture
def map_of_groups():
    """Group A and its sibling share an area; group C is in another area of the same region;
    group D is in another region."""
    group_a = GroupFactory()
    sibling = GroupFactory(area=group_a.area)
    group_c = GroupFactory(area=AreaFactory(region=group_a.area.region))
    group_d = GroupFactory()
    return {"A": group_a, "sibling": sibling, "C": group_c, "D": group_d}


def holder_of(role: str, groups) -> object:
    group_a = groups["A"]
    scope = {
        ScopeLevel.GROUP: {"group": group_a},
        ScopeLevel.AREA: {"area": group_a.area},
        ScopeLevel.REGION: {"region": group_a.area.region},
        ScopeLevel.NATION: {},
    }[ROLE_LEVEL[role]]
    return RoleFactory(role=role, **scope).member.user


# Whose member records each level of scope reaches, from a role held at group A.
REACH = {
    ScopeLevel.GROUP: {"A"},
    ScopeLevel.AREA: {"A", "sibling"},
    ScopeLevel.REGION: {"A", "sibling", "C"},
    ScopeLevel.NATION: {"A", "sibling", "C", "D"},
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_member_records_exactly_in_its_scope(role, map_of_groups):
    user = holder_of(role, map_of_groups)
    members = {name: MemberFactory(home_group=g) for name, g in map_of_groups.items()}
    seen = {name for name, m in members.items() if may(user, Capability.VIEW_MEMBERS, m)}
    expected = REACH[ROLE_LEVEL[role]] if role in HOLDERS[Capability.VIEW_MEMBERS] else set()
    assert seen == expected


@pytest.mark.parametrize("role", list(Role))
def test_each_roles_capabilities_are_granted_somewhere_and_no_others(role, map_of_groups):
    user = holder_of(role, map_of_groups)
    for capability in Capability:
        granted = not scopes_for(user, capability).is_empty
        assert granted == (capability in ROLE_CAPABILITIES[role]), capability


def test_ordinary_member_and_anonymous_visitor_have_no_capability():
    from django.contrib.auth.models import AnonymousUser

    member = MemberWithLoginFactory()
    for capability in Capability:
        assert scopes_for(member.user, capability).is_empty
        assert scopes_for(AnonymousUser(), capability).is_empty
        assert not may(member.user, capability, NATION)
        assert not may(AnonymousUser(), capability, member)


def test_ended_and_future_roles_grant_nothing(map_of_groups):
    group = map_of_groups["A"]
    ended = RoleFactory(
        role=Role.DATA_MANAGER,
        group=group,
        starts_on=datetime.date(2020, 1, 1),
        ends_on=datetime.date(2021, 1, 1),
    )
    future = RoleFactory(role=Role.DATA_MANAGER, group=group, starts_on=datetime.date(2999, 1, 1))
    member = MemberFactory(home_group=group)
    assert not may(ended.member.user, Capability.VIEW_MEMBERS, member)
    assert not may(future.member.user, Capability.VIEW_MEMBERS, member)


def test_area_capability_covers_an_area_only_when_it_covers_all_its_groups(map_of_groups):
    dm = holder_of(Role.DATA_MANAGER, map_of_groups)
    coordinator = holder_of(Role.AREA_COORDINATOR, map_of_groups)
    area = map_of_groups["A"].area
    assert not may(dm, Capability.VIEW_MEMBERS, area)
    assert may(coordinator, Capability.VIEW_MEMBERS, area)
    assert not may(coordinator, Capability.VIEW_MEMBERS, map_of_groups["C"].area)


@pytest.mark.parametrize("role", list(Role))
def test_the_nation_is_a_scope_only_a_role_held_nationally_covers(role, map_of_groups):
    user = holder_of(role, map_of_groups)
    for capability in ROLE_CAPABILITIES[role]:
        assert may(user, capability, NATION) == (ROLE_LEVEL[role] == ScopeLevel.NATION)


@pytest.mark.parametrize(
    "scope",
    [None, "group:1", 1, object(), Capability.VIEW_MEMBERS],
    ids=["None", "str", "int", "object", "capability"],
)
def test_may_refuses_to_guess_what_an_unknown_scope_means(scope, map_of_groups):
    """``may`` used to answer False for anything it did not know (and None meant "anywhere"):
    a caller passing the wrong thing was quietly refused, or quietly let in."""
    national = holder_of(Role.NATIONAL_OFFICE, map_of_groups)
    with pytest.raises(TypeError, match="may\\(\\) takes a group, area, region, NATION"):
        may(national, Capability.VIEW_MEMBERS, scope)


def test_a_row_held_by_a_body_is_asked_about_as_that_body(map_of_groups):
    """Meetings, ballots, draws, surveys, mail scopes and delegation bodies all carry
    ``level`` with ``group``/``area``/``region``; ``may`` asks about the body that holds them."""
    coordinator = holder_of(Role.AREA_COORDINATOR, map_of_groups)
    group_a, group_c = map_of_groups["A"], map_of_groups["C"]
    own_area = Body(level=ScopeLevel.AREA, area=group_a.area)
    other_area = Body(level=ScopeLevel.AREA, area=group_c.area)
    region = Body(level=ScopeLevel.REGION, region=group_a.area.region)
    nation = Body(level=ScopeLevel.NATION)
    assert scope_of(own_area) == group_a.area and scope_of(nation) is NATION
    assert may(coordinator, Capability.RUN_MEETINGS, own_area)
    assert not may(coordinator, Capability.RUN_MEETINGS, other_area)
    assert not may(coordinator, Capability.RUN_MEETINGS, region)
    assert not may(coordinator, Capability.RUN_MEETINGS, nation)
    assert sorted(group_ids_in(own_area) or []) == sorted([group_a.pk, map_of_groups["sibling"].pk])
    assert group_ids_in(nation) is None and group_ids_in(NATION) is None
    assert group_ids_in(group_c) == [group_c.pk]
