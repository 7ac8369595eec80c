"""Opening and closing the poll: the roll frozen at the open (with the invitation), the
close recorded once the closing time has passed, by an officer or the scheduler.

The page records the decision (:func:`request_open`, :func:`request_close`) and answers at
once; a background task does the per-voter work (services.background): the open freezes the
roll, opens the poll and signs the first head in one transaction, then writes the invitations
in batches; the close stops casting at once and then, in the task, stores the turnout,
rewrites the roll marks and seals the last batch. :func:`open_ballot` and :func:`close_ballot`
do both halves in this process (the scheduler, the demo, the tests).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.ballots import sql
from grassroots.ballots.custody import may_close_early
from grassroots.ballots.eligibility import eligible_members
from grassroots.ballots.models import (
    BackgroundStep,
    Ballot,
    BallotStatus,
    ReceiptKeeper,
)
from grassroots.ballots.notices import OPENED, notify_roll_later
from grassroots.ballots.services._common import (
    audit_ballot,
    locked_ballot,
    require_runner,
    require_status,
)
from grassroots.ballots.services.background import (
    actor_by_id,
    begin_step,
    enqueue_step,
    is_busy,
    raise_if_stopped,
    run_step,
)
from grassroots.ballots.services.errors import BallotError, WrongStage
from grassroots.ballots.services.reminders import write_roll_mail_batch
from grassroots.ballots.services.sealing import seal_locked
from grassroots.messaging.batched import discard_system_mail, release_system_mail

# Roll entries per invitation batch: each batch is its own transaction, with its resume point.
INVITE_BATCH = 5000


# Opening


@transaction.atomic(durable=True)
def request_open(*, actor: User, ballot: Ballot) -> None:
    """Record that the ballot is to open; the task freezes the roll and sends invitations."""
    require_runner(actor, ballot)
    ballot = locked_ballot(ballot)
    _record_open(ballot)
    enqueue_step(ballot, actor)


def open_ballot(*, actor: User, ballot: Ballot) -> int:
    """Freeze the roll and open the poll in this process; returns the roll size."""
    with transaction.atomic(durable=True):
        require_runner(actor, ballot)
        _record_open(locked_ballot(ballot))
    run_open(ballot_id=ballot.pk, actor_id=getattr(actor, "pk", None))
    raise_if_stopped(ballot.pk)
    return Ballot.objects.values_list("roll_size", flat=True).get(pk=ballot.pk) or 0


def _check_opening(ballot: Ballot, moment: datetime.datetime) -> None:
    if ballot.tellers_public_key is None:
        raise BallotError(gettext("The tellers have not set up their key."))
    if moment >= ballot.closes_at:
        raise BallotError(gettext("The closing time has passed; this ballot can no longer open."))


def _record_open(ballot: Ballot) -> None:
    require_status(ballot, BallotStatus.READY)
    if is_busy(ballot):
        raise WrongStage(gettext("The ballot is already opening."))
    _check_opening(ballot, clock.now())
    begin_step(ballot, BackgroundStep.OPENING)


def run_open(*, ballot_id: int, actor_id: int | None) -> None:
    """The open's task: freeze and open, then the invitations batch by batch."""
    actor = actor_by_id(actor_id)

    def work() -> None:
        _freeze_and_open(ballot_id, actor)
        while _invite_batch(ballot_id, actor):
            pass

    run_step(ballot_id, work)


def _freeze_and_open(ballot_id: int, actor: User | None) -> None:
    with transaction.atomic(durable=True):
        ballot = Ballot.objects.select_for_update().get(pk=ballot_id)
        if ballot.background_step != BackgroundStep.OPENING or ballot.status != BallotStatus.READY:
            return
        _freeze_and_open_locked(ballot, actor)


