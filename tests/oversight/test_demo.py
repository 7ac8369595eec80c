from __future__ import annotations

import pytest

from grassroots.demo import people as demo
from grassroots.demo.seed import seed_demo
from grassroots.oversight.models import Commitment, Initiative, InitiativeStatus, Meeting
from tests.demo_database import restore_demo

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_demo_has_a_register_with_a_late_record_a_call_in_and_commitments_and_seeds_once():
    restore_demo()  # what seed_demo makes (tests/demo_database.py)
    published = Meeting.objects.filter(published_at__isnull=False)
    assert published.count() == 4
    assert [m.title for m in published if m.is_late] == ["October meeting"]
    assert Meeting.objects.filter(published_at__isnull=True).get().is_late  # 20 days, unpublished
    initiative = Initiative.objects.get()
    assert initiative.status == InitiativeStatus.COLLECTING
    assert initiative.signature_count == min(25, initiative.signatures_needed - 1)
    assert initiative.decision is not None
    assert initiative.decision.named_votes.count() >= 2
    assert Commitment.objects.count() == 3
    assert sum(c.is_overdue for c in Commitment.objects.all()) == 1
    before = (Meeting.objects.count(), Initiative.objects.count(), Commitment.objects.count())
    seed_demo(members=demo.MINIMUM_MEMBERS)
    after = (Meeting.objects.count(), Initiative.objects.count(), Commitment.objects.count())
    assert after == before
