"""``manage.py run_ballot_scheduler``: open, seal, sign and close ballots on time.

Run it every minute (a cron line or a systemd timer with ``--once``), or leave it running
(``--interval 30``) under a process supervisor; docs/ballots.md has both.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from grassroots.ballots.scheduler import run_tick


class Command(BaseCommand):
    help = (
        "Open ready ballots whose opening time has passed, seal cast ballots into each log and "
        "sign a head at least every minute while polling, close ballots whose time is up."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run one tick and stop")
        parser.add_argument(
            "--interval", type=float, default=30.0, help="seconds between ticks (default 30)"
        )
        parser.add_argument(
            "--min-batch",
            type=int,
            default=10,
            help="leave smaller batches unsealed while the poll is open (default 10)",
        )

    def handle(self, *args: Any, once: bool, interval: float, min_batch: int, **_: Any) -> None:
        while True:
            for line in run_tick(min_batch=min_batch):
                self.stdout.write(line)
            if once:
                return
            close_old_connections()
            time.sleep(interval)
