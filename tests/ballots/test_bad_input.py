"""Bad input to the ballot pages gets a clear 4xx page, never a 500: malformed papers, unknown
candidates, oversized bodies, a closed poll, members not on the roll."""

from __future__ import annotations

import random
import re

import pytest
from django.test import Client
from django.urls import reverse

from grassroots.ballots.forms import field_name
from grassroots.ballots.links import personal_link_token
from grassroots.ballots.models import RollEntry, UnsealedBallot
from tests.ballots.conftest import Clock, SetUp, candidate_ids, open_with_voters
from tests.factories import MemberWithLoginFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def voting(client: Client, ready_ballot: SetUp) -> tuple[Client, SetUp, str]:
    (voter,) = open_with_voters(ready_ballot, 1)
    client.force_login(voter.user)
    url = reverse("ballot_vote", args=[ready_ballot.ballot.pk])
    page = client.get(url).content.decode()
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)
    return client, ready_ballot, key


def _nothing_cast() -> bool:
    return not UnsealedBallot.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"idempotency_key": "short"},
        {"idempotency_key": "<script>" * 4},
    ],
    ids=["no-key", "short-key", "bad-key"],
)
def test_malformed_ballot_paper_is_a_400(voting, data):
    client, setup, _ = voting
    response = client.post(reverse("ballot_vote", args=[setup.ballot.pk]), data)
    assert response.status_code == 400 and _nothing_cast()


def test_garbled_numbers_and_choices_are_400s_with_messages(voting):
    client, setup, key = voting
    first = candidate_ids(setup.stv)[0]
    url = reverse("ballot_vote", args=[setup.ballot.pk])
    for value in ["-1", "1.5", "\uff11", "99999", "1e3", "\x00"]:
        response = client.post(url, {"idempotency_key": key, field_name(setup.stv, first): value})
        assert response.status_code == 400, value
        assert "There is a problem with your ballot paper" in response.content.decode()
    response = client.post(url, {"idempotency_key": key, field_name(setup.motion): "yes"})
    assert response.status_code == 400 and _nothing_cast()


def test_unknown_candidate_is_a_400(voting):
    client, setup, key = voting
    url = reverse("ballot_vote", args=[setup.ballot.pk])
    response = client.post(url, {"idempotency_key": key, field_name(setup.motion): "999999"})
    assert response.status_code == 400
    assert "not one of the available choices" in response.content.decode()
    assert _nothing_cast()


def test_random_garbage_in_every_field_never_gives_a_500(voting):
    client, setup, key = voting
    url = reverse("ballot_vote", args=[setup.ballot.pk])
    names = [field_name(setup.motion)] + [
        field_name(setup.stv, c) for c in candidate_ids(setup.stv)
    ]
    rng = random.Random(7)
    alphabet = "0123456789 -+.,;:'\"<>&%\\/abcXYZ\u00e9\u202e\U0001f600"
    for _ in range(60):
        data = {
            name: "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))
            for name in names
            if rng.random() < 0.8
        }
        data["idempotency_key"] = key if rng.random() < 0.7 else "x"
        data["step"] = rng.choice(["cast", "review", "change", "", "x"])
        response = client.post(url, data)
        assert response.status_code < 500


def test_oversized_body_is_a_400(voting):
    client, setup, key = voting
    url = reverse("ballot_vote", args=[setup.ballot.pk])
    response = client.post(url, {"idempotency_key": key, "padding": "x" * 3_000_000})
    assert response.status_code == 400
    too_many = {f"f{i}": "1" for i in range(1500)}
    assert client.post(url, {"idempotency_key": key, **too_many}).status_code == 400
    assert _nothing_cast()


def test_closed_ballot_is_a_409_page(voting, frozen_clock: Clock):
    client, setup, key = voting
    frozen_clock.advance(hours=2)
    url = reverse("ballot_vote", args=[setup.ballot.pk])
    first = candidate_ids(setup.stv)[0]
    response = client.post(
        url, {"idempotency_key": key, field_name(setup.stv, first): "1", "step": "cast"}
    )
    assert response.status_code == 409
    assert "not open for voting" in response.content.decode()
    assert "not open for voting" in client.get(url).content.decode()


def test_member_not_on_the_roll_gets_404_for_page_and_post(client: Client, ready_ballot: SetUp):
    open_with_voters(ready_ballot, 1)
    client.force_login(MemberWithLoginFactory().user)
    url = reverse("ballot_vote", args=[ready_ballot.ballot.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"idempotency_key": "A" * 32}).status_code == 404
    assert _nothing_cast()


def test_personal_link_with_bad_paper_is_a_400_and_not_a_500(client: Client, ready_ballot: SetUp):
    (voter,) = open_with_voters(ready_ballot, 1)
    entry = RollEntry.objects.get(ballot=ready_ballot.ballot, member=voter)
    url = reverse("ballot_vote_by_link", args=[ready_ballot.ballot.pk, personal_link_token(entry)])
    response = client.post(
        url, {"idempotency_key": "A" * 32, field_name(ready_ballot.motion): "nope"}
    )
    assert response.status_code == 400
    huge = reverse("ballot_vote_by_link", args=[ready_ballot.ballot.pk, "x" * 500])
    assert client.get(huge).status_code == 404
