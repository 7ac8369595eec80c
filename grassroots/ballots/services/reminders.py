"""Mail to the roll: the invitation sent at the open, reminders by hand or on a schedule."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.ballots.invitations import LinkMaker, mail_text, roll_batch
from grassroots.ballots.models import BackgroundStep, Ballot, BallotStatus, ScheduledReminder
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
    raise_if_stopped,
    run_step,
)
from grassroots.ballots.services.errors import BallotError, PollNotOpen, WrongStage
from grassroots.messaging.batched import (
    add_system_deliveries,
    discard_system_mail,
    release_system_mail,
    start_system_mail,
)
from grassroots.messaging.models import MailKind, Mailout

# Roll entries per batch of a reminder by hand: each batch is its own transaction, with its
# resume point (as the invitation's, lifecycle.INVITE_BATCH).
ROLL_MAIL_BATCH = 5000


def mail_purpose(ballot: Ballot, *, reminder: bool) -> str:
    return f"ballot {'reminder' if reminder else 'invitation'}: {ballot.election_id}"


def write_roll_mail_batch(
    actor: User | None,
    ballot: Ballot,
    mailout: Mailout | None,
    *,
    after: int,
    reminder: bool,
    limit: int,
    only_not_voted: bool = False,
) -> tuple[Mailout | None, list[tuple[int, int]]]:
    """The deliveries of the invitation or a reminder for the next ``limit`` roll entries
    after roll entry ``after``, in the caller's transaction (which also keeps the resume
    point): plain rows, links from one reversed URL, COPY on PostgreSQL. The mailout is
    started with the first batch. Returns it and the batch's ``(roll entry, member)`` pairs;
    no pairs: the roll is done. ``only_not_voted``: members who have not voted at the moment
    their batch is read."""
    batch = roll_batch(ballot, after=after, limit=limit, only_not_voted=only_not_voted)
    if batch:
        if mailout is None:
            subject, body, translations = mail_text(ballot, reminder=reminder)
            mailout = start_system_mail(
                actor=actor,
                subject=subject,
                body=body,
                purpose=mail_purpose(ballot, reminder=reminder),
                kind=MailKind.BALLOT,
                translations=translations,
            )
        links = LinkMaker(ballot)
        add_system_deliveries(
            mailout, ((member_id, {"link": links.url(entry)}) for entry, member_id in batch)
        )
    return mailout, batch


# A reminder by hand: the page records it, a task writes it to the roll in batches.


@transaction.atomic(durable=True)
def request_reminder(*, actor: User | None, ballot: Ballot) -> int:
    """Record that a reminder is to go to everyone on the roll (``actor`` None: the command);
    the task writes one delivery per member in batches and sends them once all are written.
    Returns the roll size."""
    ballot = _record_reminder(actor, ballot)
    enqueue_step(ballot, actor)
    return ballot.roll_size or 0


def send_reminder(*, actor: User | None, ballot: Ballot) -> int:
    """Record a reminder and write it in this process (the command, the tests); returns the
    roll size."""
    with transaction.atomic(durable=True):
        size = _record_reminder(actor, ballot).roll_size or 0
    run_reminder(ballot_id=ballot.pk, actor_id=actor.pk if actor is not None else None)
    raise_if_stopped(ballot.pk)
    return size


def _record_reminder(actor: User | None, ballot: Ballot) -> Ballot:
    if actor is not None:
        require_runner(actor, ballot)
    ballot = locked_ballot(ballot, no_key=True)
    require_status(ballot, BallotStatus.OPEN)
    if not ballot.is_open:
        raise PollNotOpen(
            gettext("The poll is not open, so there is nothing to remind members of.")
        )
    if ballot.background_step:
        step = BackgroundStep(ballot.background_step).label
        raise WrongStage(
            (
                gettext("The ballot is busy with “%(step)s”: send the reminder once that is done.")
                if not ballot.background_error
                else gettext("“%(step)s” stopped: start it again from this page first.")
            )
            % {"step": step}
        )
    begin_step(ballot, BackgroundStep.REMINDING, total=ballot.roll_size)
    ballot.reminded_through = 0
    ballot.reminder_mailout = None
    ballot.save(update_fields=["reminded_through", "reminder_mailout"])
    return ballot


def run_reminder(*, ballot_id: int, actor_id: int | None) -> None:
    """The reminder's task: batch after batch, then the mail released."""
    actor = actor_by_id(actor_id)

    def work() -> None:
        while _remind_batch(ballot_id, actor):
            pass

    run_step(ballot_id, work)


REMINDER_STEPS = (BackgroundStep.REMINDING, BackgroundStep.SCHEDULED_REMINDER)


