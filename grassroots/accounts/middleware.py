"""Anyone holding an officer or national role must use a second factor before doing anything
else: until they have set up an authenticator app they only see the account pages (log out,
password, the authenticator set-up itself), and every other page sends them to the set-up.

Where they were going is kept in the session, and the recovery codes page (shown straight after
the set-up) offers to continue there.

The decision is made here, for every view, before the view runs; no page can opt out (but for
the exemptions below, which have no login to decide about or are the way out). It costs
a query (the person's role assignments). A view that reads the person's row anyway can hand the
middleware that row's two flags instead (:func:`officer_mfa_from_own_query`, with
``officer_mfa_annotations`` in its query): the middleware calls the view's loader itself and
decides from the flags, so the view cannot forget the check (the ballot page and the lean cast
do; see grassroots.ballots.views.voting). The JSON API alone decides in its authentication,
which answers in JSON (:func:`officer_mfa_in_api_authentication`). Nothing is cached between
requests, so someone who becomes an officer is sent to the set-up on their very next request,
on every page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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
from django.utils.translation import gettext
from django_htmx.http import HttpResponseClientRedirect

from grassroots.organisation.models import RoleAssignment
from grassroots.organisation.permissions import OFFICER_ROLES, has_officer_role

# allauth names its pages account_* (log in and out, password, email) and mfa_* (authenticator
# set-up, recovery codes, the code prompt at login); they stay reachable so the officer can set
# up the second factor or leave.
EXEMPT_VIEW_NAME_PREFIXES = ("account_", "mfa_")
# The live meeting page's pulse loads no session and no login (it stands on a token the full,
# checked page signed for the browser's session, grassroots.assembly.pulse) and answers only
# what that page showed, updated: the fingerprint of the meeting's state and what every
# attendee sees alike. An officer who must set up a second factor is sent to the set-up by the
# page's next signed-in request (its own part, fetched after any change that may touch it).
EXEMPT_VIEW_NAMES = frozenset({"healthz", "assembly:pulse"})
# The recovery codes template reads this key to offer "Continue".
NEXT_SESSION_KEY = "grassroots_mfa_next"


@dataclass(frozen=True)
class MfaFlags:
    """What the decision needs: does the person hold a current officer role, and have they an
    authenticator app (``officer_mfa_annotations`` reads both)."""

    is_officer: bool
    has_totp: bool


# A view's loader: given the request and the view's URL arguments, the flags read with the row
# the view needs (kept on the request for the view), or None when there is no such row.
MfaLoader = Callable[[HttpRequest, dict[str, Any]], MfaFlags | None]
# Set on a view function by the two decorators below.
OWN_QUERY_ATTR = "grassroots_officer_mfa_from_own_query"
API_AUTH_ATTR = "grassroots_officer_mfa_in_api_authentication"
ViewFunc = TypeVar("ViewFunc", bound=Callable[..., Any])


def officer_mfa_from_own_query(load: MfaLoader) -> Callable[[ViewFunc], ViewFunc]:
    """Let the middleware decide from the view's own query instead of one of its own.

    The middleware calls ``load`` (the view never does) before the view runs, and decides
    from the flags it returns; when it returns None (no such row) the middleware runs its own
    query. Either way the decision is the middleware's, so a view marked this way that never
    looks at the flags is still protected (tests/accounts/test_officer_mfa.py).
    """

    def mark(view: ViewFunc) -> ViewFunc:
        setattr(view, OWN_QUERY_ATTR, load)
        return view

    return mark


def officer_mfa_in_api_authentication(view: ViewFunc) -> ViewFunc:
    """For the JSON API's views only (grassroots.api.errors.guard_view): its authentication
    makes the decision for every caller, a token's too, and answers a JSON 403 instead of a
    redirect to a page (grassroots.api.auth)."""
    setattr(view, API_AUTH_ATTR, True)
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
        # Exempt views first: they never load the session or the login for this decision.
        if _is_exempt(request) or not request.user.is_authenticated:
            return None
        if getattr(view_func, API_AUTH_ATTR, False):
            return None
        load: MfaLoader | None = getattr(view_func, OWN_QUERY_ATTR, None)
        flags = load(request, view_kwargs) if load is not None else None
        if flags is not None:
            return _decide_from_flags(request, flags)
        return check_officer_mfa(request)


def check_officer_mfa(request: HttpRequest) -> HttpResponseBase | None:
    """The middleware's decision with its own query (None: carry on)."""
    if not request.user.is_authenticated or _is_exempt(request):
        return None
    return _decide(request, needs_setup=must_set_up_totp(request.user))


def _decide_from_flags(request: HttpRequest, flags: MfaFlags) -> HttpResponseBase | None:
    needs_setup = (
        settings.GRASSROOTS_REQUIRE_OFFICER_MFA and flags.is_officer and not flags.has_totp
    )
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
        gettext(
            "You hold an officer role, so your account needs "
            "two-factor authentication. Set up an authenticator app to continue."
        ),
    )
    if htmx:
        return HttpResponseClientRedirect(setup_url)
    response: HttpResponse = redirect(setup_url)
    return response
