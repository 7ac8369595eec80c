"""Suspension and expulsion with the steps the rules require (docs/organisation.md): notice with
the reason, the member's right to respond by a date, the decision of the body the notice names,
and an appeal to the other national body. Each sanction and its undoing is a status change in
the member's history; a suspended or expelled member cannot vote (the ballot roll takes members
by status) or sign an initiative, holds no office, and sees the reason on their membership page.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import dateformat
from django.utils.translation import gettext, gettext_lazy

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record
from grassroots.messaging.languages import in_every_language
from grassroots.messaging.models import MailKind
from grassroots.messaging.services import send_to_members
from grassroots.organisation.models import Role, RoleAssignment
from grassroots.organisation.permissions import Capability, may, may_decide_appeals
from grassroots.people.models import (
    AppealOutcome,
    CaseOutcome,
    DisciplinaryCase,
    Member,
    MembershipStatus,
    Sanction,
    StatusCause,
)
from grassroots.people.standing import record_status_changes

# The bodies that decide; an appeal goes to the other one.
DECIDING_BODIES = (Role.NATIONAL_COMMITTEE, Role.NATIONAL_OFFICE)
MIN_DAYS_TO_RESPOND = 14
DAYS_TO_APPEAL = 28


class DisciplineError(Exception):
    """A step the rules refuse, with a reason to show the person."""


BODY_NAMES = {
    Role.NATIONAL_COMMITTEE: gettext_lazy("the national committee"),
    Role.NATIONAL_OFFICE: gettext_lazy("national office"),
}


def body_name(body: str) -> str:
    return str(BODY_NAMES.get(Role(body), Role(body).label))


def appeal_body_for(body: str) -> str:
    return Role.NATIONAL_OFFICE if body == Role.NATIONAL_COMMITTEE else Role.NATIONAL_COMMITTEE


def _label(actor: User) -> str:
    return str(getattr(actor, "email", "system"))


def _membership_link() -> str:
    return settings.GRASSROOTS_SITE_URL.rstrip("/") + reverse("my_membership")


def _tell(actor: User, member: Member, words: Callable[[], tuple[str, str]]) -> None:
    """A disciplinary notice to the member, in their language: ``words`` gives its subject and
    text in the active one."""

    def letter() -> tuple[str, str]:
        subject, text = words()
        page = gettext("Your membership page: %(link)s") % {"link": _membership_link()}
        return subject, gettext("Dear $first_name,") + "\n\n" + text + "\n\n" + page + "\n"

    subject, body, translations = in_every_language(letter)
    send_to_members(
        actor=actor,
        members=[member.pk],
        subject=subject,
        body=body,
        purpose="disciplinary notice",
        kind=MailKind.NOTICE,
        translations=translations,
    )


def _set_status(member: Member, status: str, cause: str) -> None:
    member.status = status
    member.save(update_fields=["status", "updated_at"])
    record_status_changes([(member.pk, status, clock.today())], cause=cause)


@transaction.atomic(durable=True)
def give_notice(
    *, actor: User, member: Member, sanction: str, reason: str, body: str, respond_by: datetime.date
) -> DisciplinaryCase:
    """National office gives notice of a proposed suspension or expulsion, with its reason and
    the date by which the member may respond; the named body decides after that."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if not may(actor, Capability.MANAGE_MEMBERSHIP, member):
        raise PermissionDenied(gettext("You may not start a disciplinary case."))
    reason = reason.strip()
    if sanction not in Sanction.values:
        raise DisciplineError(gettext("Choose suspension or expulsion."))
    if body not in DECIDING_BODIES:
        raise DisciplineError(
            gettext("Name the body that decides: the national committee or office.")
        )
    if not reason:
        raise DisciplineError(gettext("Give the reason: the member is sent it with the notice."))
    if respond_by < clock.today() + datetime.timedelta(days=MIN_DAYS_TO_RESPOND):
        raise DisciplineError(
            gettext(
                "The member has at least %(MIN_DAYS_TO_RESPOND)s days to respond: give "
                "a date on or after %(earliest)s."
            )
            % {
                "MIN_DAYS_TO_RESPOND": MIN_DAYS_TO_RESPOND,
                "earliest": dateformat.format(
                    clock.today() + datetime.timedelta(days=MIN_DAYS_TO_RESPOND), "j F Y"
                ),
            }
        )
    if member.status not in (MembershipStatus.MEMBER, MembershipStatus.LAPSED):
        raise DisciplineError(
            gettext("%(member)s is %(status)s.")
            % {"member": member.full_name, "status": member.get_status_display().lower()}
        )
    try:
        with transaction.atomic():
            case = DisciplinaryCase.objects.create(
                member=member,
                sanction=sanction,
                reason=reason,
                body=body,
                opened_by=actor,
                opened_by_label=_label(actor),
                notice_given_at=clock.now(),
                respond_by=respond_by,
            )
    except IntegrityError as error:
        raise DisciplineError(
            gettext("%(member)s already has an open case.") % {"member": member.full_name}
        ) from error
    record(
        actor=actor,
        action=AuditAction.GIVE_DISCIPLINARY_NOTICE,
        subject_type="member",
        subject_id=member.membership_number,
        purpose=reason[:200],
        detail={"case": case.pk, "sanction": sanction, "body": body},
    )

    def notice() -> tuple[str, str]:
        sanction = case.get_sanction_display().lower()
        names = {
            "sanction": sanction,
            "respond_by": dateformat.format(respond_by, "j F Y"),
            "body": body_name(body).capitalize(),
        }
        return (
            gettext("Notice of proposed %(sanction)s") % names,
            gettext("The movement proposes your %(sanction)s, for this reason:") % names
            + "\n\n"
            + reason
            + "\n\n"
            + gettext(
                "You have the right to respond: write your response on your membership page by "
                "%(respond_by)s. %(body)s decides after that date, having read it, and you may "
                "appeal its decision."
            )
            % names,
        )

    _tell(actor, member, notice)
    return case


