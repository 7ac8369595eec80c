"""``manage.py apply_retention [--dry-run]``: pseudonymise lapsed members past the retention
period (settings.GRASSROOTS_LAPSED_RETENTION_DAYS), and delete other organisations' imported
membership lists past theirs (settings.GRASSROOTS_ORGANISATION_LIST_RETENTION_DAYS). Run it
daily from cron; see docs/data-protection.md."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from grassroots.people.affiliations import delete_expired_lists, list_retention_days
from grassroots.people.erasure import apply_retention, lapsed_retention_days


class Command(BaseCommand):
    help = "Erase (pseudonymise) lapsed members past the retention period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="list the members due; erase nobody"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        run = apply_retention(dry_run=options["dry_run"])
        days = lapsed_retention_days()
        if run.dry_run:
            self.stdout.write(
                f"{len(run.due)} lapsed member(s) past {days} days would be erased"
                + (": " + ", ".join(run.due) if run.due else ".")
            )
        else:
            self.stdout.write(
                f"Erased {len(run.erased)} lapsed member(s) past {days} days"
                + (": " + ", ".join(run.erased) if run.erased else ".")
            )
        if not run.dry_run:
            lists = delete_expired_lists()
            self.stdout.write(
                f"Deleted {lists} imported organisation list(s) past {list_retention_days()} days."
            )
