"""Appeals against suspension or de-recognition: lodged by the group, decided by the appeal body."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
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
    AppealDecision,
    Group,
    GroupStatus,
    RecognitionAppeal,
    RecognitionEvent,
    RoleAssignment,
    ScopeLevel,
)
from grassroots.organisation.permissions import Capability, may, may_decide_appeals
from grassroots.organisation.queries import current_criteria
from grassroots.organisation.services.common import (
    RecognitionError,
    actor_label,
    group_link,
    notify_officers,
)
from grassroots.organisation.services.review import change_status, locked_recognition

APPEALABLE = (GroupStatus.SUSPENDED, GroupStatus.DERECOGNISED)


@transaction.atomic(durable=True)
def lodge_appeal(*, actor: User, group: Group, statement: str) -> RecognitionAppeal:
    if not may(actor, Capability.APPEAL_RECOGNITION, group):
        raise PermissionDenied(gettext("Only the group's officers may appeal."))
    statement = statement.strip()
    if not statement:
        raise RecognitionError(gettext("Write the group's statement."))
    recognition = locked_recognition(group)
    if recognition.status not in APPEALABLE:
        raise RecognitionError(gettext("Only a suspension or a de-recognition can be appealed."))
    if RecognitionAppeal.objects.filter(group=group, decision=AppealDecision.PENDING).exists():
        raise RecognitionError(gettext("The group already has an appeal awaiting a decision."))
    against = RecognitionEvent.objects.filter(group=group, to_status=recognition.status).first()
    if against is None:
        raise RecognitionError(gettext("There is no decision to appeal."))
    appeal = RecognitionAppeal.objects.create(
        group=group,
        against=against,
        statement=statement,
        lodged_by=actor,
        lodged_by_label=actor_label(actor),
        lodged_at=clock.now(),
        body=current_criteria().appeal_body,
    )
    record(
        actor=actor,
        action=AuditAction.LODGE_RECOGNITION_APPEAL,
        subject_type="recognition_appeal",
        subject_id=appeal.pk,
        scope=str(group)[:120],
        detail={"against": against.to_status, "body": appeal.body},
    )
    _notify_appeal_body(actor=actor, appeal=appeal, against=against)
    return appeal


def _notify_appeal_body(
    *, actor: User, appeal: RecognitionAppeal, against: RecognitionEvent
) -> None:
    """Tell everyone who sits on the body the rules name today: an appeal waits for them."""
    body_members = list(
        RoleAssignment.objects.current(clock.today())
        .filter(role=appeal.body, level=ScopeLevel.NATION)
        .values_list("member_id", flat=True)
        .distinct()
    )
    if not body_members:
        return
    group = appeal.group
    suspended = against.to_status == GroupStatus.SUSPENDED
    link = settings.GRASSROOTS_SITE_URL.rstrip("/") + reverse(
        "recognition_appeal_decide", args=[appeal.pk]
    )

    def words() -> tuple[str, str]:
        names = {
            "group": group.name,
            "decision": gettext("suspension") if suspended else gettext("de-recognition"),
            "at": dateformat.format(against.at, "j F Y"),
            "body": appeal.get_body_display(),
        }
        subject = gettext("Appeal by %(group)s against its %(decision)s") % names
        text = (
            gettext(
                "Dear $first_name,\n\n%(group)s has appealed against its %(decision)s of "
                "%(at)s. The rules name the %(body)s to hear it."
            )
            % names
            + "\n\n"
            + gettext("The group's statement:")
            + "\n\n"
            + appeal.statement
            + "\n\n"
            + gettext("Read the decision appealed against and record yours: %(link)s")
            % {"link": link}
            + "\n"
        )
        return subject, text

    subject, text, translations = in_every_language(words)
    send_to_members(
        actor=actor,
        members=body_members,
        subject=subject,
        body=text,
        purpose="recognition notice: appeal lodged",
        kind=MailKind.NOTICE,
        translations=translations,
    )


@transaction.atomic(durable=True)
def decide_appeal(
    *, actor: User, appeal: RecognitionAppeal, upheld: bool, reasons: str
) -> RecognitionAppeal:
    """The body named in the rules decides. Upheld restores the status before the decision
    appealed against (with a fresh fix-by period if that was "at risk")."""
    if not may_decide_appeals(actor, appeal.body):
        raise PermissionDenied(gettext("You do not sit on the body that hears this appeal."))
    appeal = (
        RecognitionAppeal.objects.select_for_update().select_related("against").get(pk=appeal.pk)
    )
    if not appeal.is_pending:
        raise RecognitionError(gettext("This appeal has been decided."))
    if appeal.lodged_by_id is not None and appeal.lodged_by_id == actor.pk:
        raise RecognitionError(gettext("You lodged this appeal, so you cannot decide it."))
    reasons = reasons.strip()
    if not reasons:
        raise RecognitionError(
            gettext("Give the reasons for the decision; the group will read them.")
        )
    appeal.decision = AppealDecision.UPHELD if upheld else AppealDecision.DISMISSED
    appeal.decision_reasons = reasons
    appeal.decided_by = actor
    appeal.decided_by_label = actor_label(actor)
    appeal.decided_at = clock.now()
    appeal.save()
    group = Group.objects.get(pk=appeal.group_id)
    recognition = locked_recognition(group)
    restored = None
    if upheld and recognition.status == appeal.against.to_status:
        restored = appeal.against.from_status
        fix_by = None
        if restored == GroupStatus.AT_RISK:
            fix_by = clock.today() + datetime.timedelta(days=current_criteria().days_to_fix)
        change_status(
            actor=actor,
            recognition=recognition,
            to=restored,
            reason=f"Appeal upheld: {reasons}",
            fix_by=fix_by,
        )
    record(
        actor=actor,
        action=AuditAction.DECIDE_RECOGNITION_APPEAL,
        subject_type="recognition_appeal",
        subject_id=appeal.pk,
        scope=str(group)[:120],
        detail={"decision": appeal.decision, "restored": restored},
    )

    def decided() -> tuple[str, str]:
        names = {"group": group.name, "decision": appeal.get_decision_display().lower()}
        subject = gettext("%(group)s's appeal is %(decision)s") % names
        text = (
            gettext(
                "Dear $first_name,\n\nThe appeal by %(group)s has been %(decision)s. The reasons:"
            )
            % names
            + "\n\n"
            + reasons
            + "\n\n"
            + gettext("The group's history: %(link)s") % {"link": group_link(group)}
            + "\n"
        )
        return subject, text

    subject, text, translations = in_every_language(decided)
    notify_officers(
        actor=actor,
        group=group,
        subject=subject,
        body=text,
        purpose="recognition notice: appeal decided",
        translations=translations,
    )
    return appeal
