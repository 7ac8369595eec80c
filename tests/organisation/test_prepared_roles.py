"""The person's current roles, read by SQL compiled once (grassroots.rows.Prepared), are what
the ORM's query reads: the same assignments with their group, area or region loaded, the
agreement flag, none ended or not yet begun, and none of anyone else's."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from grassroots import clock
from grassroots.organisation.models import Role
from grassroots.organisation.permissions import (
    _current_assignments_of,
    current_assignments,
    forget_cached_roles,
)
from tests.factories import (
    AreaFactory,
    GroupFactory,
    MemberWithLoginFactory,
    RegionFactory,
    RoleFactory,
)


def _seen(assignments) -> list[tuple]:
    return sorted(
        (
            a.pk,
            a.role,
            a.level,
            a.group.name if a.group_id else None,
            a.area.name if a.area_id else None,
            a.region.name if a.region_id else None,
            a.has_accepted_agreement,
        )
        for a in assignments
    )


def test_the_prepared_roles_are_the_orms(db):
    region = RegionFactory()
    area = AreaFactory(region=region)
    group = GroupFactory(area=area)
    member = MemberWithLoginFactory(home_group=group)
    RoleFactory(member=member, role=Role.CHAIR, group=group)
    RoleFactory(member=member, role=Role.DATA_MANAGER, group=group, accepted_agreement=False)
    RoleFactory(member=member, role=Role.AREA_COORDINATOR, area=area)
    RoleFactory(member=member, role=Role.REGIONAL_COORDINATOR, region=region)
    RoleFactory(member=member, role=Role.NATIONAL_OFFICE)
    RoleFactory(member=member, role=Role.TREASURER, group=group, ends_on=clock.today())
    RoleFactory(
        member=member,
        role=Role.SECRETARY,
        group=group,
        ends_on=clock.today() - datetime.timedelta(days=1),
    )
    RoleFactory(
        member=member,
        role=Role.SECRETARY,
        group=GroupFactory(area=area),
        starts_on=clock.today() + datetime.timedelta(days=1),
    )
    someone_else = MemberWithLoginFactory(home_group=group)
    RoleFactory(member=someone_else, role=Role.DATA_MANAGER, group=group)

    user = member.user
    orm = list(_current_assignments_of(user.pk, clock.today()))
    for _ in range(2):  # compiled, then reused
        forget_cached_roles(user)
        with CaptureQueriesContext(connection) as captured:
            prepared = current_assignments(user)
            seen = _seen(prepared)
        assert len(captured.captured_queries) == 1  # group, area and region came with it
        assert seen == _seen(orm)
    assert {a.role for a in prepared} == {
        Role.CHAIR,
        Role.DATA_MANAGER,
        Role.AREA_COORDINATOR,
        Role.REGIONAL_COORDINATOR,
        Role.NATIONAL_OFFICE,
        Role.TREASURER,
    }
    assert [a.has_accepted_agreement for a in prepared if a.role == Role.DATA_MANAGER] == [False]
    forget_cached_roles(someone_else.user)
    theirs = current_assignments(someone_else.user)
    assert [(a.role, a.has_accepted_agreement) for a in theirs] == [(Role.DATA_MANAGER, True)]
