"""Groups' recognition (docs/recognition.md): the review against the criteria, the criteria
themselves and de-recognition by the national office.

A group's status changes only here. The review runs from ``manage.py review_recognition`` and,
explicitly, straight after each event that can change the outcome (a role ending, an AGM
recorded, the agreement accepted): no signals.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import dateformat
from django.utils.translation import gettext, gettext_noop

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record
from grassroots.messaging.languages import in_every_language
from grassroots.organisation.models import (
    Group,
    GroupRecognition,
    GroupStatus,
    RecognitionCriteria,
    RecognitionEvent,
)
from grassroots.organisation.permissions import NATION, Capability, may
from grassroots.organisation.queries import current_criteria
from grassroots.organisation.recognition import CriterionResult, evaluate_group, failing
from grassroots.organisation.services.common import (
    RecognitionError,
    acting_person,
    actor_label,
    group_link,
    notify_officers,
)


def _history(link: str) -> str:
    return "\n\n" + gettext("The group's history: %(link)s") % {"link": link} + "\n"


def _failing_lines(bad: list[CriterionResult]) -> str:
    """The failing criteria as lines of a notice, in the language it is being drawn in."""
    return "\n".join(
        gettext("- %(criterion)s: %(detail)s") % {"criterion": r.label, "detail": r.detail}
        for r in bad
    )


def change_status(
    *,
    actor: User | None,
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
        failing=[r.stored() for r in bad or []],
        fix_by=fix_by,
        decided_by=acting_person(actor),
        decided_by_label=actor_label(actor),
        at=clock.now(),
    )
    recognition.status = to
    recognition.fix_by = fix_by
    recognition.reminded_on = None
    recognition.save(update_fields=["status", "fix_by", "reminded_on"])
    record(
        actor=actor,
        action=AuditAction.RECOGNITION_STATUS_CHANGED,
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


def locked_recognition(group: Group) -> GroupRecognition:
    recognition, _ = GroupRecognition.objects.select_for_update().get_or_create(group=group)
    recognition.group = group
    return recognition


def review_group(
    *, actor: User | None, group: Group, criteria: RecognitionCriteria
) -> GroupRecognition:
    """Apply the automatic transitions (docs/recognition.md has the table). Never
    de-recognises: that is the national office's decision alone."""
    day = clock.today()
    recognition = locked_recognition(group)
    recognition.reviewed_at = clock.now()
    recognition.save(update_fields=["reviewed_at"])
    status = recognition.status
    if status == GroupStatus.DERECOGNISED:
        return recognition
    bad = failing(evaluate_group(group, criteria, day))
    link = group_link(group)
    if not bad:
        if status != GroupStatus.RECOGNISED:
            change_status(
                actor=actor,
                recognition=recognition,
                to=GroupStatus.RECOGNISED,
                reason=gettext_noop("The group meets every recognition criterion."),
            )
            if status in (GroupStatus.AT_RISK, GroupStatus.SUSPENDED):
                subject, body, translations = in_every_language(
                    lambda: (
                        gettext("%(group)s is recognised again") % {"group": group.name},
                        gettext(
                            "Dear $first_name,\n\n%(group)s meets every recognition criterion "
                            "again, so it is recognised."
                        )
                        % {"group": group.name}
                        + _history(link),
                    )
                )
                notify_officers(
                    actor=actor,
                    group=group,
                    subject=subject,
                    body=body,
                    purpose="recognition notice: recognised again",
                    translations=translations,
                )
        return recognition
    if status == GroupStatus.RECOGNISED:
        fix_by = day + datetime.timedelta(days=criteria.days_to_fix)
        change_status(
            actor=actor,
            recognition=recognition,
            to=GroupStatus.AT_RISK,
            reason=gettext_noop("A recognition criterion is not met."),
            bad=bad,
            fix_by=fix_by,
        )

        def at_risk() -> tuple[str, str]:
            names = {"group": group.name, "fix_by": dateformat.format(fix_by, "j F Y")}
            subject = (
                gettext("%(group)s is at risk of suspension: put it right by %(fix_by)s") % names
            )
            body = (
                gettext(
                    "Dear $first_name,\n\n%(group)s no longer meets these recognition criteria:"
                )
                % names
                + "\n\n"
                + _failing_lines(bad)
                + "\n\n"
                + gettext(
                    "If they are met by %(fix_by)s, nothing more happens. If not, the group will "
                    "be suspended the day after. You will be reminded before then."
                )
                % names
                + _history(link)
            )
            return subject, body

        subject, body, translations = in_every_language(at_risk)
        notify_officers(
            actor=actor,
            group=group,
            subject=subject,
            body=body,
            purpose="recognition notice: at risk",
            translations=translations,
        )
        return recognition
    if status == GroupStatus.AT_RISK and recognition.fix_by is not None:
        if day > recognition.fix_by:
            change_status(
                actor=actor,
                recognition=recognition,
                to=GroupStatus.SUSPENDED,
                reason=gettext_noop(
                    "Recognition criteria were still not met after the fix-by date."
                ),
                bad=bad,
            )
            subject, body, translations = in_every_language(
                lambda: (
                    gettext("%(group)s is suspended") % {"group": group.name},
                    gettext(
                        "Dear $first_name,\n\n%(group)s is suspended: these criteria were not "
                        "met in time:"
                    )
                    % {"group": group.name}
                    + "\n\n"
                    + _failing_lines(bad)
                    + "\n\n"
                    + gettext(
                        "The group is recognised again as soon as they are met. The group's "
                        "officers may appeal the suspension from the group's page: %(link)s"
                    )
                    % {"link": link}
                    + "\n",
                )
            )
            notify_officers(
                actor=actor,
                group=group,
                subject=subject,
                body=body,
                purpose="recognition notice: suspended",
                translations=translations,
            )
        elif recognition.reminded_on is None and day >= recognition.fix_by - datetime.timedelta(
            days=criteria.reminder_days
        ):
            recognition.reminded_on = day
            recognition.save(update_fields=["reminded_on"])
            fix_by = recognition.fix_by

            def reminder() -> tuple[str, str]:
                names = {"group": group.name, "fix_by": dateformat.format(fix_by, "j F Y")}
                subject = gettext("Reminder: %(group)s will be suspended after %(fix_by)s") % names
                body = (
                    gettext(
                        "Dear $first_name,\n\n%(group)s still does not meet these recognition "
                        "criteria:"
                    )
                    % names
                    + "\n\n"
                    + _failing_lines(bad)
                    + "\n\n"
                    + gettext(
                        "Unless they are met by %(fix_by)s, the group will be suspended the day "
                        "after."
                    )
                    % names
                    + _history(link)
                )
                return subject, body

            subject, body, translations = in_every_language(reminder)
            notify_officers(
                actor=actor,
                group=group,
                subject=subject,
                body=body,
                purpose="recognition notice: reminder before suspension",
                translations=translations,
            )
            record(
                actor=actor,
                action=AuditAction.RECOGNITION_REMINDER_SENT,
                subject_type="group",
                subject_id=group.pk,
                scope=str(group)[:120],
                detail={"fix_by": recognition.fix_by.isoformat()},
            )
    return recognition


