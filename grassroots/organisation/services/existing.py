"""Bringing a movement's existing structure and officers onto Grassroots, on day one.

A movement that moves here already has its regions, areas and groups, and officers who were
elected before the platform existed. The everyday services make each of those one at a time as
it happens (``structure.create_group``, ``officers.appoint_officer``, ``roles.appoint_role``),
each with its notices and its recognition review, and they need a national office login, which
does not exist before there are members. These two use cases record what the movement arrives
with, in bulk (a few INSERTs however many bodies or officers), checked as the single-item
services check, all or nothing:

- ``set_up_structure``: the regions, their areas and their groups. Refused, with every problem
  named, if a region is already on the platform, so running it twice makes nothing twice. One
  public ``StructureChange`` says the structure was brought across and why, and one
  ``SET_UP_STRUCTURE`` audit row lists every body made.
- ``record_existing_officers``: the officers serving when the movement arrived, each recorded
  with the basis "not recorded" (shown as "before records were kept here") and the reason given.
  Refused if an office is already held, so a second run records nothing. One
  ``RECORD_EXISTING_OFFICER`` audit row per appointment, as ``APPOINT_OFFICER`` writes for an
  appointment made here, so each role's row in the log says how it arrived.

Neither sends notices nor reviews recognition: bring the recognition history across afterwards
(``history.import_recognition_history``), or run the review (``review_recognition``).
``actor`` None is the command line (``manage.py set_up_structure``,
``manage.py record_existing_officers``) or the demo; a person must be the national office.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import dateformat
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_noop

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import Entry, record, record_many
from grassroots.organisation.models import (
    ROLE_LEVEL,
    Area,
    Group,
    OfficerBasis,
    Region,
    Role,
    RoleAssignment,
    ScopeLevel,
    StructureChange,
    StructureChangeKind,
)
from grassroots.organisation.permissions import NATION, may_change_structure
from grassroots.organisation.services.common import acting_person, actor_label
from grassroots.organisation.services.officers import GROUP_ROLES, OfficerError
from grassroots.organisation.services.roles import may_appoint_above
from grassroots.organisation.services.structure import NAME_MAX, StructureError, clean_districts

BATCH_SIZE = 2_000
REASON_MAX = 200
DESCRIPTION_MAX = 2_000
MEETING_PLACE_MAX = 200  # Group.meeting_place
DISTRICTS_MAX = 500  # Group.postcode_districts
SLUG_MAX = 100
PROBLEMS_SHOWN = 5


def _no_body_at(level: str) -> str:
    """One whole sentence per level: no level word is glued into it."""
    if level == ScopeLevel.REGION:
        return gettext("no region has the address %(scope)s.")
    if level == ScopeLevel.AREA:
        return gettext("no area has the address %(scope)s.")
    return gettext("no group has the address %(scope)s.")


def _at(where: str, problem: str) -> str:
    """A problem said of one row or body: "Row 3 (GR1000001): no member has this number."."""
    return gettext("%(where)s: %(problem)s") % {"where": where, "problem": problem}


def _summary(problems: list[str]) -> str:
    shown = "; ".join(problems[:PROBLEMS_SHOWN])
    more = len(problems) - PROBLEMS_SHOWN
    if more <= 0:
        return shown
    return gettext("%(shown)s; and %(more)s more") % {"shown": shown, "more": more}


class StructureSetUpError(StructureError):
    """The structure was refused as a whole; ``problems`` names each thing to put right."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(_summary(problems))
        self.problems = problems


