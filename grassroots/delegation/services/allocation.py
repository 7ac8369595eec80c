"""Allocating delegates to groups for an area or region meeting, by members in good standing."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record
from grassroots.delegation.bodies import body_of
from grassroots.delegation.counting import members_in_good_standing
from grassroots.delegation.models import AllocationLine, Delegate, DelegateAllocation
from grassroots.delegation.services.common import (
    DELEGATE_LEVELS,
    DelegationError,
    acting_person,
    actor_label,
    current_allocation,
    is_recognised,
    recognition_statuses,
)
from grassroots.meetings.models import Meeting, MeetingStatus
from grassroots.organisation.models import Group
from grassroots.organisation.permissions import Capability, may
from grassroots.people.dues import paid_up_requirement
from grassroots.tally.apportionment import apportion
from grassroots.tally.types import TallyError


@transaction.atomic(durable=True)
def allocate_delegates(
    *,
    actor: User,
    meeting: Meeting,
    seats: int,
    minimum: int,
    counted_on: datetime.date,
    seed: int | None = None,
) -> DelegateAllocation:
    """Share ``seats`` delegates to ``meeting`` among the groups of its area or region by
    Sainte-Laguë over their members in good standing on ``counted_on``, at least ``minimum``
    to each recognised group and none to the rest."""
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("area", "region")
        .get(pk=meeting.pk)
    )
    body = body_of(meeting)
    if not may(actor, Capability.ALLOCATE_DELEGATES, body):
        raise PermissionDenied
    if meeting.level not in DELEGATE_LEVELS:
        raise DelegationError(
            gettext("Delegates are allocated only for area and regional meetings.")
        )
    if meeting.status != MeetingStatus.SCHEDULED:
        raise DelegationError(
            gettext("This meeting is %(status)s: delegates are allocated before it is held.")
            % {"status": meeting.get_status_display().lower()}
        )
    if seats < 1:
        raise DelegationError(gettext("Give at least one delegate seat."))
    if minimum < 0:
        raise DelegationError(gettext("The minimum per group cannot be negative."))
    if counted_on > clock.today():
        raise DelegationError(gettext("Membership can be counted only on a date that has passed."))
    previous = current_allocation(meeting)
    if previous is not None and Delegate.objects.filter(meeting=meeting).exists():
        raise DelegationError(
            gettext(
                "Delegates have already been recorded against the current allocation, "
                "so it can no longer be replaced."
            )
        )
    groups = list(Group.objects.filter(body.groups()).order_by("name"))
    if not groups:
        raise DelegationError(
            gettext("%(name)s has no groups to send delegates.") % {"name": body.name}
        )
    statuses = recognition_statuses(groups)
    counts = members_in_good_standing(
        [g.pk for g in groups], counted_on, paid_up_by=paid_up_requirement("meeting", meeting.pk)
    )
    recognised = [g for g in groups if is_recognised(statuses[g.pk])]
    if not recognised:
        raise DelegationError(
            gettext("None of the groups in %(name)s is recognised.") % {"name": body.name}
        )
    try:
        result = apportion(
            {g.slug: counts[g.pk] for g in recognised},
            seats,
            method="sainte-lague",
            seed=seed,
            minimum=minimum,
        )
    except TallyError as error:
        raise DelegationError(
            gettext("The allocation cannot be made: %(error)s.") % {"error": error}
        ) from error
    if previous is not None:
        previous.superseded_at = clock.now()
        previous.save(update_fields=["superseded_at"])
    allocation = DelegateAllocation.objects.create(
        meeting=meeting,
        counted_on=counted_on,
        seats=seats,
        minimum=minimum,
        method=result.method,
        seed=result.seed,
        rounds=[
            {
                "seat": r.seat,
                "awarded_to": r.awarded_to,
                "note": r.note,
                "quotients": {k: [q.numerator, q.denominator] for k, q in r.quotients.items()},
            }
            for r in result.rounds
        ],
        made_by=acting_person(actor),
        made_by_label=actor_label(actor),
        made_at=clock.now(),
    )
    AllocationLine.objects.bulk_create(
        AllocationLine(
            allocation=allocation,
            group=g,
            recognition_status=statuses[g.pk],
            is_recognised=is_recognised(statuses[g.pk]),
            members=counts[g.pk],
            delegates=result.allocation.get(g.slug, 0),
        )
        for g in groups
    )
    record(
        actor=actor,
        action=AuditAction.DELEGATION_ALLOCATE,
        subject_type="delegation.DelegateAllocation",
        subject_id=allocation.pk,
        scope=body.key,
        detail={
            "meeting": meeting.pk,
            "seats": seats,
            "minimum": minimum,
            "counted_on": counted_on.isoformat(),
            "replaces": previous.pk if previous else None,
            "allocation": {g.slug: result.allocation.get(g.slug, 0) for g in groups},
        },
    )
    return allocation


def rederive(allocation: DelegateAllocation) -> dict[str, int]:
    """The allocation recomputed by ``tally`` from the stored inputs alone (slug: delegates)."""
    lines = list(allocation.lines.select_related("group"))
    result = apportion(
        {line.group.slug: line.members for line in lines if line.is_recognised},
        allocation.seats,
        method="sainte-lague",
        seed=allocation.seed,
        minimum=allocation.minimum,
    )
    return {line.group.slug: result.allocation.get(line.group.slug, 0) for line in lines}
