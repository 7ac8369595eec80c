"""The background half of opening, closing, publishing and a reminder by hand.

A page that opens, closes or publishes only records the decision (``background_step`` on the
ballot) and queues a task (grassroots.ballots.tasks); the task does the per-voter work: freezing
the roll and writing the invitations, the close's roll rewrite and turnout, the election
record's files. Each step is idempotent: it acts only while the ballot is on its step, under the
ballot's row lock, and keeps its resume point (the invitations' last roll entry) in the same
transaction as its writes. A step that stops keeps why in ``background_error`` for the page;
:func:`resume_background` starts it again where it stopped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext

from grassroots.accounts.models import User
from grassroots.ballots.models import BackgroundStep, Ballot
from grassroots.ballots.services._common import locked_ballot, require_runner
from grassroots.ballots.services.errors import BallotError, WrongStage

logger = logging.getLogger(__name__)


def actor_by_id(actor_id: int | None) -> User | None:
    return None if actor_id is None else User.objects.filter(pk=actor_id).first()


def begin_step(ballot: Ballot, step: BackgroundStep, *, total: int | None = None) -> None:
    """Put the (locked) ballot on ``step``, with no progress and no error yet."""
    ballot.background_step = step
    ballot.background_done = 0
    ballot.background_total = total
    ballot.background_error = ""
    ballot.save(
        update_fields=[
            "background_step",
            "background_done",
            "background_total",
            "background_error",
        ]
    )


def is_busy(ballot: Ballot) -> bool:
    """A background step is under way (not stopped with an error)."""
    return bool(ballot.background_step) and not ballot.background_error


def run_step(ballot_id: int, work: Callable[[], None]) -> None:
    """Run a task's work; any error is kept on the ballot for the page, an unexpected one
    logged with its traceback too, so a stopped step never looks as if it were running."""
    try:
        work()
    except BallotError as error:
        Ballot.objects.filter(pk=ballot_id).update(background_error=str(error))
    except Exception as error:
        logger.exception("The background step of ballot %s stopped", ballot_id)
        Ballot.objects.filter(pk=ballot_id).update(
            background_error=(
                f"an unexpected error ({type(error).__name__}) stopped it. Start it again; "
                "what is done is kept and nothing is done twice. If it stops again, tell the "
                "site's administrators."
            )
        )


def raise_if_stopped(ballot_id: int) -> None:
    """After running a step in this process: its error, as the caller's exception."""
    error = Ballot.objects.filter(pk=ballot_id).values_list("background_error", flat=True).get()
    if error:
        raise BallotError(error)


def enqueue_step(ballot: Ballot, actor: User | None) -> None:
    """Queue the task for the ballot's step once the caller's transaction commits."""
    from grassroots.ballots import tasks

    ballot_id = ballot.pk
    actor_id = actor.pk if actor is not None else None
    task = {
        BackgroundStep.OPENING: tasks.open_ballot_task,
        BackgroundStep.INVITING: tasks.open_ballot_task,
        BackgroundStep.REMINDING: tasks.remind_roll_task,
        BackgroundStep.SCHEDULED_REMINDER: tasks.remind_roll_task,
        BackgroundStep.CLOSING: tasks.close_ballot_task,
        BackgroundStep.PUBLISHING: tasks.publish_results_task,
    }[BackgroundStep(ballot.background_step)]
    transaction.on_commit(lambda: task.enqueue(ballot_id, actor_id))


@transaction.atomic(durable=True)
def resume_background(*, actor: User, ballot: Ballot) -> None:
    """Start a stopped step again; it carries on from where it stopped."""
    require_runner(actor, ballot)
    ballot = locked_ballot(ballot)
    if not ballot.background_step or not ballot.background_error:
        raise WrongStage(gettext("Nothing has stopped, so there is nothing to start again."))
    ballot.background_error = ""
    ballot.save(update_fields=["background_error"])
    enqueue_step(ballot, actor)
