"""The systemd units in deploy/systemd name commands this project has: a unit that runs a
command nobody defined fails every night, unseen, and its housekeeping never happens."""

from __future__ import annotations

import re
from pathlib import Path

from django.core.management import get_commands

UNITS = Path(__file__).resolve().parents[2] / "deploy" / "systemd"
MANAGE = re.compile(r"^ExecStart=\S+ manage\.py (\S+)", re.MULTILINE)


def commands_in(unit: str) -> list[str]:
    return MANAGE.findall((UNITS / unit).read_text())


def test_every_manage_command_in_the_units_exists():
    named = [
        (path.name, command)
        for path in sorted(UNITS.glob("*.service"))
        for command in commands_in(path.name)
    ]
    assert named, "no unit runs manage.py: the pattern no longer matches the units"
    known = get_commands()
    unknown = [(unit, command) for unit, command in named if command not in known]
    assert not unknown, f"units run commands Django does not know: {unknown}"


def test_the_daily_housekeeping_clears_expired_sessions_and_task_rows():
    daily = commands_in("grassroots-daily.service")
    assert {"clearsessions", "prune_db_task_results", "apply_retention"} <= set(daily)
