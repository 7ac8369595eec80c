"""Background tasks: the database worker (``manage.py db_worker``) runs them."""

from __future__ import annotations

from django_tasks import task

from grassroots.messaging import services

# Mail to members in bulk runs on a queue of its own, so that a deployment can give it the CPU
# the app and the other tasks leave (deploy/systemd/grassroots-mailer@.service runs it at the
# idle scheduling class): 400,000 invitations going out must not slow the votes they ask for
# (docs/deploy.md section 7, issue 22). ``manage.py db_worker --queue-name '*'`` runs every queue.
MAIL_QUEUE = "mail"


@task(queue_name=MAIL_QUEUE)
def deliver_mailout_task(mailout_id: int) -> None:
    services.deliver_mailout(mailout_id=mailout_id)
