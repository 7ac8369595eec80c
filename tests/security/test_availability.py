"""A database that fails answers 503 with Retry-After, never a stack trace or a 500; requests
that waited too long in the queue are shed before they reach the database. The real outage
(PostgreSQL unreachable, then back, one running server) is tests/deploy/test_database_outage.py."""

from __future__ import annotations

import time
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.test import Client, override_settings
from django.urls import reverse

from grassroots.availability import queued_seconds

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_database_error_is_a_503_with_retry_after(error: type[Exception]):
    client = Client(raise_request_exception=False)
    with mock.patch.object(connection, "cursor", side_effect=error("connection refused")):
        response = client.get(reverse("group_list"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "try again in a minute" in page
    assert "connection refused" not in page and "Traceback" not in page
    assert client.get(reverse("group_list")).status_code == 200


def test_any_other_error_is_still_a_plain_500():
    client = Client(raise_request_exception=False)
    with mock.patch.object(connection, "cursor", side_effect=ZeroDivisionError("boom")):
        response = client.get(reverse("group_list"))
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "boom" not in response.content.decode()


@override_settings(GRASSROOTS_SHED_AFTER_MS=2000)
def test_a_request_queued_too_long_is_shed_before_touching_the_database():
    client = Client()
    stale = f"t={time.time() - 5:.3f}"
    with mock.patch.object(connection, "cursor", side_effect=AssertionError("touched the db")):
        response = client.get(reverse("group_list"), headers={"X-Request-Start": stale})
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    fresh = f"t={time.time():.3f}"
    assert client.get(reverse("group_list"), headers={"X-Request-Start": fresh}).status_code == 200
    assert client.get(reverse("group_list"), headers={"X-Request-Start": "junk"}).status_code == 200


def test_shedding_is_off_unless_configured():
    stale = f"t={time.time() - 60:.3f}"
    response = Client().get(reverse("group_list"), headers={"X-Request-Start": stale})
    assert response.status_code == 200


NOW = 1_764_000_000.0  # a moment in November 2025, in seconds since the epoch


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("t=1763999999.5", 0.5),  # nginx's ${msec}
        ("1763999999.5", 0.5),
        ("t=1763999999500", 0.5),  # milliseconds
        ("t=1763999999500000", 0.5),  # microseconds
        ("t=1764000010", None),  # from the future
        ("t=1", None),  # decades ago: a broken stamp, not a queue
        ("", None),
        ("t=abc", None),
        ("t=nan", None),
    ],
)
def test_queue_stamps_in_every_unit_proxies_use(header: str, expected: float | None):
    waited = queued_seconds(header, NOW)
    if expected is None:
        assert waited is None
    else:
        assert waited == pytest.approx(expected)
