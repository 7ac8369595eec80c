"""Anyone holding an officer or national role must use a second factor before doing anything
else: until they have set up an authenticator app they only see the account pages (log out,
password, the authenticator set-up itself), and every other page sends them to the set-up.

Where they were going is kept in the session, and the recovery codes page (shown straight after
the set-up) offers to continue there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

from grassroots.organisation.permissions import has_officer_role

# allauth names its pages account_* (log in and out, password, email) and mfa_* (authenticator
# set-up, recovery codes, the code prompt at login); they stay reachable so the officer can set
# up the second factor or leave.
EXEMPT_VIEW_NAME_PREFIXES = ("account_", "mfa_")
EXEMPT_VIEW_NAMES = frozenset({"healthz"})
# The recovery codes template reads this key to offer "Continue".
NEXT_SESSION_KEY = "grassroots_mfa_next"


def must_set_up_totp(user: Any) -> bool:
    """Officers without an authenticator app must set one up (settings can relax it for demos)."""
    return (
        settings.GRASSROOTS_REQUIRE_OFFICER_MFA
        and user.is_authenticated
        and has_officer_role(user)
        and not is_mfa_enabled(user, [Authenticator.Type.TOTP])
    )


def _is_exempt(request: HttpRequest) -> bool:
    if request.path.startswith(settings.STATIC_URL):
        return True
    match = request.resolver_match
    if match is None:
        return False
    return match.view_name in EXEMPT_VIEW_NAMES or match.view_name.startswith(
        EXEMPT_VIEW_NAME_PREFIXES
    )


def _safe_local_path(request: HttpRequest, path: str | None) -> str | None:
    if path and url_has_allowed_host_and_scheme(
        path, allowed_hosts=None, require_https=request.is_secure()
    ):
        return path
    return None


class RequireOfficerMFAMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        if not request.user.is_authenticated or _is_exempt(request):
            return None
        if not must_set_up_totp(request.user):
            # Past the set-up (or never needed it): the remembered destination is spent.
            request.session.pop(NEXT_SESSION_KEY, None)
            return None
        setup_url = reverse("mfa_activate_totp")
        htmx = getattr(request, "htmx", None)
        if htmx:
            destination = _safe_local_path(request, htmx.current_url_abs_path)
        elif request.method == "GET":
            destination = _safe_local_path(request, request.get_full_path())
        else:
            destination = None
        if destination:
            request.session[NEXT_SESSION_KEY] = destination
        messages.info(
            request,
            "You hold an officer role, so your account needs "
            "two-factor authentication. Set up an authenticator app to continue.",
        )
        if htmx:
            return HttpResponseClientRedirect(setup_url)
        response: HttpResponse = redirect(setup_url)
        return response
