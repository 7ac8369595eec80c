"""The health check of a reused PostgreSQL connection (grassroots/postgresql): a connection the
server has ended is replaced before a request uses it, and a live one is kept without a query.
"""

from __future__ import annotations

import select
import time

import pytest
from django.db import close_old_connections, connection, connections

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _kept_between_requests() -> None:
    # As a production node keeps it (CONN_MAX_AGE > 0, CONN_HEALTH_CHECKS on).
    connection.close_at = None
    connection.health_check_enabled = True


def _next_request() -> None:
    # What Django's request_started and the first query of a request do.
    close_old_connections()
    connection.close_if_health_check_failed()


def _last_query_of(pid: int) -> str:
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid])
            return str(cursor.fetchone()[0])
    finally:
        other.close()


def test_the_backend_is_the_one_with_the_cheap_check():
    assert type(connections["default"]).__module__ == "grassroots.postgresql.base"


def test_a_live_idle_connection_is_kept_and_no_query_checks_it():
    pid = _backend_pid()
    _kept_between_requests()
    raw = connection.connection
    _next_request()
    assert connection.connection is raw
    assert connection.health_check_done
    # The server saw no SELECT 1: its last statement from this connection is still ours.
    assert _last_query_of(pid) == "SELECT pg_backend_pid()"
    assert _backend_pid() == pid


def test_a_connection_the_server_ended_is_replaced_before_the_request_uses_it():
    pid = _backend_pid()
    _kept_between_requests()
    raw = connection.connection
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            assert cursor.fetchone()[0] is True
    finally:
        other.close()
    # The server's goodbye reaches the socket; the check must see it, not a timing accident.
    waiting = select.poll()
    waiting.register(raw.fileno(), select.POLLIN)
    deadline = time.monotonic() + 5
    while not waiting.poll(100) and time.monotonic() < deadline:
        pass
    assert waiting.poll(0), "the server did not end the connection within 5 s"

    _next_request()
    assert connection.connection is not raw
    assert _backend_pid() != pid  # the request's query ran, on a new connection
