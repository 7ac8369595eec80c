"""Who may see which member: the scoped query, the audited fetch and the pages."""

from __future__ import annotations

import datetime

import pytest
from django.db import DatabaseError, transaction
from django.http import Http404

from grassroots.audit.models import AuditEntry
from grassroots.organisation.models import Role
from grassroots.people.queries import get_member_for, members_visible_to
from tests.factories import GroupFactory, MemberFactory, RoleFactory

pytestmark = pytest.mark.django_db


def test_data_manager_sees_own_group_and_not_others():
    group_a, group_b = GroupFactory(), GroupFactory()
    dm = RoleFactory(role=Role.DATA_MANAGER, group=group_a)
    in_a = MemberFactory(home_group=group_a)
    in_b = MemberFactory(home_group=group_b)
    visible = set(members_visible_to(dm.member.user))
    assert in_a in visible
    assert in_b not in visible
    with pytest.raises(Http404):
        get_member_for(dm.member.user, in_b.membership_number, purpose="test")


def test_associate_member_of_group_is_visible_to_its_data_manager():
    group_a, group_b = GroupFactory(), GroupFactory()
    dm = RoleFactory(role=Role.DATA_MANAGER, group=group_a)
    associate = MemberFactory(home_group=group_b)
    associate.other_groups.add(group_a)
    assert get_member_for(dm.member.user, associate.membership_number, purpose="t") == associate


def test_ended_role_grants_nothing():
    group = GroupFactory()
    dm = RoleFactory(
        role=Role.DATA_MANAGER,
        group=group,
        starts_on=datetime.date(2020, 1, 1),
        ends_on=datetime.date(2021, 1, 1),
    )
    MemberFactory(home_group=group)
    assert list(members_visible_to(dm.member.user)) == []


def test_area_coordinator_sees_every_group_in_area_only():
    group_a = GroupFactory()
    sibling = GroupFactory(area=group_a.area)
    elsewhere = GroupFactory()
    coordinator = RoleFactory(role=Role.AREA_COORDINATOR, area=group_a.area)
    members = [MemberFactory(home_group=g) for g in (group_a, sibling, elsewhere)]
    visible = set(members_visible_to(coordinator.member.user))
    assert members[0] in visible and members[1] in visible
    assert members[2] not in visible


def test_viewing_a_member_writes_an_audit_row():
    group = GroupFactory()
    dm = RoleFactory(role=Role.DATA_MANAGER, group=group)
    member = MemberFactory(home_group=group)
    get_member_for(dm.member.user, member.membership_number, purpose="checking renewal")
    entry = AuditEntry.objects.get(action="view_member")
    assert entry.subject_id == member.membership_number
    assert entry.actor == dm.member.user
    assert entry.purpose == "checking renewal"


def test_database_refuses_to_change_or_delete_audit_rows():
    group = GroupFactory()
    dm = RoleFactory(role=Role.DATA_MANAGER, group=group)
    member = MemberFactory(home_group=group)
    get_member_for(dm.member.user, member.membership_number, purpose="t")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.update(purpose="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().purpose == "t"
