"""PostgreSQL goes away under a running production node and comes back: every page answers 503
with Retry-After while it is gone, and the same processes serve again once it returns, with no
restart (CONN_HEALTH_CHECKS, CONN_MAX_AGE and the 503 handler in grassroots.availability)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.db import connection

from tests.deploy.servers import Relay, database_url, get, gunicorn_node, node_environment
from tests.factories import GroupFactory

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_database_down_is_503_with_retry_after_and_the_node_recovers_alone(tmp_path: Path):
    group = GroupFactory(name="Leeds Central")
    relay = Relay(int(connection.settings_dict["PORT"] or 5432))
    environ = node_environment(database_url(relay.port), DB_CONNECT_TIMEOUT="2")
    try:
        with gunicorn_node(environ, tmp_path / "node.log", workers=2) as node:
            pages = [f"{node.url}/groups/", f"{node.url}/groups/{group.slug}/"]
            for _ in range(4):  # both workers hold a persistent connection
                for page in pages:
                    status, _, body = get(page)
                    assert status == 200, node.output()
            assert "Leeds Central" in body

            relay.cut()
            for _ in range(4):
                for page in pages:
                    status, headers, body = get(page)
                    assert status == 503, (page, status, node.output())
                    assert headers["Retry-After"] == "30"
                    assert "try again" in body and "Traceback" not in body
            # What needs no database still works: the login form and the proxy's health check.
            assert get(f"{node.url}/accounts/login/")[0] == 200
            assert get(f"{node.url}/healthz")[0] == 200

            relay.restore()
            deadline = time.monotonic() + 20
            statuses: list[int] = []
            while time.monotonic() < deadline:
                statuses = [get(page)[0] for page in pages for _ in range(2)]
                if all(s == 200 for s in statuses):
                    break
                time.sleep(0.5)
            assert all(s == 200 for s in statuses), (statuses, node.output())
            assert node.process.poll() is None  # the same processes, never restarted
    finally:
        relay.close()
