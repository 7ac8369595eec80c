"""The demo's council drawn by lot reruns from its own record."""

from __future__ import annotations

import pytest

from grassroots.demo.sortition import TITLE, seed_demo_draw
from grassroots.sortition import queries
from grassroots.sortition.models import Draw
from grassroots.sortition.record import record_from_json, rerun
from tests.demo_database import restore_demo

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_demo_council_is_drawn_and_its_record_reruns():
    restore_demo()  # what seed_demo makes (tests/demo_database.py)
    draw = Draw.objects.get(title=TITLE)
    assert draw.status == "drawn" and len(draw.selection) == 12
    result = rerun(record_from_json(queries.draw_record_json(draw)), bytes.fromhex(draw.seed))
    assert result.mismatches == ()
    assert seed_demo_draw() is None  # idempotent
    assert Draw.objects.filter(title=TITLE).count() == 1
