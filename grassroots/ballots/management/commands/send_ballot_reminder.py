"""``manage.py send_ballot_reminder ELECTION_ID``: remind everyone on an open ballot's roll.

For a timer (e.g. two days before the close); an officer can also send one from the ballot's
page. The mail goes through grassroots.messaging's background worker.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from grassroots.ballots.models import Ballot
from grassroots.ballots.services.errors import BallotError
from grassroots.ballots.services.reminders import send_reminder


class Command(BaseCommand):
    help = "Queue a reminder, with each member's personal link, to everyone on a ballot's roll."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("election_id")

    def handle(self, *args: Any, election_id: str, **options: Any) -> None:
        ballot = Ballot.objects.filter(election_id=election_id).first()
        if ballot is None:
            raise CommandError(f"No ballot {election_id}.")
        try:
            size = send_reminder(actor=None, ballot=ballot)
        except BallotError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"reminder queued to {size} members on the roll of {election_id}")
