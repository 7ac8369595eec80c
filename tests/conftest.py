"""Test set-up shared by every test.

- ``@pytest.mark.postgres`` tests skip on SQLite with the reason stated; when the run is meant
  to be on PostgreSQL (``GRASSROOTS_REQUIRE_POSTGRES=1``, set by .ci/run) and the database is
  not PostgreSQL, they fail instead of skipping.
- Tests that empty the database (transactional tests, the live server for browser tests) open
  the audit table's maintenance window just before the flush, since the database otherwise
  refuses to delete audit rows.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest
from django.db import connection


def _database_is_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def _postgres_answers(host: str = "127.0.0.1", port: int = 5432) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("GRASSROOTS_REQUIRE_POSTGRES") == "1" and not _database_is_postgres():
        raise pytest.UsageError("GRASSROOTS_REQUIRE_POSTGRES=1 but DATABASE_URL is not PostgreSQL")


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres") is None or _database_is_postgres():
        return
    if os.environ.get("CI") == "true" and not _postgres_answers():
        pytest.fail("CI=true and PostgreSQL is absent (nothing answers on 127.0.0.1:5432)")
    pytest.skip(
        "needs PostgreSQL (set DATABASE_URL=postgres://...); .ci/run runs it in its PostgreSQL pass"
    )


@pytest.fixture(autouse=True)
def _open_audit_window_before_flush(request: pytest.FixtureRequest) -> Iterator[None]:
    """Let the end-of-test flush empty the audit table (see audit migration 0002)."""
    marker = request.node.get_closest_marker("django_db")
    uses_transactions = (
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or (marker is not None and bool(marker.kwargs.get("transaction")))
    )
    if not uses_transactions:
        yield
        return
    request.getfixturevalue("transactional_db")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_maintenance_window")
    yield
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO audit_maintenance_window (opened_by) VALUES ('test flush')")
