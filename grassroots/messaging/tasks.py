"""Background tasks: the database worker (``manage.py db_worker``) runs them."""

from __future__ import annotations

from django_tasks import task

from grassroots.messaging import services


@task()
def deliver_mailout_task(mailout_id: int) -> None:
    services.deliver_mailout(mailout_id=mailout_id)
