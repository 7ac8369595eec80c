"""The minutes of a meeting: the page, drafting, editing, approving and publishing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from grassroots import clock
from grassroots.accounts.requests import AuthenticatedRequest
from grassroots.meetings import queries
from grassroots.meetings.forms import ApproveMinutesForm, MinutesForm
from grassroots.meetings.models import MinutesStatus
from grassroots.meetings.services.common import MeetingError
from grassroots.meetings.services.minutes import (
    approve_minutes,
    draft_minutes,
    edit_minutes,
    publish_minutes,
)
from grassroots.meetings.views.common import attempt, problem
from grassroots.organisation.permissions import Capability, may


@login_required
def minutes(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_meeting_for(request.user, meeting_id)
    found = queries.minutes_for(request.user, meeting)
    may_run = may(request.user, Capability.RUN_MEETINGS, meeting)
    if found is None and not may_run:
        raise Http404(gettext("No minutes yet."))
    # Only a later meeting of the same body that has started can approve them (the service
    # refuses any other), so only those are offered.
    later = [
        (str(m.pk), f"{m.title}, {m.starts_at:%d %b %Y}")
        for m in queries.later_meetings_of_body(meeting).filter(starts_at__lte=clock.now())[:10]
    ]
    return render(
        request,
        "meetings/minutes.html",
        {
            "meeting": meeting,
            "minutes": found,
            "may_run": may_run,
            "approve_form": ApproveMinutesForm(meetings=later) if later else None,
            "is_draft": found is not None and found.status == MinutesStatus.DRAFT,
            "addenda": queries.minutes_addenda(meeting) if found is not None else [],
        },
    )


@login_required
@require_POST
def minutes_draft(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_meeting_for(request.user, meeting_id)
    return attempt(
        request,
        lambda: draft_minutes(actor=request.user, meeting=meeting),
        back=reverse("meetings:minutes", args=[meeting.pk]),
        success=gettext("Drafted from the recorded outcomes. Edit them as needed."),
    )


@login_required
def minutes_edit(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_meeting_for(request.user, meeting_id)
    found = queries.minutes_for(request.user, meeting)
    if found is None or not may(request.user, Capability.RUN_MEETINGS, meeting):
        raise Http404(gettext("Not found."))
    form = MinutesForm(request.POST or None, initial={"text": found.text})
    if request.method == "POST" and form.is_valid():
        try:
            edit_minutes(actor=request.user, minutes=found, text=form.cleaned_data["text"])
        except MeetingError as error:
            form.add_error("text", str(error))
        else:
            messages.success(request, gettext("Minutes saved."))
            return redirect("meetings:minutes", meeting_id=meeting.pk)
    return render(
        request,
        "meetings/minutes_edit.html",
        {"meeting": meeting, "minutes": found, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def minutes_approve(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_meeting_for(request.user, meeting_id)
    found = queries.minutes_for(request.user, meeting)
    if found is None or not may(request.user, Capability.RUN_MEETINGS, meeting):
        raise Http404(gettext("Not found."))
    back = reverse("meetings:minutes", args=[meeting.pk])
    later = queries.later_meetings_of_body(meeting).filter(starts_at__lte=clock.now())
    form = ApproveMinutesForm(request.POST, meetings=[(str(m.pk), m.title) for m in later[:10]])
    if not form.is_valid():
        return problem(
            request, gettext("Choose the later meeting that approved the minutes."), back
        )
    at_meeting = later.get(pk=int(form.cleaned_data["at_meeting"]))
    return attempt(
        request,
        lambda: approve_minutes(actor=request.user, minutes=found, at_meeting=at_meeting),
        back=back,
        success=gettext("Minutes approved. Publish them to the members when ready."),
    )


@login_required
@require_POST
def minutes_publish(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_meeting_for(request.user, meeting_id)
    found = queries.minutes_for(request.user, meeting)
    if found is None or not may(request.user, Capability.RUN_MEETINGS, meeting):
        raise Http404(gettext("Not found."))
    return attempt(
        request,
        lambda: publish_minutes(actor=request.user, minutes=found),
        back=reverse("meetings:minutes", args=[meeting.pk]),
        success=gettext("The minutes are published to the members."),
    )
