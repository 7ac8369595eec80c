"""Background tasks: the database worker (``manage.py db_worker``) runs them."""

from __future__ import annotations

from django_tasks import task

from grassroots.ballots.services.counting import run_count


@task()
def count_ballot_task(ballot_id: int) -> None:
    run_count(ballot_id=ballot_id)