def _own_case(actor: User, case: DisciplinaryCase) -> DisciplinaryCase:
    case = (
        DisciplinaryCase.objects.select_for_update(of=("self",))
        .select_related("member")
        .get(pk=case.pk)
    )
    if case.member.user_id is None or getattr(actor, "pk", None) != case.member.user_id:
        raise PermissionDenied(gettext("Only the member concerned may do this."))
    return case


@transaction.atomic(durable=True)
def respond(*, actor: User, case: DisciplinaryCase, response: str) -> DisciplinaryCase:
    case = _own_case(actor, case)
    response = response.strip()
    if case.outcome != CaseOutcome.PENDING:
        raise DisciplineError(gettext("The case has been decided; you may appeal instead."))
    if clock.today() > case.respond_by:
        raise DisciplineError(
            gettext("Responses closed on %(respond_by)s.")
            % {"respond_by": dateformat.format(case.respond_by, "j F Y")}
        )
    if not response:
        raise DisciplineError(gettext("Write your response."))
    case.response, case.responded_at = response, clock.now()
    case.save(update_fields=["response", "responded_at"])
    record(
        actor=actor,
        action=AuditAction.RESPOND_TO_DISCIPLINARY_NOTICE,
        subject_type="member",
        subject_id=case.member.membership_number,
        detail={"case": case.pk},
    )
    return case


