"""Overload sheds, never corrupts: a cast that cannot get its lock within the lock timeout
(another transaction holds the ballot, as a slow close or a storm of work would) is answered
503 with Retry-After through a production node, leaves neither a roll mark nor a ballot, and
the voter's same paper, sent again once the database is free, is recorded once."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from django.db import connection

from grassroots.ballots.forms import field_name
from grassroots.ballots.models import Ballot, RollEntry, UnsealedBallot
from tests.ballots.conftest import make_ballot, open_with_voters
from tests.deploy.servers import (
    TRACKER,
    Browser,
    database_url,
    gunicorn_node,
    node_environment,
    session_for,
)

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_cast_that_cannot_get_its_lock_is_a_503_that_writes_nothing(tmp_path: Path):
    setup = make_ballot()
    (voter,) = open_with_voters(setup, 1)
    ballot = setup.ballot
    candidates = list(setup.stv.candidates.order_by("position"))
    environ = node_environment(database_url(), DB_LOCK_TIMEOUT_MS="500")
    with gunicorn_node(environ, tmp_path / "node.log", workers=1) as node:
        browser = Browser(node.url, session_for(voter), f"/ballots/{ballot.pk}/vote/")
        form = browser.form()
        form[field_name(setup.stv, candidates[0].pk)] = "1"
        form[field_name(setup.motion)] = str(setup.motion.candidates.first().pk)

        s = connection.settings_dict
        with psycopg.connect(
            host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"] or "postgres",
            dbname=s["NAME"], autocommit=False,
        ) as other:  # fmt: skip
            other.execute(
                f"SELECT id FROM {Ballot._meta.db_table} WHERE id = %s FOR UPDATE",
                [ballot.pk],
            )
            status, text = browser.request(form)
            assert status == 503, (status, node.output())
            assert "try again" in text
            assert not RollEntry.objects.filter(ballot=ballot, has_voted=True).exists()
            assert not UnsealedBallot.objects.filter(ballot=ballot).exists()
            other.rollback()

        status, text = browser.request(form)
        assert status == 200, text[:500]
        assert len(TRACKER.findall(text)) == 2
    assert RollEntry.objects.filter(ballot=ballot, has_voted=True).count() == 1
    assert UnsealedBallot.objects.filter(ballot=ballot).count() == 2
