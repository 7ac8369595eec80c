"""Queue the notification digests that are due (run every minute by the scheduler's timer;
a digest already sent for its period is not sent again)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from grassroots import clock
from grassroots.notifications.services import due_digests, send_digest
from grassroots.notifications.tasks import send_digest_task


class Command(BaseCommand):
    help = "Queue the daily and weekly notification digests whose time has come."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--now",
            action="store_true",
            help="Send in this process instead of queueing a task for the worker.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for due in due_digests(clock.now()):
            if options["now"]:
                run = send_digest(due.frequency, due.period)
                if run is not None:
                    self.stdout.write(
                        f"{due.frequency} digest for {due.period}: {run.notifications} "
                        f"notifications to {run.members} members"
                    )
            else:
                send_digest_task.enqueue(due.frequency, due.period.isoformat())
                self.stdout.write(f"queued the {due.frequency} digest for {due.period}")
