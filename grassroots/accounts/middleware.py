"""Anyone holding an officer or national role must use a second factor before doing anything
else: until they have set up an authenticator app they only see the account pages (log out,
password, the authenticator set-up itself), and every other page sends them to the set-up.

Where they were going is kept in the session, and the recovery codes page (shown straight after
the set-up) offers to continue there.

The check costs a query for every request (the person's role assignments). A view that loads
the person's row anyway can fold the check into that query and make the same decision itself:
it is marked with :func:`checks_officer_mfa_itself` and calls :func:`officer_mfa_response` with
``officer_mfa_annotations`` read from its own row (the ballot page does; see
grassroots.ballots.queries.get_ballot_to_vote). Nothing is cached between requests, so someone
who becomes an officer is sent to the set-up on their very next request, on every page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

from grassroots.organisation.models import RoleAssignment
from grassroots.organisation.permissions import OFFICER_ROLES, has_officer_role

# allauth names its pages account_* (log in and out, password, email) and mfa_* (authenticator
# set-up, recovery codes, the code prompt at login); they stay reachable so the officer can set
# up the second factor or leave.
EXEMPT_VIEW_NAME_PREFIXES = ("account_", "mfa_")
EXEMPT_VIEW_NAMES = frozenset({"healthz"})
# The recovery codes template reads this key to offer "Continue".
NEXT_SESSION_KEY = "grassroots_mfa_next"


# Set on a view function by checks_officer_mfa_itself.
CHECKS_ITSELF_ATTR = "grassroots_checks_officer_mfa_itself"
ViewFunc = TypeVar("ViewFunc", bound=Callable[..., Any])


def checks_officer_mfa_itself(view: ViewFunc) -> ViewFunc:
    """Mark a view that makes the officer-MFA decision itself from its own query.

    The view must call :func:`officer_mfa_response` for every authenticated request before it
    does anything else, with the two flags ``officer_mfa_annotations`` put on its row.
    """
    setattr(view, CHECKS_ITSELF_ATTR, True)
    return view


def officer_mfa_annotations(member_field: str, user_id: int) -> dict[str, Exists]:
    """Two booleans to annotate onto a query of the person's own row: ``mfa_is_officer`` (holds
    a current role in OFFICER_ROLES, as ``has_officer_role``) and ``mfa_has_totp`` (has an
    authenticator app, as allauth's ``is_mfa_enabled(user, [TOTP])``).

    ``member_field`` names, in that query, the member whose login is ``user_id`` (the request's
    user; ``Member.user`` is one-to-one, so their roles are that member's). Read in the same
    statement as the row, so they are as fresh as the middleware's own query.
    """
    return {
        "mfa_is_officer": Exists(
            RoleAssignment.objects.current().filter(
                member_id=OuterRef(member_field), role__in=OFFICER_ROLES
            )
        ),
        "mfa_has_totp": Exists(
            Authenticator.objects.filter(user_id=user_id, type=Authenticator.Type.TOTP)
        ),
    }


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
        if getattr(view_func, CHECKS_ITSELF_ATTR, False):
            return None
        return check_officer_mfa(request)


def check_officer_mfa(request: HttpRequest) -> HttpResponseBase | None:
    """The middleware's decision with its own query (None: carry on)."""
    if not request.user.is_authenticated or _is_exempt(request):
        return None
    return _decide(request, needs_setup=must_set_up_totp(request.user))


def officer_mfa_response(
    request: HttpRequest, *, is_officer: bool, has_totp: bool
) -> HttpResponseBase | None:
    """For views marked checks_officer_mfa_itself: the middleware's decision, from the flags
    ``officer_mfa_annotations`` read with the view's own query (None: carry on)."""
    if not request.user.is_authenticated or _is_exempt(request):
        return None
    needs_setup = settings.GRASSROOTS_REQUIRE_OFFICER_MFA and is_officer and not has_totp
    return _decide(request, needs_setup=bool(needs_setup))


def _decide(request: HttpRequest, *, needs_setup: bool) -> HttpResponseBase | None:
    if not needs_setup:
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
