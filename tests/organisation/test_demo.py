from __future__ import annotations

import pytest

from grassroots.demo import people as demo
from grassroots.demo.seed import seed_demo
from grassroots.organisation.models import GroupRecognition, GroupStatus
from tests.demo_database import restore_demo

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_demo_puts_its_groups_without_a_data_manager_at_risk_and_seeds_once():
    restore_demo()  # what seed_demo makes (tests/demo_database.py)
    at_risk = set(
        GroupRecognition.objects.filter(status=GroupStatus.AT_RISK).values_list(
            "group__name", flat=True
        )
    )
    assert set(demo.GROUPS_WITHOUT_DATA_MANAGER) <= at_risk
    assert GroupRecognition.objects.filter(status=GroupStatus.RECOGNISED).exists()
    before = list(GroupRecognition.objects.values_list("pk", "status"))
    seed_demo(members=demo.MINIMUM_MEMBERS)
    assert list(GroupRecognition.objects.values_list("pk", "status")) == before
