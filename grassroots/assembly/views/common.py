"""What the session's pages share: running a service and showing its refusal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from grassroots.assembly.services.common import AssemblyError


def problem(request: HttpRequest, message: str, back: str) -> HttpResponse:
    return render(request, "meetings/problem.html", {"message": message, "back": back}, status=400)


def attempt(
    request: HttpRequest, action: Callable[[], Any], *, back: str, success: str
) -> HttpResponse:
    """A button: on success a message and back; bad input, the problem page (400, nothing
    changed); a refusal, the same 404 as a missing page."""
    try:
        action()
    except AssemblyError as error:
        return problem(request, str(error), back)
    except PermissionDenied:
        raise Http404(gettext("Not found.")) from None
    messages.success(request, success)
    return redirect(back)


def is_poll(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"
