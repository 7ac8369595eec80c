"""Background tasks: the database worker (``manage.py db_worker``) runs them."""

from __future__ import annotations

from django_tasks import task

from grassroots.oversight import services


@task()
def put_reached_initiatives_to_ballot_task() -> None:
    services.put_reached_initiatives_to_ballot()
