"""Publishing: the returning officer declares the result, and it goes back to what asked
for the ballot.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q

from grassroots import clock
from grassroots.audit.actions import AuditAction
from grassroots.ballots.models import Ballot, BallotStatus
from grassroots.ballots.results import deliver_result
from grassroots.ballots.services._common import (
    audit_ballot,
    locked_ballot,
    require_runner,
    require_status,
)
from grassroots.people.queries import own_member


@transaction.atomic(durable=True)
def publish_results(*, actor: Any, ballot: Ballot) -> None:
    """The returning officer declares the result; the record and plaintexts become public."""
    require_runner(actor, ballot)
    ballot = locked_ballot(ballot)
    member = own_member(actor)
    if member is None or ballot.returning_officer_id != member.pk:
        raise PermissionDenied("Only the returning officer publishes the result.")
    require_status(ballot, BallotStatus.COUNTED)
    ballot.status = BallotStatus.PUBLISHED
    ballot.published_at = clock.now()
    ballot.save(update_fields=["status", "published_at"])
    audit_ballot(actor, AuditAction.PUBLISH_RESULTS, ballot)
    # In this transaction, so the motion or initiative that asked for the ballot shows the
    # result the moment it is public; a failure there is kept and retried (results.py).
    deliver_result(ballot)


def latest_published() -> Ballot | None:
    return (
        Ballot.objects.filter(status=BallotStatus.PUBLISHED)
        .filter(~Q(published_at=None))
        .order_by("-published_at", "-id")
        .first()
    )
