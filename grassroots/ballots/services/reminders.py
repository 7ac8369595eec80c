"""Mail to the roll: the invitation sent at the open, reminders by hand or on a schedule."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import transaction

from grassroots import clock
from grassroots.audit.actions import AuditAction
from grassroots.ballots.invitations import ballot_mail
from grassroots.ballots.models import Ballot, BallotStatus, ScheduledReminder
from grassroots.ballots.services._common import (
    audit_ballot,
    locked_ballot,
    require_runner,
    require_status,
)
from grassroots.ballots.services.errors import BallotError, PollNotOpen
from grassroots.messaging.models import MailKind
from grassroots.messaging.services import send_to_members


def send_ballot_mail(
    actor: Any, ballot: Ballot, *, reminder: bool, only_not_voted: bool = False
) -> int:
    """Queue the invitation or a reminder to the roll; it goes after the commit. Returns how
    many members it is addressed to."""
    subject, body, personal = ballot_mail(ballot, reminder=reminder, only_not_voted=only_not_voted)
    if not personal:
        return 0
    send_to_members(
        actor=actor,
        members=list(personal),
        subject=subject,
        body=body,
        purpose=f"ballot {'reminder' if reminder else 'invitation'}: {ballot.election_id}",
        kind=MailKind.BALLOT,
        personal=personal,
    )
    return len(personal)


@transaction.atomic(durable=True)
def send_reminder(*, actor: Any, ballot: Ballot) -> int:
    """Remind everyone on the roll while the poll is open (``actor`` None: the scheduler's
    command). Everyone, not only those yet to vote: see grassroots.ballots.invitations."""
    if actor is not None:
        require_runner(actor, ballot)
    ballot = locked_ballot(ballot)
    require_status(ballot, BallotStatus.OPEN)
    if not ballot.is_open:
        raise PollNotOpen("The poll is not open, so there is nothing to remind members of.")
    send_ballot_mail(actor, ballot, reminder=True)
    ballot.reminders_sent += 1
    ballot.save(update_fields=["reminders_sent"])
    audit_ballot(actor, AuditAction.SEND_REMINDER, ballot, reminder=ballot.reminders_sent)
    return ballot.roll_size or 0


MAX_REMINDERS = 10


@transaction.atomic(durable=True)
def set_reminder_schedule(
    *,
    actor: Any,
    ballot: Ballot,
    hours_before_close: Sequence[int],
    to_everyone: bool = False,
) -> list[ScheduledReminder]:
    """Replace the ballot's scheduled reminders: one per number of hours before the close.

    Only while the ballot is being prepared (before it opens). Each time must fall inside the
    polling window, so every reminder can be sent while the poll is open.
    """
    require_runner(actor, ballot)
    ballot = locked_ballot(ballot)
    require_status(ballot, BallotStatus.DRAFT, BallotStatus.NOMINATIONS, BallotStatus.READY)
    hours = sorted(set(hours_before_close), reverse=True)
    if len(hours) > MAX_REMINDERS:
        raise BallotError(f"Schedule at most {MAX_REMINDERS} reminders.")
    window = ballot.closes_at - ballot.opens_at
    for value in hours:
        if value < 1:
            raise BallotError("A reminder must be at least 1 hour before the close.")
        if datetime.timedelta(hours=value) >= window:
            raise BallotError(
                f"A reminder {value} hours before the close would come before voting opens."
            )
    ballot.reminders.all().delete()
    reminders = ScheduledReminder.objects.bulk_create(
        [ScheduledReminder(ballot=ballot, hours_before_close=value) for value in hours]
    )
    ballot.reminders_to_everyone = to_everyone
    ballot.save(update_fields=["reminders_to_everyone"])
    audit_ballot(
        actor,
        AuditAction.SET_REMINDER_SCHEDULE,
        ballot,
        hours_before_close=hours,
        to_everyone=to_everyone,
    )
    return reminders


def send_due_reminders() -> list[str]:
    """Send every scheduled reminder that is due, once (the scheduler's step).

    Each ballot's due reminders are taken under the ballot's row lock and re-checked, so a
    second scheduler (another run, another node) waits, then finds them sent. If the scheduler
    was down through several reminder times, one mail goes and all of them are marked sent.
    """
    done = []
    moment = clock.now()
    due_ballots = (
        ScheduledReminder.objects.filter(
            sent_at__isnull=True, ballot__status=BallotStatus.OPEN, ballot__closes_at__gt=moment
        )
        .values_list("ballot_id", flat=True)
        .distinct()
    )
    for ballot_id in list(due_ballots):
        with transaction.atomic(durable=True):
            ballot = Ballot.objects.select_for_update().get(pk=ballot_id)
            if not ballot.is_open:
                continue
            now = clock.now()
            due = [
                reminder
                for reminder in ScheduledReminder.objects.select_for_update().filter(
                    ballot=ballot, sent_at__isnull=True
                )
                if ballot.closes_at - datetime.timedelta(hours=reminder.hours_before_close) <= now
            ]
            if not due:
                continue
            sent = send_ballot_mail(
                None, ballot, reminder=True, only_not_voted=not ballot.reminders_to_everyone
            )
            for reminder in due:
                reminder.sent_at = now
                reminder.recipients = sent
                reminder.save(update_fields=["sent_at", "recipients"])
            ballot.reminders_sent += 1
            ballot.save(update_fields=["reminders_sent"])
            audit_ballot(
                None,
                AuditAction.SEND_REMINDER,
                ballot,
                reminder=ballot.reminders_sent,
                scheduled=[r.hours_before_close for r in due],
            )
            done.append(f"reminded {sent} members of {ballot.election_id}")
    return done
