"""Every write in the organisation app: officers appointed and roles ended, and groups'
recognition.

Recognition (docs/recognition.md) changes a group's status only here. The review runs from
``manage.py review_recognition`` and, explicitly, straight after each event that can change the
outcome (a role ending, an AGM recorded, the agreement accepted): no signals.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from grassroots.audit.services import record
from grassroots.clock import now, today
from grassroots.messaging.models import MailKind
from grassroots.messaging.services import send_to_members
from grassroots.organisation.models import (
    AgmRecord,
    AgreementAcceptance,
    AppealDecision,
    Group,
    GroupRecognition,
    GroupStatus,
    OfficerBasis,
    RecognitionAppeal,
    RecognitionCriteria,
    RecognitionEvent,
    Role,
    RoleAssignment,
    ScopeLevel,
)
from grassroots.organisation.permissions import (
    Capability,
    forget_cached_roles,
    is_holder,
    may,
    may_decide_appeals,
    may_end_role,
    officer_bases,
)
from grassroots.organisation.queries import current_criteria
from grassroots.organisation.recognition import (
    AGREEMENT_VERSION,
    CriterionResult,
    evaluate_group,
    failing,
)

# The group's officers who are told of every change, before it happens where it can be fixed.
NOTIFIED_ROLES = (Role.CHAIR, Role.SECRETARY, Role.DATA_MANAGER)
APPEALABLE = (GroupStatus.SUSPENDED, GroupStatus.DERECOGNISED)


class RecognitionError(Exception):
    """A request the rules refuse, with a reason to show the person."""


def _label(actor: Any) -> str:
    is_person = actor is not None and getattr(actor, "is_authenticated", False)
    return str(actor.email) if is_person else "system"


def _person(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _group_link(group: Group) -> str:
    return settings.GRASSROOTS_SITE_URL.rstrip("/") + reverse("group_detail", args=[group.slug])


def _notify_officers(*, actor: Any, group: Group, subject: str, body: str, purpose: str) -> None:
    """A notice to the group's Chair, Secretary and Data Manager (whoever holds those roles
    today, including one whose last day it is)."""
    officer_ids = list(
        RoleAssignment.objects.current(today())
        .filter(group=group, role__in=NOTIFIED_ROLES)
        .values_list("member_id", flat=True)
        .distinct()
    )
    if not officer_ids:
        return
    send_to_members(
        actor=actor,
        members=officer_ids,
        subject=subject,
        body=body,
        purpose=purpose,
        kind=MailKind.NOTICE,
    )


def _failing_lines(bad: list[CriterionResult]) -> str:
    return "\n".join(f"- {r.label}: {r.detail}" for r in bad)


def _change_status(
    *,
    actor: Any,
    recognition: GroupRecognition,
    to: str,
    reason: str,
    bad: list[CriterionResult] | None = None,
    fix_by: datetime.date | None = None,
) -> RecognitionEvent:
    event = RecognitionEvent.objects.create(
        group=recognition.group,
        from_status=recognition.status,
        to_status=to,
        reason=reason,
        failing=[{"code": r.code, "label": r.label, "detail": r.detail} for r in bad or []],
        fix_by=fix_by,
        decided_by=_person(actor),
        decided_by_label=_label(actor),
        at=now(),
    )
    recognition.status = to
    recognition.fix_by = fix_by
    recognition.reminded_on = None
    recognition.save(update_fields=["status", "fix_by", "reminded_on"])
    record(
        actor=actor,
        action="recognition_status_changed",
        subject_type="group",
        subject_id=recognition.group_id,
        scope=str(recognition.group)[:120],
        detail={
            "from": event.from_status,
            "to": to,
            "reason": reason,
            "failing": [r.code for r in bad or []],
            "fix_by": fix_by.isoformat() if fix_by else None,
        },
    )
    return event


def _locked_recognition(group: Group) -> GroupRecognition:
    recognition, _ = GroupRecognition.objects.select_for_update().get_or_create(group=group)
    recognition.group = group
    return recognition


def _review(*, actor: Any, group: Group, criteria: RecognitionCriteria) -> GroupRecognition:
    """Apply the automatic transitions (docs/recognition.md has the table). Never
    de-recognises: that is the national office's decision alone."""
    day = today()
    recognition = _locked_recognition(group)
    recognition.reviewed_at = now()
    recognition.save(update_fields=["reviewed_at"])
    status = recognition.status
    if status == GroupStatus.DERECOGNISED:
        return recognition
    bad = failing(evaluate_group(group, criteria, day))
    link = _group_link(group)
    if not bad:
        if status != GroupStatus.RECOGNISED:
            _change_status(
                actor=actor,
                recognition=recognition,
                to=GroupStatus.RECOGNISED,
                reason="The group meets every recognition criterion.",
            )
            if status in (GroupStatus.AT_RISK, GroupStatus.SUSPENDED):
                _notify_officers(
                    actor=actor,
                    group=group,
                    subject=f"{group.name} is recognised again",
                    body=(
                        "Dear $first_name,\n\n"
                        f"{group.name} meets every recognition criterion again, so it is "
                        f"recognised.\n\nThe group's history: {link}\n"
                    ),
                    purpose="recognition notice: recognised again",
                )
        return recognition
    if status == GroupStatus.RECOGNISED:
        fix_by = day + datetime.timedelta(days=criteria.days_to_fix)
        _change_status(
            actor=actor,
            recognition=recognition,
            to=GroupStatus.AT_RISK,
            reason="A recognition criterion is not met.",
            bad=bad,
            fix_by=fix_by,
        )
        _notify_officers(
            actor=actor,
            group=group,
            subject=f"{group.name} is at risk of suspension: put it right by {fix_by:%-d %B %Y}",
            body=(
                "Dear $first_name,\n\n"
                f"{group.name} no longer meets these recognition criteria:\n\n"
                f"{_failing_lines(bad)}\n\n"
                f"If they are met by {fix_by:%-d %B %Y}, nothing more happens. If not, the group "
                "will be suspended the day after. You will be reminded before then.\n\n"
                f"The group's history: {link}\n"
            ),
            purpose="recognition notice: at risk",
        )
        return recognition
    if status == GroupStatus.AT_RISK and recognition.fix_by is not None:
        if day > recognition.fix_by:
            _change_status(
                actor=actor,
                recognition=recognition,
                to=GroupStatus.SUSPENDED,
                reason=(
                    f"Recognition criteria were still not met after the fix-by date "
                    f"({recognition.fix_by:%-d %B %Y})."
                ),
                bad=bad,
            )
            _notify_officers(
                actor=actor,
                group=group,
                subject=f"{group.name} is suspended",
                body=(
                    "Dear $first_name,\n\n"
                    f"{group.name} is suspended: these criteria were not met in time:\n\n"
                    f"{_failing_lines(bad)}\n\n"
                    "The group is recognised again as soon as they are met. The group's "
                    f"officers may appeal the suspension from the group's page: {link}\n"
                ),
                purpose="recognition notice: suspended",
            )
        elif recognition.reminded_on is None and day >= recognition.fix_by - datetime.timedelta(
            days=criteria.reminder_days
        ):
            recognition.reminded_on = day
            recognition.save(update_fields=["reminded_on"])
            _notify_officers(
                actor=actor,
                group=group,
                subject=(
                    f"Reminder: {group.name} will be suspended after {recognition.fix_by:%-d %B %Y}"
                ),
                body=(
                    "Dear $first_name,\n\n"
                    f"{group.name} still does not meet these recognition criteria:\n\n"
                    f"{_failing_lines(bad)}\n\n"
                    f"Unless they are met by {recognition.fix_by:%-d %B %Y}, the group will be "
                    f"suspended the day after.\n\nThe group's history: {link}\n"
                ),
                purpose="recognition notice: reminder before suspension",
            )
            record(
                actor=actor,
                action="recognition_reminder_sent",
                subject_type="group",
                subject_id=group.pk,
                scope=str(group)[:120],
                detail={"fix_by": recognition.fix_by.isoformat()},
            )
    return recognition


