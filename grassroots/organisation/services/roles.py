"""Roles above the group (docs/organisation.md): area and regional coordinators and the national
roles (national office, national committee, auditor), appointed and removed by the body's vote
(cited by date and reference) or from above with a reason, as group officers are
(docs/officers.md). Whoever holds one of these roles must log in with a second factor
(``permissions.OFFICER_ROLES``, enforced by the accounts middleware for every page).

Who appoints: an area coordinator, that region's regional coordinator or national office; a
regional coordinator and every national role, national office.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import dateformat
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record
from grassroots.messaging.languages import in_every_language
from grassroots.messaging.models import MailKind
from grassroots.messaging.services import send_to_members
from grassroots.organisation.models import (
    ROLE_LEVEL,
    Area,
    OfficerBasis,
    Region,
    Role,
    RoleAssignment,
    ScopeLevel,
)
from grassroots.organisation.permissions import (
    NATION,
    Capability,
    Nation,
    current_assignments,
    forget_cached_roles,
    is_holder,
    may,
)
from grassroots.organisation.services.common import acting_person, actor_label
from grassroots.organisation.services.officers import (
    APPOINT_AHEAD,
    OfficerError,
    close_assignment,
)

ROLES_ABOVE = (
    Role.AREA_COORDINATOR,
    Role.REGIONAL_COORDINATOR,
    Role.NATIONAL_OFFICE,
    Role.NATIONAL_COMMITTEE,
    Role.AUDITOR,
)
BodyAbove = Area | Region | Nation


def may_appoint_above(user: Any, role: str, body: BodyAbove) -> bool:
    """An area's coordinators: its region's coordinator or national office; every other role
    above the group: national office (MANAGE_OFFICERS held nationally)."""
    if may(user, Capability.MANAGE_OFFICERS, NATION) and any(
        a.role == Role.NATIONAL_OFFICE for a in current_assignments(user)
    ):
        return True
    if role == Role.AREA_COORDINATOR and isinstance(body, Area):
        return any(
            a.role == Role.REGIONAL_COORDINATOR and a.region_id == body.region_id
            for a in current_assignments(user)
        )
    return False


def may_manage_roles_above(user: Any) -> bool:
    """Does the person appoint anyone above the group (the roles page is theirs)?"""
    return any(
        a.role in (Role.NATIONAL_OFFICE, Role.REGIONAL_COORDINATOR)
        for a in current_assignments(user)
    )


def body_of(assignment: RoleAssignment) -> BodyAbove:
    return assignment.area or assignment.region or NATION


def _check(
    actor: User, role: str, body: BodyAbove, basis: str, decided_on: Any, reference: str
) -> None:
    if role not in ROLES_ABOVE:
        raise OfficerError(gettext("Choose a role above the group."))
    level = ROLE_LEVEL[role]
    expected: dict[str, type] = {
        ScopeLevel.AREA: Area,
        ScopeLevel.REGION: Region,
        ScopeLevel.NATION: Nation,
    }
    if not isinstance(body, expected[level]):
        raise OfficerError(
            gettext("A %(label)s is appointed for a %(level)s.")
            % {"label": Role(role).label, "level": level}
        )
    if not may_appoint_above(actor, role, body):
        raise PermissionDenied(gettext("You may not appoint or remove this role."))
    if basis == OfficerBasis.GROUP_VOTE:
        if decided_on is None:
            raise OfficerError(
                gettext("Give the date of the meeting or ballot at which the body voted.")
            )
        if decided_on > clock.today():
            raise OfficerError(gettext("The body's vote must already have taken place."))
        if not reference:
            raise OfficerError(
                gettext(
                    "Give the reference of the body's decision, for example 'Regional meeting "
                    "3 May 2026, minute 6'; it is shown in the role history."
                )
            )
    elif basis == OfficerBasis.OVERSIGHT:
        if not reference:
            raise OfficerError(
                gettext("Give the reason for the decision; it is shown in the history.")
            )
    else:
        raise OfficerError(
            gettext("Say on what authority: the body's vote, or a decision from above.")
        )


def _recipients(role: str, body: BodyAbove, *also: int) -> list[int]:
    """The person concerned, the coordinators of the region (for an area's role) and national
    office."""
    ids = list(also)
    current = RoleAssignment.objects.current(clock.today())
    if isinstance(body, Area):
        ids += current.filter(role=Role.REGIONAL_COORDINATOR, region_id=body.region_id).values_list(
            "member_id", flat=True
        )
    ids += current.filter(role=Role.NATIONAL_OFFICE).values_list("member_id", flat=True)
    return list(dict.fromkeys(ids))


def _scope_name(body: BodyAbove) -> str:
    return "the movement" if isinstance(body, Nation) else body.name


def _scope_words(body: BodyAbove) -> str:
    """The body's name for a reader, in the active language (not for stored records)."""
    return gettext("the movement") if isinstance(body, Nation) else body.name


def _how(actor: User, basis: str, decided_on: datetime.date | None, reference: str) -> str:
    if basis == OfficerBasis.GROUP_VOTE and decided_on:
        return gettext("by the body's vote (%(reference)s, %(decided_on)s)") % {
            "reference": reference,
            "decided_on": dateformat.format(decided_on, "j F Y"),
        }
    return gettext("by decision of %(actor)s: %(reference)s") % {
        "actor": actor_label(actor),
        "reference": reference,
    }


@transaction.atomic(durable=True)
def appoint_role(
    *,
    actor: User,
    role: str,
    body: BodyAbove,
    membership_number: str,
    last_name: str,
    starts_on: datetime.date,
    basis: str,
    decided_on: datetime.date | None = None,
    reference: str,
) -> RoleAssignment:
    """Appoint a member in good standing to a role above the group. An area's or region's
    coordinator must be a member whose home group is inside it."""
    from grassroots.people.models import Member, MembershipStatus

    reference = " ".join(reference.split())
    _check(actor, role, body, basis, decided_on, reference)
    if starts_on > clock.today() + APPOINT_AHEAD:
        raise OfficerError(gettext("An appointment can be recorded at most a year ahead."))
    if basis == OfficerBasis.GROUP_VOTE and decided_on is not None and starts_on < decided_on:
        raise OfficerError(gettext("The appointment cannot start before the vote that made it."))
    if basis == OfficerBasis.OVERSIGHT and starts_on < clock.today():
        raise OfficerError(gettext("An appointment by decision starts today or later."))
    number, surname = membership_number.strip(), last_name.strip()
    members = Member.objects.filter(
        membership_number__iexact=number, last_name__iexact=surname, erased_at__isnull=True
    )
    if isinstance(body, Area):
        members = members.filter(home_group__area=body)
    elif isinstance(body, Region):
        members = members.filter(home_group__area__region=body)
    member = members.select_for_update(of=("self",)).first()
    if member is None:
        values = {
            "body": body.name,
            "number": number or gettext("(none)"),
            "surname": surname or gettext("(none)"),
        }
        if isinstance(body, Nation):
            raise OfficerError(
                gettext(
                    "No member has the membership number %(number)s and the "
                    "surname %(surname)s: check both with the person."
                )
                % values
            )
        raise OfficerError(
            gettext(
                "No member whose home group is in %(body)s has the membership number "
                "%(number)s and the surname %(surname)s: check both with the person."
            )
            % values
        )
    if member.status != MembershipStatus.MEMBER:
        raise OfficerError(
            gettext(
                "%(member)s is %(status)s, not a member in good standing, so cannot hold office."
            )
            % {"member": member.full_name, "status": member.get_status_display().lower()}
        )
    scope = {
        "area": body if isinstance(body, Area) else None,
        "region": body if isinstance(body, Region) else None,
    }
    label = Role(role).label
    if (
        RoleAssignment.objects.filter(member=member, role=role, **scope)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
        .exists()
    ):
        raise OfficerError(
            gettext("%(member)s is already %(label)s, %(scope)s.")
            % {"member": member.full_name, "label": label, "scope": _scope_words(body)}
        )
    assignment = RoleAssignment.objects.create(
        member=member,
        role=role,
        level=ROLE_LEVEL[role],
        starts_on=starts_on,
        appointed_basis=basis,
        appointed_decided_on=decided_on if basis == OfficerBasis.GROUP_VOTE else None,
        appointed_reference=reference[:200],
        appointed_by=acting_person(actor),
        appointed_by_label=actor_label(actor),
        **scope,
    )
    record(
        actor=actor,
        action=AuditAction.APPOINT_OFFICER,
        subject_type="role_assignment",
        subject_id=assignment.pk,
        scope=_scope_name(body)[:120],
        purpose=reference[:200],
        detail={
            "role": role,
            "member": member.membership_number,
            "basis": basis,
            "decided_on": decided_on.isoformat() if decided_on else None,
            "starts_on": starts_on.isoformat(),
        },
    )

    def words() -> tuple[str, str]:
        names = {"member": member.full_name, "label": str(label), "scope": _scope_words(body)}
        subject = gettext("%(member)s is appointed %(label)s, %(scope)s") % names
        body_text = gettext(
            "Dear $first_name,\n\n%(member)s is appointed %(label)s, %(scope)s, from "
            "%(starts_on)s, %(how)s."
        ) % {
            **names,
            "starts_on": dateformat.format(starts_on, "j F Y"),
            "how": _how(actor, basis, decided_on, reference),
        }
        second = gettext(
            "Officers log in with a second factor (an authenticator app): the new officer is "
            "asked to set one up at their next login."
        )
        return subject, body_text + "\n\n" + second + "\n"

    subject, text, translations = in_every_language(words)
    send_to_members(
        actor=actor,
        members=_recipients(role, body, member.pk),
        subject=subject,
        body=text,
        purpose="officer notice: appointment above the group",
        kind=MailKind.NOTICE,
        translations=translations,
    )
    return assignment


@transaction.atomic(durable=True)
def end_role_above(
    *,
    actor: User,
    assignment: RoleAssignment,
    ends_on: datetime.date,
    basis: str,
    reason: str,
    decided_on: datetime.date | None = None,
) -> RoleAssignment:
    """End a role above the group: the holder resigns, or whoever appoints to it removes them
    by the body's vote (cited) or by decision (with the reason)."""
    assignment = (
        RoleAssignment.objects.select_for_update(of=("self",))
        .select_related("member", "area", "region")
        .get(pk=assignment.pk)
    )
    body = body_of(assignment)
    reason = " ".join(reason.split())
    if basis == OfficerBasis.RESIGNATION:
        if not is_holder(actor, assignment):
            raise OfficerError(gettext("Only the officer can resign; record the decision instead."))
        if not reason:
            raise OfficerError(gettext("Say why the role ends; it is kept in the role history."))
        decided_on = None
    else:
        _check(actor, assignment.role, body, basis, decided_on, reason)
    close_assignment(
        actor, assignment, ends_on=ends_on, basis=basis, reason=reason, decided_on=decided_on
    )
    forget_cached_roles(actor)

    def words() -> tuple[str, str]:
        names = {"member": assignment.member.full_name, "label": assignment.get_role_display()}
        subject = gettext("%(member)s's role as %(label)s ends") % names
        text = gettext(
            "Dear $first_name,\n\n%(member)s's role as %(label)s, %(scope)s, ends on "
            "%(ends_on)s (%(basis)s: %(reason)s)."
        ) % {
            **names,
            "scope": _scope_words(body),
            "ends_on": dateformat.format(ends_on, "j F Y"),
            "basis": str(OfficerBasis(basis).label).lower(),
            "reason": reason,
        }
        return subject, text + "\n"

    subject, text, translations = in_every_language(words)
    send_to_members(
        actor=actor,
        members=_recipients(assignment.role, body, assignment.member_id),
        subject=subject,
        body=text,
        purpose="officer notice: role above the group ends",
        kind=MailKind.NOTICE,
        translations=translations,
    )
    return assignment
