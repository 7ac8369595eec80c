"""Issue 21: closing a poll and publishing a result are asked again on a page of their own
(no JavaScript needed) before they happen, and "decrypt and count" is not offered until enough
tellers have entered their shares."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from grassroots.ballots.models import Ballot, BallotStatus
from grassroots.ballots.services.counting import count_ballot
from grassroots.ballots.services.lifecycle import close_ballot
from grassroots.ballots.services.tellers import reveal_share
from tests.ballots.conftest import SetUp, cast_orders, open_with_voters
from tests.web.roles import give_authenticator_app

pytestmark = pytest.mark.django_db


def _officer(client: Client, setup: SetUp) -> Client:
    give_authenticator_app(setup.officer.user)
    client.force_login(setup.officer.user)
    return client


def _reveal(setup: SetUp, how_many: int) -> None:
    for teller, share in list(zip(setup.tellers, setup.shares, strict=True))[:how_many]:
        reveal_share(
            actor=teller.user, teller=setup.ballot.tellers.get(member=teller), share_text=share
        )


def test_closing_the_poll_asks_first_and_closes_only_when_confirmed(
    client: Client, ready_ballot: SetUp, frozen_clock
):
    open_with_voters(ready_ballot, 1)
    frozen_clock.advance(hours=2)
    client = _officer(client, ready_ballot)
    url = reverse("ballot_close", args=[ready_ballot.ballot.pk])
    asked = client.post(url)
    assert asked.status_code == 200
    page = asked.content.decode()
    assert "<title>Close the poll: Steering committee election?" in page
    assert "cannot be reopened" in page
    assert 'name="confirmed" value="yes"' in page and f'action="{url}"' in page
    assert f'href="{reverse("ballot_manage", args=[ready_ballot.ballot.pk])}"' in page
    assert Ballot.objects.get(pk=ready_ballot.ballot.pk).status == BallotStatus.OPEN

    assert client.post(url, {"confirmed": "yes"}).status_code == 302
    assert Ballot.objects.get(pk=ready_ballot.ballot.pk).status == BallotStatus.CLOSED


def test_publishing_asks_first_and_publishes_only_when_confirmed(
    client: Client, ready_ballot: SetUp, frozen_clock, django_capture_on_commit_callbacks
):
    voters = open_with_voters(ready_ballot, 1)
    cast_orders(ready_ballot, voters, [[0, 1, 2, 3]])
    frozen_clock.advance(hours=2)
    close_ballot(actor=ready_ballot.officer.user, ballot=ready_ballot.ballot)
    _reveal(ready_ballot, 2)
    count_ballot(actor=ready_ballot.officer.user, ballot=ready_ballot.ballot)
    client = _officer(client, ready_ballot)
    url = reverse("ballot_publish", args=[ready_ballot.ballot.pk])
    asked = client.post(url)
    assert asked.status_code == 200
    assert "A published result cannot be withdrawn or changed." in asked.content.decode()
    assert Ballot.objects.get(pk=ready_ballot.ballot.pk).status == BallotStatus.COUNTED
    assert client.post(url, {"confirmed": "no"}).status_code == 200
    assert Ballot.objects.get(pk=ready_ballot.ballot.pk).status == BallotStatus.COUNTED
    with django_capture_on_commit_callbacks(execute=True):  # the publication's task
        assert client.post(url, {"confirmed": "yes"}).status_code == 302
    assert Ballot.objects.get(pk=ready_ballot.ballot.pk).status == BallotStatus.PUBLISHED


def test_decrypt_and_count_is_offered_only_once_enough_shares_are_in(
    client: Client, ready_ballot: SetUp, frozen_clock
):
    open_with_voters(ready_ballot, 1)
    frozen_clock.advance(hours=2)
    close_ballot(actor=ready_ballot.officer.user, ballot=ready_ballot.ballot)
    client = _officer(client, ready_ballot)
    manage = reverse("ballot_manage", args=[ready_ballot.ballot.pk])
    count_url = reverse("ballot_count", args=[ready_ballot.ballot.pk])
    for entered in (0, 1):
        if entered:
            _reveal(ready_ballot, 1)
        page = client.get(manage).content.decode()
        assert f'action="{count_url}"' not in page and "Decrypt and count" not in page
        assert f"once 2 tellers have entered their shares: {entered} so far" in page
    _reveal_second = list(zip(ready_ballot.tellers, ready_ballot.shares, strict=True))[1]
    reveal_share(
        actor=_reveal_second[0].user,
        teller=ready_ballot.ballot.tellers.get(member=_reveal_second[0]),
        share_text=_reveal_second[1],
    )
    page = client.get(manage).content.decode()
    assert f'action="{count_url}"' in page and "Decrypt and count" in page
