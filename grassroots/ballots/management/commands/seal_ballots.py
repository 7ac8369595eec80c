"""The sealer: close ballots whose time is up, then move cast ballots into each public log."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from grassroots.ballots import sql
from grassroots.ballots.models import Ballot, BallotStatus
from grassroots.ballots.services.lifecycle import close_due_ballots
from grassroots.ballots.services.sealing import seal_pending


class Command(BaseCommand):
    help = "Close due ballots and seal cast ballots into the log in shuffled batches."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--min-batch",
            type=int,
            default=10,
            help="Leave smaller batches waiting while the poll is open (default 10)",
        )

    def handle(self, *args: Any, min_batch: int, **options: Any) -> None:
        for election_id in close_due_ballots():
            self.stdout.write(f"closed {election_id}")
        for ballot in Ballot.objects.filter(status__in=[BallotStatus.OPEN, BallotStatus.CLOSED]):
            sealed = seal_pending(ballot, min_batch=min_batch)
            if sealed:
                self.stdout.write(f"sealed {sealed} ballot(s) into {ballot.election_id}")
        sql.vacuum_unsealed()
