"""Officers (docs/officers.md): appointments, roles ended, AGMs recorded and the Data Manager's
agreement; each change is followed by the group's recognition review.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
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
    AgmRecord,
    AgreementAcceptance,
    Group,
    OfficerBasis,
    Role,
    RoleAssignment,
    ScopeLevel,
)
from grassroots.organisation.permissions import (
    Capability,
    forget_cached_roles,
    is_holder,
    may,
    may_end_role,
    officer_bases,
)
from grassroots.organisation.queries import current_criteria
from grassroots.organisation.recognition import AGREEMENT_VERSION
from grassroots.organisation.services.common import (
    NOTIFIED_ROLES,
    RecognitionError,
    acting_person,
    actor_label,
)
from grassroots.organisation.services.review import review_group

# The roles a group appoints; each has one holder at a time.
GROUP_ROLES = (Role.CHAIR, Role.SECRETARY, Role.TREASURER, Role.DATA_MANAGER)
# How far ahead an appointment may be recorded to start.
APPOINT_AHEAD = datetime.timedelta(days=366)


class OfficerError(RecognitionError):
    """An appointment or removal the rules refuse, with a reason to show the person."""


def _basis_label(basis: str) -> str:
    return str(OfficerBasis(basis).label).lower()


def _check_basis(
    *, actor: User, group: Group, basis: str, decided_on: datetime.date | None, reference: str
) -> None:
    """The basis must be one the actor may use for this group, and cite what it rests on."""
    bases = officer_bases(actor, group)
    if basis not in bases:
        if basis == OfficerBasis.OVERSIGHT and bases:
            raise OfficerError(
                gettext(
                    "Only the area, region or national office appoints or removes officers by its "
                    "own decision. Record the group's vote instead."
                )
            )
        raise PermissionDenied(gettext("You may not appoint or remove this group's officers."))
    if basis == OfficerBasis.GROUP_VOTE:
        if decided_on is None:
            raise OfficerError(
                gettext("Give the date of the meeting or ballot at which the group voted.")
            )
        if decided_on > clock.today():
            raise OfficerError(gettext("The group's vote must already have taken place."))
        if not reference:
            raise OfficerError(
                gettext(
                    "Give the reference of the group's decision, for example "
                    "'AGM 12 May 2026, minute 4'; it is shown in the officer history."
                )
            )
    elif not reference:
        raise OfficerError(
            gettext("Give the reason for the decision; it is shown in the officer history.")
        )


def _officer_change_recipients(group: Group, *also: int) -> list[int]:
    """Who hears of a change of officers: the member concerned, the group's Chair, Secretary
    and Data Manager, and the area's coordinators (so a recorded vote is seen from above)."""
    ids = list(also)
    ids += (
        RoleAssignment.objects.current(clock.today())
        .filter(group=group, role__in=NOTIFIED_ROLES)
        .values_list("member_id", flat=True)
    )
    ids += (
        RoleAssignment.objects.current(clock.today())
        .filter(area_id=group.area_id, role=Role.AREA_COORDINATOR)
        .values_list("member_id", flat=True)
    )
    return list(dict.fromkeys(ids))


