"""Changes to the movement's structure (docs/organisation.md): regions, areas and groups are
created, renamed, moved, merged, split and closed from the web, each with a reason.

Every change writes one public ``StructureChange`` (the change log page), one audit row and a
notice to the officers it affects. Nothing is deleted: a closed or merged body keeps its row,
its role history and its recognition history; a merge carries the members and current officers
across, and the apps above organisation carry their own rows through the merge hooks
(``organisation.structure_hooks``). Moving a group to another area needs no other write: a
member's and a group officer's scope is their group, and the area and region above it are read
through it (``permissions.scopes_for``), so both follow the group.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import dateformat
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_noop, ngettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record
from grassroots.messaging.languages import in_every_language
from grassroots.messaging.models import MailKind
from grassroots.messaging.services import send_to_members
from grassroots.organisation.models import (
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
from grassroots.organisation.permissions import current_assignments, may_change_structure
from grassroots.organisation.queries import current_criteria
from grassroots.organisation.services.common import acting_person, actor_label
from grassroots.organisation.services.review import review_group
from grassroots.organisation.structure_hooks import run_group_merge_hooks

Body = Group | Area | Region
_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
NAME_MAX = 120


class StructureError(Exception):
    """A change the rules refuse, with a reason to show the person."""


def region_of(body: Body) -> Region:
    if isinstance(body, Region):
        return body
    if isinstance(body, Area):
        return body.region
    return body.area.region


def level_of(body: Body) -> str:
    if isinstance(body, Group):
        return ScopeLevel.GROUP
    return ScopeLevel.AREA if isinstance(body, Area) else ScopeLevel.REGION


def _check_may(actor: User, *regions: Region | None) -> None:
    if not all(may_change_structure(actor, region) for region in regions):
        raise PermissionDenied(gettext("You may not change this part of the movement's structure."))


def _clean_reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if not reason:
        raise StructureError(
            gettext("Give the reason for the change; it is published in the change log.")
        )
    return reason


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise StructureError(gettext("Give a name."))
    if len(name) > NAME_MAX:
        raise StructureError(
            gettext("A name has at most %(NAME_MAX)s characters.") % {"NAME_MAX": NAME_MAX}
        )
    return name


def clean_districts(text: str) -> list[str]:
    """Postcode districts typed with spaces or commas ("ls6, LS7") as ["LS6", "LS7"]."""
    districts = list(dict.fromkeys(d for d in re.split(r"[\s,;]+", text.upper()) if d))
    bad = [d for d in districts if not _DISTRICT.match(d)]
    if bad:
        raise StructureError(
            ngettext(
                "%(names)s is not a postcode district: give the first half of a postcode, "
                "such as LS6.",
                "%(names)s are not a postcode district: give the first half of a postcode, "
                "such as LS6.",
                len(bad),
            )
            % {"names": ", ".join(bad[:5])}
        )
    return districts


def _unique_slug(model: type[Body], name: str) -> str:
    base = slugify(name)[:100] or "body"
    slug, n = base, 1
    while model.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


NATIONAL_OFFICE_WORDS = gettext_noop("National office")


def _decided_as(actor: User) -> str:
    """The office the change was decided in, for the public log (never the person's email)."""
    for assignment in current_assignments(actor):
        if assignment.role == Role.NATIONAL_OFFICE:
            return NATIONAL_OFFICE_WORDS
    for assignment in current_assignments(actor):
        if assignment.role == Role.REGIONAL_COORDINATOR:
            return f"Regional coordinator, {assignment.scope_name}"
    return NATIONAL_OFFICE_WORDS


def _officers_of(*bodies: Body | None) -> list[int]:
    """Who is told: the current officers of each group, and the coordinators of each area and
    region, named or above."""
    query = Q(pk__in=[])
    for body in bodies:
        if isinstance(body, Group):
            query |= Q(group=body) | Q(area_id=body.area_id, role=Role.AREA_COORDINATOR)
            query |= Q(region_id=body.area.region_id, role=Role.REGIONAL_COORDINATOR)
        elif isinstance(body, Area):
            query |= Q(area=body) | Q(group__area=body)
            query |= Q(region_id=body.region_id, role=Role.REGIONAL_COORDINATOR)
        elif isinstance(body, Region):
            query |= Q(region=body) | Q(area__region=body)
    ids = (
        RoleAssignment.objects.current(clock.today())
        .filter(query)
        .values_list("member_id", flat=True)
    )
    return list(dict.fromkeys(ids))


def _log(
    *,
    actor: User,
    kind: str,
    body: Body,
    summary: tuple[str, dict[str, str]],
    reason: str,
    other_group: Group | None = None,
    other_area: Area | None = None,
    details: dict[str, Any] | None = None,
    tell: list[int] | None = None,
) -> StructureChange:
    level = level_of(body)
    words, names = summary
    details = {
        "decided_as": _decided_as(actor),
        "summary_words": [words, names],
        **(details or {}),
    }
    change = StructureChange.objects.create(
        kind=kind,
        level=level,
        group=body if isinstance(body, Group) else None,
        area=body if isinstance(body, Area) else None,
        region=body if isinstance(body, Region) else None,
        other_group=other_group,
        other_area=other_area,
        summary=(words % names)[:300],
        reason=reason,
        details=details,
        decided_by=acting_person(actor),
        decided_by_label=actor_label(actor),
        at=clock.now(),
    )
    record(
        actor=actor,
        action=AuditAction.CHANGE_STRUCTURE,
        subject_type=level,
        subject_id=body.pk,
        scope=str(body)[:120],
        purpose=reason[:200],
        detail={"kind": kind, "change": change.pk, "summary": change.summary, **details},
    )
    if tell:
        from django.conf import settings
        from django.urls import reverse

        link = settings.GRASSROOTS_SITE_URL.rstrip("/") + reverse("structure_changes")

        def notice() -> tuple[str, str]:
            shown = change.summary_shown
            decided_as = change.decided_as_shown
            text = gettext(
                "Dear $first_name,\n\n%(change)s, by decision of %(decided_as)s.\n\n"
                "The reason given: %(reason)s\n\n"
                "You are told because you are an officer of a group, area or region it "
                "affects. Every change is on the public change log: %(link)s\n"
            ) % {"change": shown, "decided_as": decided_as, "reason": reason, "link": link}
            return shown[:150], text

        subject, text, translations = in_every_language(notice)
        send_to_members(
            actor=actor,
            members=tell,
            subject=subject,
            body=text,
            purpose="structure change notice to the officers affected",
            kind=MailKind.NOTICE,
            translations=translations,
        )
    return change


def _open(body: Body) -> None:
    if body.closed_on is not None:
        raise StructureError(
            gettext("%(body)s was closed on %(closed_on)s.")
            % {"body": body.name, "closed_on": dateformat.format(body.closed_on, "j F Y")}
        )


# --- Creating ------------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def create_region(*, actor: User, name: str, reason: str) -> Region:
    _check_may(actor, None)
    name, reason = _clean_name(name), _clean_reason(reason)
    if Region.objects.filter(name__iexact=name).exists():
        raise StructureError(gettext("There is already a region called %(name)s.") % {"name": name})
    region = Region.objects.create(name=name, slug=_unique_slug(Region, name))
    _log(
        actor=actor,
        kind=StructureChangeKind.CREATE,
        body=region,
        summary=(gettext_noop("Region %(name)s created"), {"name": name}),
        reason=reason,
    )
    return region


@transaction.atomic(durable=True)
def create_area(*, actor: User, region: Region, name: str, reason: str) -> Area:
    _check_may(actor, region)
    _open(region)
    name, reason = _clean_name(name), _clean_reason(reason)
    if Area.objects.filter(region=region, name__iexact=name).exists():
        raise StructureError(
            gettext("%(region)s already has an area called %(name)s.")
            % {"region": region.name, "name": name}
        )
    area = Area.objects.create(region=region, name=name, slug=_unique_slug(Area, name))
    _log(
        actor=actor,
        kind=StructureChangeKind.CREATE,
        body=area,
        summary=(
            gettext_noop("Area %(name)s created in %(region)s"),
            {"name": name, "region": region.name},
        ),
        reason=reason,
        tell=_officers_of(region),
    )
    return area


@transaction.atomic(durable=True)
def create_group(
    *, actor: User, area: Area, name: str, postcode_districts: str, reason: str
) -> Group:
    _check_may(actor, area.region)
    _open(area)
    name, reason = _clean_name(name), _clean_reason(reason)
    districts = clean_districts(postcode_districts)
    if Group.objects.filter(area=area, name__iexact=name).exists():
        raise StructureError(
            gettext("%(area)s already has a group called %(name)s.")
            % {"area": area.name, "name": name}
        )
    group = Group.objects.create(
        area=area,
        name=name,
        slug=_unique_slug(Group, name),
        postcode_districts=" ".join(districts),
        founded_on=clock.today(),
    )
    review_group(actor=None, group=group, criteria=current_criteria())
    _log(
        actor=actor,
        kind=StructureChangeKind.CREATE,
        body=group,
        summary=(
            gettext_noop("Group %(name)s created in %(area)s"),
            {"name": name, "area": area.name},
        ),
        reason=reason,
        details={"postcode_districts": districts},
        tell=_officers_of(area),
    )
    return group


# --- Renaming and moving -------------------------------------------------------------------------


@transaction.atomic(durable=True)
def rename(*, actor: User, body: Body, name: str, reason: str) -> Body:
    """A new name; the address of the body's pages (its slug) stays, so links keep working."""
    region = region_of(body)
    _check_may(actor, None if isinstance(body, Region) else region)
    _open(body)
    name, reason = _clean_name(name), _clean_reason(reason)
    old = body.name
    if name == old:
        raise StructureError(gettext("%(old)s already has that name.") % {"old": old})
    siblings: Any
    if isinstance(body, Group):
        siblings = Group.objects.filter(area_id=body.area_id)
    elif isinstance(body, Area):
        siblings = Area.objects.filter(region_id=body.region_id)
    else:
        siblings = Region.objects.all()
    if siblings.filter(name__iexact=name).exclude(pk=body.pk).exists():
        raise StructureError(
            gettext("There is already a %(level)s called %(name)s.")
            % {"level": level_of(body), "name": name}
        )
    body.name = name
    body.save(update_fields=["name"])
    _log(
        actor=actor,
        kind=StructureChangeKind.RENAME,
        body=body,
        summary=(gettext_noop("%(old)s renamed %(name)s"), {"old": old, "name": name}),
        reason=reason,
        details={"old_name": old, "new_name": name},
        tell=_officers_of(body),
    )
    return body


@transaction.atomic(durable=True)
def move_group(*, actor: User, group: Group, to_area: Area, reason: str) -> Group:
    """The group joins another area. Its members and officers go with it: their scope is the
    group, and the area above is read through it."""
    group = (
        Group.objects.select_for_update(of=("self",))
        .select_related("area__region")
        .get(pk=group.pk)
    )
    _check_may(actor, group.area.region, to_area.region)
    _open(group)
    _open(to_area)
    reason = _clean_reason(reason)
    if to_area.pk == group.area_id:
        raise StructureError(
            gettext("%(group)s is already in %(to_area)s.")
            % {"group": group.name, "to_area": to_area.name}
        )
    if Group.objects.filter(area=to_area, name__iexact=group.name).exists():
        raise StructureError(
            gettext("%(to_area)s already has a group called %(group)s.")
            % {"to_area": to_area.name, "group": group.name}
        )
    from_area = group.area
    tell = _officers_of(group, to_area)
    group.area = to_area
    group.save(update_fields=["area"])
    _log(
        actor=actor,
        kind=StructureChangeKind.MOVE,
        body=group,
        other_area=to_area,
        summary=(
            gettext_noop("%(name)s moved from %(source)s to %(target)s"),
            {"name": group.name, "source": from_area.name, "target": to_area.name},
        ),
        reason=reason,
        details={"from_area": from_area.slug, "to_area": to_area.slug},
        tell=tell,
    )
    return group


@transaction.atomic(durable=True)
def move_area(*, actor: User, area: Area, to_region: Region, reason: str) -> Area:
    area = Area.objects.select_for_update(of=("self",)).select_related("region").get(pk=area.pk)
    _check_may(actor, area.region, to_region)
    _open(area)
    _open(to_region)
    reason = _clean_reason(reason)
    if to_region.pk == area.region_id:
        raise StructureError(
            gettext("%(area)s is already in %(to_region)s.")
            % {"area": area.name, "to_region": to_region.name}
        )
    if Area.objects.filter(region=to_region, name__iexact=area.name).exists():
        raise StructureError(
            gettext("%(to_region)s already has an area called %(area)s.")
            % {"to_region": to_region.name, "area": area.name}
        )
    from_region = area.region
    tell = _officers_of(area, to_region)
    area.region = to_region
    area.save(update_fields=["region"])
    _log(
        actor=actor,
        kind=StructureChangeKind.MOVE,
        body=area,
        summary=(
            gettext_noop("%(name)s moved from %(source)s to %(target)s"),
            {"name": area.name, "source": from_region.name, "target": to_region.name},
        ),
        reason=reason,
        details={"from_region": from_region.slug, "to_region": to_region.slug},
        tell=tell,
    )
    return area


# --- Merging, splitting and closing --------------------------------------------------------------


def _end_today(assignment: RoleAssignment, *, actor: User, note: str) -> None:
    """A role ends today by the change's decision, citing it; the row stays as history."""
    assignment.ends_on = max(clock.today(), assignment.starts_on)
    assignment.ended_basis = OfficerBasis.OVERSIGHT
    assignment.ended_reference = note[:200]
    assignment.ended_by_label = actor_label(actor)
    assignment.save(update_fields=["ends_on", "ended_basis", "ended_reference", "ended_by_label"])


def _carry_officers(
    *, actor: User, source: Group, into: Group, reason: str
) -> dict[str, list[str]]:
    """The source's current officers: each takes the same role in the surviving group where
    that role is free, and otherwise steps down; the source's roles end today either way, so
    its officer history stays whole."""
    carried: list[str] = []
    ended: list[str] = []
    day = clock.today()
    taken = set(
        RoleAssignment.objects.filter(group=into)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .values_list("role", flat=True)
    )
    note = f"Merger of {source.name} into {into.name}: {reason}"[:200]
    for assignment in (
        RoleAssignment.objects.current(day).filter(group=source).select_related("member")
    ):
        _end_today(assignment, actor=actor, note=note)
        label = f"{assignment.get_role_display()}: {assignment.member.membership_number}"
        if assignment.role in taken:
            ended.append(label)
            continue
        taken.add(assignment.role)
        RoleAssignment.objects.create(
            member=assignment.member,
            role=assignment.role,
            level=ScopeLevel.GROUP,
            group=into,
            starts_on=day,
            appointed_basis=OfficerBasis.OVERSIGHT,
            appointed_reference=note,
            appointed_by=acting_person(actor),
            appointed_by_label=actor_label(actor),
        )
        carried.append(label)
    return {"officers_carried": carried, "officers_stepped_down": ended}


def _carry_members(source: Group, into: Group) -> dict[str, int]:
    """Home members move in one statement; second-group links move unless the member's home
    is already the surviving group or they are already linked to it."""
    from grassroots.people.models import Member

    home = Member.objects.filter(home_group=source).update(home_group=into, updated_at=clock.now())
    links = Member.other_groups.through.objects
    already = links.filter(group=into).values("member_id")
    links.filter(group=source, member_id__in=already).delete()
    links.filter(group=source, member__home_group=into).delete()
    second = links.filter(group=source).update(group=into)
    return {"home_members": home, "second_group_members": second}


@transaction.atomic(durable=True)
def merge_groups(*, actor: User, source: Group, into: Group, reason: str) -> Group:
    """``source`` is merged into ``into``: its members, current officers (where the role is
    free) and, through the merge hooks, the apps' rows (its meetings) go to ``into``; the source
    is closed, pointing at ``into``, with its history kept."""
    locked = {
        g.pk: g
        for g in Group.objects.select_for_update(of=("self",))
        .select_related("area__region")
        .filter(pk__in=[source.pk, into.pk])
        .order_by("pk")
    }
    if source.pk == into.pk:
        raise StructureError(gettext("Choose another group to merge with."))
    source, into = locked[source.pk], locked[into.pk]
    _check_may(actor, source.area.region, into.area.region)
    _open(source)
    _open(into)
    reason = _clean_reason(reason)
    tell = _officers_of(source, into)
    details: dict[str, Any] = {"into": into.slug}
    details.update(_carry_members(source, into))
    details.update(_carry_officers(actor=actor, source=source, into=into, reason=reason))
    details["carried_by_apps"] = run_group_merge_hooks(source, into)
    districts = list(
        dict.fromkeys(into.postcode_districts.split() + source.postcode_districts.split())
    )
    into.postcode_districts = " ".join(districts)[:500]
    into.save(update_fields=["postcode_districts"])
    source.closed_on = clock.today()
    source.merged_into = into
    source.save(update_fields=["closed_on", "merged_into"])
    _log(
        actor=actor,
        kind=StructureChangeKind.MERGE,
        body=source,
        other_group=into,
        summary=(
            gettext_noop("%(name)s merged into %(into)s"),
            {"name": source.name, "into": into.name},
        ),
        reason=reason,
        details=details,
        tell=tell,
    )
    review_group(actor=None, group=into, criteria=current_criteria())
    return into


@transaction.atomic(durable=True)
def split_group(
    *, actor: User, group: Group, new_name: str, postcode_districts: str, reason: str
) -> Group:
    """A new group in the same area takes some of ``group``'s postcode districts, and the
    members whose postcode lies in them; the officers stay with ``group``."""
    from grassroots.people.models import Member

    group = (
        Group.objects.select_for_update(of=("self",))
        .select_related("area__region")
        .get(pk=group.pk)
    )
    _check_may(actor, group.area.region)
    _open(group)
    new_name, reason = _clean_name(new_name), _clean_reason(reason)
    districts = clean_districts(postcode_districts)
    if not districts:
        raise StructureError(
            gettext("Name the postcode districts the new group takes, such as LS6.")
        )
    current = group.postcode_districts.split()
    missing = [d for d in districts if d not in current]
    if missing:
        raise StructureError(
            gettext("%(group)s does not cover %(names)s; it covers %(covered)s.")
            % {
                "group": group.name,
                "names": ", ".join(missing),
                "covered": ", ".join(current) or gettext("no districts"),
            }
        )
    if Group.objects.filter(area_id=group.area_id, name__iexact=new_name).exists():
        raise StructureError(
            gettext("%(area)s already has a group called %(new_name)s.")
            % {"area": group.area.name, "new_name": new_name}
        )
    new = Group.objects.create(
        area_id=group.area_id,
        name=new_name,
        slug=_unique_slug(Group, new_name),
        postcode_districts=" ".join(districts),
        founded_on=clock.today(),
    )
    group.postcode_districts = " ".join(d for d in current if d not in districts)
    group.save(update_fields=["postcode_districts"])
    # A member's district is their postcode less its last three characters (the inward code).
    in_districts = Q()
    for district in districts:
        in_districts |= Q(postcode__iregex=rf"^{district}\s*[0-9][A-Za-z]{{2}}$")
    moved = Member.objects.filter(in_districts, home_group=group).update(
        home_group=new, updated_at=clock.now()
    )
    review_group(actor=None, group=new, criteria=current_criteria())
    review_group(actor=None, group=group, criteria=current_criteria())
    _log(
        actor=actor,
        kind=StructureChangeKind.SPLIT,
        body=group,
        other_group=new,
        summary=(
            gettext_noop("%(name)s split from %(source)s"),
            {"name": new_name, "source": group.name},
        ),
        reason=reason,
        details={"postcode_districts": districts, "home_members_moved": moved, "new": new.slug},
        tell=_officers_of(group),
    )
    return new


@transaction.atomic(durable=True)
def close_body(*, actor: User, body: Body, reason: str) -> Body:
    """Close a group with no members left, an area with no open groups, or a region with no open
    areas; its offices end today and its history stays."""
    from grassroots.people.models import Member

    region = region_of(body)
    _check_may(actor, None if isinstance(body, Region) else region)
    _open(body)
    reason = _clean_reason(reason)
    if isinstance(body, Group):
        left = Member.objects.filter(home_group=body, erased_at__isnull=True).count()
        if left:
            raise StructureError(
                ngettext(
                    "%(body)s still has %(left)s member whose home group it is: "
                    "merge it into another group, or move them first.",
                    "%(body)s still has %(left)s members whose home group it is: "
                    "merge it into another group, or move them first.",
                    left,
                )
                % {"body": body.name, "left": left}
            )
    elif isinstance(body, Area):
        if Group.objects.filter(area=body, closed_on__isnull=True).exists():
            raise StructureError(
                gettext("%(body)s still has open groups: move or close them first.")
                % {"body": body.name}
            )
    elif Area.objects.filter(region=body, closed_on__isnull=True).exists():
        raise StructureError(
            gettext("%(body)s still has open areas: move or close them first.")
            % {"body": body.name}
        )
    tell = _officers_of(body)
    day = clock.today()
    level = level_of(body)
    for assignment in RoleAssignment.objects.current(day).filter(**{level: body}):
        _end_today(assignment, actor=actor, note=f"{body.name} closed: {reason}")
    body.closed_on = day
    body.save(update_fields=["closed_on"])
    _log(
        actor=actor,
        kind=StructureChangeKind.CLOSE,
        body=body,
        summary=(gettext_noop("%(name)s closed"), {"name": body.name}),
        reason=reason,
        tell=tell,
    )
    return body
