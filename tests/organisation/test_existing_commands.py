"""``manage.py set_up_structure`` and ``manage.py record_existing_officers``: a movement's
structure and officers from CSV files, all or nothing, with every problem listed."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from grassroots.audit.actions import AuditAction
from grassroots.audit.models import AuditEntry
from grassroots.organisation.models import Group, Region, Role, RoleAssignment
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

STRUCTURE = """region,area,group,postcode_districts,meeting_place,founded_on
North West,Manchester,Chorlton,M21,Chorlton Library,2019-05-01
North West,Manchester,Levenshulme,M19,,
London,North London,Islington,N1 N7,,
London,South London,,,,
"""


def _file(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_structure_and_its_officers_arrive_from_two_files(tmp_path: Path):
    out, _ = _run(
        "set_up_structure", _file(tmp_path, "s.csv", STRUCTURE), "--reason", "the 2026 register"
    )
    assert "Made 2 regions, 3 areas and 3 groups" in out
    chorlton = Group.objects.get(slug="chorlton")
    assert (chorlton.meeting_place, str(chorlton.founded_on)) == ("Chorlton Library", "2019-05-01")
    assert Region.objects.get(slug="london").areas.count() == 2

    chair = MemberFactory(home_group=chorlton)
    national = MemberFactory()
    officers = (
        "membership_number,role,scope,starts_on\n"
        f"{chair.membership_number},Chair,chorlton,2025-04-01\n"
        f"{national.membership_number},national_office,,2024-01-01\n"
    )
    out, _ = _run("record_existing_officers", _file(tmp_path, "o.csv", officers))
    assert "Recorded 2 officers" in out
    assert RoleAssignment.objects.get(role=Role.CHAIR).member == chair
    assert AuditEntry.objects.filter(action=AuditAction.RECORD_EXISTING_OFFICER).count() == 2

    # Twice: refused with the reason, nothing made or recorded again.
    groups = Group.objects.count()
    with pytest.raises(CommandError, match="nothing was made"):
        _run("set_up_structure", str(tmp_path / "s.csv"), "--reason", "again")
    with pytest.raises(CommandError, match="nothing was recorded"):
        _run("record_existing_officers", str(tmp_path / "o.csv"))
    assert RoleAssignment.objects.count() == 2
    assert Group.objects.count() == groups


def test_problems_are_listed_and_nothing_is_made(tmp_path: Path):
    bad = "region,area,group,postcode_districts\nNorth West,Manchester,Chorlton,nowhere!\n"
    err = StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command(
            "set_up_structure",
            _file(tmp_path, "s.csv", bad),
            "--reason",
            "x",
            stdout=StringIO(),
            stderr=err,
        )
    assert "NOWHERE! is not a postcode district" in err.getvalue()
    assert not Region.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("region,area\nNorth,Leeds\n", "no group, postcode_districts column"),
        ("region,area,group,postcode_districts\n", "no rows"),
        (
            "region,area,group,postcode_districts,founded_on\nN,A,G,LS6,1/5/2019\n",
            "Row 2: founded_on 1/5/2019 is not a date",
        ),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_clearly(tmp_path: Path, text: str, message: str):
    with pytest.raises(CommandError, match=message):
        _run("set_up_structure", _file(tmp_path, "s.csv", text), "--reason", "x")


def test_a_missing_file_is_refused_clearly(tmp_path: Path):
    with pytest.raises(CommandError, match="There is no file"):
        _run("record_existing_officers", str(tmp_path / "none.csv"))
