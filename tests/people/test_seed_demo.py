from __future__ import annotations

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.core.management.base import CommandError

from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.models import AuditEntry
from grassroots.demo import people as demo
from grassroots.organisation.models import Area, Group, Region, Role, RoleAssignment
from grassroots.organisation.permissions import NATION, Capability, may, scopes_for
from grassroots.organisation.queries import groups_without_data_manager
from grassroots.people.forms import POSTCODE_RE
from grassroots.people.models import Member, MemberStatusChange, StatusCause
from tests.demo_database import restore_demo

pytestmark = pytest.mark.django_db

SMALL = 800


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", "--members", str(SMALL), stdout=out)
    return out.getvalue()


def _restore() -> None:
    restore_demo(SMALL)  # what seed_demo makes at this size (tests/demo_database.py)


def _snapshot() -> list[tuple[object, ...]]:
    return list(
        Member.objects.order_by("membership_number").values_list(
            "membership_number", "email", "postcode", "status", "home_group__slug", "updated_at"
        )
    )


@pytest.mark.slow
def test_seed_demo_builds_the_documented_shape():
    _restore()
    assert Region.objects.count() == 6
    assert Area.objects.count() == 20
    assert Group.objects.count() == 80
    assert Member.objects.count() == SMALL
    assert groups_without_data_manager().count() == len(demo.GROUPS_WITHOUT_DATA_MANAGER)
    assert all(POSTCODE_RE.match(p) for p in Member.objects.values_list("postcode", flat=True))
    assert set(Member.objects.values_list("status", flat=True)) == {
        "member",
        "supporter",
        "lapsed",
        "suspended",
    }


@pytest.mark.slow
def test_seed_demo_twice_changes_nothing():
    _restore()
    before = _snapshot()
    roles = RoleAssignment.objects.count()
    output = _seed()
    assert "nothing changed" in output
    assert _snapshot() == before
    assert RoleAssignment.objects.count() == roles


@pytest.mark.slow
def test_seed_demo_prints_the_four_logins_and_password():
    _restore()
    output = _seed()  # the logins are printed whether the demo was made now or before
    for login in ("member", "datamanager", "coordinator", "national"):
        assert f"{login}@demo.grassroots.example" in output
    assert demo.DEMO_PASSWORD in output


@pytest.mark.slow
def test_demo_logins_hold_the_roles_they_are_named_for():
    _restore()

    def user(local: str) -> User:
        found = User.objects.get(email=f"{local}@demo.grassroots.example")
        assert found.check_password(demo.DEMO_PASSWORD)
        assert EmailAddress.objects.filter(user=found, email=found.email, verified=True).exists()
        return found

    leeds_central = Group.objects.get(name="Leeds Central")
    bristol = Group.objects.get(name="Bristol Central")

    member = user("member")
    assert member.member.home_group == leeds_central
    assert not RoleAssignment.objects.filter(member__user=member).exists()
    assert scopes_for(member, Capability.VIEW_MEMBERS).is_empty

    data_manager = user("datamanager")
    assert RoleAssignment.objects.filter(
        member__user=data_manager, role=Role.DATA_MANAGER, group=leeds_central
    ).exists()
    assert may(data_manager, Capability.VIEW_MEMBERS, leeds_central)
    assert not may(data_manager, Capability.VIEW_MEMBERS, bristol)

    coordinator = user("coordinator")
    assert RoleAssignment.objects.filter(
        member__user=coordinator, role=Role.AREA_COORDINATOR, area=leeds_central.area
    ).exists()
    assert may(coordinator, Capability.VIEW_MEMBERS, leeds_central.area)
    assert not may(coordinator, Capability.VIEW_MEMBERS, bristol)

    national = user("national")
    assert may(national, Capability.IMPORT_MEMBERS, NATION)
    assert may(national, Capability.VIEW_MEMBERS, bristol)


@pytest.mark.slow
def test_the_demo_members_arrive_through_the_membership_import():
    _restore()
    imports = AuditEntry.objects.filter(action=AuditAction.IMPORT_MEMBERS)
    assert imports.count() == 1
    assert imports.get().detail["created"] == SMALL
    assert imports.get().subject_id == demo.IMPORT_FILE_NAME
    assert set(MemberStatusChange.objects.values_list("cause", flat=True)) == {StatusCause.IMPORT}
    # Every login was given through issue_logins: the officers' and demo logins', then those of
    # the Leeds Central members who debate the coming meeting's motion online.
    logins = AuditEntry.objects.filter(action=AuditAction.ISSUE_LOGINS).order_by("pk")
    assert logins.count() == 2
    made = sum(entry.detail["made"] for entry in logins)
    assert made == Member.objects.filter(user__isnull=False).count() == User.objects.count()
    # Every role holder can act through the services: each has a login.
    assert not RoleAssignment.objects.filter(member__user__isnull=True).exists()
    # About one member in ten also belongs to a second group, in the same area.
    through = Member.other_groups.through
    links = through.objects.select_related("member__home_group", "group")
    assert links.exists()
    assert all(link.group.area_id == link.member.home_group.area_id for link in links)


def test_seed_demo_refuses_too_few_members():
    with pytest.raises(CommandError, match="at least"):
        call_command("seed_demo", "--members", "10", stdout=StringIO())
