"""Quorum rules: each body's officers set the rule its meetings are held to, with a reason,
kept as an audited history.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record
from grassroots.meetings import queries
from grassroots.meetings.models import QuorumRule, QuorumRuleChange
from grassroots.meetings.services.common import REASON_MAX, MeetingError, clean_text
from grassroots.organisation.permissions import Capability, Nation, Scope, may
from grassroots.organisation.scopes import body_named
from grassroots.people.queries import own_member

QUORUM_MINIMUM_MAX = 100_000


def _quorum_number(value: object, label: str, *, lowest: int, highest: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise MeetingError(gettext("The %(label)s must be a whole number.") % {"label": label})
    if value < lowest:
        raise MeetingError(
            gettext("The %(label)s cannot be less than %(lowest)s.")
            % {"label": label, "lowest": lowest}
        )
    if value > highest:
        raise MeetingError(
            gettext("The %(label)s cannot be more than %(highest)s.")
            % {"label": label, "highest": f"{highest:,}"}
        )
    return value


@transaction.atomic(durable=True)
def set_quorum_rule(
    *,
    actor: User,
    level: str,
    body: Scope | None,
    minimum_present: int,
    percent_of_members: int,
    reason: str,
) -> QuorumRuleChange:
    """Change ``body``'s quorum rule (level nation, body ``NATION``: the national rule).

    The change is kept with the rule it replaced, who made it and why, and is audited. It
    applies to meetings that have not started yet: a meeting already under way, or held, keeps
    the rule in force when it started (``queries.quorum_rule_in_force``)."""
    target = body_named(level, body)
    if target is None:
        raise MeetingError(gettext("Say which group, area or region the rule is for."))
    if not may(actor, Capability.SET_QUORUM, target):
        raise PermissionDenied(
            gettext("Only the body's own officers or national office can do this.")
        )
    # The rule's own column: none for the national rule.
    body = None if isinstance(target, Nation) else target
    minimum = _quorum_number(
        minimum_present, gettext("minimum number present"), lowest=1, highest=QUORUM_MINIMUM_MAX
    )
    percent = _quorum_number(
        percent_of_members, gettext("percentage of members"), lowest=0, highest=100
    )
    reason = clean_text(reason, gettext("reason for the change"), REASON_MAX)
    if body is not None:
        type(body).objects.select_for_update().filter(pk=body.pk).first()
    scope = queries.body_filter(level, target)
    rule = QuorumRule.objects.select_for_update().filter(scope).first()
    if rule is not None and (rule.minimum_present, rule.percent_of_members) == (minimum, percent):
        raise MeetingError(
            gettext(
                "That is already the rule: at least %(minimum)s present and "
                "%(percent)s%% of members."
            )
            % {"minimum": minimum, "percent": percent}
        )
    previous = (rule.minimum_present, rule.percent_of_members) if rule else (None, None)
    columns: dict[str, Any] = {"level": level}
    if body is not None:
        columns[level] = body
    if rule is None:
        rule = QuorumRule(**columns)
    rule.minimum_present, rule.percent_of_members = minimum, percent
    rule.save()
    changer = own_member(actor)
    change = QuorumRuleChange.objects.create(
        **columns,
        previous_minimum_present=previous[0],
        previous_percent_of_members=previous[1],
        minimum_present=minimum,
        percent_of_members=percent,
        reason=reason,
        changed_by=changer,
        changed_at=clock.now(),
    )
    record(
        actor=actor,
        action=AuditAction.SET_QUORUM_RULE,
        subject_type="quorum_rule",
        subject_id=rule.pk,
        scope=(str(body) if body is not None else "National")[:120],
        purpose=reason[:200],
        detail={
            "level": level,
            "from": None
            if previous[0] is None
            else {"minimum_present": previous[0], "percent_of_members": previous[1]},
            "to": {"minimum_present": minimum, "percent_of_members": percent},
        },
    )
    return change
