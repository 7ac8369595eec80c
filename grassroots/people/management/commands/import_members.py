"""``manage.py import_members FILE.csv``: create or update members from a CSV file.

Exit status 0 when the file was imported (or, with --dry-run, would be), 1 when it was refused;
the per-row report goes to stderr. See docs/import.md for the header and the checks.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from grassroots.people import queries, services
from grassroots.people.importing import Layout, parse_members


class Command(BaseCommand):
    help = "Import members from a CSV file (docs/import.md). Nothing is imported if a row is bad."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the CSV file, UTF-8")
        parser.add_argument(
            "--format",
            choices=[layout.value for layout in Layout],
            default=Layout.GRASSROOTS.value,
            help="the file's layout: grassroots (default) or a nationbuilder export",
        )
        parser.add_argument(
            "--allow-partial",
            action="store_true",
            help="import the good rows even when some rows are bad",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and report; change nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise CommandError(f"There is no file {path}.") from None
        except IsADirectoryError:
            raise CommandError(f"{path} is a directory, not a CSV file.") from None
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        started = time.perf_counter()
        groups = queries.import_group_directory()
        parsed = parse_members(data, groups=groups, layout=Layout(options["format"]))
        try:
            outcome = services.import_members(
                actor=None,
                parsed=parsed,
                allow_partial=options["allow_partial"],
                dry_run=options["dry_run"],
                source_name=path.name,
            )
        except DatabaseError as error:
            raise CommandError(
                f"The database refused the import, so nothing was imported: {error}"
            ) from None
        elapsed = time.perf_counter() - started
        for problem in outcome.problems:
            self.stderr.write(str(problem))
        verb = "would be" if options["dry_run"] else "were"
        counts = (
            f"{outcome.created:,} created, {outcome.updated:,} updated, "
            f"{outcome.unchanged:,} unchanged"
        )
        if outcome.file_problems:
            raise CommandError(
                f"{path.name} cannot be imported as it is (listed above), so nothing was imported."
            )
        if outcome.problems and not options["allow_partial"]:
            raise CommandError(
                f"{path.name}: {outcome.rejected:,} of {outcome.rows_read:,} rows have problems "
                "(listed above), so nothing was imported. Fix them, or use --allow-partial to "
                "import the other rows."
            )
        rejected = f", {outcome.rejected:,} rows rejected" if outcome.problems else ""
        self.stdout.write(
            f"{path.name}: {outcome.rows_read:,} rows read; members {verb} {counts}"
            f"{rejected} ({elapsed:.1f} s)."
        )