@transaction.atomic(durable=True)
def decide(
    *,
    actor: User,
    case: DisciplinaryCase,
    impose: bool,
    reasons: str,
    suspended_until: datetime.date | None = None,
) -> DisciplinaryCase:
    """The named body decides, once the member has responded or the date to respond has
    passed. A sanction changes the member's status and ends any office they hold."""
    case = (
        DisciplinaryCase.objects.select_for_update(of=("self",))
        .select_related("member")
        .get(pk=case.pk)
    )
    if not may_decide_appeals(actor, case.body):
        raise PermissionDenied(gettext("Only the body the notice names decides."))
    if case.outcome != CaseOutcome.PENDING:
        raise DisciplineError(gettext("The case has already been decided."))
    if case.responded_at is None and clock.today() <= case.respond_by:
        raise DisciplineError(
            gettext(
                "The member may respond until %(respond_by)s: decide after that, or "
                "once they have responded."
            )
            % {"respond_by": dateformat.format(case.respond_by, "j F Y")}
        )
    reasons = reasons.strip()
    if not reasons:
        raise DisciplineError(
            gettext("Give the reasons for the decision; the member is sent them.")
        )
    if suspended_until is not None and suspended_until <= clock.today():
        raise DisciplineError(gettext("A suspension ends on a day after today."))
    member = Member.objects.select_for_update().get(pk=case.member_id)
    case.outcome = CaseOutcome.SANCTIONED if impose else CaseOutcome.NO_ACTION
    case.decision_reasons = reasons
    case.decided_by_label = _label(actor)
    case.decided_at = clock.now()
    case.suspended_until = suspended_until if impose and case.sanction == Sanction.SUSPEND else None
    case.save()
    if impose:
        status = (
            MembershipStatus.SUSPENDED
            if case.sanction == Sanction.SUSPEND
            else MembershipStatus.EXPELLED
        )
        _set_status(member, status, StatusCause.DISCIPLINE)
        # Offices end at once: yesterday was the last day (today, for one that began today).
        for role in RoleAssignment.objects.current().filter(member=member):
            role.ends_on = max(role.starts_on, clock.today() - datetime.timedelta(days=1))
            role.ended_reference = f"{case.get_sanction_display()} of the member"
            role.save(update_fields=["ends_on", "ended_reference"])
    record(
        actor=actor,
        action=AuditAction.DECIDE_DISCIPLINARY_CASE,
        subject_type="member",
        subject_id=member.membership_number,
        purpose=reasons[:200],
        detail={"case": case.pk, "outcome": case.outcome},
    )

    def decision() -> tuple[str, str]:
        names = {
            "what": case.get_sanction_display().lower(),
            "body": body_name(case.body).capitalize(),
            "outcome": case.get_outcome_display().lower(),
            "reasons": reasons,
            "appeal_body": body_name(appeal_body_for(case.body)),
            "days": DAYS_TO_APPEAL,
        }
        text = gettext("%(body)s decided: %(outcome)s.") % names
        text += "\n\n" + gettext("Its reasons: %(reasons)s") % names
        if impose:
            text += (
                "\n\n"
                + gettext(
                    "You may appeal to %(appeal_body)s within %(days)s days, on your membership "
                    "page."
                )
                % names
            )
        return gettext("Decision on the proposed %(what)s") % names, text

    _tell(actor, member, decision)
    return case


@transaction.atomic(durable=True)
def lodge_appeal(*, actor: User, case: DisciplinaryCase, statement: str) -> DisciplinaryCase:
    case = _own_case(actor, case)
    statement = statement.strip()
    if case.outcome != CaseOutcome.SANCTIONED:
        raise DisciplineError(gettext("Only a sanction imposed can be appealed."))
    if case.appeal:
        raise DisciplineError(gettext("You have already appealed this decision."))
    assert case.decided_at is not None
    if clock.now() > case.decided_at + datetime.timedelta(days=DAYS_TO_APPEAL):
        raise DisciplineError(
            gettext("Appeals close %(DAYS_TO_APPEAL)s days after the decision.")
            % {"DAYS_TO_APPEAL": DAYS_TO_APPEAL}
        )
    if not statement:
        raise DisciplineError(gettext("Say why you appeal."))
    case.appeal = AppealOutcome.PENDING
    case.appeal_statement = statement
    case.appeal_lodged_at = clock.now()
    case.appeal_body = appeal_body_for(case.body)
    case.save(update_fields=["appeal", "appeal_statement", "appeal_lodged_at", "appeal_body"])
    record(
        actor=actor,
        action=AuditAction.LODGE_DISCIPLINARY_APPEAL,
        subject_type="member",
        subject_id=case.member.membership_number,
        detail={"case": case.pk, "body": case.appeal_body},
    )
    return case


