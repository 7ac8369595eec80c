"""A group's support for a nomination, resolved at its meeting and recorded by its officer."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.ballots.models import Ballot, GroupSupport, Nomination, NominationStatus
from grassroots.ballots.resolutions import carried_motion as find_carried_motion
from grassroots.ballots.services._common import audit_ballot, locked_ballot
from grassroots.ballots.services.errors import BallotError, WrongStage
from grassroots.organisation.models import RECOGNISED_STATUSES, Group, GroupRecognition, GroupStatus
from grassroots.organisation.permissions import Capability, group_ids_in, may
from grassroots.people.queries import own_member


def _group_support_refusal(ballot: Ballot, group: Group) -> str:
    """Why ``group`` cannot nominate in ``ballot`` (out of scope, not recognised), or ""."""
    group_ids = group_ids_in(ballot)
    if group_ids is not None and group.pk not in group_ids:
        return gettext(
            "%(group)s is not in this ballot's scope (%(scope)s): only groups within it can "
            "nominate."
        ) % {"group": group.name, "scope": ballot.scope_name}
    status = (
        GroupRecognition.objects.filter(group=group).values_list("status", flat=True).first()
        or GroupStatus.PROVISIONAL
    )
    if status not in RECOGNISED_STATUSES:
        return gettext(
            "%(group)s is not a recognised group (its status: %(status)s): only recognised "
            "groups can nominate."
        ) % {"group": group.name, "status": GroupStatus(status).label}
    return ""


@transaction.atomic(durable=True)
def record_group_support(
    *,
    actor: User,
    nomination: Nomination,
    group: Group,
    resolved_on: datetime.date,
    reference: str,
    carried_motion: int | None = None,
) -> GroupSupport:
    """A group's officer records that the group resolved to support a nomination.

    Only a recognised group within the ballot's scope, once per nomination (until withdrawn),
    while nominations are open. When the meeting is recorded in grassroots.meetings the
    officer links the carried motion (``carried_motion``: its outcome's id, looked up through
    grassroots.ballots.resolutions); it must be the group's own meeting, on the day given.
    Audited: the group's support is a public act, like a member's.
    """
    member = own_member(actor)
    if member is None or not may(actor, Capability.NOMINATE_BY_RESOLUTION, group):
        raise PermissionDenied(
            gettext("Only an officer of %(name)s can record its resolutions.")
            % {"name": group.name}
        )
    ballot = locked_ballot(nomination.question.ballot)
    if not ballot.nominations_are_open:
        raise WrongStage(
            gettext("Nominations have closed: a group's support can no longer be recorded.")
        )
    refusal = _group_support_refusal(ballot, group)
    if refusal:
        raise BallotError(refusal)
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    if nomination.status not in (NominationStatus.STANDING, NominationStatus.AWAITING_CONSENT):
        raise WrongStage(
            gettext("This nomination is “%(status)s”: it takes no more support.")
            % {"status": nomination.get_status_display()}
        )
    reference = " ".join(reference.split())
    if not reference:
        raise BallotError(gettext("Say where the resolution is recorded, e.g. “Minutes, item 4”."))
    if len(reference) > 200:
        raise BallotError(gettext("Keep the reference to 200 characters."))
    if resolved_on > clock.today():
        raise BallotError(gettext("The resolution's date cannot be in the future."))
    motion = None
    if carried_motion is not None:
        motion = find_carried_motion(carried_motion)
        if motion is None:
            raise BallotError(gettext("Link the outcome of a motion the meeting carried."))
        if motion.group_id != group.pk:
            raise BallotError(
                gettext("That meeting is not a meeting of %(name)s.") % {"name": group.name}
            )
        if motion.held_on != resolved_on:
            raise BallotError(
                gettext("That meeting was held on %(held_on)s, not %(resolved_on)s.")
                % {
                    "held_on": date_format(motion.held_on, "j F Y"),
                    "resolved_on": date_format(resolved_on, "j F Y"),
                }
            )
    if GroupSupport.objects.filter(
        nomination=nomination, group=group, withdrawn_at__isnull=True
    ).exists():
        raise WrongStage(
            gettext("%(name)s already supports this nomination.") % {"name": group.name}
        )
    support = GroupSupport.objects.create(
        nomination=nomination,
        group=group,
        resolved_on=resolved_on,
        reference=reference,
        carried_motion_id=motion.outcome_id if motion else None,
        carried_motion_label=motion.label if motion else "",
        carried_motion_url=motion.url if motion else "",
        recorded_by=member,
        recorded_at=clock.now(),
    )
    audit_ballot(
        actor,
        AuditAction.RECORD_GROUP_SUPPORT,
        ballot,
        nomination=nomination.pk,
        nominee=nomination.member.membership_number,
        group=group.slug,
        resolved_on=resolved_on.isoformat(),
        reference=reference,
        carried_motion=motion.outcome_id if motion else None,
    )
    return support


@transaction.atomic(durable=True)
def withdraw_group_support(*, actor: User, support: GroupSupport) -> None:
    """A group's officer withdraws the group's support (say, the group rescinded it), up to
    the close of nominations. The row stays, marked withdrawn; the threshold stops counting it."""
    member = own_member(actor)
    if member is None or not may(actor, Capability.NOMINATE_BY_RESOLUTION, support.group):
        raise PermissionDenied(
            gettext("Only an officer of %(group)s can withdraw its support.")
            % {"group": support.group.name}
        )
    ballot = locked_ballot(support.nomination.question.ballot)
    support = GroupSupport.objects.select_for_update().get(pk=support.pk)
    if not ballot.nominations_are_open:
        raise WrongStage(
            gettext("Nominations have closed: a group's support can no longer be withdrawn.")
        )
    if support.withdrawn_at is not None:
        raise WrongStage(gettext("This support is already withdrawn."))
    support.withdrawn_at = clock.now()
    support.withdrawn_by = member
    support.save(update_fields=["withdrawn_at", "withdrawn_by"])
    audit_ballot(
        actor,
        AuditAction.WITHDRAW_GROUP_SUPPORT,
        ballot,
        nomination=support.nomination_id,
        group=support.group.slug,
    )