def _remind_batch(ballot_id: int, actor: User | None) -> bool:
    """Write the reminder's next batch (True), or release it once all are written (False).
    A batch commits with its resume point, so nobody is reminded twice; the lock is FOR NO KEY
    UPDATE, which casting's FOR KEY SHARE does not wait for, and it is held for one batch only.
    A scheduled reminder goes to members who have not voted unless the officer chose
    everyone; a reminder by hand always goes to everyone (grassroots.ballots.invitations)."""
    with transaction.atomic(durable=True):
        ballot = (
            Ballot.objects.select_for_update(no_key=True, of=("self",))
            .select_related("reminder_mailout", "group", "area", "region")
            .get(pk=ballot_id)
        )
        if ballot.background_step not in REMINDER_STEPS:
            return False
        scheduled = ballot.background_step == BackgroundStep.SCHEDULED_REMINDER
        mailout = ballot.reminder_mailout
        if ballot.status != BallotStatus.OPEN or not ballot.is_open:
            # The poll closed before the reminder was written: it is not sent.
            if mailout is not None:
                discard_system_mail(mailout)
            _end_reminder(ballot)
            return False
        mailout, batch = write_roll_mail_batch(
            actor,
            ballot,
            mailout,
            after=ballot.reminded_through,
            reminder=True,
            limit=ROLL_MAIL_BATCH,
            only_not_voted=scheduled and not ballot.reminders_to_everyone,
        )
        if batch:
            ballot.reminder_mailout = mailout
            ballot.reminded_through = batch[-1][0]
            ballot.background_done += len(batch)
            ballot.save(update_fields=["reminder_mailout", "reminded_through", "background_done"])
            return True
        sent = release_system_mail(mailout, actor=actor).recipients if mailout is not None else 0
        ballot.reminders_sent += 1
        _end_reminder(ballot)
        detail: dict[str, object] = {"reminder": ballot.reminders_sent, "sent_to": sent}
        if scheduled:
            claimed = ScheduledReminder.objects.filter(
                ballot=ballot, sent_at__isnull=False, recipients__isnull=True
            )
            detail["scheduled"] = sorted(
                claimed.values_list("hours_before_close", flat=True), reverse=True
            )
            claimed.update(recipients=sent)
        audit_ballot(actor, AuditAction.SEND_REMINDER, ballot, **detail)
        return False


def _end_reminder(ballot: Ballot) -> None:
    ballot.reminder_mailout = None
    ballot.background_step = BackgroundStep.NONE
    ballot.save(update_fields=["reminder_mailout", "reminders_sent", "background_step"])


MAX_REMINDERS = 10


@transaction.atomic(durable=True)
def set_reminder_schedule(
    *,
    actor: User,
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
        raise BallotError(gettext("Schedule at most %(max)s reminders.") % {"max": MAX_REMINDERS})
    window = ballot.closes_at - ballot.opens_at
    for value in hours:
        if value < 1:
            raise BallotError(gettext("A reminder must be at least 1 hour before the close."))
        if datetime.timedelta(hours=value) >= window:
            raise BallotError(
                gettext(
                    "A reminder %(value)s hours before the close would come before voting opens."
                )
                % {"value": value}
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

    Each ballot's due reminders are claimed under the ballot's row lock (FOR NO KEY UPDATE,
    which casting does not wait for) and re-checked, so a second scheduler (another run,
    another node) waits, then finds them claimed. The claim marks them sent and puts the
    ballot on the scheduled reminder's step; the reminder is then written by the reminder
    button's task path (:func:`run_reminder`: batches with their resume point, each its own
    short transaction), here in the scheduler's process, as the scheduler opens a ballot. A
    ballot busy with another step waits for a later tick. If the scheduler was down through
    several reminder times, one mail goes and all of them are marked sent.
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
        claimed = _claim_due_reminders(ballot_id)
        if not claimed:
            continue
        run_reminder(ballot_id=ballot_id, actor_id=None)
        ballot = Ballot.objects.get(pk=ballot_id)
        if ballot.background_error:
            done.append(f"the reminder of {ballot.election_id} stopped: {ballot.background_error}")
            continue
        sent = ScheduledReminder.objects.filter(pk__in=claimed).values_list("recipients", flat=True)
        done.append(
            f"reminded {max((n or 0 for n in sent), default=0)} members of {ballot.election_id}"
        )
    return done


@transaction.atomic(durable=True)
def _claim_due_reminders(ballot_id: int) -> list[int]:
    """Mark the ballot's due reminders sent and put it on the scheduled reminder's step;
    returns them, none when nothing is due or the ballot is closed or busy."""
    ballot = locked_ballot(Ballot.objects.get(pk=ballot_id), no_key=True)
    if not ballot.is_open or ballot.background_step:
        return []
    now = clock.now()
    due = [
        reminder.pk
        for reminder in ScheduledReminder.objects.select_for_update().filter(
            ballot=ballot, sent_at__isnull=True
        )
        if ballot.closes_at - datetime.timedelta(hours=reminder.hours_before_close) <= now
    ]
    if not due:
        return []
    ScheduledReminder.objects.filter(pk__in=due).update(sent_at=now)
    roll = ballot.roll.all()
    if not ballot.reminders_to_everyone:
        roll = roll.filter(has_voted=False)
    begin_step(ballot, BackgroundStep.SCHEDULED_REMINDER, total=roll.count())
    ballot.reminded_through = 0
    ballot.reminder_mailout = None
    ballot.save(update_fields=["reminded_through", "reminder_mailout"])
    return due
