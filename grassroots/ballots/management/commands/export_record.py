"""Write a published ballot's election record for ``python -m grassroots.ledger verify``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext

from grassroots.ballots.models import Ballot, BallotStatus
from grassroots.ballots.publication import record_files, signed_e2e_files
from grassroots.ballots.services.publishing import latest_published
from grassroots.ledger.record import write_record_files


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
            raise CommandError(gettext("No published ballot found."))
        # Streamed from the box file by file, so a national ballot's record needs no more
        # memory than a small one's.
        write_record_files(record_files(ballot), directory)
        if ballot.is_end_to_end:  # checks 10-14 read the e2e/ folder beside the record
            for name, data in signed_e2e_files(ballot).items():
                path = directory / "e2e" / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
        self.stdout.write(f"wrote the record of {ballot.election_id} to {directory}")
