"""Each recognition criterion on its own, from plain facts (no database)."""

from __future__ import annotations

import datetime

import pytest

from grassroots.organisation.models import RecognitionCriteria
from grassroots.organisation.recognition import GroupFacts, evaluate, failing, months_before

TODAY = datetime.date(2026, 3, 2)
GOOD = GroupFacts(
    has_data_manager=True,
    has_secretary=True,
    members=5,
    last_agm_on=datetime.date(2025, 3, 2),
    data_manager_accepted=True,
)


def codes_failing(facts: GroupFacts, criteria: RecognitionCriteria | None = None) -> list[str]:
    return [r.code for r in failing(evaluate(facts, criteria or RecognitionCriteria(), TODAY))]


def test_a_group_meeting_every_default_criterion_fails_none():
    results = evaluate(GOOD, RecognitionCriteria(), TODAY)
    assert [r.code for r in results] == ["data_manager", "secretary", "members", "agm", "agreement"]
    assert all(r.passed for r in results)


def test_no_data_manager_fails_the_data_manager_and_the_agreement():
    facts = GroupFacts(**{**GOOD.__dict__, "has_data_manager": False})
    assert codes_failing(facts) == ["data_manager", "agreement"]


def test_no_secretary_fails():
    assert codes_failing(GroupFacts(**{**GOOD.__dict__, "has_secretary": False})) == ["secretary"]


@pytest.mark.parametrize(("members", "fails"), [(4, True), (5, False), (50, False), (0, True)])
def test_members_must_reach_the_minimum(members, fails):
    facts = GroupFacts(**{**GOOD.__dict__, "members": members})
    assert ("members" in codes_failing(facts)) is fails


def test_the_minimum_is_the_national_offices_to_set():
    facts = GroupFacts(**{**GOOD.__dict__, "members": 4})
    assert codes_failing(facts, RecognitionCriteria(minimum_members=3)) == []
    assert codes_failing(facts, RecognitionCriteria(minimum_members=0)) == []


@pytest.mark.parametrize(
    ("held_on", "fails"),
    [
        (datetime.date(2025, 2, 2), False),  # exactly 13 months ago
        (datetime.date(2025, 2, 1), True),  # a day more
        (None, True),
    ],
)
def test_an_agm_must_be_held_in_the_last_thirteen_months(held_on, fails):
    facts = GroupFacts(**{**GOOD.__dict__, "last_agm_on": held_on})
    assert ("agm" in codes_failing(facts)) is fails


def test_months_before_keeps_the_day_or_takes_the_end_of_a_short_month():
    assert months_before(datetime.date(2026, 3, 31), 1) == datetime.date(2026, 2, 28)
    assert months_before(datetime.date(2026, 1, 15), 13) == datetime.date(2024, 12, 15)


def test_the_agreement_must_be_accepted_by_the_data_manager():
    facts = GroupFacts(**{**GOOD.__dict__, "data_manager_accepted": False})
    assert codes_failing(facts) == ["agreement"]


def test_criteria_switched_off_are_not_evaluated():
    criteria = RecognitionCriteria(
        require_data_manager=False,
        require_secretary=False,
        minimum_members=0,
        agm_within_months=0,
        require_agreement=False,
    )
    empty = GroupFacts(False, False, 0, None, False)
    assert evaluate(empty, criteria, TODAY) == []
