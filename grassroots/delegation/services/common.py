"""What the delegation use cases share: the error they raise, the bodies that have delegates, the
recognition rule for sending them and the actor's label.
"""

from __future__ import annotations

from collections.abc import Sequence

from grassroots.accounts.models import User
from grassroots.delegation.models import DelegateAllocation
from grassroots.meetings.models import Meeting, MotionStatus
from grassroots.organisation.models import (
    RECOGNISED_STATUSES,
    Group,
    GroupRecognition,
    GroupStatus,
    ScopeLevel,
)
from grassroots.people.models import Member

# A group sends delegates while it is recognised: organisation.models.RECOGNISED_STATUSES (a
# group at risk still is; provisional, suspended and de-recognised groups are not).
# Delegates are allocated for meetings of these bodies.
DELEGATE_LEVELS = (ScopeLevel.AREA, ScopeLevel.REGION)
# Placed motions still open to being replaced by a composite: not yet debated or decided.
REPLACEABLE_STATUSES = (MotionStatus.SUBMITTED, MotionStatus.IN_ORDER)
MAX_REASON = 2000


class DelegationError(Exception):
    """A request the rules refuse, with a reason to show the person."""


def actor_label(actor: User | None) -> str:
    return str(actor.email) if actor is not None and actor.is_authenticated else "system"


def acting_person(actor: User | None) -> User | None:
    return actor if actor is not None and actor.is_authenticated else None


def member_of(actor: User) -> Member | None:
    return getattr(actor, "member", None) if getattr(actor, "is_authenticated", False) else None


def is_recognised(status: str) -> bool:
    return status in RECOGNISED_STATUSES


def recognition_statuses(groups: Sequence[Group]) -> dict[int, str]:
    """Each group's status now; a group never reviewed is provisional."""
    found = dict(
        GroupRecognition.objects.filter(group__in=groups).values_list("group_id", "status")
    )
    return {g.pk: found.get(g.pk, GroupStatus.PROVISIONAL) for g in groups}


def current_allocation(meeting: Meeting) -> DelegateAllocation | None:
    return DelegateAllocation.objects.filter(meeting=meeting, superseded_at__isnull=True).first()
