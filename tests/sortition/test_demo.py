"""The demo's council drawn by lot reruns from its own record."""

from __future__ import annotations

import pytest

from grassroots.demo import people as demo_organisation
from grassroots.demo.seed import seed_demo
from grassroots.demo.sortition import TITLE, seed_demo_draw
from grassroots.sortition import queries
from grassroots.sortition.models import Draw
from grassroots.sortition.record import record_from_json, rerun

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_demo_council_is_drawn_and_its_record_reruns():
    seed_demo(members=demo_organisation.MINIMUM_MEMBERS)
    draw = Draw.objects.get(title=TITLE)
    assert draw.status == "drawn" and len(draw.selection) == 12
    result = rerun(record_from_json(queries.draw_record_json(draw)), bytes.fromhex(draw.seed))
    assert result.mismatches == ()
    assert seed_demo_draw() is None  # idempotent
    assert Draw.objects.filter(title=TITLE).count() == 1