def _freeze_and_open_locked(ballot: Ballot, actor: User | None) -> int:
    moment = clock.now()
    _check_opening(ballot, moment)
    size = sql.freeze_roll(ballot, eligible_members(ballot))
    ballot.status = BallotStatus.OPEN
    ballot.roll_size = size
    ballot.opened_at = moment
    ballot.background_step = BackgroundStep.INVITING
    ballot.background_total = size
    ballot.background_done = 0
    ballot.invited_through = 0
    ballot.save(
        update_fields=[
            "status",
            "roll_size",
            "opened_at",
            "background_step",
            "background_total",
            "background_done",
            "invited_through",
        ]
    )
    seal_locked(ballot, final=True)  # the first head: an empty log, committing the parameters
    audit_ballot(actor, AuditAction.OPEN_BALLOT, ballot, roll_size=size)
    return size


def open_locked(actor: User | None, ballot: Ballot) -> int:
    """Open the (locked) ballot in the caller's transaction, as an initiative's ballot opens
    with the initiative: the roll is frozen by one statement here, and the invitations are
    written by the task once the transaction commits. Returns the roll size."""
    _record_open(ballot)
    size = _freeze_and_open_locked(ballot, actor)
    enqueue_step(ballot, actor)
    return size


def _invite_batch(ballot_id: int, actor: User | None) -> bool:
    """Write the next batch of invitations (True), or release the mail once all are written
    (False). The batch and its resume point commit together, so nobody is invited twice.
    The ballot's lock is FOR NO KEY UPDATE, which casting's FOR KEY SHARE does not wait for."""
    with transaction.atomic(durable=True):
        ballot = (
            Ballot.objects.select_for_update(no_key=True, of=("self",))
            .select_related("invitation_mailout", "group", "area", "region")
            .get(pk=ballot_id)
        )
        if ballot.background_step != BackgroundStep.INVITING:
            return False
        mailout, batch = write_roll_mail_batch(
            actor,
            ballot,
            ballot.invitation_mailout,
            after=ballot.invited_through,
            reminder=False,
            limit=INVITE_BATCH,
        )
        if batch:
            ballot.invitation_mailout = mailout
            ballot.invited_through = batch[-1][0]
            ballot.background_done += len(batch)
            ballot.save(update_fields=["invitation_mailout", "invited_through", "background_done"])
            return True
        if mailout is not None:
            release_system_mail(mailout, actor=actor)
        ballot.invitations_sent_at = clock.now()
        ballot.background_step = BackgroundStep.NONE
        ballot.save(update_fields=["invitations_sent_at", "background_step"])
        notify_roll_later(ballot.pk, OPENED)
        return False


def open_due_ballots() -> list[str]:
    """Open every ready ballot whose opening time has passed (the scheduler's first step).

    A ballot whose tellers have not all collected their shares is not ready, so it waits; a
    ballot whose closing time passed before it could open stays unopened for its officers.
    The scheduler is itself a background process, so it does the open's work in its tick.
    """
    opened = []
    moment = clock.now()
    due = Ballot.objects.filter(
        status=BallotStatus.READY,
        opens_at__lte=moment,
        closes_at__gt=moment,
        background_step=BackgroundStep.NONE,
    )
    for ballot_id in due.values_list("pk", flat=True):
        with transaction.atomic(durable=True):
            ballot = Ballot.objects.select_for_update().get(pk=ballot_id)
            now = clock.now()
            if not (
                ballot.status == BallotStatus.READY
                and ballot.opens_at <= now < ballot.closes_at
                and not ballot.background_step
            ):
                continue
            _record_open(ballot)
        run_open(ballot_id=ballot_id, actor_id=None)
        if Ballot.objects.filter(pk=ballot_id, status=BallotStatus.OPEN).exists():
            opened.append(ballot.election_id)
    return opened


# Closing


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
    transaction.on_commit(sql.vacuum_roll)


