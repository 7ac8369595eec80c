"""The chair's console: open a vote, close it, call speakers; the quorum and the results."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from grassroots.accounts.requests import AuthenticatedRequest
from grassroots.assembly import queries
from grassroots.assembly.forms import OpenVoteForm
from grassroots.assembly.services.common import AssemblyError
from grassroots.assembly.services.speakers import call_next_speaker, end_speech
from grassroots.assembly.services.votes import close_if_due, close_vote, open_vote
from grassroots.assembly.views.common import attempt, problem
from grassroots.meetings.models import Amendment, Meeting, Motion
from grassroots.organisation.permissions import Capability, may


def _chaired(request: AuthenticatedRequest, meeting_id: int) -> Meeting:
    meeting = queries.get_session_for(request.user, meeting_id)
    if not may(request.user, Capability.CHAIR_MEETING, meeting):
        raise Http404(gettext("Not found."))
    return meeting


def _console(meeting_id: int) -> str:
    return reverse("assembly:chair", args=[meeting_id])


def _render(request: AuthenticatedRequest, meeting: Meeting, form: OpenVoteForm) -> HttpResponse:
    close_if_due(meeting)
    return render(
        request,
        "assembly/chair.html",
        {
            "meeting": meeting,
            "state": queries.live_state(meeting),
            "form": form,
            "closed": queries.closed_votes(meeting),
            "voted": (vote.marks.count() if (vote := queries.open_vote(meeting)) else 0),
        },
        status=400 if form.errors else 200,
    )


@login_required
def chair(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = _chaired(request, meeting_id)
    return _render(request, meeting, OpenVoteForm(meeting=meeting))


def _target(meeting: Meeting, value: str) -> tuple[Motion | None, Amendment | None]:
    if value.startswith("m") and value[1:].isdigit():
        return Motion.objects.filter(meeting=meeting, pk=int(value[1:])).first(), None
    if value.startswith("a") and value[1:].isdigit():
        amendment = (
            Amendment.objects.select_related("motion")
            .filter(motion__meeting=meeting, pk=int(value[1:]))
            .first()
        )
        return (amendment.motion if amendment else None), amendment
    return None, None


@login_required
@require_POST
def vote_open(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = _chaired(request, meeting_id)
    form = OpenVoteForm(request.POST, meeting=meeting)
    if form.is_valid():
        data = form.cleaned_data
        motion, amendment = _target(meeting, data["target"] or "")
        try:
            open_vote(
                actor=request.user,
                meeting=meeting,
                subject=data["subject"],
                method=data["method"],
                question=data["question"],
                options=data["options"].splitlines(),
                motion=motion,
                amendment=amendment,
                minutes=data["minutes"],
                seats=data["seats"],
                majority=data["majority"],
                quorum_override=data["quorum_override"],
            )
        except AssemblyError as error:
            form.add_error(None, str(error))
        except PermissionDenied:
            raise Http404(gettext("Not found.")) from None
        else:
            messages.success(request, gettext("The vote is open."))
            return redirect(_console(meeting.pk))
    return _render(request, meeting, form)


@login_required
@require_POST
def vote_close(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = _chaired(request, meeting_id)
    vote_id = request.POST.get("vote", "")
    if not vote_id.isdigit():
        return problem(
            request, gettext("There is no such vote at this meeting."), _console(meeting.pk)
        )
    return attempt(
        request,
        lambda: close_vote(actor=request.user, meeting=meeting, vote_id=int(vote_id)),
        back=_console(meeting.pk),
        success=gettext("The vote is closed and counted."),
    )


@login_required
@require_POST
def speaker_next(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = _chaired(request, meeting_id)
    return attempt(
        request,
        lambda: call_next_speaker(actor=request.user, meeting=meeting),
        back=_console(meeting.pk),
        success=gettext("Next speaker called."),
    )


@login_required
@require_POST
def speaker_end(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = _chaired(request, meeting_id)
    return attempt(
        request,
        lambda: end_speech(actor=request.user, meeting=meeting),
        back=_console(meeting.pk),
        success=gettext("The speech has ended."),
    )