@transaction.atomic(durable=True)
def review_recognition(*, actor: User | None = None, group: Group) -> GroupRecognition:
    """Evaluate one group against the criteria and apply what follows (None: the system)."""
    return review_group(actor=actor, group=group, criteria=current_criteria())


def review_all_groups() -> dict[str, int]:
    """The scheduled review: every group, each in its own transaction. Counts by status."""
    counts: dict[str, int] = {}
    for group in Group.objects.order_by("pk").iterator():
        status = review_recognition(group=group).status
        counts[status] = counts.get(status, 0) + 1
    return counts


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
def update_criteria(*, actor: User, values: Mapping[str, Any]) -> RecognitionCriteria:
    """Change the criteria. Groups are re-evaluated by the next scheduled review, so a change
    reaches every group the same way and no group is suspended without its fix-by period."""
    if not may(actor, Capability.MANAGE_RECOGNITION, NATION):
        raise PermissionDenied(gettext("You may not change the recognition criteria."))
    unknown = set(values) - set(CRITERIA_FIELDS)
    if unknown:
        raise ValueError(f"not criteria: {sorted(unknown)}")
    criteria, _ = RecognitionCriteria.objects.select_for_update().get_or_create(pk=1)
    if values.get("reminder_days", criteria.reminder_days) >= values.get(
        "days_to_fix", criteria.days_to_fix
    ):
        raise RecognitionError(gettext("The reminder must come before the fix-by date."))
    before = {name: getattr(criteria, name) for name in CRITERIA_FIELDS}
    for name, value in values.items():
        setattr(criteria, name, value)
    criteria.updated_at = clock.now()
    criteria.updated_by = actor
    criteria.save()
    after = {name: getattr(criteria, name) for name in CRITERIA_FIELDS}
    record(
        actor=actor,
        action=AuditAction.UPDATE_RECOGNITION_CRITERIA,
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
def derecognise_group(*, actor: User, group: Group, reason: str) -> RecognitionEvent:
    """The national office's decision, and only for a group already suspended."""
    if not may(actor, Capability.MANAGE_RECOGNITION, group):
        raise PermissionDenied(gettext("You may not de-recognise groups."))
    reason = reason.strip()
    if not reason:
        raise RecognitionError(gettext("Give the reason; the group's members will read it."))
    recognition = locked_recognition(group)
    if recognition.status != GroupStatus.SUSPENDED:
        raise RecognitionError(gettext("Only a suspended group can be de-recognised."))
    event = change_status(
        actor=actor, recognition=recognition, to=GroupStatus.DERECOGNISED, reason=reason
    )
    subject, body, translations = in_every_language(
        lambda: (
            gettext("%(group)s is de-recognised") % {"group": group.name},
            gettext(
                "Dear $first_name,\n\nThe national office has de-recognised %(group)s. Its reason:"
            )
            % {"group": group.name}
            + "\n\n"
            + reason
            + "\n\n"
            + gettext("The group's officers may appeal from the group's page: %(link)s")
            % {"link": group_link(group)}
            + "\n",
        )
    )
    notify_officers(
        actor=actor,
        group=group,
        subject=subject,
        body=body,
        purpose="recognition notice: de-recognised",
        translations=translations,
    )
    return event
