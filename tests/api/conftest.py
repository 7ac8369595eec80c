"""The API's test set-up: the access-table movement, tokens, and ballots in every state."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from grassroots.api.services import create_token
from grassroots.ballots.models import Ballot
from grassroots.ballots.services.casting import Receipt, cast_ballot
from grassroots.ballots.services.sealing import seal_pending
from grassroots.people.models import Member
from tests.ballots.conftest import (
    Clock,
    SetUp,
    candidate_ids,
    cast_orders,
    close_count_publish,
    make_ballot,
    open_with_voters,
)
from tests.meetings.conftest import branch  # noqa: F401 (the meetings tests' fixture)
from tests.web.roles import Movement, build_movement


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def movement(db: None) -> Movement:
    return build_movement()


@pytest.fixture
def clock_(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    yield Clock(monkeypatch)


def token_for(member: Member, days: int = 30) -> str:
    _, secret = create_token(actor=member.user, name="tests", days=days)
    return secret


class Api:
    """A test client speaking JSON to /api/v1/, as one caller (token, session or nobody)."""

    def __init__(self, *, token: str | None = None, client: Client | None = None) -> None:
        self.client = client or Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, body: Any, **extra: Any) -> Any:
        data = body if isinstance(body, bytes | str) else json.dumps(body)
        return self.client.post(
            f"/api/v1{path}",
            data,
            content_type="application/json",
            headers={**self.headers, **extra.pop("headers", {})},
            **extra,
        )


def api_as(member: Member | None) -> Api:
    return Api(token=token_for(member)) if member is not None else Api()


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The one error shape: {"code", "message", "errors"} as JSON, with this status and code."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "errors"}
    assert body["code"] == code, body
    assert body["message"]
    return body


@dataclass
class Published:
    setup: SetUp
    ballot: Ballot
    voters: list[Member]
    receipt: Receipt  # the first voter's


@pytest.fixture
def published(db: None, clock_: Clock) -> Published:
    """A counted and published STV + yes/no ballot with five voters and several signed heads."""
    setup = make_ballot()
    voters = open_with_voters(setup, 5)
    ids = candidate_ids(setup.stv)
    yes = candidate_ids(setup.motion)[0]
    receipt = cast_ballot(
        actor=voters[0].user,
        ballot=setup.ballot,
        answers={setup.stv.pk: [ids[0], ids[2]], setup.motion.pk: [yes]},
        idempotency_key=secrets.token_urlsafe(24),
    )
    cast_orders(setup, voters[1:3], [[1, 0], [2, 3, 0]])
    seal_pending(setup.ballot)
    cast_orders(setup, voters[3:], [[0, 1], [3]])
    seal_pending(setup.ballot)
    ballot = close_count_publish(setup, clock_)
    return Published(setup=setup, ballot=ballot, voters=voters, receipt=receipt)


@pytest.fixture
def open_ballot(db: None) -> tuple[SetUp, list[Member]]:
    setup = make_ballot()
    voters = open_with_voters(setup, 3)
    return setup, voters
