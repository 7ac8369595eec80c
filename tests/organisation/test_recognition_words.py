"""The recognition criteria's words are drawn when shown, in the reader's language: an event
keeps each failing criterion's code and values, and the English words for the raw record."""

from __future__ import annotations

import datetime

import pytest
from django.utils.translation import override

from grassroots.organisation.models import RecognitionCriteria, RecognitionEvent
from grassroots.organisation.recognition import GroupFacts, evaluate, failing
from grassroots.organisation.recognition_words import described_failing
from tests.factories import GroupFactory

FACTS = GroupFacts(
    has_data_manager=False,
    has_secretary=True,
    members=3,
    last_agm_on=datetime.date(2024, 5, 2),
    data_manager_accepted=False,
)
CRITERIA = RecognitionCriteria(
    require_data_manager=True,
    require_secretary=True,
    minimum_members=5,
    agm_within_months=12,
    require_agreement=True,
)


def test_each_failing_criterion_is_kept_as_its_code_and_values_with_english_words():
    bad = failing(evaluate(FACTS, CRITERIA, datetime.date(2026, 3, 2)))
    assert [r.code for r in bad] == ["data_manager", "members", "agm", "agreement"]
    with override("cy"):
        stored = [r.stored() for r in bad]
    assert stored[1] == {
        "code": "members",
        "values": {"minimum": 5, "members": 3},
        "label": "At least 5 members",
        "detail": "The group has 3 members.",
    }
    assert stored[2]["detail"] == "The last AGM was on 2 May 2024."


def test_the_words_follow_the_reader_and_a_single_member_is_not_plural():
    one = evaluate(
        GroupFacts(False, True, 1, None, False),
        RecognitionCriteria(
            require_data_manager=False,
            require_secretary=False,
            minimum_members=1,
            agm_within_months=1,
            require_agreement=False,
        ),
        datetime.date(2026, 3, 2),
    )
    assert [(r.label, r.detail) for r in one] == [
        ("At least 1 member", ""),
        ("An AGM held in the last month", "No AGM has been recorded."),
    ]
    bad = failing(evaluate(FACTS, CRITERIA, datetime.date(2026, 3, 2)))
    english = [(r.label, r.detail) for r in bad]
    with override("cy"):
        welsh = [(r.label, r.detail) for r in bad]
    assert all(w != e for w, e in zip(welsh, english, strict=True))
    assert "5" in welsh[1][0] and "3" in welsh[1][1] and "2024" in welsh[2][1]


@pytest.mark.django_db
def test_an_event_shows_its_failing_criteria_in_the_readers_language_and_old_words_as_kept():
    bad = failing(evaluate(FACTS, CRITERIA, datetime.date(2026, 3, 2)))
    old = {"code": "retired_rule", "label": "A rule since retired", "detail": "Not met."}
    event = RecognitionEvent.objects.create(
        group=GroupFactory(),
        from_status="recognised",
        to_status="at_risk",
        reason="A recognition criterion is not met.",
        failing=[r.stored() for r in bad] + [old],
        decided_by_label="system",
        at=datetime.datetime(2026, 3, 2, tzinfo=datetime.UTC),
    )
    event.refresh_from_db()
    with override("cy"):
        shown = event.failing_shown
    assert shown[1]["label"] != "At least 5 members"
    assert shown[-1] == {
        "code": "retired_rule",
        "label": "A rule since retired",
        "detail": "Not met.",
    }
    assert described_failing([{"code": "members"}]) == [
        {"code": "members", "label": "", "detail": ""}
    ]
