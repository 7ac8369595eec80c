"""Who is calling: a personal API token (``Authorization: Bearer grt_...``) or the browser's
session cookie (with Django's CSRF token on writes, as a form would send it).

Either way the caller is the member's login, with exactly the rights the pages give it, read
afresh on every request. Officers must have set up two-factor authentication before the API
answers them, as before the pages do (grassroots.accounts.middleware): the API says so in JSON
instead of redirecting to the set-up page.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from grassroots.accounts.middleware import must_set_up_totp
from grassroots.api import queries, services
from grassroots.api.errors import ApiError


def _refuse_officer_without_mfa(user: Any) -> None:
    if must_set_up_totp(user):
        raise ApiError(
            403,
            "mfa_required",
            gettext("You hold an officer role: set up an authenticator app (Security page) first."),
        )


class TokenAuth(HttpBearer):
    """``record_use``: note the day of use on the token. Off for casting, where the use would
    be a dated record that the member voted (docs/security.md)."""

    def __init__(self, *, record_use: bool = True) -> None:
        super().__init__()
        self.record_use = record_use

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = queries.active_token(token.strip())
        if found is None:
            return None
        _refuse_officer_without_mfa(found.user)
        if self.record_use:
            services.record_token_use(found)
        return found.user


class SessionAuth(APIKeyCookie):
    """Django's login session. CSRF is checked only when the session cookie is sent: a request
    without it carries no ambient authority to protect."""

    param_name = "sessionid"

    def __init__(self) -> None:
        super().__init__(csrf=True)
        # The settings name the cookie (production uses a __Host- name); read it now, not at import.
        self.param_name = settings.SESSION_COOKIE_NAME
        self.openapi_name = "session"

    def _get_key(self, request: HttpRequest) -> str | None:
        key = request.COOKIES.get(self.param_name)
        if key is None:
            return None
        if check_csrf(request) is not None:
            raise ApiError(
                403, "csrf_failed", gettext("Send the X-CSRFToken header with the session.")
            )
        return key

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if key is None or user is None or not user.is_authenticated:
            return None
        _refuse_officer_without_mfa(user)
        return user


def caller(request: HttpRequest) -> Any:
    """The login an authenticated endpoint is answering (set by TokenAuth or SessionAuth)."""
    return getattr(request, "auth", None)


MEMBER_AUTH = [TokenAuth(), SessionAuth()]
# Casting: the same callers, and nothing dated written on the token.
CAST_AUTH = [TokenAuth(record_use=False), SessionAuth()]
