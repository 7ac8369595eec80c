"""Test set-up shared by every test.

- ``@pytest.mark.postgres`` tests skip on SQLite with the reason stated; when the run is meant
  to be on PostgreSQL (``GRASSROOTS_REQUIRE_POSTGRES=1``, set by .ci/run) and the database is
  not PostgreSQL, they fail instead of skipping.
- Tests that empty the database (transactional tests, the live server for browser tests) open
  the audit table's maintenance window just before the flush, since the database otherwise
  refuses to delete audit rows.
- Each test process copies one migrated template database instead of migrating its own
  (tests/template_database.py).
- Hypothesis runs under a profile: "dev" (fewer examples) on a developer's machine, "ci" (more)
  when CI=true; HYPOTHESIS_PROFILE chooses one by name.
- Tests marked ``slow`` are handed out first, longest first, so that no worker starts a long
  test when the others have nothing left to do; ``@pytest.mark.slow(seconds=N)`` gives a test's
  usual time where it is among the longest.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest
import pytest_django
from django.db import connection
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from tests import demo_database, template_database

# Hypothesis's own default is 100 examples. A test that sets max_examples itself keeps it.
# No deadline: on a loaded shared machine a 200 ms deadline failed tests at random (test_packed
# took 332 ms for one example at load 25); a deadline is not what any of these tests checks.
hypothesis_settings.register_profile("dev", max_examples=30, deadline=None)
hypothesis_settings.register_profile("ci", max_examples=200, deadline=None, print_blob=True)
hypothesis_settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") == "true" else "dev")
)


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


def _empties_the_database(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    return (
        (
            marker is not None
            and bool(marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))
        )
        or "transactional_db" in fixtures
        or "live_server" in fixtures
    )


def _uses_the_demo(item: pytest.Item) -> bool:
    module = getattr(item, "module", None)
    return "demo" in getattr(item, "fixturenames", ()) or (
        getattr(module, "restore_demo", None) is demo_database.restore_demo
    )


def _uses_the_database(item: pytest.Item) -> bool:
    fixtures = set(getattr(item, "fixturenames", ()))
    return item.get_closest_marker("django_db") is not None or bool(
        fixtures & {"db", "transactional_db", "live_server", "django_db_setup"}
    )


def _order(item: pytest.Item) -> tuple[bool, bool, bool, float]:
    slow = item.get_closest_marker("slow")
    if slow is None:
        return (_empties_the_database(item), True, False, 0.0)
    seconds = float(slow.kwargs.get("seconds", 0))
    return (_empties_the_database(item), False, _uses_the_database(item), -seconds)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slow tests first, but transactional tests still after the others, as Django orders them.

    pytest-django has already put the tests that flush the database after those that roll
    back; the sort is stable, so that order holds and only slow tests move forward within it,
    the longest (``slow(seconds=N)``) first. The tests that start from the demo share one xdist
    worker (``--dist loadgroup``), so the demo is seeded once a run for each size, not once a
    worker (tests/demo_database.py); xdist hands that group out first, as the largest.

    The slow tests that need no database come before the slow ones that do: the worker that
    does not get the demo runs them while the other migrates the run's template database
    (tests/template_database.py), instead of waiting for it on the template's lock.
    """
    for item in items:
        if _uses_the_demo(item):
            item.add_marker(pytest.mark.xdist_group("demo"))
    items.sort(key=_order)


@pytest.fixture(scope="session")
def django_db_setup(
    request: pytest.FixtureRequest,
    django_test_environment: None,
    django_db_blocker: pytest_django.DjangoDbBlocker,
    django_db_modify_db_settings: None,
) -> Iterator[None]:
    """Replaces pytest-django's: copy the run's migrated template instead of migrating."""
    with django_db_blocker.unblock():
        original = template_database.setup_test_database(
            template_database.run_id_of(request.config)
        )
    yield
    with django_db_blocker.unblock():
        template_database.teardown_test_database(original)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres") is None or _database_is_postgres():
        return
    if os.environ.get("CI") == "true" and not _postgres_answers():
        pytest.fail("CI=true and PostgreSQL is absent (nothing answers on 127.0.0.1:5432)")
    pytest.skip(
        "needs PostgreSQL (set DATABASE_URL=postgres://...); .ci/run runs it in its PostgreSQL pass"
    )


@pytest.fixture(autouse=True)
def _default_language_after_each_test() -> Iterator[None]:
    """LocaleMiddleware leaves the language of a test client's request (``accept-language:
    cy``) active in the thread; the next test's services would then answer in Welsh."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _open_audit_window_before_flush(request: pytest.FixtureRequest) -> Iterator[None]:
    """Let the end-of-test flush empty the audit table (see audit migration 0002)."""
    marker = request.node.get_closest_marker("django_db")
    uses_transactions = (
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or (
            marker is not None
            and bool(marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))
        )
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
