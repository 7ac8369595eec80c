"""Changing the structure from the web: create, rename, move, merge, split and close, each with
a reason, in the public change log, audited and mailed to the officers affected; a move takes
members' and officers' scope with the group; a merge carries members, officers and meetings and
keeps every record."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from grassroots.audit.models import AuditEntry
from grassroots.meetings.models import Meeting
from grassroots.organisation.models import (
    Group,
    Role,
    RoleAssignment,
    StructureChange,
    StructureChangeKind,
)
from grassroots.organisation.permissions import Capability, forget_cached_roles, may
from grassroots.organisation.services import structure
from grassroots.organisation.structure_hooks import group_merge_hooks
from grassroots.people.models import Member
from tests.factories import AreaFactory, GroupFactory, MemberFactory, RegionFactory, RoleFactory
from tests.mail import Mailbox
from tests.meetings.builders import group_meeting
from tests.organisation.conftest import Clock, Officers, make_recognised_group
from tests.web.roles import give_authenticator_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def national(frozen_clock: Clock) -> Member:
    role = RoleFactory(role=Role.NATIONAL_OFFICE)
    give_authenticator_app(role.member.user)
    return role.member


def regional_of(region) -> Member:
    role = RoleFactory(role=Role.REGIONAL_COORDINATOR, region=region)
    return role.member


def test_national_office_creates_a_region_area_and_group_with_reasons_in_the_log(
    national: Member,
) -> None:
    user = national.user
    region = structure.create_region(actor=user, name="Wales", reason="Members in Wales asked")
    area = structure.create_area(actor=user, region=region, name="Cardiff", reason="Growth")
    group = structure.create_group(
        actor=user, area=area, name="Cardiff East", postcode_districts="cf24, CF23", reason="New"
    )
    assert group.postcode_districts == "CF24 CF23"
    assert group.slug == "cardiff-east"
    changes = list(StructureChange.objects.order_by("id"))
    assert [c.kind for c in changes] == [StructureChangeKind.CREATE] * 3
    assert changes[-1].summary == "Group Cardiff East created in Cardiff"
    assert changes[-1].details["decided_as"] == "National office"
    assert AuditEntry.objects.filter(action="change_structure").count() == 3
    page = Client().get(reverse("structure_changes")).content.decode()
    assert "Group Cardiff East created in Cardiff" in page and "Members in Wales asked" in page
    assert national.user.email not in page


def test_a_change_without_a_reason_or_with_a_bad_district_is_refused(national: Member) -> None:
    area = AreaFactory()
    with pytest.raises(structure.StructureError, match="reason"):
        structure.create_group(
            actor=national.user, area=area, name="X", postcode_districts="", reason="  "
        )
    with pytest.raises(structure.StructureError, match="not a postcode district"):
        structure.create_group(
            actor=national.user, area=area, name="X", postcode_districts="LS6 hello", reason="r"
        )
    assert not Group.objects.filter(name="X").exists()


def test_regional_coordinator_changes_only_their_own_region(frozen_clock: Clock, settings) -> None:
    north, south = RegionFactory(), RegionFactory()
    coordinator = regional_of(north).user
    area = AreaFactory(region=north)
    group = structure.create_group(
        actor=coordinator, area=area, name="Hexham", postcode_districts="NE46", reason="Asked"
    )
    assert StructureChange.objects.get().details["decided_as"].startswith("Regional coordinator")
    with pytest.raises(PermissionDenied):
        structure.create_group(
            actor=coordinator,
            area=AreaFactory(region=south),
            name="Bath",
            postcode_districts="",
            reason="r",
        )
    with pytest.raises(PermissionDenied):
        structure.create_region(actor=coordinator, name="East", reason="r")
    with pytest.raises(PermissionDenied):
        structure.move_group(
            actor=coordinator, group=group, to_area=AreaFactory(region=south), reason="r"
        )
    settings.GRASSROOTS_REGIONAL_STRUCTURE_CHANGES = False
    forget_cached_roles(coordinator)
    with pytest.raises(PermissionDenied):
        structure.rename(actor=coordinator, body=group, name="Tynedale", reason="r")


def test_moving_a_group_moves_its_members_and_officers_scope(
    national: Member, officers: Officers, mailbox: Mailbox, django_capture_on_commit_callbacks
) -> None:
    group = officers.group
    old_coordinator = RoleFactory(role=Role.AREA_COORDINATOR, area=group.area).member
    new_area = AreaFactory()
    new_coordinator = RoleFactory(role=Role.AREA_COORDINATOR, area=new_area).member
    member = officers.ordinary[0]
    assert may(old_coordinator.user, Capability.VIEW_MEMBERS, member)
    assert not may(new_coordinator.user, Capability.VIEW_MEMBERS, member)

    with django_capture_on_commit_callbacks(execute=True):
        structure.move_group(actor=national.user, group=group, to_area=new_area, reason="Boundary")

    for person in (old_coordinator, new_coordinator):
        forget_cached_roles(person.user)
    assert may(new_coordinator.user, Capability.VIEW_MEMBERS, member)
    assert not may(old_coordinator.user, Capability.VIEW_MEMBERS, member)
    # The group's officers hold their roles as before: their scope is the group.
    assert RoleAssignment.objects.current().filter(group=group).count() == 3
    for person in (officers.chair, old_coordinator, new_coordinator):
        assert "moved from" in mailbox.last_to(person.email).subject
    assert not mailbox.to(member.email)


def test_merging_groups_carries_members_officers_and_meetings_and_keeps_every_record(
    national: Member, frozen_clock: Clock, mailbox: Mailbox, django_capture_on_commit_callbacks
) -> None:
    assert "meetings" in group_merge_hooks()
    source = make_recognised_group(group=GroupFactory(postcode_districts="LS6"))
    into_group = GroupFactory(area=source.group.area, postcode_districts="LS7")
    into_chair = RoleFactory(role=Role.CHAIR, group=into_group, member__home_group=into_group)
    second = MemberFactory(home_group=into_group)
    second.other_groups.add(source.group)
    elsewhere = MemberFactory()
    elsewhere.other_groups.add(source.group)
    meeting = group_meeting(source.group, source.chair)
    roles_before = set(RoleAssignment.objects.values_list("pk", flat=True))
    home_before = set(source.group.home_members.values_list("pk", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        structure.merge_groups(
            actor=national.user, source=source.group, into=into_group, reason="Too small apart"
        )

    source.group.refresh_from_db()
    into_group.refresh_from_db()
    assert source.group.closed_on == frozen_clock.today
    assert source.group.merged_into == into_group
    assert set(into_group.home_members.values_list("pk", flat=True)) >= home_before
    assert not Member.objects.filter(home_group=source.group).exists()
    assert list(second.other_groups.all()) == []  # home in the surviving group already
    assert list(elsewhere.other_groups.all()) == [into_group]
    assert Meeting.objects.get(pk=meeting.pk).group == into_group
    # Every old role row is still there; the source's ended today with the merger cited.
    assert roles_before <= set(RoleAssignment.objects.values_list("pk", flat=True))
    ended = RoleAssignment.objects.filter(group=source.group)
    assert all(r.ends_on == frozen_clock.today for r in ended)
    assert all("Merger of" in r.ended_reference for r in ended)
    current = {
        (r.role, r.member_id)
        for r in RoleAssignment.objects.current().filter(
            group=into_group, starts_on__lte=frozen_clock.today
        )
    }
    # The surviving group keeps its Chair; the source's Secretary and Data Manager come across.
    assert (Role.CHAIR, into_chair.member_id) in current
    assert (Role.SECRETARY, source.secretary.pk) in current
    assert (Role.DATA_MANAGER, source.data_manager.pk) in current
    assert (Role.CHAIR, source.chair.pk) not in current
    assert into_group.postcode_districts == "LS7 LS6"
    change = StructureChange.objects.get(kind=StructureChangeKind.MERGE)
    assert change.details["carried_by_apps"] == {"meetings": 1}
    assert change.details["home_members"] == len(home_before)
    audit = AuditEntry.objects.get(action="change_structure")
    assert audit.detail["kind"] == "merge" and audit.purpose == "Too small apart"
    assert "merged into" in mailbox.last_to(source.chair.email).subject
    assert "merged into" in mailbox.last_to(into_chair.member.email).subject
    with pytest.raises(structure.StructureError, match="closed"):
        structure.rename(actor=national.user, body=source.group, name="Again", reason="r")


def test_splitting_a_group_moves_the_members_of_the_districts_it_takes(
    national: Member,
) -> None:
    group = GroupFactory(postcode_districts="LS6 LS7")
    ls6 = MemberFactory(home_group=group, postcode="LS6 3AB")
    ls7 = MemberFactory(home_group=group, postcode="LS7 1AA")
    new = structure.split_group(
        actor=national.user,
        group=group,
        new_name="Chapeltown",
        postcode_districts="ls7",
        reason="Big",
    )
    group.refresh_from_db()
    assert group.postcode_districts == "LS6"
    assert new.postcode_districts == "LS7" and new.area_id == group.area_id
    assert Member.objects.get(pk=ls7.pk).home_group == new
    assert Member.objects.get(pk=ls6.pk).home_group == group
    with pytest.raises(structure.StructureError, match="does not cover LS9"):
        structure.split_group(
            actor=national.user, group=group, new_name="Y", postcode_districts="LS9", reason="r"
        )


def test_closing_needs_an_empty_body_and_keeps_its_history(national: Member) -> None:
    group = GroupFactory()
    member = MemberFactory(home_group=group)
    chair = RoleFactory(role=Role.CHAIR, group=group, member=member)
    with pytest.raises(structure.StructureError, match="still has 1 member"):
        structure.close_body(actor=national.user, body=group, reason="Dormant")
    with pytest.raises(structure.StructureError, match="open groups"):
        structure.close_body(actor=national.user, body=group.area, reason="r")
    other = GroupFactory(area=group.area)
    structure.merge_groups(actor=national.user, source=group, into=other, reason="Dormant")
    chair.refresh_from_db()
    assert chair.ends_on is not None and RoleAssignment.objects.filter(pk=chair.pk).exists()
    empty = GroupFactory()
    structure.close_body(actor=national.user, body=empty, reason="Never met")
    empty.refresh_from_db()
    assert empty.closed_on is not None
    assert empty not in Client().get(reverse("group_list")).context["groups"]


def test_structure_pages_rename_a_group_with_a_reason(national: Member, client: Client) -> None:
    group = GroupFactory(name="Old Town")
    client.force_login(national.user)
    url = reverse("structure_body", args=["group", group.slug])
    response = client.post(
        url, {"action": "rename", "rename-name": "New Town", "rename-reason": ""}
    )
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    response = client.post(
        url, {"action": "rename", "rename-name": "New Town", "rename-reason": "Members voted"}
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.name == "New Town" and group.slug
    assert "Old Town renamed New Town" in client.get(reverse("structure_changes")).content.decode()
