"""Opening and closing the poll: the roll frozen at the open (with the invitation), the
close recorded once the closing time has passed, by an officer or the scheduler.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q

from grassroots import clock
from grassroots.audit.actions import AuditAction
from grassroots.ballots.custody import may_close_early
from grassroots.ballots.models import Ballot, BallotStatus, ReceiptKeeper, RollEntry
from grassroots.ballots.queries import eligible_members
from grassroots.ballots.services._common import (
    audit_ballot,
    locked_ballot,
    require_runner,
    require_status,
)
from grassroots.ballots.services.errors import BallotError
from grassroots.ballots.services.reminders import send_ballot_mail
from grassroots.ballots.services.sealing import seal_locked


@transaction.atomic(durable=True)
def open_ballot(*, actor: Any, ballot: Ballot) -> int:
    """Freeze the roll and open the poll; returns the roll size, which is published."""
    require_runner(actor, ballot)
    ballot = locked_ballot(ballot)
    return open_locked(actor, ballot)


def open_locked(actor: Any, ballot: Ballot) -> int:
    require_status(ballot, BallotStatus.READY)
    if ballot.tellers_public_key is None:
        raise BallotError("The tellers have not set up their key.")
    moment = clock.now()
    if moment >= ballot.closes_at:
        raise BallotError("The closing time has passed; this ballot can no longer open.")
    members = list(eligible_members(ballot).order_by("pk").values_list("pk", "home_group_id"))
    RollEntry.objects.bulk_create(
        [RollEntry(ballot=ballot, member_id=pk, group_id=group) for pk, group in members],
        batch_size=2000,
    )
    ballot.status = BallotStatus.OPEN
    ballot.roll_size = len(members)
    ballot.opened_at = moment
    ballot.save(update_fields=["status", "roll_size", "opened_at"])
    seal_locked(ballot, final=True)  # the first head: an empty log, committing the parameters
    send_ballot_mail(actor, ballot, reminder=False)
    ballot.invitations_sent_at = moment
    ballot.save(update_fields=["invitations_sent_at"])
    audit_ballot(actor, AuditAction.OPEN_BALLOT, ballot, roll_size=ballot.roll_size)
    return len(members)


def open_due_ballots() -> list[str]:
    """Open every ready ballot whose opening time has passed (the scheduler's first step).

    A ballot whose tellers have not all collected their shares is not ready, so it waits; a
    ballot whose closing time passed before it could open stays unopened for its officers.
    """
    opened = []
    moment = clock.now()
    due = Ballot.objects.filter(
        status=BallotStatus.READY, opens_at__lte=moment, closes_at__gt=moment
    )
    for ballot_id in due.values_list("pk", flat=True):
        with transaction.atomic(durable=True):
            ballot = Ballot.objects.select_for_update().get(pk=ballot_id)
            now = clock.now()
            if ballot.status == BallotStatus.READY and ballot.opens_at <= now < ballot.closes_at:
                open_locked(None, ballot)
                opened.append(ballot.election_id)
    return opened


def _turnout_by_group(ballot: Ballot) -> list[dict[str, Any]]:
    """Roll size and votes per group (home group when the roll was frozen), by group name."""
    rows = (
        ballot.roll.values("group__name")
        .annotate(roll_size=Count("pk"), voted=Count("pk", filter=Q(has_voted=True)))
        .order_by("group__name")
    )
    return [
        {
            "scope": row["group__name"] or "No group",
            "roll_size": row["roll_size"],
            "voted": row["voted"],
        }
        for row in rows
    ]


def _rewrite_roll_marks(ballot: Ballot) -> None:
    """Write every roll mark again in the closing transaction (issue 20, item 1).

    A mark written when its member voted carries that transaction's id (``xmin`` on
    PostgreSQL), which lines it up with the sealer's heads: one read placed every voter in their
    batch. Rewritten here, every mark carries the close's id; the old row versions are then
    vacuumed away after the commit.
    """
    ballot.roll.filter(has_voted=True).update(has_voted=True)
    if connection.vendor == "postgresql":
        transaction.on_commit(_vacuum_roll)


def _vacuum_roll() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {connection.ops.quote_name(RollEntry._meta.db_table)}")


def _close_locked(actor: Any, ballot: Ballot, moment: datetime.datetime) -> None:
    ballot.status = BallotStatus.CLOSED
    ballot.closed_at = moment
    ballot.voted_count = ballot.roll.filter(has_voted=True).count()
    ballot.turnout = _turnout_by_group(ballot)
    ballot.save(update_fields=["status", "closed_at", "voted_count", "turnout"])
    ReceiptKeeper.objects.filter(ballot=ballot).delete()
    _rewrite_roll_marks(ballot)
    seal_locked(ballot, final=True)
    audit_ballot(actor, AuditAction.CLOSE_BALLOT, ballot, voted=ballot.voted_count)


@transaction.atomic(durable=True)
def close_ballot(*, actor: Any, ballot: Ballot) -> None:
    """Record the close once the closing time has passed (casting already stops by the clock)."""
    require_runner(actor, ballot)
    ballot = locked_ballot(ballot)
    require_status(ballot, BallotStatus.OPEN)
    moment = clock.now()
    if moment < ballot.closes_at:
        if not may_close_early(ballot):
            raise BallotError("The poll closes at its published time; it cannot be closed early.")
        # The deployment's early-close policy lets this ballot close now (the demo's, so that a
        # visitor can try the count): the close becomes now. Casting checks the window under
        # the lock this holds, so no cast commits after it.
        ballot.closes_at = moment
        ballot.save(update_fields=["closes_at"])
    _close_locked(actor, ballot, moment)


def close_due_ballots() -> list[str]:
    """Close every open ballot whose closing time has passed (run by manage.py seal_ballots)."""
    closed = []
    due = Ballot.objects.filter(status=BallotStatus.OPEN, closes_at__lte=clock.now())
    for ballot_id in due.values_list("pk", flat=True):
        with transaction.atomic(durable=True):
            ballot = Ballot.objects.select_for_update().get(pk=ballot_id)
            moment = clock.now()
            if ballot.status == BallotStatus.OPEN and moment >= ballot.closes_at:
                _close_locked(None, ballot, moment)
                closed.append(ballot.election_id)
    return closed
