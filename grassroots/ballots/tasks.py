"""Background tasks: the database worker (``manage.py db_worker``) runs them."""

from __future__ import annotations

from django_tasks import task

from grassroots.ballots.services.counting import run_count
from grassroots.ballots.services.lifecycle import run_close, run_open
from grassroots.ballots.services.publishing import run_publish
from grassroots.ballots.services.reminders import run_reminder


@task()
def count_ballot_task(ballot_id: int) -> None:
    run_count(ballot_id=ballot_id)


@task()
def open_ballot_task(ballot_id: int, actor_id: int | None) -> None:
    """Freeze the roll, open the poll, then write the invitations in batches."""
    run_open(ballot_id=ballot_id, actor_id=actor_id)


@task()
def remind_roll_task(ballot_id: int, actor_id: int | None) -> None:
    """Write a reminder to everyone on the roll in batches, then send it."""
    run_reminder(ballot_id=ballot_id, actor_id=actor_id)


@task()
def close_ballot_task(ballot_id: int, actor_id: int | None) -> None:
    """The close's per-voter work: turnout, the roll marks rewritten, the last seal."""
    run_close(ballot_id=ballot_id, actor_id=actor_id)


@task()
def publish_results_task(ballot_id: int, actor_id: int | None) -> None:
    """Build and store the election record and BLT files, then publish."""
    run_publish(ballot_id=ballot_id, actor_id=actor_id)


@task()
def notify_roll_task(ballot_id: int, event: str) -> None:
    from grassroots.ballots.notices import notify_roll

    notify_roll(ballot_id=ballot_id, event=event)


@task()
def check_mix_stage_task(stage_id: int, actor_id: int | None) -> None:
    """Check an uploaded mix stage's proof of shuffle, then accept or refuse it."""
    from grassroots.ballots.services.mixing import run_mix_check

    run_mix_check(stage_id=stage_id, actor_id=actor_id)
