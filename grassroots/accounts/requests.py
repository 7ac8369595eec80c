"""The request type of a page behind ``login_required``."""

from __future__ import annotations

from django.http import HttpRequest

from grassroots.accounts.models import User


class AuthenticatedRequest(HttpRequest):
    """A request whose ``user`` is a logged-in ``User``: what ``login_required`` lets through.

    Views behind ``login_required`` take it, so the services they call can take ``actor: User``
    and mypy checks the actor all the way down (Zulip's ``HttpRequest`` with ``UserProfile``)."""

    user: User
