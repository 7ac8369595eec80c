"""Templates compare a status with its model's enum (``ballot.status == BallotStatus.OPEN``),
which the ``status_enums`` context processor provides, never with a string literal that a
renamed value would silently stop matching (issue 13)."""

from __future__ import annotations

import re
from pathlib import Path

from django.db.models import TextChoices

from grassroots.context_processors import status_enums

ROOT = Path(__file__).resolve().parents[2] / "grassroots"
LITERAL = re.compile(r"""status\s*(==|!=)\s*["'][a-z_]+["']""")
ENUM = re.compile(r"status\s*(?:==|!=)\s*(\w+)\.(\w+)")

# Templates that may still compare with a literal, and how many times: none since 6 December.
STILL_LITERAL: dict[str, int] = {}


def _templates() -> list[Path]:
    return sorted(ROOT.glob("*/templates/**/*.html"))


def test_no_template_compares_a_status_with_a_string():
    found = {}
    for path in _templates():
        count = len(LITERAL.findall(path.read_text()))
        name = str(path.relative_to(ROOT))
        if count > STILL_LITERAL.get(name, 0):
            found[name] = count
    assert not found, f"compare with the model's status enum instead: {found}"


def test_every_enum_a_template_names_is_provided_and_has_that_member():
    enums = status_enums(None)  # type: ignore[arg-type]  # the request is not read
    assert all(issubclass(enum, TextChoices) for enum in enums.values())
    for path in _templates():
        for enum_name, member in ENUM.findall(path.read_text()):
            assert enum_name in enums, f"{path.name}: {enum_name} is not in status_enums"
            assert hasattr(enums[enum_name], member), f"{path.name}: {enum_name}.{member}"
