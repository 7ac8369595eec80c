"""Write a published ballot's election record for ``python -m grassroots.ledger verify``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from grassroots.ballots.models import Ballot, BallotStatus
from grassroots.ballots.publication import election_record
from grassroots.ballots.services.publishing import latest_published
from grassroots.ledger.record import write_record


class Command(BaseCommand):
    help = "Write the election record of a published ballot into DIR."

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--latest-published", action="store_true")
        which.add_argument("--election", metavar="ELECTION_ID")
        parser.add_argument("directory", type=Path)

    def handle(self, *args: Any, directory: Path, **options: Any) -> None:
        if options["latest_published"]:
            ballot = latest_published()
        else:
            ballot = Ballot.objects.filter(
                election_id=options["election"], status=BallotStatus.PUBLISHED
            ).first()
        if ballot is None:
            raise CommandError("No published ballot found.")
        write_record(election_record(ballot), directory)
        self.stdout.write(f"wrote the record of {ballot.election_id} to {directory}")
