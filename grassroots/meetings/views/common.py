"""What the meeting pages share: drawing a problem page, running a service and showing its error,
the reason form, and the links to a meeting and a motion.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext

from grassroots.meetings.forms import ReasonForm
from grassroots.meetings.models import Meeting, Motion
from grassroots.meetings.services.common import MeetingError


def problem(request: HttpRequest, message: str, back: str) -> HttpResponse:
    return render(request, "meetings/problem.html", {"message": message, "back": back}, status=400)


def attempt(
    request: HttpRequest, action: Callable[[], Any], *, back: str, success: str
) -> HttpResponse:
    """Run a button's service call: on success a message and back to the page, on bad input
    the problem page (400), on a refusal the same 404 as a missing page."""
    try:
        action()
    except MeetingError as error:
        return problem(request, str(error), back)
    except PermissionDenied:
        raise Http404(gettext("Not found.")) from None
    messages.success(request, success)
    return redirect(back)


def reason_form(
    request: HttpRequest,
    action: Callable[[str], Any],
    *,
    meeting: Meeting,
    back: str,
    success: str,
    heading: str,
    button: str,
    **shown: str,
) -> HttpResponse:
    """An action that takes a reason (cancel, rule out of order, report, hide): the form, then
    the service call with the reason; on success a message and back, on bad input or a
    ``MeetingError`` the form again with the error (400) and nothing stored. The caller checks
    who may act first. ``shown``: more for the page (``quote``, ``hint``)."""
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            action(form.cleaned_data["reason"])
        except MeetingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, success)
            return redirect(back)
    return render(
        request,
        "meetings/reason_form.html",
        {"form": form, "meeting": meeting, "heading": heading, "button": button, **shown},
        status=400 if form.errors else 200,
    )


def meeting_url(meeting: Meeting) -> str:
    return reverse("meetings:detail", args=[meeting.pk])


def motion_url(motion: Motion) -> str:
    return reverse("meetings:motion_detail", args=[motion.meeting_id, motion.pk])
