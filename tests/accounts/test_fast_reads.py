"""The per-request reads made with SQL written once per process (grassroots.rows, the session
store, ``User.objects.get(pk=...)``) give exactly what the ORM gives."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grassroots.accounts.models import Session, User
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


def test_a_request_reads_its_session_and_its_user_in_one_query(rf):
    from django.contrib.sessions.middleware import SessionMiddleware

    from grassroots.accounts.sessions import AuthenticationMiddleware

    member = MemberWithLoginFactory()
    client = Client()
    client.force_login(member.user)
    request = rf.get("/")
    request.COOKIES[settings.SESSION_COOKIE_NAME] = client.session.session_key
    SessionMiddleware(lambda r: None).process_request(request)
    AuthenticationMiddleware(lambda r: None).process_request(request)
    with CaptureQueriesContext(connection) as captured:
        assert request.user.is_authenticated
    [read] = captured.captured_queries
    same_row(request.user._wrapped, User.objects.filter(pk=member.user.pk).get())
    assert '"accounts_session"' in read["sql"] and '"accounts_user"' in read["sql"]


def test_the_session_row_names_the_user_its_data_names(client: Client):
    member = MemberWithLoginFactory()
    other = MemberWithLoginFactory()
    client.force_login(member.user)
    key = client.session.session_key
    assert Session.objects.get(session_key=key).user_id == member.user.pk
    # Only the session's data decides who is logged in: a row whose user column named someone
    # else (it cannot be written so; here by hand) still gives the data's user, read on its own.
    Session.objects.filter(session_key=key).update(user_id=other.user.pk)
    assert client.get("/my-data/").context["user"].pk == member.user.pk
    client.logout()
    assert not Session.objects.filter(session_key=key).exists()

    anonymous = SessionStore()
    anonymous["colour"] = "green"
    anonymous.create()
    assert Session.objects.get(session_key=anonymous.session_key).user_id is None


def test_a_session_ended_by_its_hash_or_its_user_is_gone(client: Client):
    from grassroots.accounts.services import end_all_sessions

    member = MemberWithLoginFactory()
    client.force_login(member.user)
    assert client.get("/my-data/").status_code == 200
    end_all_sessions(actor=member.user)  # the session hash every request checks changes
    assert client.get("/my-data/").status_code == 302
    client.force_login(member.user)
    key = client.session.session_key
    member.user.delete()
    assert not Session.objects.filter(session_key=key).exists()


def test_the_upgrade_copies_live_logged_in_sessions_with_their_user():
    import importlib

    from django.apps import apps
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore as DjangoStore
    from django.contrib.sessions.models import Session as DjangoSession

    migration = importlib.import_module("grassroots.accounts.migrations.0005_session_with_user")
    user = MemberWithLoginFactory().user
    before = DjangoStore()
    before[SESSION_KEY] = str(user.pk)
    before[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    before[HASH_SESSION_KEY] = user.get_session_auth_hash()
    before.create()
    anonymous = DjangoStore()
    anonymous["colour"] = "green"
    anonymous.create()
    expired = DjangoStore()
    expired["colour"] = "red"
    expired.create()
    DjangoSession.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection  # type: ignore[attr-defined]
    migration.copy_live_sessions(apps, editor)

    copied = {s.session_key: s for s in Session.objects.all()}
    assert set(copied) == {before.session_key, anonymous.session_key}
    assert copied[before.session_key].user_id == user.pk
    assert copied[anonymous.session_key].user_id is None
    assert SessionStore(before.session_key).load()[SESSION_KEY] == str(user.pk)
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = before.session_key
    assert client.get("/my-data/").status_code == 200  # still logged in after the upgrade
