"""A member's own language (docs/i18n.md): stored on their record, set from the browser's
choice at their first login, changed on the profile page or with the footer's buttons, and
used for every page they read while logged in and for the mail sent to them.

The middleware reads it once per session (kept in the session under :data:`SESSION_KEY`), so
a page costs no extra query; whatever changes the member's language writes the session too.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils import translation

from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record
from grassroots.people.models import Language, Member

SESSION_KEY = "grassroots_member_language"


def supported(language: str) -> str:
    """``language`` if the site offers it, else ""."""
    return language if language in Language.values else ""


def language_at_login(user: User, browser_language: str) -> str:
    """The logged-in person's language: their member record's, or, the first time, the
    browser's choice (the language the page was about to be read in), stored from then on.
    "" for a login with no member record (its pages follow the browser)."""
    member = Member.objects.filter(user=user).only("pk", "language").first()
    if member is None:
        return ""
    if member.language:
        return member.language
    chosen = supported(browser_language) or settings.LANGUAGE_CODE
    # Only while still unset: a choice made meanwhile on another device wins.
    Member.objects.filter(pk=member.pk, language="").update(language=chosen)
    return chosen


@transaction.atomic(durable=True)
def set_own_language(*, actor: User, language: str) -> Member | None:
    """The member chose ``language`` (the footer's buttons); None for a login with no member
    record. An unknown language changes nothing."""
    member = Member.objects.select_for_update().filter(user=actor).first()
    if member is None or not supported(language) or member.language == language:
        return member
    member.language = language
    member.save(update_fields=["language", "updated_at"])
    record(
        actor=actor,
        action=AuditAction.UPDATE_OWN_PROFILE,
        subject_type="member",
        subject_id=member.membership_number,
        purpose="member chose the language of their pages and mail",
        detail={"fields": ["language"], "language": language},
    )
    return member


def remember(session: SessionBase, language: str) -> None:
    session[SESSION_KEY] = language


def remember_at_login(sender: object, request: HttpRequest, user: object, **kwargs: object) -> None:
    """``user_logged_in``: the login reads the language (and, the first time, stores the
    browser's choice), so the first page after it, often the ballot paper an invitation led
    to, pays nothing. A login made outside the middleware (a test client's, a script's) has no
    browser choice to store: there only a language already stored is remembered, and the
    middleware decides on the first page."""
    session = getattr(request, "session", None)
    if not isinstance(user, User) or session is None:
        return
    browser = getattr(request, "LANGUAGE_CODE", None)
    if browser is not None:
        remember(session, language_at_login(user, browser))
        return
    stored = Member.objects.filter(user=user).values_list("language", flat=True).first()
    if stored:
        remember(session, stored)


class MemberLanguageMiddleware:
    """Pages for a logged-in member are in the member's language, whatever the browser or the
    language cookie says (LocaleMiddleware has decided for everyone else). Sits after
    AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        # Their views read no login (settings.GRASSROOTS_SESSIONLESS_PATHS): their language
        # comes with their token.
        self.sessionless = [re.compile(p) for p in settings.GRASSROOTS_SESSIONLESS_PATHS]

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if any(p.match(request.path_info) for p in self.sessionless):
            return self.get_response(request)
        if request.user.is_authenticated:
            language = request.session.get(SESSION_KEY)
            if language is None:
                user = request.user
                assert isinstance(user, User)
                language = language_at_login(user, getattr(request, "LANGUAGE_CODE", ""))
                remember(request.session, language)
            if supported(language):
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)
