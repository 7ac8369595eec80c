"""The demo's surveys: a closed national one with its answers counted, an open one in Leeds."""

from __future__ import annotations

import pytest

from grassroots.demo.surveys import ANSWERS, CLOSED_TITLE, OPEN_TITLE, seed_demo_surveys
from grassroots.surveys import queries
from grassroots.surveys.models import PendingResponse, Response, Survey
from tests.demo_database import restore_demo

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_demo_surveys_are_seeded_once_with_results():
    restore_demo()  # what seed_demo makes (tests/demo_database.py)
    closed = Survey.objects.get(title=CLOSED_TITLE)
    assert closed.status == "closed" and closed.is_anonymous
    result = queries.results(closed.created_by.user, closed)
    # At the smallest demo size fewer than ANSWERS members without a login exist.
    answered = result.respondents
    assert 100 <= answered <= ANSWERS and result.counted == answered
    assert sum(b.count for b in result.questions[0].bars) == answered
    assert Survey.objects.get(title=OPEN_TITLE).status == "open"
    seed_demo_surveys()
    assert Survey.objects.filter(title__in=[CLOSED_TITLE, OPEN_TITLE]).count() == 2
    # In the test transaction on_commit does not run; the close mixes everything in real use.
    mixed = Response.objects.filter(survey=closed).count()
    assert mixed + PendingResponse.objects.filter(survey=closed).count() == answered
