"""The per-request reads made with SQL written once per process (grassroots.rows, the session
store, ``User.objects.get(pk=...)``) give exactly what the ORM gives."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grassroots.accounts.models import User
from grassroots.accounts.sessions import SessionStore
from grassroots.ballots.models import Ballot
from grassroots.rows import get_by_pk
from tests.ballots.conftest import make_ballot
from tests.factories import MemberWithLoginFactory, UserFactory

pytestmark = pytest.mark.django_db


def same_row(found, stored) -> None:
    assert type(found) is type(stored)
    assert not found._state.adding
    assert found._state.db == stored._state.db
    for field in type(stored)._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(stored, field.attname), field.name
        assert type(getattr(found, field.attname)) is type(getattr(stored, field.attname)), (
            field.name
        )


def test_get_by_pk_gives_the_orms_row_for_users_and_ballots():
    user = UserFactory(first_name="Ada", last_login=timezone.now(), session_generation=3)
    same_row(get_by_pk(User, user.pk), User.objects.filter(pk=user.pk).get())
    same_row(get_by_pk(User, str(user.pk)), User.objects.filter(pk=user.pk).get())
    ballot = make_ballot().ballot  # datetimes, binary keys, JSON, nullable foreign keys
    same_row(get_by_pk(Ballot, ballot.pk), Ballot.objects.filter(pk=ballot.pk).get())


def test_get_by_pk_missing_row_is_does_not_exist():
    with pytest.raises(User.DoesNotExist):
        get_by_pk(User, 987654321)


def test_user_manager_get_by_pk_is_one_plain_query_and_other_lookups_use_the_orm():
    user = UserFactory()
    with CaptureQueriesContext(connection) as captured:
        found = User.objects.get(pk=user.pk)
    assert len(captured.captured_queries) == 1
    same_row(found, User.objects.filter(pk=user.pk).get())
    assert User.objects.get(email=user.email).pk == user.pk
    assert User.objects.get(pk=user.pk, is_active=True).pk == user.pk
    with pytest.raises(User.DoesNotExist):
        User.objects.get(pk=user.pk + 1000)


def test_session_store_reads_live_sessions_only():
    live = SessionStore()
    live["colour"] = "green"
    live.create()
    assert SessionStore(live.session_key).load() == {"colour": "green"}

    expired = SessionStore()
    expired["colour"] = "red"
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    again = SessionStore(expired.session_key)
    assert again.load() == {}
    assert again.session_key is None  # dropped, so a new key is made if anything is stored

    assert SessionStore("nosuchsessionkeyatall1234567890").load() == {}

    # The daily housekeeping's clearsessions (deploy/systemd/grassroots-daily.service) removes
    # the expired row and keeps the live one: without it every session ever made stays.
    call_command("clearsessions")
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


def test_login_session_and_user_survive_requests_and_logout_ends_them(client: Client):
    member = MemberWithLoginFactory()
    client.force_login(member.user)
    assert client.get("/my-data/").status_code == 200
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    client.logout()
    assert client.get("/my-data/").status_code == 302


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's (psycopg)"
)
def test_hot_statements_are_prepared_on_postgresql_unless_turned_off(settings):
    from grassroots.rows import hot_cursor

    user = UserFactory()
    for _ in range(6):  # psycopg prepares a statement on its fifth use on a connection
        assert User.objects.get(pk=user.pk).pk == user.pk

    def prepared() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return [row[0] for row in cursor.fetchall()]

    assert [s for s in prepared() if '"accounts_user"' in s and "$1" in s]

    settings.GRASSROOTS_PREPARED_STATEMENTS = False
    with hot_cursor() as cursor:
        for _ in range(6):
            cursor.execute("SELECT %s::int + 41", [1])
            assert cursor.fetchone()[0] == 42
    assert not [s for s in prepared() if "+ 41" in s]
