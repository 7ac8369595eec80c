"""Database sessions that bring their user: one query reads a request's session and its user.

Django's database sessions make every logged-in request read its session row, then its user
row, one query after the other. Here the session table (``accounts.Session``) keeps the user's
id beside the data (written from the data's own ``_auth_user_id`` whenever the session is
saved), and the session is read with its user in one query made once per process
(grassroots.rows.Prepared). Django's ``auth.get_user`` then gets that user instead of reading
it again (``AuthenticationMiddleware`` below, in place of Django's), and checks it as it
always does: the session hash (password and "log out everywhere"), an active account.

Same expiry rule (``expire_date`` after now) and the same answer for a missing or expired
session (the key is dropped and the session starts empty). Settings:
``SESSION_ENGINE = "grassroots.accounts.sessions"``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib import auth
from django.contrib.auth import SESSION_KEY
from django.contrib.auth import middleware as auth_middleware
from django.contrib.sessions.backends import db
from django.core.exceptions import ValidationError
from django.db import router
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from grassroots.accounts.models import SESSION_USER, Session, User
from grassroots.rows import Prepared


def _live_session(key: str, now: datetime.datetime) -> QuerySet[Session]:
    return Session.objects.select_related("user").filter(session_key=key, expire_date__gt=now)


_LIVE_SESSION = Prepared(
    _live_session, "no-such-session-key-9172635", datetime.datetime(1901, 2, 3, tzinfo=datetime.UTC)
)


def user_id_in(data: dict[str, Any]) -> int | None:
    """The logged-in user's id that session data names (Django's ``_auth_user_id``), or None."""
    value = data.get(SESSION_KEY)
    if value is None:
        return None
    pk = User._meta.pk
    assert pk is not None
    try:
        return int(pk.to_python(value))
    except (TypeError, ValueError, ValidationError):
        return None


class SessionStore(db.SessionStore):
    def __init__(self, session_key: str | None = None) -> None:
        super().__init__(session_key)
        self.user_read: User | None = None

    @classmethod
    def get_model_class(cls) -> type[Session]:
        return Session

    def create_model_instance(self, data: dict[str, Any]) -> Session:
        session = super().create_model_instance(data)
        assert isinstance(session, Session)
        session.user_id = user_id_in(data)
        return session

    def _get_session_from_db(self) -> Session | None:
        self.user_read = None
        found = _LIVE_SESSION.fetch(
            self.session_key, timezone.now(), using=router.db_for_read(Session)
        )
        if not found:
            self._session_key = None
            return None
        session = found[0]
        self.user_read = session.user
        return session

    @contextmanager
    def user_for_auth(self) -> Iterator[None]:
        """While inside, ``User.objects.get(pk=...)`` of this session's user gives the row
        read with the session (loading the session first, if it is not loaded yet)."""
        self._get_session()  # type: ignore[attr-defined]
        token = SESSION_USER.set(self.user_read)
        try:
            yield
        finally:
            SESSION_USER.reset(token)


def _user(request: HttpRequest) -> Any:
    """Django's ``django.contrib.auth.middleware.get_user``, given the user read with the
    session when the session store is this one."""
    if not hasattr(request, "_cached_user"):
        session = request.session
        if isinstance(session, SessionStore):
            with session.user_for_auth():
                request._cached_user = auth.get_user(request)  # type: ignore[attr-defined]
        else:
            request._cached_user = auth.get_user(request)  # type: ignore[attr-defined]
    return request._cached_user  # type: ignore[attr-defined]


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, with ``request.user`` from the session's own read (:func:`_user`)."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _user(request))  # type: ignore[assignment]
