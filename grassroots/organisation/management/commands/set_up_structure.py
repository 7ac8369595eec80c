"""``manage.py set_up_structure FILE.csv --reason "..."``: a movement's regions, areas and
groups, brought onto the platform on day one (``organisation.services.existing``).

One row per group: ``region,area,group,postcode_districts`` and, if the file has them,
``meeting_place``, ``description`` and ``founded_on`` (ISO, ``2019-05-01``). A row with no group
makes an area with none yet. All or nothing: every problem is listed and nothing is made, and a
region already on the platform is refused, so running the file twice makes nothing twice.
See docs/organisation.md.
"""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext, ngettext

from grassroots.organisation.services.existing import (
    AreaPlan,
    GroupPlan,
    RegionPlan,
    StructureSetUpError,
    set_up_structure,
)

REQUIRED = ("region", "area", "group", "postcode_districts")
OPTIONAL = ("meeting_place", "description", "founded_on")
MAX_ROWS = 20_000


def read_csv(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    """The file's rows by header, or a CommandError that says what is wrong with it."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise CommandError(gettext("There is no file %(path)s.") % {"path": path}) from None
    except IsADirectoryError:
        raise CommandError(
            gettext("%(path)s is a directory, not a CSV file.") % {"path": path}
        ) from None
    except OSError as error:
        raise CommandError(
            gettext("Cannot read %(path)s: %(error)s.") % {"path": path, "error": error.strerror}
        ) from None
    except UnicodeDecodeError:
        raise CommandError(
            gettext("%(name)s is not UTF-8 text: save it as CSV (UTF-8).") % {"name": path.name}
        ) from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [column for column in required if column not in header]
    if missing:
        raise CommandError(
            gettext("%(name)s has no %(missing)s column: the header must name %(required)s.")
            % {"name": path.name, "missing": ", ".join(missing), "required": ", ".join(required)}
        )
    reader.fieldnames = header
    rows: list[dict[str, str]] = []
    for row in reader:
        if len(rows) >= MAX_ROWS:
            raise CommandError(
                gettext("%(name)s has more than %(max)s rows.")
                % {"name": path.name, "max": format(MAX_ROWS, ",")}
            )
        rows.append({k: (v or "").strip() for k, v in row.items() if k is not None})
    if not rows:
        raise CommandError(gettext("%(name)s has a header but no rows.") % {"name": path.name})
    return rows


def iso_date(text: str, line: int, column: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(
            gettext("Row %(line)s: %(column)s %(text)s is not a date; write it as 2019-05-01.")
            % {"line": line, "column": column, "text": text or "-"}
        ) from None


class Command(BaseCommand):
    help = (
        "Bring a movement's regions, areas and groups onto the platform from a CSV file "
        "(region,area,group,postcode_districts[,meeting_place,description,founded_on]). "
        "Nothing is made if anything is wrong."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the CSV file, UTF-8, one row per group")
        parser.add_argument(
            "--reason",
            required=True,
            help="why and from where the structure is brought across (kept in the audit log "
            "and shown on the public change log)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        plans: dict[str, dict[str, list[GroupPlan]]] = {}
        for line, row in enumerate(read_csv(path, REQUIRED), start=2):
            if not row["region"] or not row["area"]:
                raise CommandError(
                    gettext("Row %(line)s: give the region and the area.") % {"line": line}
                )
            groups = plans.setdefault(row["region"], {}).setdefault(row["area"], [])
            if not row["group"]:
                continue
            founded = row.get("founded_on", "")
            groups.append(
                GroupPlan(
                    name=row["group"],
                    postcode_districts=row["postcode_districts"],
                    meeting_place=row.get("meeting_place", ""),
                    description=row.get("description", ""),
                    founded_on=iso_date(founded, line, "founded_on") if founded else None,
                )
            )
        regions = [
            RegionPlan(region, [AreaPlan(area, groups) for area, groups in areas.items()])
            for region, areas in plans.items()
        ]
        try:
            made = set_up_structure(actor=None, regions=regions, reason=options["reason"])
        except StructureSetUpError as error:
            for problem in error.problems:
                self.stderr.write(problem)
            raise CommandError(
                ngettext(
                    "%(name)s: %(count)s problem, listed above, so nothing was made.",
                    "%(name)s: %(count)s problems, listed above, so nothing was made.",
                    len(error.problems),
                )
                % {"name": path.name, "count": len(error.problems)}
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                gettext(
                    "Made %(regions)s regions, %(areas)s areas and %(groups)s groups. Next: "
                    "import the members (import_members), then record the officers "
                    "(record_existing_officers)."
                )
                % {
                    "regions": len(made.regions),
                    "areas": len(made.areas),
                    "groups": len(made.groups),
                }
            )
        )