@transaction.atomic(durable=True)
def decide_appeal(
    *, actor: User, case: DisciplinaryCase, uphold: bool, reasons: str
) -> DisciplinaryCase:
    """The appeal body decides; upholding the appeal restores the membership."""
    case = (
        DisciplinaryCase.objects.select_for_update(of=("self",))
        .select_related("member")
        .get(pk=case.pk)
    )
    if not may_decide_appeals(actor, case.appeal_body):
        raise PermissionDenied(gettext("Only the body hearing the appeal decides it."))
    if case.appeal != AppealOutcome.PENDING:
        raise DisciplineError(gettext("There is no appeal waiting for a decision."))
    reasons = reasons.strip()
    if not reasons:
        raise DisciplineError(
            gettext("Give the reasons for the decision; the member is sent them.")
        )
    case.appeal = AppealOutcome.UPHELD if uphold else AppealOutcome.DISMISSED
    case.appeal_reasons = reasons
    case.appeal_decided_by_label = _label(actor)
    case.appeal_decided_at = clock.now()
    case.save()
    member = Member.objects.select_for_update().get(pk=case.member_id)
    if uphold and member.status in (MembershipStatus.SUSPENDED, MembershipStatus.EXPELLED):
        _set_status(member, MembershipStatus.MEMBER, StatusCause.APPEAL)
    record(
        actor=actor,
        action=AuditAction.DECIDE_DISCIPLINARY_APPEAL,
        subject_type="member",
        subject_id=member.membership_number,
        purpose=reasons[:200],
        detail={"case": case.pk, "appeal": case.appeal},
    )

    def appeal_decision() -> tuple[str, str]:
        names = {
            "body": body_name(case.appeal_body).capitalize(),
            "appeal": case.get_appeal_display().lower(),
            "reasons": reasons,
        }
        return (
            gettext("Decision on your appeal"),
            gettext("%(body)s %(appeal)s your appeal.") % names
            + "\n\n"
            + gettext("Its reasons: %(reasons)s") % names,
        )

    _tell(actor, member, appeal_decision)
    return case


@transaction.atomic(durable=True)
def end_due_suspensions(*, on: datetime.date | None = None) -> int:
    """Nightly: suspensions whose last day has passed end; the member is a member again."""
    day = on or clock.today()
    ids = list(
        DisciplinaryCase.objects.filter(
            outcome=CaseOutcome.SANCTIONED,
            sanction=Sanction.SUSPEND,
            suspended_until__lt=day,
            member__status=MembershipStatus.SUSPENDED,
        ).values_list("member_id", flat=True)
    )
    if ids:
        Member.objects.filter(pk__in=ids).update(
            status=MembershipStatus.MEMBER, updated_at=clock.now()
        )
        record_status_changes(
            [(pk, MembershipStatus.MEMBER, day) for pk in ids], cause=StatusCause.REINSTATE
        )
        record(
            actor=None,
            action=AuditAction.END_SUSPENSION,
            subject_type="membership",
            subject_id="nightly",
            detail={"reinstated": len(ids)},
        )
    return len(ids)


def cases_for_bodies(actor: User) -> Any:
    """Cases waiting for a body the actor sits on: a decision or an appeal."""
    return cases_waiting_for(bodies_of(actor)).select_related("member")


def bodies_of(actor: User) -> list[str]:
    return [b for b in DECIDING_BODIES if may_decide_appeals(actor, b)]


def cases_waiting_for(bodies: list[str]) -> Any:
    from django.db.models import Q

    return DisciplinaryCase.objects.filter(
        Q(body__in=bodies, outcome=CaseOutcome.PENDING)
        | Q(appeal_body__in=bodies, appeal=AppealOutcome.PENDING)
    )