def _record_close(ballot: Ballot, *, by_officer: bool) -> None:
    """Casting stops now (the status, under the lock casts wait for); the rest is the task's."""
    require_status(ballot, BallotStatus.OPEN)
    if is_busy(ballot):
        if ballot.background_step == BackgroundStep.INVITING:
            busy = gettext("The invitations are still being written")
        else:
            busy = gettext("The reminder is still being written")
        raise WrongStage(
            gettext(
                "%(busy)s (the page shows how far it has got). Record the close once that is "
                "done; voting stops at the closing time in any case."
            )
            % {"busy": busy}
        )
    moment = clock.now()
    if moment < ballot.closes_at:
        if not by_officer or not may_close_early(ballot):
            raise BallotError(
                gettext("The poll closes at its published time; it cannot be closed early.")
            )
        # The deployment's early-close policy lets this ballot close now (the demo's, so that a
        # visitor can try the count): the close becomes now. Casting checks the window under
        # the lock this holds, so no cast commits after it.
        ballot.closes_at = moment
    ballot.status = BallotStatus.CLOSED
    ballot.closed_at = moment
    ballot.save(update_fields=["status", "closed_at", "closes_at"])
    begin_step(ballot, BackgroundStep.CLOSING)


@transaction.atomic(durable=True)
def request_close(*, actor: User, ballot: Ballot) -> None:
    """Record the close once the closing time has passed; the task does the rest."""
    require_runner(actor, ballot)
    ballot = locked_ballot(ballot)
    _record_close(ballot, by_officer=True)
    enqueue_step(ballot, actor)


def close_ballot(*, actor: User, ballot: Ballot) -> None:
    """Record the close and do its work in this process (the demo, the tests)."""
    with transaction.atomic(durable=True):
        require_runner(actor, ballot)
        _record_close(locked_ballot(ballot), by_officer=True)
    run_close(ballot_id=ballot.pk, actor_id=getattr(actor, "pk", None))
    raise_if_stopped(ballot.pk)


def run_close(*, ballot_id: int, actor_id: int | None) -> None:
    """The close's task: turnout, the roll marks rewritten, the receipt keepers deleted and
    the last batch sealed, in one transaction (so all of it or none; safe to run again)."""
    actor = actor_by_id(actor_id)
    run_step(ballot_id, lambda: _finish_close(ballot_id, actor))


def _finish_close(ballot_id: int, actor: User | None) -> None:
    with transaction.atomic(durable=True):
        ballot = (
            Ballot.objects.select_for_update(of=("self",))
            .select_related("invitation_mailout", "reminder_mailout")
            .get(pk=ballot_id)
        )
        if ballot.background_step != BackgroundStep.CLOSING:
            return
        ballot.voted_count = ballot.roll.filter(has_voted=True).count()
        ballot.turnout = _turnout_by_group(ballot)
        if ballot.invitation_mailout is not None and ballot.invitations_sent_at is None:
            # The invitations stopped part way and the poll closed: none of them is sent.
            discard_system_mail(ballot.invitation_mailout)
            ballot.invitation_mailout = None
        if ballot.reminder_mailout is not None:
            # A reminder that stopped part way before the close: none of it is sent.
            discard_system_mail(ballot.reminder_mailout)
            ballot.reminder_mailout = None
        ballot.background_step = BackgroundStep.NONE
        ballot.save(
            update_fields=[
                "voted_count",
                "turnout",
                "invitation_mailout",
                "reminder_mailout",
                "background_step",
            ]
        )
        ReceiptKeeper.objects.filter(ballot=ballot).delete()
        _rewrite_roll_marks(ballot)
        seal_locked(ballot, final=True)
        audit_ballot(actor, AuditAction.CLOSE_BALLOT, ballot, voted=ballot.voted_count)


def close_due_ballots() -> list[str]:
    """Close every open ballot whose closing time has passed (the scheduler's step)."""
    closed = []
    due = Ballot.objects.filter(status=BallotStatus.OPEN, closes_at__lte=clock.now())
    for ballot_id in due.values_list("pk", flat=True):
        with transaction.atomic(durable=True):
            ballot = Ballot.objects.select_for_update().get(pk=ballot_id)
            moment = clock.now()
            if ballot.status != BallotStatus.OPEN or moment < ballot.closes_at or is_busy(ballot):
                continue
            _record_close(ballot, by_officer=False)
        run_close(ballot_id=ballot_id, actor_id=None)
        closed.append(ballot.election_id)
    return closed
