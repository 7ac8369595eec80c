"""``manage.py record_existing_officers FILE.csv --reason "..."``: the officers a movement has
when it moves onto the platform, recorded on day one (``organisation.services.existing``).

One row per office: ``membership_number,role,scope,starts_on``. ``role`` is one of the role
names below; ``scope`` the address (slug) of the group, area or region the role is held in,
empty for a national role; ``starts_on`` the day they took office (ISO, ``2025-04-01``). Run it
after the members are imported. All or nothing: every wrong row is listed and nothing is
recorded, and an office already held is refused, so running the file twice records nothing
twice. See docs/organisation.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext, ngettext

from grassroots.organisation.management.commands.set_up_structure import iso_date, read_csv
from grassroots.organisation.models import Role
from grassroots.organisation.services.existing import (
    ExistingOfficer,
    ExistingOfficersError,
    record_existing_officers,
)

REQUIRED = ("membership_number", "role", "scope", "starts_on")


class Command(BaseCommand):
    help = (
        "Record the officers serving when the movement moved onto the platform, from a CSV file "
        "(membership_number,role,scope,starts_on; role one of "
        + ", ".join(Role.values)
        + "). Nothing is recorded if a row is wrong."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the CSV file, UTF-8, one row per office")
        parser.add_argument(
            "--reason",
            default="officers appointed before the platform",
            help="kept with each appointment and in the audit log (default: %(default)s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        appointments = [
            ExistingOfficer(
                membership_number=row["membership_number"],
                role=row["role"].lower(),
                starts_on=iso_date(row["starts_on"], line, "starts_on"),
                scope=row["scope"],
            )
            for line, row in enumerate(read_csv(path, REQUIRED), start=2)
        ]
        try:
            made = record_existing_officers(
                actor=None, appointments=appointments, reason=options["reason"]
            )
        except ExistingOfficersError as error:
            for problem in error.problems:
                self.stderr.write(problem)
            raise CommandError(
                ngettext(
                    "%(name)s: %(count)s problem, listed above (row 1 is the first after the "
                    "header), so nothing was recorded.",
                    "%(name)s: %(count)s problems, listed above (row 1 is the first after the "
                    "header), so nothing was recorded.",
                    len(error.problems),
                )
                % {"name": path.name, "count": len(error.problems)}
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                gettext(
                    "Recorded %(count)s officers. No notices were sent; run review_recognition "
                    "to review the groups against the recognition criteria."
                )
                % {"count": len(made)}
            )
        )