@transaction.atomic(durable=True)
def appoint_officer(
    *,
    actor: User,
    group: Group,
    role: str,
    membership_number: str,
    last_name: str,
    starts_on: datetime.date,
    basis: str,
    decided_on: datetime.date | None = None,
    reference: str,
) -> RoleAssignment:
    """Appoint a member of ``group`` to one of its roles, by the group's vote (cited by date
    and reference) or by the decision of whoever manages officers over the group (with its
    reason). The appointee is named by membership number and surname, so an officer who may
    not see the member list can still record the group's choice. A Data Manager's access to
    members' data starts only once they accept the data protection agreement."""
    reference = " ".join(reference.split())
    _check_basis(actor=actor, group=group, basis=basis, decided_on=decided_on, reference=reference)
    if role not in GROUP_ROLES:
        raise OfficerError(gettext("Choose one of the group's roles."))
    if starts_on > clock.today() + APPOINT_AHEAD:
        raise OfficerError(gettext("An appointment can be recorded at most a year ahead."))
    if basis == OfficerBasis.GROUP_VOTE and decided_on is not None and starts_on < decided_on:
        raise OfficerError(gettext("The appointment cannot start before the vote that made it."))
    if basis == OfficerBasis.OVERSIGHT and starts_on < clock.today():
        raise OfficerError(gettext("An appointment by decision starts today or later."))
    # One appointment to this group at a time: the clash check below then holds.
    Group.objects.select_for_update().filter(pk=group.pk).first()
    from grassroots.people.models import Member, MembershipStatus

    number = membership_number.strip()
    surname = last_name.strip()
    member = (
        Member.objects.filter(
            Q(home_group=group) | Q(other_groups=group),
            membership_number__iexact=number,
            last_name__iexact=surname,
            erased_at__isnull=True,
        )
        .distinct()
        .first()
    )
    if member is None:
        raise OfficerError(
            gettext(
                "No member of %(group)s has the membership number %(number)s and the "
                "surname %(surname)s. Officers must be members of the group: check both "
                "with the person."
            )
            % {
                "group": group.name,
                "number": number or gettext("(none)"),
                "surname": surname or gettext("(none)"),
            }
        )
    if member.status != MembershipStatus.MEMBER:
        raise OfficerError(
            gettext(
                "%(member)s is %(status)s, not a member in good standing, so cannot hold office."
            )
            % {"member": member.full_name, "status": member.get_status_display().lower()}
        )
    label = Role(role).label
    clash = (
        RoleAssignment.objects.filter(group=group, role=role)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
        .select_related("member")
        .order_by("starts_on")
        .first()
    )
    if clash is not None:
        if clash.member_id == member.pk:
            raise OfficerError(
                gettext("%(member)s is already the group's %(label)s.")
                % {"member": member.full_name, "label": label}
            )
        until = (
            gettext(" until %(ends_on)s") % {"ends_on": dateformat.format(clash.ends_on, "j F Y")}
            if clash.ends_on
            else ""
        )
        raise OfficerError(
            gettext(
                "%(member)s is the group's %(label)s%(until)s. A group has one "
                "%(label)s: end that role first, or start this appointment after it "
                "ends."
            )
            % {"member": clash.member.full_name, "label": label, "until": until}
        )
    assignment = RoleAssignment.objects.create(
        member=member,
        role=role,
        level=ScopeLevel.GROUP,
        group=group,
        starts_on=starts_on,
        appointed_basis=basis,
        appointed_decided_on=decided_on if basis == OfficerBasis.GROUP_VOTE else None,
        appointed_reference=reference[:200],
        appointed_by=acting_person(actor),
        appointed_by_label=actor_label(actor),
    )
    record(
        actor=actor,
        action=AuditAction.APPOINT_OFFICER,
        subject_type="role_assignment",
        subject_id=assignment.pk,
        scope=str(group)[:120],
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
        agreement = ""
        if role == Role.DATA_MANAGER:
            agreement = "\n\n" + gettext(
                "A Data Manager sees members' personal data only after accepting the data "
                "protection agreement. The new Data Manager reads and accepts it here: %(link)s"
            ) % {
                "link": settings.GRASSROOTS_SITE_URL.rstrip("/")
                + reverse("data_protection_agreement")
            }
        names = {"member": member.full_name, "label": str(label), "group": group.name}
        subject = gettext("%(member)s is appointed %(label)s of %(group)s") % names
        body = gettext(
            "Dear $first_name,\n\n%(member)s is appointed %(label)s of %(group)s from "
            "%(starts_on)s, %(how)s."
        ) % {
            **names,
            "starts_on": dateformat.format(starts_on, "j F Y"),
            "how": _how(actor, basis, decided_on, reference),
        }
        return subject, body + agreement + "\n\n" + _history_line(group)

    subject, body, translations = in_every_language(words)
    send_to_members(
        actor=actor,
        members=_officer_change_recipients(group, member.pk),
        subject=subject,
        body=body,
        purpose="officer notice: appointment",
        kind=MailKind.NOTICE,
        translations=translations,
    )
    review_group(actor=None, group=group, criteria=current_criteria())
    return assignment


def _officers_link(group: Group) -> str:
    return settings.GRASSROOTS_SITE_URL.rstrip("/") + reverse("group_officers", args=[group.slug])


def _history_line(group: Group) -> str:
    return (
        gettext("The group's officers and their history: %(link)s")
        % {"link": _officers_link(group)}
        + "\n"
    )


def _how(actor: User | None, basis: str, decided_on: datetime.date | None, reference: str) -> str:
    """How an officer change was decided, for its notice, in the active language."""
    if basis == OfficerBasis.GROUP_VOTE and decided_on:
        return gettext("by the group's vote (%(reference)s, %(decided_on)s)") % {
            "reference": reference,
            "decided_on": dateformat.format(decided_on, "j F Y"),
        }
    return gettext("by decision of %(actor)s: %(reference)s") % {
        "actor": actor_label(actor),
        "reference": reference,
    }


def close_assignment(
    actor: User,
    assignment: RoleAssignment,
    *,
    ends_on: datetime.date,
    basis: str,
    reason: str,
    decided_on: datetime.date | None,
) -> None:
    """The end of an office, group or above, once the caller has checked who may end it: the
    dates checked, the row closed with how and why, the audit entry written."""
    if assignment.ends_on is not None and assignment.ends_on < clock.today():
        raise OfficerError(gettext("This role has already ended."))
    if ends_on < clock.today():
        raise OfficerError(gettext("The last day cannot be in the past."))
    if ends_on < assignment.starts_on:
        raise OfficerError(gettext("The last day cannot be before the role started."))
    previous = assignment.ends_on
    assignment.ends_on = ends_on
    assignment.ended_basis = basis
    assignment.ended_decided_on = decided_on if basis == OfficerBasis.GROUP_VOTE else None
    assignment.ended_reference = reason[:200]
    assignment.ended_by_label = actor_label(actor)
    assignment.save(
        update_fields=[
            "ends_on",
            "ended_basis",
            "ended_decided_on",
            "ended_reference",
            "ended_by_label",
        ]
    )
    record(
        actor=actor,
        action=AuditAction.END_ROLE,
        subject_type="role_assignment",
        subject_id=assignment.pk,
        scope=assignment.scope_name[:120],
        purpose=reason[:200],
        detail={
            "role": assignment.role,
            "member": assignment.member.membership_number,
            "ends_on": ends_on.isoformat(),
            "previous_ends_on": previous.isoformat() if previous else None,
            "basis": basis,
            "decided_on": decided_on.isoformat() if decided_on else None,
        },
    )


@transaction.atomic(durable=True)
def end_role(
    *,
    actor: User,
    assignment: RoleAssignment,
    ends_on: datetime.date,
    reason: str,
    basis: str | None = None,
    decided_on: datetime.date | None = None,
) -> RoleAssignment:
    """End an officer's role on ``ends_on`` (their last day): by their resignation, by the
    group's vote (cited), or by whoever manages officers over the role's scope; then review
    the group straight away. ``basis`` None means: a resignation when the actor holds the role,
    otherwise a decision from above."""
    if not may_end_role(actor, assignment):
        raise PermissionDenied(gettext("You may not end this role."))
    assignment = (
        RoleAssignment.objects.select_for_update().select_related("member").get(pk=assignment.pk)
    )
    reason = " ".join(reason.split())
    if basis is None:
        basis = OfficerBasis.RESIGNATION if is_holder(actor, assignment) else OfficerBasis.OVERSIGHT
    if basis == OfficerBasis.RESIGNATION:
        if not is_holder(actor, assignment):
            raise OfficerError(gettext("Only the officer can resign; record the decision instead."))
        decided_on = None
    elif assignment.group is not None:
        _check_basis(
            actor=actor,
            group=assignment.group,
            basis=basis,
            decided_on=decided_on,
            reference=reason,
        )
    elif basis != OfficerBasis.OVERSIGHT:
        raise OfficerError(gettext("Only the national office ends this role."))
    if not reason:
        raise OfficerError(gettext("Say why the role ends; it is kept in the group's records."))
    close_assignment(
        actor, assignment, ends_on=ends_on, basis=basis, reason=reason, decided_on=decided_on
    )
    forget_cached_roles(actor)
    if assignment.group is not None:
        group = assignment.group
        if basis != OfficerBasis.RESIGNATION:
            subject, body, translations = in_every_language(
                lambda: _removal_words(actor, assignment, group, ends_on, basis, decided_on, reason)
            )
            send_to_members(
                actor=actor,
                members=_officer_change_recipients(group, assignment.member_id),
                subject=subject,
                body=body,
                purpose="officer notice: removal",
                kind=MailKind.NOTICE,
                translations=translations,
            )
        review_group(actor=None, group=group, criteria=current_criteria())
    return assignment


@transaction.atomic(durable=True)
def record_agm(*, actor: User, group: Group, held_on: datetime.date) -> AgmRecord:
    if not may(actor, Capability.RECORD_AGM, group):
        raise PermissionDenied(gettext("You may not record this group's AGM."))
    if held_on > clock.today():
        raise RecognitionError(gettext("An AGM can be recorded once it has been held."))
    agm = AgmRecord.objects.create(
        group=group,
        held_on=held_on,
        recorded_by=actor,
        recorded_by_label=actor_label(actor),
        recorded_at=clock.now(),
    )
    record(
        actor=actor,
        action=AuditAction.RECORD_AGM,
        subject_type="group",
        subject_id=group.pk,
        scope=str(group)[:120],
        detail={"held_on": held_on.isoformat()},
    )
    review_group(actor=None, group=group, criteria=current_criteria())
    return agm


@transaction.atomic(durable=True)
def accept_agreement(*, actor: User, assignment: RoleAssignment) -> AgreementAcceptance:
    """The Data Manager accepts the current data protection agreement for this appointment."""
    member = getattr(actor, "member", None)
    if (
        member is None
        or assignment.member_id != member.pk
        or assignment.role != Role.DATA_MANAGER
        or not RoleAssignment.objects.current().filter(pk=assignment.pk).exists()
    ):
        raise PermissionDenied(gettext("Only a serving Data Manager accepts the agreement."))
    acceptance, created = AgreementAcceptance.objects.get_or_create(
        assignment=assignment, version=AGREEMENT_VERSION, defaults={"accepted_at": clock.now()}
    )
    if created:
        record(
            actor=actor,
            action=AuditAction.ACCEPT_DATA_PROTECTION_AGREEMENT,
            subject_type="role_assignment",
            subject_id=assignment.pk,
            scope=assignment.scope_name[:120],
            detail={"version": AGREEMENT_VERSION},
        )
        if assignment.group is not None:
            review_group(actor=None, group=assignment.group, criteria=current_criteria())
    return acceptance


def _removal_words(
    actor: User,
    assignment: RoleAssignment,
    group: Group,
    ends_on: datetime.date,
    basis: str,
    decided_on: datetime.date | None,
    reason: str,
) -> tuple[str, str]:
    """The notice that an officer's role ends, in the active language."""
    names = {
        "member": assignment.member.full_name,
        "label": assignment.get_role_display(),
        "group": group.name,
    }
    subject = gettext("%(member)s is removed as %(label)s of %(group)s") % names
    body = gettext(
        "Dear $first_name,\n\n%(member)s's role as %(label)s of %(group)s ends on "
        "%(ends_on)s, %(how)s."
    ) % {
        **names,
        "ends_on": dateformat.format(ends_on, "j F Y"),
        "how": _how(actor, basis, decided_on, reason),
    }
    return subject, body + "\n\n" + _history_line(group)
