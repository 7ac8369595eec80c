"""A confirmation step before an action that cannot be undone (issue 21): closing a poll,
publishing a result, removing an officer.

The page's button posts to the action as before; the action's view asks
:func:`is_confirmed` and, until the post carries ``confirmed=yes``, answers with
:func:`confirm_page`: what will happen, what cannot be undone, and a second button that posts
the same fields again with ``confirmed=yes``, beside a way back. It is a page rather than a
script's dialog, so it works without JavaScript and a screen reader reads it as any page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CONFIRM_FIELD = "confirmed"


def is_confirmed(request: HttpRequest) -> bool:
    return request.POST.get(CONFIRM_FIELD) == "yes"


def confirm_page(
    request: HttpRequest,
    *,
    title: str,
    consequences: Sequence[str],
    button: str,
    back_url: str,
    back_label: str = "No, go back",
    fields: Mapping[str, str] | None = None,
) -> HttpResponse:
    """The question asked before the action: posts ``fields`` (what the first form sent, less
    the CSRF token) back to this URL with ``confirmed=yes``."""
    pairs = (
        sorted(fields.items())
        if fields is not None
        else [
            (key, value)
            for key in request.POST
            if key not in ("csrfmiddlewaretoken", CONFIRM_FIELD)
            for value in request.POST.getlist(key)
        ]
    )
    return render(
        request,
        "confirm.html",
        {
            "title": title,
            "consequences": consequences,
            "button": button,
            "back_url": back_url,
            "back_label": back_label,
            "fields": pairs,
            "action": request.get_full_path(),
        },
    )
