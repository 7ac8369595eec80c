"""Background tasks: the database worker (``manage.py db_worker``) runs them."""

from __future__ import annotations

import datetime

from django_tasks import task

from grassroots.messaging.tasks import MAIL_QUEUE
from grassroots.notifications.services import notify_scope_now, send_digest


@task(queue_name=MAIL_QUEUE)
def send_digest_task(frequency: str, period: str) -> None:
    send_digest(frequency, datetime.date.fromisoformat(period))


@task()
def notify_scope_task(
    scope_key: str, kind: str, url: str, message: str, params: dict[str, str]
) -> None:
    notify_scope_now(scope_key, kind=kind, url=url, message=message, params=params)
