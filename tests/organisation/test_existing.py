"""A movement's existing structure and officers brought onto the platform on day one
(organisation.services.existing): checked as the single-item services check, all or nothing,
audited, and refused rather than repeated on a second run."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from grassroots import clock
from grassroots.audit.actions import AuditAction
from grassroots.audit.models import AuditEntry
from grassroots.organisation.models import (
    Area,
    Group,
    GroupRecognition,
    OfficerBasis,
    Region,
    Role,
    RoleAssignment,
    ScopeLevel,
    StructureChange,
)
from grassroots.organisation.services.existing import (
    AreaPlan,
    ExistingOfficer,
    ExistingOfficersError,
    GroupPlan,
    RegionPlan,
    StructureSetUpError,
    record_existing_officers,
    set_up_structure,
)
from grassroots.people.models import MembershipStatus
from tests.factories import (
    AreaFactory,
    GroupFactory,
    MemberFactory,
    MemberWithLoginFactory,
    RegionFactory,
    RoleFactory,
)

pytestmark = pytest.mark.django_db

REASON = "the movement's register of groups, March 2026"
OFFICERS = "officers appointed before the platform"
SINCE = datetime.date(2025, 4, 1)


def _plan(region: str = "North West") -> list[RegionPlan]:
    return [
        RegionPlan(
            region,
            [
                AreaPlan(
                    "Manchester",
                    [
                        GroupPlan("Chorlton", "m21", meeting_place="Chorlton Library"),
                        GroupPlan(
                            "Levenshulme",
                            "M19, m19",
                            description="We meet monthly.",
                            founded_on=datetime.date(2019, 5, 1),
                        ),
                    ],
                ),
                AreaPlan("Merseyside", [GroupPlan("Toxteth", "L8")]),
            ],
        ),
        RegionPlan("London", [AreaPlan("North London", [GroupPlan("Islington", "N1 N7")])]),
    ]


def _counts() -> tuple[int, int, int, int, int]:
    return (
        Region.objects.count(),
        Area.objects.count(),
        Group.objects.count(),
        StructureChange.objects.count(),
        AuditEntry.objects.count(),
    )


# --- The structure ------------------------------------------------------------------------------


def test_the_structure_arrives_in_one_step_with_one_public_change_and_one_audit_row():
    made = set_up_structure(actor=None, regions=_plan(), reason=REASON)

    assert [r.slug for r in made.regions] == ["north-west", "london"]
    assert [a.slug for a in made.areas] == ["manchester", "merseyside", "north-london"]
    assert [g.slug for g in made.groups] == ["chorlton", "levenshulme", "toxteth", "islington"]
    levenshulme = Group.objects.get(slug="levenshulme")
    assert levenshulme.area.region.name == "North West"
    assert levenshulme.postcode_districts == "M19"  # cleaned as the single-item service does
    assert levenshulme.founded_on == datetime.date(2019, 5, 1)
    assert Group.objects.get(slug="chorlton").meeting_place == "Chorlton Library"
    # No recognition state: the history is brought across, or the review run, afterwards.
    assert not GroupRecognition.objects.exists()

    change = StructureChange.objects.get()
    assert change.level == ScopeLevel.NATION
    assert change.reason == REASON
    assert "2 regions, 3 areas and 4 groups" in change.summary
    entry = AuditEntry.objects.get(action=AuditAction.SET_UP_STRUCTURE)
    assert entry.actor_label == "system"
    assert entry.purpose == REASON
    assert entry.detail["groups"] == 4
    assert entry.detail["bodies"]["north-west"]["manchester"] == ["chorlton", "levenshulme"]


def test_a_second_run_is_refused_and_writes_nothing():
    set_up_structure(actor=None, regions=_plan(), reason=REASON)
    before = _counts()

    with pytest.raises(StructureSetUpError) as refused:
        set_up_structure(actor=None, regions=_plan(), reason=REASON)

    assert refused.value.problems == [
        "The region London is already on the platform: change it there instead.",
        "The region North West is already on the platform: change it there instead.",
    ]
    assert _counts() == before


def test_every_problem_in_the_plan_is_named_and_nothing_is_written():
    RegionFactory(name="london")  # the check ignores case, as the single-item services do
    before = _counts()
    plan = [
        RegionPlan(
            "North West",
            [
                AreaPlan(
                    "Manchester",
                    [
                        GroupPlan("Chorlton", "M21"),
                        GroupPlan("chorlton", "M21"),
                        GroupPlan("Salford", "not a district"),
                        GroupPlan("Bury", "BL9", meeting_place="x" * 201),
                        GroupPlan(
                            "Bolton", "BL1", founded_on=clock.today() + datetime.timedelta(1)
                        ),
                        GroupPlan(" ", "BL3"),
                    ],
                ),
                AreaPlan("Manchester", []),
            ],
        ),
        RegionPlan("London", []),
    ]

    with pytest.raises(StructureSetUpError) as refused:
        set_up_structure(actor=None, regions=plan, reason=REASON)

    problems = refused.value.problems
    assert "Manchester names the group chorlton twice." in problems
    assert any(p.startswith("Salford (Manchester): NOT, A") for p in problems)
    assert "Bury (Manchester): keep the meeting place under 200 characters." in problems
    assert any(p.startswith("Bolton (Manchester): the founding date is to come") for p in problems)
    assert "A group in Manchester: a name is missing." in problems
    assert "North West names the area Manchester twice." in problems
    assert "The region london is already on the platform: change it there instead." in problems
    assert "; and " in str(refused.value)  # the message shows the first few and counts the rest
    assert _counts() == before


def test_a_taken_address_gets_a_number_as_the_single_item_services_give():
    GroupFactory(slug="islington")
    made = set_up_structure(actor=None, regions=_plan(), reason=REASON)
    assert made.groups[-1].slug == "islington-2"


@pytest.mark.parametrize(
    ("regions", "reason", "message"),
    [
        ([], REASON, "Name at least one region"),
        (_plan(), "  ", "Give the reason"),
        (_plan(), "x" * 201, "under 200 characters"),
    ],
)
def test_a_plan_without_regions_or_reason_is_refused(regions, reason, message):
    with pytest.raises(StructureSetUpError, match=message):
        set_up_structure(actor=None, regions=regions, reason=reason)


def test_only_the_national_office_sets_up_the_structure():
    national = RoleFactory(role=Role.NATIONAL_OFFICE).member.user
    chair = RoleFactory(role=Role.CHAIR, group=GroupFactory()).member.user
    with pytest.raises(PermissionDenied):
        set_up_structure(actor=chair, regions=_plan(), reason=REASON)
    set_up_structure(actor=national, regions=_plan(), reason=REASON)
    entry = AuditEntry.objects.get(action=AuditAction.SET_UP_STRUCTURE)
    assert entry.actor_id == national.pk
    assert StructureChange.objects.get().decided_by == national


# --- The officers -------------------------------------------------------------------------------


def _officers() -> dict[str, object]:
    group = GroupFactory(slug="chorlton")
    member = MemberFactory(home_group=group)
    elsewhere = MemberFactory(home_group=GroupFactory(area=group.area))
    elsewhere.other_groups.add(group)  # a member of the group without it being their home
    coordinator = MemberFactory(home_group=GroupFactory(area=group.area))
    regional = MemberFactory(home_group=GroupFactory(area=AreaFactory(region=group.area.region)))
    national = MemberFactory()
    return {
        "group": group,
        "list": [
            ExistingOfficer(member.membership_number, Role.CHAIR, SINCE, "chorlton"),
            ExistingOfficer(elsewhere.membership_number.lower(), Role.SECRETARY, SINCE, "chorlton"),
            ExistingOfficer(
                coordinator.membership_number, Role.AREA_COORDINATOR, SINCE, group.area.slug
            ),
            ExistingOfficer(
                regional.membership_number,
                Role.REGIONAL_COORDINATOR,
                SINCE,
                group.area.region.slug,
            ),
            ExistingOfficer(national.membership_number, Role.NATIONAL_OFFICE, SINCE),
        ],
    }


def test_the_officers_arrive_with_their_basis_not_recorded_and_an_audit_row_each():
    officers = _officers()
    made = record_existing_officers(actor=None, appointments=officers["list"], reason=OFFICERS)

    assert [a.role for a in made] == [
        Role.CHAIR,
        Role.SECRETARY,
        Role.AREA_COORDINATOR,
        Role.REGIONAL_COORDINATOR,
        Role.NATIONAL_OFFICE,
    ]
    chair = RoleAssignment.objects.get(role=Role.CHAIR)
    assert chair.group == officers["group"]
    assert chair.starts_on == SINCE
    assert chair.appointed_basis == OfficerBasis.NOT_RECORDED  # "before records were kept here"
    assert chair.appointed_reference == OFFICERS
    assert chair.appointed_by_label == "system"
    national = RoleAssignment.objects.get(role=Role.NATIONAL_OFFICE)
    assert (national.level, national.group, national.area, national.region) == (
        ScopeLevel.NATION,
        None,
        None,
        None,
    )
    entries = AuditEntry.objects.filter(action=AuditAction.RECORD_EXISTING_OFFICER)
    assert sorted(int(e.subject_id) for e in entries) == sorted(a.pk for a in made)
    entry = entries.get(subject_id=str(chair.pk))
    assert entry.subject_type == "role_assignment"
    assert entry.purpose == OFFICERS
    assert entry.scope == officers["group"].name
    assert entry.detail == {
        "role": "chair",
        "member": chair.member.membership_number,
        "basis": "",
        "starts_on": "2025-04-01",
    }


def test_a_second_run_records_nothing_and_says_the_offices_are_held():
    officers = _officers()
    record_existing_officers(actor=None, appointments=officers["list"], reason=OFFICERS)
    roles, entries = RoleAssignment.objects.count(), AuditEntry.objects.count()

    with pytest.raises(ExistingOfficersError) as refused:
        record_existing_officers(actor=None, appointments=officers["list"], reason=OFFICERS)

    assert len(refused.value.problems) == 5
    assert all("is on the platform already" in p for p in refused.value.problems)
    assert (RoleAssignment.objects.count(), AuditEntry.objects.count()) == (roles, entries)


def test_a_groups_role_someone_else_holds_is_refused():
    group = GroupFactory(slug="chorlton")
    RoleFactory(role=Role.CHAIR, group=group)
    member = MemberFactory(home_group=group)
    with pytest.raises(ExistingOfficersError, match="already Chair, "):
        record_existing_officers(
            actor=None,
            appointments=[ExistingOfficer(member.membership_number, Role.CHAIR, SINCE, "chorlton")],
            reason=OFFICERS,
        )


def test_every_wrong_row_is_named_and_nothing_is_written():
    group = GroupFactory(slug="chorlton")
    member = MemberFactory(home_group=group)
    lapsed = MemberFactory(home_group=group, status=MembershipStatus.LAPSED)
    outsider = MemberFactory()
    rows = [
        ExistingOfficer(member.membership_number, "president", SINCE, "chorlton"),
        ExistingOfficer(member.membership_number, Role.CHAIR, SINCE, "nowhere"),
        ExistingOfficer(member.membership_number, Role.AUDITOR, SINCE, "chorlton"),
        ExistingOfficer("GR9999999", Role.CHAIR, SINCE, "chorlton"),
        ExistingOfficer(lapsed.membership_number, Role.CHAIR, SINCE, "chorlton"),
        ExistingOfficer(outsider.membership_number, Role.TREASURER, SINCE, "chorlton"),
        ExistingOfficer(outsider.membership_number, Role.AREA_COORDINATOR, SINCE, group.area.slug),
        ExistingOfficer(
            member.membership_number, Role.CHAIR, clock.today() + datetime.timedelta(1), "chorlton"
        ),
        ExistingOfficer(member.membership_number, Role.SECRETARY, SINCE, "chorlton"),
        ExistingOfficer(member.membership_number, Role.SECRETARY, SINCE, "chorlton"),
    ]
    before = (RoleAssignment.objects.count(), AuditEntry.objects.count())

    with pytest.raises(ExistingOfficersError) as refused:
        record_existing_officers(actor=None, appointments=rows, reason=OFFICERS)

    problems = refused.value.problems
    number = member.membership_number
    assert problems == [
        f"Row 1 ({number}): president is not a role.",
        f"Row 2 ({number}): no group has the address nowhere.",
        f"Row 3 ({number}): Auditor is a national role; leave the scope empty.",
        "Row 4 (GR9999999): no member has this membership number.",
        f"Row 5 ({lapsed.membership_number}): {lapsed.full_name} is lapsed, not a member in good "
        "standing, so cannot hold office.",
        f"Row 6 ({outsider.membership_number}): {outsider.full_name} is not a member of "
        f"{group.name}.",
        f"Row 7 ({outsider.membership_number}): {outsider.full_name}'s home group is not in "
        f"{group.area.name}.",
        f"Row 8 ({number}): an officer brought across already serves; the start is to come.",
        f"Row 10 ({number}): the list names this Secretary twice.",
    ]
    assert (RoleAssignment.objects.count(), AuditEntry.objects.count()) == before


def test_a_closed_group_takes_no_officers():
    group = GroupFactory(slug="chorlton", closed_on=datetime.date(2025, 1, 1))
    member = MemberFactory(home_group=group)
    with pytest.raises(ExistingOfficersError, match="was closed on 1 January 2025"):
        record_existing_officers(
            actor=None,
            appointments=[ExistingOfficer(member.membership_number, Role.CHAIR, SINCE, "chorlton")],
            reason=OFFICERS,
        )


def test_an_empty_list_or_reason_is_refused():
    with pytest.raises(ExistingOfficersError, match="at least one officer"):
        record_existing_officers(actor=None, appointments=[], reason=OFFICERS)
    with pytest.raises(ExistingOfficersError, match="Give the reason"):
        record_existing_officers(actor=None, appointments=_officers()["list"], reason="")


def test_only_the_national_office_records_the_officers():
    officers = _officers()
    chair = RoleFactory(role=Role.CHAIR, group=GroupFactory()).member.user
    with pytest.raises(PermissionDenied):
        record_existing_officers(actor=chair, appointments=officers["list"], reason=OFFICERS)
    national = MemberWithLoginFactory()
    RoleFactory(role=Role.NATIONAL_OFFICE, member=national)
    made = record_existing_officers(
        actor=national.user, appointments=officers["list"], reason=OFFICERS
    )
    assert {a.appointed_by for a in made} == {national.user}
    entry = AuditEntry.objects.filter(action=AuditAction.RECORD_EXISTING_OFFICER).first()
    assert entry is not None
    assert entry.actor_label == national.user.email