@transaction.atomic(durable=True)
def review_recognition(*, actor: Any = None, group: Group) -> GroupRecognition:
    """Evaluate one group against the criteria and apply what follows (None: the system)."""
    return _review(actor=actor, group=group, criteria=current_criteria())


def review_all_groups() -> dict[str, int]:
    """The scheduled review: every group, each in its own transaction. Counts by status."""
    counts: dict[str, int] = {}
    for group in Group.objects.order_by("pk").iterator():
        status = review_recognition(group=group).status
        counts[status] = counts.get(status, 0) + 1
    return counts


# --- Officers (docs/officers.md) -----------------------------------------------------------------

# The roles a group appoints; each has one holder at a time.
GROUP_ROLES = (Role.CHAIR, Role.SECRETARY, Role.TREASURER, Role.DATA_MANAGER)
# How far ahead an appointment may be recorded to start.
APPOINT_AHEAD = datetime.timedelta(days=366)


class OfficerError(RecognitionError):
    """An appointment or removal the rules refuse, with a reason to show the person."""


def _basis_label(basis: str) -> str:
    return str(OfficerBasis(basis).label).lower()


def _check_basis(
    *, actor: Any, group: Group, basis: str, decided_on: datetime.date | None, reference: str
) -> None:
    """The basis must be one the actor may use for this group, and cite what it rests on."""
    bases = officer_bases(actor, group)
    if basis not in bases:
        if basis == OfficerBasis.OVERSIGHT and bases:
            raise OfficerError(
                "Only the area, region or national office appoints or removes officers by its "
                "own decision. Record the group's vote instead."
            )
        raise PermissionDenied("You may not appoint or remove this group's officers.")
    if basis == OfficerBasis.GROUP_VOTE:
        if decided_on is None:
            raise OfficerError("Give the date of the meeting or ballot at which the group voted.")
        if decided_on > today():
            raise OfficerError("The group's vote must already have taken place.")
        if not reference:
            raise OfficerError(
                "Give the reference of the group's decision, for example "
                "'AGM 12 May 2026, minute 4'; it is shown in the officer history."
            )
    elif not reference:
        raise OfficerError("Give the reason for the decision; it is shown in the officer history.")


