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
from django.utils.translation import gettext

from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record
from grassroots.clock import now, today
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


def _failing_lines(bad: list[CriterionResult]) -> str:
    return "\n".join(f"- {r.label}: {r.detail}" for r in bad)


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
        failing=[{"code": r.code, "label": r.label, "detail": r.detail} for r in bad or []],
        fix_by=fix_by,
        decided_by=acting_person(actor),
        decided_by_label=actor_label(actor),
        at=now(),
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
    day = today()
    recognition = locked_recognition(group)
    recognition.reviewed_at = now()
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
                reason="The group meets every recognition criterion.",
            )
            if status in (GroupStatus.AT_RISK, GroupStatus.SUSPENDED):
                notify_officers(
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
        change_status(
            actor=actor,
            recognition=recognition,
            to=GroupStatus.AT_RISK,
            reason="A recognition criterion is not met.",
            bad=bad,
            fix_by=fix_by,
        )
        notify_officers(
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
            change_status(
                actor=actor,
                recognition=recognition,
                to=GroupStatus.SUSPENDED,
                reason=(
                    f"Recognition criteria were still not met after the fix-by date "
                    f"({recognition.fix_by:%-d %B %Y})."
                ),
                bad=bad,
            )
            notify_officers(
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
            notify_officers(
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
    criteria.updated_at = now()
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
    notify_officers(
        actor=actor,
        group=group,
        subject=f"{group.name} is de-recognised",
        body=(
            "Dear $first_name,\n\n"
            f"The national office has de-recognised {group.name}. Its reason:\n\n{reason}\n\n"
            f"The group's officers may appeal from the group's page: {group_link(group)}\n"
        ),
        purpose="recognition notice: de-recognised",
    )
    return event
