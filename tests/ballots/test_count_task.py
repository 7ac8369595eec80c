"""The count runs as a background task, in batches, with its progress on the ballot's page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from grassroots.ballots import services
from grassroots.ballots.models import Ballot, BallotBoxEntry, BallotStatus
from tests.ballots.conftest import Clock, SetUp, cast_orders, open_with_voters
from tests.web.roles import give_authenticator_app

pytestmark = pytest.mark.django_db


def _closed_with_shares(setup: SetUp, clock_: Clock, voters: int) -> None:
    people = open_with_voters(setup, voters)
    cast_orders(setup, people, [[i % 4, (i + 1) % 4] for i in range(voters)])
    clock_.advance(hours=2)
    services.close_ballot(actor=setup.officer.user, ballot=setup.ballot)
    for teller, share in list(zip(setup.tellers, setup.shares, strict=True))[:2]:
        services.reveal_share(
            actor=teller.user, teller=setup.ballot.tellers.get(member=teller), share_text=share
        )


def test_page_shows_count_progress_and_polls_until_done(
    client: Client,
    ready_ballot: SetUp,
    frozen_clock: Clock,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    _closed_with_shares(ready_ballot, frozen_clock, 7)
    monkeypatch.setattr(services, "COUNT_BATCH", 4)
    give_authenticator_app(ready_ballot.officer.user)
    client.force_login(ready_ballot.officer.user)
    manage = reverse("ballot_manage", args=[ready_ballot.ballot.pk])
    # Without running the task, the page shows the count waiting at 0 and polls.
    response = client.post(reverse("ballot_count", args=[ready_ballot.ballot.pk]))
    assert response.status_code == 302
    page = client.get(manage).content.decode()
    total = BallotBoxEntry.objects.filter(ballot=ready_ballot.ballot).count()
    assert f"0 of {total} ballots opened" in page and 'hx-trigger="every 2s"' in page
    assert "Refresh</a>" in page
    fragment = client.get(manage, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<section id="count-progress"')
    assert "<html" not in fragment
    # One batch of 4, as the worker would commit it: the fragment shows the progress.
    services._decrypt_batch(
        ready_ballot.ballot.pk,
        services.ballot_opener(services._tellers_private_key(ready_ballot.ballot)),
        {
            q.id: q
            for q in services.election_parameters(
                Ballot.objects.get(pk=ready_ballot.ballot.pk)
            ).questions
        },
    )
    fragment = client.get(manage, headers={"HX-Request": "true"}).content.decode()
    assert f"4 of {total} ballots opened" in fragment
    services.run_count(ballot_id=ready_ballot.ballot.pk)
    fragment = client.get(manage, headers={"HX-Request": "true"}).content.decode()
    assert "The count is finished" in fragment and "hx-trigger" not in fragment
    assert Ballot.objects.get(pk=ready_ballot.ballot.pk).status == BallotStatus.COUNTED


def test_count_request_runs_the_task_after_commit(
    client: Client, ready_ballot: SetUp, frozen_clock: Clock, django_capture_on_commit_callbacks
):
    _closed_with_shares(ready_ballot, frozen_clock, 3)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_count(actor=ready_ballot.officer.user, ballot=ready_ballot.ballot)
    ballot = Ballot.objects.get(pk=ready_ballot.ballot.pk)
    assert ballot.status == BallotStatus.COUNTED and ballot.count_done == ballot.count_total
    with pytest.raises(services.WrongStage):
        services.request_count(actor=ready_ballot.officer.user, ballot=ballot)


def test_a_count_cannot_be_started_twice_while_running(ready_ballot: SetUp, frozen_clock: Clock):
    _closed_with_shares(ready_ballot, frozen_clock, 2)
    services.request_count(actor=ready_ballot.officer.user, ballot=ready_ballot.ballot)
    with pytest.raises(services.WrongStage, match="already running"):
        services.request_count(actor=ready_ballot.officer.user, ballot=ready_ballot.ballot)