def _officer_change_recipients(group: Group, *also: int) -> list[int]:
    """Who hears of a change of officers: the member concerned, the group's Chair, Secretary
    and Data Manager, and the area's coordinators (so a recorded vote is seen from above)."""
    ids = list(also)
    ids += (
        RoleAssignment.objects.current(today())
        .filter(group=group, role__in=NOTIFIED_ROLES)
        .values_list("member_id", flat=True)
    )
    ids += (
        RoleAssignment.objects.current(today())
        .filter(area_id=group.area_id, role=Role.AREA_COORDINATOR)
        .values_list("member_id", flat=True)
    )
    return list(dict.fromkeys(ids))


@transaction.atomic(durable=True)
def appoint_officer(
    *,
    actor: Any,
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
        raise OfficerError("Choose one of the group's roles.")
    if starts_on > today() + APPOINT_AHEAD:
        raise OfficerError("An appointment can be recorded at most a year ahead.")
    if basis == OfficerBasis.GROUP_VOTE and decided_on is not None and starts_on < decided_on:
        raise OfficerError("The appointment cannot start before the vote that made it.")
    if basis == OfficerBasis.OVERSIGHT and starts_on < today():
        raise OfficerError("An appointment by decision starts today or later.")
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
            f"No member of {group.name} has the membership number {number or '(none)'} and the "
            f"surname {surname or '(none)'}. Officers must be members of the group: check both "
            "with the person."
        )
    if member.status != MembershipStatus.MEMBER:
        raise OfficerError(
            f"{member.full_name} is {member.get_status_display().lower()}, not a member in good "
            "standing, so cannot hold office."
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
            raise OfficerError(f"{member.full_name} is already the group's {label}.")
        until = f" until {clash.ends_on:%-d %B %Y}" if clash.ends_on else ""
        raise OfficerError(
            f"{clash.member.full_name} is the group's {label}{until}. A group has one {label}: "
            "end that role first, or start this appointment after it ends."
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
        appointed_by=_person(actor),
        appointed_by_label=_label(actor),
    )
    record(
        actor=actor,
        action="appoint_officer",
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
    agreement = ""
    if role == Role.DATA_MANAGER:
        agreement = (
            "\n\nA Data Manager sees members' personal data only after accepting the data "
            "protection agreement. The new Data Manager reads and accepts it here: "
            + settings.GRASSROOTS_SITE_URL.rstrip("/")
            + reverse("data_protection_agreement")
        )
    how = (
        f"by the group's vote ({reference}, {decided_on:%-d %B %Y})"
        if basis == OfficerBasis.GROUP_VOTE and decided_on
        else f"by decision of {_label(actor)}: {reference}"
    )
    send_to_members(
        actor=actor,
        members=_officer_change_recipients(group, member.pk),
        subject=f"{member.full_name} is appointed {label} of {group.name}",
        body=(
            "Dear $first_name,\n\n"
            f"{member.full_name} is appointed {label} of {group.name} from "
            f"{starts_on:%-d %B %Y}, {how}.{agreement}\n\n"
            f"The group's officers and their history: {_officers_link(group)}\n"
        ),
        purpose="officer notice: appointment",
        kind=MailKind.NOTICE,
    )
    _review(actor=None, group=group, criteria=current_criteria())
    return assignment


def _officers_link(group: Group) -> str:
    return settings.GRASSROOTS_SITE_URL.rstrip("/") + reverse("group_officers", args=[group.slug])


@transaction.atomic(durable=True)
def end_role(
    *,
    actor: Any,
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
        raise PermissionDenied("You may not end this role.")
    assignment = (
        RoleAssignment.objects.select_for_update().select_related("member").get(pk=assignment.pk)
    )
    reason = " ".join(reason.split())
    if basis is None:
        basis = OfficerBasis.RESIGNATION if is_holder(actor, assignment) else OfficerBasis.OVERSIGHT
    if basis == OfficerBasis.RESIGNATION:
        if not is_holder(actor, assignment):
            raise OfficerError("Only the officer can resign; record the decision instead.")
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
        raise OfficerError("Only the national office ends this role.")
    if not reason:
        raise OfficerError("Say why the role ends; it is kept in the group's records.")
    if assignment.ends_on is not None and assignment.ends_on < today():
        raise OfficerError("This role has already ended.")
    if ends_on < today():
        raise OfficerError("The last day cannot be in the past.")
    if ends_on < assignment.starts_on:
        raise OfficerError("The last day cannot be before the role started.")
    previous = assignment.ends_on
    assignment.ends_on = ends_on
    assignment.ended_basis = basis
    assignment.ended_decided_on = decided_on if basis == OfficerBasis.GROUP_VOTE else None
    assignment.ended_reference = reason[:200]
    assignment.ended_by_label = _label(actor)
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
        action="end_role",
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
    forget_cached_roles(actor)
    if assignment.group is not None:
        group = assignment.group
        if basis != OfficerBasis.RESIGNATION:
            label = assignment.get_role_display()
            how = (
                f"by the group's vote ({reason}, {decided_on:%-d %B %Y})"
                if basis == OfficerBasis.GROUP_VOTE and decided_on
                else f"by decision of {_label(actor)}: {reason}"
            )
            send_to_members(
                actor=actor,
                members=_officer_change_recipients(group, assignment.member_id),
                subject=f"{assignment.member.full_name} is removed as {label} of {group.name}",
                body=(
                    "Dear $first_name,\n\n"
                    f"{assignment.member.full_name}'s role as {label} of {group.name} ends on "
                    f"{ends_on:%-d %B %Y}, {how}.\n\n"
                    f"The group's officers and their history: {_officers_link(group)}\n"
                ),
                purpose="officer notice: removal",
                kind=MailKind.NOTICE,
            )
        _review(actor=None, group=group, criteria=current_criteria())
    return assignment


@transaction.atomic(durable=True)
def record_agm(*, actor: Any, group: Group, held_on: datetime.date) -> AgmRecord:
    if not may(actor, Capability.RECORD_AGM, group):
        raise PermissionDenied("You may not record this group's AGM.")
    if held_on > today():
        raise RecognitionError("An AGM can be recorded once it has been held.")
    agm = AgmRecord.objects.create(
        group=group,
        held_on=held_on,
        recorded_by=actor,
        recorded_by_label=_label(actor),
        recorded_at=now(),
    )
    record(
        actor=actor,
        action="record_agm",
        subject_type="group",
        subject_id=group.pk,
        scope=str(group)[:120],
        detail={"held_on": held_on.isoformat()},
    )
    _review(actor=None, group=group, criteria=current_criteria())
    return agm


@transaction.atomic(durable=True)
def accept_agreement(*, actor: Any, assignment: RoleAssignment) -> AgreementAcceptance:
    """The Data Manager accepts the current data protection agreement for this appointment."""
    member = getattr(actor, "member", None)
    if (
        member is None
        or assignment.member_id != member.pk
        or assignment.role != Role.DATA_MANAGER
        or not RoleAssignment.objects.current().filter(pk=assignment.pk).exists()
    ):
        raise PermissionDenied("Only a serving Data Manager accepts the agreement.")
    acceptance, created = AgreementAcceptance.objects.get_or_create(
        assignment=assignment, version=AGREEMENT_VERSION, defaults={"accepted_at": now()}
    )
    if created:
        record(
            actor=actor,
            action="accept_data_protection_agreement",
            subject_type="role_assignment",
            subject_id=assignment.pk,
            scope=assignment.scope_name[:120],
            detail={"version": AGREEMENT_VERSION},
        )
        if assignment.group is not None:
            _review(actor=None, group=assignment.group, criteria=current_criteria())
    return acceptance


CRITERIA_FIELDS = (
    "require_data_manager",
    "require_secretary",
    "minimum_members",
    "agm_within_months",
    "require_agreement",
    "days_to_fix",
    "reminder_days",
    "appeal_body",
)


@transaction.atomic(durable=True)
def update_criteria(*, actor: Any, values: Mapping[str, Any]) -> RecognitionCriteria:
    """Change the criteria. Groups are re-evaluated by the next scheduled review, so a change
    reaches every group the same way and no group is suspended without its fix-by period."""
    if not may(actor, Capability.MANAGE_RECOGNITION):
        raise PermissionDenied("You may not change the recognition criteria.")
    unknown = set(values) - set(CRITERIA_FIELDS)
    if unknown:
        raise ValueError(f"not criteria: {sorted(unknown)}")
    criteria, _ = RecognitionCriteria.objects.select_for_update().get_or_create(pk=1)
    if values.get("reminder_days", criteria.reminder_days) >= values.get(
        "days_to_fix", criteria.days_to_fix
    ):
        raise RecognitionError("The reminder must come before the fix-by date.")
    before = {name: getattr(criteria, name) for name in CRITERIA_FIELDS}
    for name, value in values.items():
        setattr(criteria, name, value)
    criteria.updated_at = now()
    criteria.updated_by = actor
    criteria.save()
    after = {name: getattr(criteria, name) for name in CRITERIA_FIELDS}
    record(
        actor=actor,
        action="update_recognition_criteria",
        subject_type="recognition_criteria",
        subject_id=criteria.pk,
        detail={
            name: {"from": before[name], "to": after[name]}
            for name in CRITERIA_FIELDS
            if before[name] != after[name]
        },
    )
    return criteria


@transaction.atomic(durable=True)
def derecognise_group(*, actor: Any, group: Group, reason: str) -> RecognitionEvent:
    """The national office's decision, and only for a group already suspended."""
    if not may(actor, Capability.MANAGE_RECOGNITION, group):
        raise PermissionDenied("You may not de-recognise groups.")
    reason = reason.strip()
    if not reason:
        raise RecognitionError("Give the reason; the group's members will read it.")
    recognition = _locked_recognition(group)
    if recognition.status != GroupStatus.SUSPENDED:
        raise RecognitionError("Only a suspended group can be de-recognised.")
    event = _change_status(
        actor=actor, recognition=recognition, to=GroupStatus.DERECOGNISED, reason=reason
    )
    _notify_officers(
        actor=actor,
        group=group,
        subject=f"{group.name} is de-recognised",
        body=(
            "Dear $first_name,\n\n"
            f"The national office has de-recognised {group.name}. Its reason:\n\n{reason}\n\n"
            f"The group's officers may appeal from the group's page: {_group_link(group)}\n"
        ),
        purpose="recognition notice: de-recognised",
    )
    return event


@transaction.atomic(durable=True)
def lodge_appeal(*, actor: Any, group: Group, statement: str) -> RecognitionAppeal:
    if not may(actor, Capability.APPEAL_RECOGNITION, group):
        raise PermissionDenied("Only the group's officers may appeal.")
    statement = statement.strip()
    if not statement:
        raise RecognitionError("Write the group's statement.")
    recognition = _locked_recognition(group)
    if recognition.status not in APPEALABLE:
        raise RecognitionError("Only a suspension or a de-recognition can be appealed.")
    if RecognitionAppeal.objects.filter(group=group, decision=AppealDecision.PENDING).exists():
        raise RecognitionError("The group already has an appeal awaiting a decision.")
    against = RecognitionEvent.objects.filter(group=group, to_status=recognition.status).first()
    if against is None:
        raise RecognitionError("There is no decision to appeal.")
    appeal = RecognitionAppeal.objects.create(
        group=group,
        against=against,
        statement=statement,
        lodged_by=actor,
        lodged_by_label=_label(actor),
        lodged_at=now(),
        body=current_criteria().appeal_body,
    )
    record(
        actor=actor,
        action="lodge_recognition_appeal",
        subject_type="recognition_appeal",
        subject_id=appeal.pk,
        scope=str(group)[:120],
        detail={"against": against.to_status, "body": appeal.body},
    )
    _notify_appeal_body(actor=actor, appeal=appeal, against=against)
    return appeal


def _notify_appeal_body(
    *, actor: Any, appeal: RecognitionAppeal, against: RecognitionEvent
) -> None:
    """Tell everyone who sits on the body the rules name today: an appeal waits for them."""
    body_members = list(
        RoleAssignment.objects.current(today())
        .filter(role=appeal.body, level=ScopeLevel.NATION)
        .values_list("member_id", flat=True)
        .distinct()
    )
    if not body_members:
        return
    group = appeal.group
    decision = "suspension" if against.to_status == GroupStatus.SUSPENDED else "de-recognition"
    link = settings.GRASSROOTS_SITE_URL.rstrip("/") + reverse(
        "recognition_appeal_decide", args=[appeal.pk]
    )
    send_to_members(
        actor=actor,
        members=body_members,
        subject=f"Appeal by {group.name} against its {decision}",
        body=(
            "Dear $first_name,\n\n"
            f"{group.name} has appealed against its {decision} of {against.at:%-d %B %Y}. "
            f"The rules name the {appeal.get_body_display()} to hear it.\n\n"
            f"The group's statement:\n\n{appeal.statement}\n\n"
            f"Read the decision appealed against and record yours: {link}\n"
        ),
        purpose="recognition notice: appeal lodged",
        kind=MailKind.NOTICE,
    )


@transaction.atomic(durable=True)
def decide_appeal(
    *, actor: Any, appeal: RecognitionAppeal, upheld: bool, reasons: str
) -> RecognitionAppeal:
    """The body named in the rules decides. Upheld restores the status before the decision
    appealed against (with a fresh fix-by period if that was "at risk")."""
    if not may_decide_appeals(actor, appeal.body):
        raise PermissionDenied("You do not sit on the body that hears this appeal.")
    appeal = (
        RecognitionAppeal.objects.select_for_update().select_related("against").get(pk=appeal.pk)
    )
    if not appeal.is_pending:
        raise RecognitionError("This appeal has been decided.")
    if appeal.lodged_by_id is not None and appeal.lodged_by_id == actor.pk:
        raise RecognitionError("You lodged this appeal, so you cannot decide it.")
    reasons = reasons.strip()
    if not reasons:
        raise RecognitionError("Give the reasons for the decision; the group will read them.")
    appeal.decision = AppealDecision.UPHELD if upheld else AppealDecision.DISMISSED
    appeal.decision_reasons = reasons
    appeal.decided_by = actor
    appeal.decided_by_label = _label(actor)
    appeal.decided_at = now()
    appeal.save()
    group = Group.objects.get(pk=appeal.group_id)
    recognition = _locked_recognition(group)
    restored = None
    if upheld and recognition.status == appeal.against.to_status:
        restored = appeal.against.from_status
        fix_by = None
        if restored == GroupStatus.AT_RISK:
            fix_by = today() + datetime.timedelta(days=current_criteria().days_to_fix)
        _change_status(
            actor=actor,
            recognition=recognition,
            to=restored,
            reason=f"Appeal upheld: {reasons}",
            fix_by=fix_by,
        )
    record(
        actor=actor,
        action="decide_recognition_appeal",
        subject_type="recognition_appeal",
        subject_id=appeal.pk,
        scope=str(group)[:120],
        detail={"decision": appeal.decision, "restored": restored},
    )
    _notify_officers(
        actor=actor,
        group=group,
        subject=f"{group.name}'s appeal is {appeal.get_decision_display().lower()}",
        body=(
            "Dear $first_name,\n\n"
            f"The appeal by {group.name} has been {appeal.get_decision_display().lower()}. "
            f"The reasons:\n\n{reasons}\n\nThe group's history: {_group_link(group)}\n"
        ),
        purpose="recognition notice: appeal decided",
    )
    return appeal
