"""The roll is told in the app when a ballot opens and when its result is published
(grassroots.ballots.notices through grassroots.notifications), once each, after the commit."""

from __future__ import annotations

import pytest

from grassroots.ballots.models import RollEntry
from grassroots.notifications.models import Kind, Notification
from tests.ballots.conftest import SetUp, cast_orders, close_count_publish, open_with_voters

pytestmark = pytest.mark.django_db


def test_the_roll_hears_of_the_open_and_of_the_result(
    ready_ballot: SetUp, frozen_clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        voters = open_with_voters(ready_ballot, 3)
    roll = set(
        RollEntry.objects.filter(ballot=ready_ballot.ballot).values_list("member_id", flat=True)
    )
    assert {v.pk for v in voters} <= roll
    opened = Notification.objects.filter(
        kind=Kind.BALLOT, url=f"/ballots/{ready_ballot.ballot.pk}/vote/"
    )
    assert set(opened.values_list("member_id", flat=True)) == roll
    assert opened.count() == len(roll)  # once each
    assert all(n.title.startswith(f"Vote in “{ready_ballot.ballot.title}” by ") for n in opened)
    # Ballot notifications are in-app by default: the invitation mail already went.
    assert not opened.exclude(digest="").exists()

    cast_orders(ready_ballot, voters, [[0, 1], [1, 0], [0, 1]])
    with django_capture_on_commit_callbacks(execute=True):
        close_count_publish(ready_ballot, frozen_clock)
    published = Notification.objects.filter(
        kind=Kind.BALLOT, title=f"Result published: {ready_ballot.ballot.title}"
    )
    assert set(published.values_list("member_id", flat=True)) == roll
    assert published.first().url == f"/ballots/{ready_ballot.ballot.pk}/results/"