class ExistingOfficersError(OfficerError):
    """The officers were refused as a whole; ``problems`` names each row to put right."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(_summary(problems))
        self.problems = problems


# --- The structure ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupPlan:
    name: str
    postcode_districts: str
    description: str = ""
    meeting_place: str = ""
    founded_on: datetime.date | None = None


@dataclass(frozen=True)
class AreaPlan:
    name: str
    groups: Sequence[GroupPlan] = ()


@dataclass(frozen=True)
class RegionPlan:
    name: str
    areas: Sequence[AreaPlan] = ()


@dataclass
class StructureSetUp:
    regions: list[Region] = field(default_factory=list)
    areas: list[Area] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)


def _clean_reason(reason: str, error: type[Exception]) -> str:
    reason = " ".join(reason.split())
    if not reason:
        raise error(
            [gettext("Give the reason the records are brought across; it is kept with them.")]
        )
    if len(reason) > REASON_MAX:
        raise error([gettext("Keep the reason under %(max)s characters.") % {"max": REASON_MAX}])
    return reason


class _Slugs:
    """Unique slugs for new bodies: the name's, or with -2, -3... when taken (as the
    single-item services make them), checked against the table once, not once per body."""

    def __init__(self, model: type[Region | Area | Group], names: list[str]) -> None:
        bases = {slugify(name)[:SLUG_MAX] or "body" for name in names}
        query = Q(pk__in=[])
        for base in bases:
            query |= Q(slug=base) | Q(slug__startswith=f"{base}-")
        self.taken = set(model.objects.filter(query).values_list("slug", flat=True))

    def new(self, name: str) -> str:
        base = slugify(name)[:SLUG_MAX] or "body"
        slug, n = base, 1
        while slug in self.taken:
            n += 1
            slug = f"{base}-{n}"
        self.taken.add(slug)
        return slug


def _name_problem(name: str) -> tuple[str, str | None]:
    name = " ".join(name.split())
    if not name:
        return name, gettext("a name is missing.")
    if len(name) > NAME_MAX:
        return name, gettext("%(name)s...: a name has at most %(max)s characters.") % {
            "name": name[:40],
            "max": NAME_MAX,
        }
    return name, None


def _group_problems(plan: GroupPlan, where: str) -> list[str]:
    problems: list[str] = []
    try:
        districts = clean_districts(plan.postcode_districts)
    except StructureError as error:
        problems.append(_at(where, str(error)))
    else:
        if len(" ".join(districts)) > DISTRICTS_MAX:
            problems.append(_at(where, gettext("too many postcode districts for one group.")))
    if len(plan.description) > DESCRIPTION_MAX:
        problems.append(
            _at(
                where,
                gettext("keep the description under %(max)s characters.")
                % {"max": format(DESCRIPTION_MAX, ",")},
            )
        )
    if len(plan.meeting_place) > MEETING_PLACE_MAX:
        problems.append(
            _at(
                where,
                gettext("keep the meeting place under %(max)s characters.")
                % {"max": MEETING_PLACE_MAX},
            )
        )
    if plan.founded_on is not None and plan.founded_on > clock.today():
        problems.append(
            _at(where, gettext("the founding date is to come; give the day it was founded."))
        )
    return problems


def _checked_structure(regions: Sequence[RegionPlan]) -> list[str]:
    """Every problem with the plan: names missing, too long or twice in one body, districts that
    are not districts, regions already on the platform."""
    problems: list[str] = []
    if not regions:
        return [gettext("Name at least one region to set up.")]
    seen_regions: set[str] = set()
    for region in regions:
        name, problem = _name_problem(region.name)
        if problem:
            problems.append(_at(gettext("A region"), problem))
        if name.lower() in seen_regions:
            problems.append(gettext("The region %(name)s is named twice.") % {"name": name})
        seen_regions.add(name.lower())
        seen_areas: set[str] = set()
        for area in region.areas:
            area_name, problem = _name_problem(area.name)
            if problem:
                problems.append(_at(gettext("An area in %(region)s") % {"region": name}, problem))
            if area_name.lower() in seen_areas:
                problems.append(
                    gettext("%(region)s names the area %(area)s twice.")
                    % {"region": name, "area": area_name}
                )
            seen_areas.add(area_name.lower())
            seen_groups: set[str] = set()
            for group in area.groups:
                group_name, problem = _name_problem(group.name)
                if problem:
                    where = gettext("A group in %(area)s") % {"area": area_name}
                    problems.append(_at(where, problem))
                if group_name.lower() in seen_groups:
                    problems.append(
                        gettext("%(area)s names the group %(group)s twice.")
                        % {"area": area_name, "group": group_name}
                    )
                seen_groups.add(group_name.lower())
                where = gettext("%(group)s (%(area)s)") % {"group": group_name, "area": area_name}
                problems += _group_problems(group, where)
    wanted = {" ".join(r.name.split()).lower() for r in regions}
    existing = Region.objects.values_list("name", flat=True)
    problems += [
        gettext("The region %(name)s is already on the platform: change it there instead.")
        % {"name": name}
        for name in sorted(existing)
        if name.lower() in wanted
    ]
    return problems


@transaction.atomic(durable=True)
def set_up_structure(
    *, actor: User | None, regions: Sequence[RegionPlan], reason: str
) -> StructureSetUp:
    """Make the regions, their areas and their groups as the movement has them; all or nothing.

    Refused (``StructureSetUpError``, every problem named) when a name is missing, too long or
    given twice in one body, a postcode district is not one, a founding date is to come, or a
    region is already on the platform. Slugs are the names' (``-2`` when taken). The groups
    get no recognition state here: bring their history across or review them afterwards."""
    if actor is not None and not may_change_structure(actor, None):
        raise PermissionDenied(
            gettext("Only the national office sets up the movement's structure.")
        )
    reason = _clean_reason(reason, StructureSetUpError)
    problems = _checked_structure(regions)
    if problems:
        raise StructureSetUpError(problems)
    made = StructureSetUp()
    region_slugs = _Slugs(Region, [r.name for r in regions])
    area_slugs = _Slugs(Area, [a.name for r in regions for a in r.areas])
    group_slugs = _Slugs(Group, [g.name for r in regions for a in r.areas for g in a.groups])
    made.regions = Region.objects.bulk_create(
        Region(name=" ".join(r.name.split()), slug=region_slugs.new(r.name)) for r in regions
    )
    made.areas = Area.objects.bulk_create(
        Area(region=region, name=" ".join(a.name.split()), slug=area_slugs.new(a.name))
        for plan, region in zip(regions, made.regions, strict=True)
        for a in plan.areas
    )
    area_plans = [a for r in regions for a in r.areas]
    made.groups = Group.objects.bulk_create(
        (
            Group(
                area=area,
                name=" ".join(g.name.split()),
                slug=group_slugs.new(g.name),
                postcode_districts=" ".join(clean_districts(g.postcode_districts)),
                description=g.description.strip(),
                meeting_place=" ".join(g.meeting_place.split()),
                founded_on=g.founded_on,
            )
            for plan, area in zip(area_plans, made.areas, strict=True)
            for g in plan.groups
        ),
        batch_size=BATCH_SIZE,
    )
    counts = {"regions": len(made.regions), "areas": len(made.areas), "groups": len(made.groups)}
    words = gettext_noop(
        "The movement's structure brought onto the platform: %(regions)d regions, "
        "%(areas)d areas and %(groups)d groups"
    )
    StructureChange.objects.create(
        kind=StructureChangeKind.CREATE,
        level=ScopeLevel.NATION,
        summary=(words % counts)[:300],
        reason=reason,
        details={"decided_as": "National office", "summary_words": [words, counts], **counts},
        decided_by=acting_person(actor),
        decided_by_label=actor_label(actor),
        at=clock.now(),
    )
    record(
        actor=actor,
        action=AuditAction.SET_UP_STRUCTURE,
        subject_type="organisation",
        purpose=reason,
        detail={
            **counts,
            "bodies": {
                region.slug: {
                    area.slug: [g.slug for g in made.groups if g.area_id == area.pk]
                    for area in made.areas
                    if area.region_id == region.pk
                }
                for region in made.regions
            },
        },
    )
    return made


# --- The officers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExistingOfficer:
    """One office held when the movement arrived: who (membership number), which role, where
    (the slug of the group, area or region the role is held in; none for a national role) and
    since when."""

    membership_number: str
    role: str
    starts_on: datetime.date
    scope: str = ""


@dataclass(frozen=True)
class _Holder:
    pk: int
    name: str
    status: str
    groups: frozenset[int]
    home_area: int | None
    home_region: int | None


def _holders(numbers: set[str]) -> dict[str, _Holder]:
    from grassroots.people.models import Member

    rows = list(
        Member.objects.filter(membership_number__in=numbers, erased_at__isnull=True).values_list(
            "pk",
            "membership_number",
            "first_name",
            "last_name",
            "status",
            "home_group_id",
            "home_group__area_id",
            "home_group__area__region_id",
        )
    )
    others: dict[int, set[int]] = {}
    through = Member.other_groups.through
    for member_id, group_id in through.objects.filter(
        member_id__in=[row[0] for row in rows]
    ).values_list("member_id", "group_id"):
        others.setdefault(member_id, set()).add(group_id)
    return {
        number.upper(): _Holder(
            pk=pk,
            name=f"{first} {last}",
            status=status,
            groups=frozenset({home, *others.get(pk, set())} - {None}),
            home_area=area,
            home_region=region,
        )
        for pk, number, first, last, status, home, area, region in rows
    }


def _bodies(
    model: type[Region | Area | Group], slugs: set[str]
) -> dict[str, Region | Area | Group]:
    return {b.slug: b for b in model.objects.filter(slug__in=slugs)}


def _checked_officers(
    appointments: Sequence[ExistingOfficer],
) -> tuple[list[str], list[RoleAssignment]]:
    """Every problem with the list, by row; and, when there is none, the rows to write."""
    from grassroots.people.models import MembershipStatus

    numbers = {a.membership_number.strip().upper() for a in appointments}
    holders = _holders(numbers)
    slugs = {a.scope.strip() for a in appointments if a.scope.strip()}
    bodies: dict[str, dict[str, Region | Area | Group]] = {
        ScopeLevel.GROUP: _bodies(Group, slugs),
        ScopeLevel.AREA: _bodies(Area, slugs),
        ScopeLevel.REGION: _bodies(Region, slugs),
    }
    problems: list[str] = []
    rows: list[RoleAssignment] = []
    seen: set[tuple[str, int | None, int | None]] = set()
    day = clock.today()
    for line, appointment in enumerate(appointments, start=1):
        number = appointment.membership_number.strip().upper()
        scope = appointment.scope.strip()
        where = gettext("Row %(row)s (%(number)s)") % {
            "row": line,
            "number": number or gettext("no membership number"),
        }
        if appointment.role not in ROLE_LEVEL:
            problems.append(
                _at(where, gettext("%(role)s is not a role.") % {"role": appointment.role or "-"})
            )
            continue
        role, level = Role(appointment.role), ROLE_LEVEL[appointment.role]
        label = role.label
        body: Region | Area | Group | None = None
        if level == ScopeLevel.NATION:
            if scope:
                problems.append(
                    _at(
                        where,
                        gettext("%(role)s is a national role; leave the scope empty.")
                        % {"role": label},
                    )
                )
                continue
        else:
            body = bodies[level].get(scope)
            if body is None:
                problems.append(
                    _at(
                        where,
                        _no_body_at(level) % {"scope": scope or "-"},
                    )
                )
                continue
            if body.closed_on is not None:
                problems.append(
                    _at(
                        where,
                        gettext("%(body)s was closed on %(closed_on)s.")
                        % {
                            "body": body.name,
                            "closed_on": dateformat.format(body.closed_on, "j F Y"),
                        },
                    )
                )
                continue
        holder = holders.get(number)
        if holder is None:
            problems.append(_at(where, gettext("no member has this membership number.")))
            continue
        if holder.status != MembershipStatus.MEMBER:
            problems.append(
                _at(
                    where,
                    gettext(
                        "%(name)s is %(status)s, not a member in good standing, so cannot hold "
                        "office."
                    )
                    % {
                        "name": holder.name,
                        "status": MembershipStatus(holder.status).label.lower(),
                    },
                )
            )
            continue
        if appointment.starts_on > day:
            problems.append(
                _at(
                    where,
                    gettext("an officer brought across already serves; the start is to come."),
                )
            )
            continue
        if isinstance(body, Group) and body.pk not in holder.groups:
            problems.append(
                _at(
                    where,
                    gettext("%(name)s is not a member of %(group)s.")
                    % {"name": holder.name, "group": body.name},
                )
            )
            continue
        if (isinstance(body, Area) and holder.home_area != body.pk) or (
            isinstance(body, Region) and holder.home_region != body.pk
        ):
            problems.append(
                _at(
                    where,
                    gettext("%(name)s's home group is not in %(body)s.")
                    % {"name": holder.name, "body": body.name},
                )
            )
            continue
        # A group's role has one holder at a time; a role above it, one row per holder.
        key = (role, body.pk if body else None, None if role in GROUP_ROLES else holder.pk)
        if key in seen:
            problems.append(
                _at(where, gettext("the list names this %(role)s twice.") % {"role": label})
            )
            continue
        seen.add(key)
        rows.append(
            RoleAssignment(
                member_id=holder.pk,
                role=role,
                level=level,
                group=body if isinstance(body, Group) else None,
                area=body if isinstance(body, Area) else None,
                region=body if isinstance(body, Region) else None,
                starts_on=appointment.starts_on,
            )
        )
    problems += _already_held(rows)
    return problems, rows


def _already_held(rows: list[RoleAssignment]) -> list[str]:
    """The offices in the list someone already holds on the platform (from their start on):
    a group's role held by anyone, a role above the group by the same member. Two queries,
    matched here, however long the list."""
    if not rows:
        return []
    since = min(row.starts_on for row in rows)
    serving = RoleAssignment.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=since)
    ).select_related("member", "group", "area", "region")
    held = [
        *serving.filter(role__in=GROUP_ROLES, group_id__in={r.group_id for r in rows}),
        *serving.exclude(role__in=GROUP_ROLES).filter(member_id__in={r.member_id for r in rows}),
    ]

    def key(a: RoleAssignment) -> tuple[object, ...]:
        who = None if a.role in GROUP_ROLES else a.member_id
        return (a.role, a.group_id, a.area_id, a.region_id, who)

    wanted = {key(row): row.starts_on for row in rows}
    clashes = sorted(
        (
            a
            for a in held
            if key(a) in wanted and (a.ends_on is None or a.ends_on >= wanted[key(a)])
        ),
        key=lambda a: a.pk,
    )
    return [
        gettext("%(name)s is already %(role)s, %(scope)s: it is on the platform already.")
        % {"name": a.member.full_name, "role": a.get_role_display(), "scope": a.scope_name}
        for a in clashes
    ]


@transaction.atomic(durable=True)
def record_existing_officers(
    *, actor: User | None, appointments: Sequence[ExistingOfficer], reason: str
) -> list[RoleAssignment]:
    """Record the officers serving when the movement arrived; all or nothing.

    Each must be a member in good standing; a group's officer a member of the group, an area's
    or region's coordinator someone whose home group is inside it (as the single-item services
    ask). Refused (``ExistingOfficersError``, every row's problem named) when a row is wrong, a
    group's role is named twice, or an office is already held on the platform, so a second run
    records nothing. No notices are sent and no group is reviewed."""
    if actor is not None and not may_appoint_above(actor, Role.NATIONAL_OFFICE, NATION):
        raise PermissionDenied(gettext("Only the national office records the movement's officers."))
    reason = _clean_reason(reason, ExistingOfficersError)
    if not appointments:
        raise ExistingOfficersError([gettext("Name at least one officer to record.")])
    # One recording at a time: the check for offices already held then holds until the end.
    Region.objects.select_for_update().order_by("pk").first()
    problems, rows = _checked_officers(appointments)
    if problems:
        raise ExistingOfficersError(problems)
    by, label = acting_person(actor), actor_label(actor)
    for row in rows:
        row.appointed_basis = OfficerBasis.NOT_RECORDED
        row.appointed_reference = reason
        row.appointed_by = by
        row.appointed_by_label = label
    made = RoleAssignment.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    numbers = dict(_member_numbers({row.member_id for row in made}))
    record_many(
        actor=actor,
        action=AuditAction.RECORD_EXISTING_OFFICER,
        subject_type="role_assignment",
        entries=(
            Entry(
                subject_id=assignment.pk,
                scope=assignment.scope_name[:120],
                purpose=reason,
                detail={
                    "role": assignment.role,
                    "member": numbers[assignment.member_id],
                    "basis": OfficerBasis.NOT_RECORDED.value,
                    "starts_on": assignment.starts_on.isoformat(),
                },
            )
            for assignment in made
        ),
    )
    return made


def _member_numbers(ids: set[int]) -> list[tuple[int, str]]:
    from grassroots.people.models import Member

    return list(Member.objects.filter(pk__in=ids).values_list("pk", "membership_number"))
