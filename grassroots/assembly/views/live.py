"""The attendee's page (vote, ask to speak, give a proxy) and the projector, both kept up to
date by HTMX: a poll that finds nothing changed gets 204 and the page stays as it is. The
attendee's page polls the pulse (grassroots.assembly.pulse) every second for what everyone
sees, and fetches its own part only when that may have changed."""

from __future__ import annotations

import random

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from grassroots.accounts.requests import AuthenticatedRequest
from grassroots.assembly import pulse as pulses
from grassroots.assembly import queries
from grassroots.assembly.forms import ProxyForm, SpeakForm, read_choice
from grassroots.assembly.models import LiveVote
from grassroots.assembly.services.proxies import give_proxy, revoke_proxy
from grassroots.assembly.services.speakers import ask_to_speak, withdraw_request
from grassroots.assembly.services.votes import cast_vote, close_if_due
from grassroots.assembly.views.common import attempt, is_poll, problem
from grassroots.meetings import queries as meetings
from grassroots.meetings.models import Amendment, Meeting
from grassroots.notifications.context_processors import NO_COUNT
from grassroots.organisation.permissions import Capability, may
from grassroots.people.models import Member

# The projector, one screen the whole room reads, polls every half second, so a result is on it
# within a second of the close (attendees' pages: the pulse, every PULSE_MS).
PROJECTOR_POLL_SECONDS = 0.5


def _live_url(meeting_id: int) -> str:
    return reverse("assembly:live", args=[meeting_id])


def _polled_projector(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    """The projector, or for an htmx poll 204 when nothing changed. A poll carrying the token the
    page signed for this login answers 204 from one query (``queries.state_version``); anything
    else goes the whole, permission-checked way."""
    known: tuple[str, bool] | None = None
    if is_poll(request) and queries.poll_token_holds(
        request.GET.get("t", ""), meeting_id, request.user
    ):
        known = queries.state_version(meeting_id, with_marks=True)
        version, due = known
        if not due and request.GET.get("v") == version:
            return HttpResponse(status=204)
    meeting = queries.get_session_for(request.user, meeting_id)
    # The fingerprint read a moment ago serves the changed fragment too (its shared part is
    # cached under it, so what is drawn is never newer than what the fingerprint says).
    version, due = known or queries.state_version(meeting.pk, with_marks=True)
    if due:
        close_if_due(meeting)
        version, _ = queries.state_version(meeting.pk, with_marks=True)
    if is_poll(request) and request.GET.get("v") == version:
        return HttpResponse(status=204)
    if is_poll(request):
        # The fragment has no header to show an unread count in: skip its query.
        setattr(request, NO_COUNT, True)
    state = queries.live_state(meeting, None, version=version)
    context = {
        "state": state,
        "meeting": meeting,
        "version": version,
        "token": queries.poll_token(meeting, request.user),
        "poll_seconds": PROJECTOR_POLL_SECONDS,
    }
    context.update(_projector_extras(state.vote))
    template = "assembly/projector.html"
    return render(request, f"{template}#state" if is_poll(request) else template, context)


def _projector_extras(vote: LiveVote | None) -> dict[str, object]:
    if vote is None:
        return {"voted": 0, "diff": None}
    diff = None
    if vote.amendment_id:
        diff = meetings.amendment_diff(Amendment.objects.get(pk=vote.amendment_id))
    return {"voted": vote.marks.count(), "diff": diff}


# The page's empty form fields (ask to speak, give a proxy), drawn once per language in each
# process: every attendee's are the same, and drawing a form's widgets cost more CPU than the
# rest of the viewer's part (issue 17).
_FIELDS: dict[str, dict[str, str]] = {}


def _unbound_fields() -> dict[str, str]:
    language = translation.get_language() or ""
    drawn = _FIELDS.get(language)
    if drawn is None:
        speak, proxy = SpeakForm(), ProxyForm()
        drawn = {
            name: render_to_string("includes/field.html", {"field": field})
            for name, field in (
                ("side", speak["side"]),
                ("gender", speak["gender"]),
                ("holder_number", proxy["holder_number"]),
            )
        }
        _FIELDS[language] = drawn
    return drawn


@login_required
def live(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    """The attendee's page; for htmx, the viewer's own part of it (the shared part comes from
    the pulse)."""
    meeting = queries.get_session_for(request.user, meeting_id)
    # The own part, asked for after a pulse: the fingerprint that pulse read will do (what is
    # shared is drawn for it, so the part is never newer than the page's shared state).
    found = pulses.fingerprint(meeting.pk) if is_poll(request) else queries.fingerprint(meeting.pk)
    if found.due:
        close_if_due(meeting)
        pulses.forget(meeting.pk)
        found = queries.fingerprint(meeting.pk)
    member = meetings.member_of(request.user)
    if is_poll(request):
        # The fragment has no header to show an unread count in: skip its query.
        setattr(request, NO_COUNT, True)
    state = queries.live_state(meeting, member, version=found.version)
    context = {
        "state": state,
        "meeting": meeting,
        "token": pulses.pulse_token(meeting.pk, request.session.session_key or ""),
        # Each page its own moment to fetch its part after a change, so that the hall's
        # pages do not all ask in the same instant.
        "delay_ms": random.randrange(pulses.MINE_SPREAD_MS),  # noqa: S311  # nosec B311
        "mine_seconds": pulses.MINE_SECONDS,
        "fields": _unbound_fields(),
    }
    if is_poll(request):
        mine = render_to_string("assembly/live.html#mine", context, request=request)
        more = render_to_string(
            "assembly/live.html#more", {**context, "oob": True}, request=request
        )
        return HttpResponse(mine + more)
    context.update(
        shared=pulses.shared(meeting.pk, found, meeting),
        may_chair=may(request.user, Capability.CHAIR_MEETING, meeting),
        may_run=may(request.user, Capability.RUN_MEETINGS, meeting),
    )
    return render(request, "assembly/live.html", context)


def _reload() -> HttpResponse:
    """The pulse cannot answer (no such meeting, a stale or foreign token): the page reloads,
    and goes the whole signed-in, checked way."""
    response = HttpResponse(status=200)
    response["HX-Refresh"] = "true"
    return response


def pulse(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """What every attendee sees alike: 204 while ``v`` is the state's fingerprint, else the
    shared parts drawn for the new state, with the event that tells the page to fetch its own
    part when ``k`` (that part's fingerprint) changed too. No session, no login, no
    permission query: the token (``pulse.pulse_token``) stands for the full page's checks.
    Only htmx asks; anything else gets the same 404 as a missing page."""
    if not is_poll(request):
        raise Http404(gettext("No such page."))
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
    language = pulses.pulse_token_language(request.GET.get("t", ""), meeting_id, session_key)
    if language is None:
        return _reload()
    if language:
        translation.activate(language)
    found = pulses.fingerprint(meeting_id)
    if not found.uid:
        return _reload()
    if found.due:
        meeting = Meeting.objects.filter(pk=meeting_id).first()
        if meeting is not None:
            close_if_due(meeting)
        pulses.forget(meeting_id)
        found = pulses.fingerprint(meeting_id)
    if request.GET.get("v") == found.version:
        return _no_store(HttpResponse(status=204))
    drawn = pulses.shared(meeting_id, found)
    response = HttpResponse(drawn.pulse)
    if request.GET.get("k") != found.mine:
        response["HX-Trigger"] = "live-mine"
    return _no_store(response)


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


@login_required
def projector(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    return _polled_projector(request, meeting_id)


@login_required
@require_POST
def cast(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_session_for(request.user, meeting_id)
    back = _live_url(meeting.pk)
    vote = queries.open_vote(meeting)
    vote_id = request.POST.get("vote", "")
    if not vote_id.isdigit():
        return problem(request, gettext("That vote is not open."), back)
    if vote is None or vote.pk != int(vote_id):
        return problem(
            request, gettext("Voting on that question has closed: your vote was not counted."), back
        )
    try:
        choice = read_choice(vote, request.POST)
    except ValueError as error:
        return problem(request, str(error), back)
    for_member = None
    proxy_for = request.POST.get("for", "")
    if proxy_for:
        for_member = Member.objects.filter(pk=int(proxy_for) if proxy_for.isdigit() else 0).first()
        if for_member is None:
            return problem(request, gettext("You do not hold that member's proxy."), back)
    return attempt(
        request,
        lambda: cast_vote(
            actor=request.user,
            meeting=meeting,
            vote_id=vote.pk,
            choice=choice,
            for_member=for_member,
        ),
        back=back,
        success=(
            gettext("Vote recorded for %(first)s %(last)s.")
            % {"first": for_member.first_name, "last": for_member.last_name}
            if for_member
            else gettext("Your vote is recorded.")
        ),
    )


@login_required
@require_POST
def speak(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_session_for(request.user, meeting_id)
    form = SpeakForm(request.POST)
    if not form.is_valid():
        return problem(
            request,
            gettext("Say whether you speak for, against or neither."),
            _live_url(meeting.pk),
        )
    vote = queries.open_vote(meeting)
    return attempt(
        request,
        lambda: ask_to_speak(
            actor=request.user,
            meeting=meeting,
            side=form.cleaned_data["side"],
            gender=form.cleaned_data["gender"] or "",
            motion=vote.motion if vote is not None else None,
        ),
        back=_live_url(meeting.pk),
        success=gettext("You are on the speakers' list."),
    )


@login_required
@require_POST
def speak_withdraw(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_session_for(request.user, meeting_id)
    return attempt(
        request,
        lambda: withdraw_request(actor=request.user, meeting=meeting),
        back=_live_url(meeting.pk),
        success=gettext("You are off the speakers' list."),
    )


@login_required
@require_POST
def proxy_give(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_session_for(request.user, meeting_id)
    form = ProxyForm(request.POST)
    if not form.is_valid():
        return problem(
            request, gettext("Give the attendee's membership number."), _live_url(meeting.pk)
        )
    return attempt(
        request,
        lambda: give_proxy(
            actor=request.user, meeting=meeting, holder_number=form.cleaned_data["holder_number"]
        ),
        back=_live_url(meeting.pk),
        success=gettext("Your proxy is recorded: they will vote for you until you revoke it."),
    )


@login_required
@require_POST
def proxy_revoke(request: AuthenticatedRequest, meeting_id: int, proxy_id: int) -> HttpResponse:
    meeting = queries.get_session_for(request.user, meeting_id)
    back = request.POST.get("back") == "desk"
    return attempt(
        request,
        lambda: revoke_proxy(actor=request.user, meeting=meeting, proxy_id=proxy_id),
        back=reverse("assembly:proxies", args=[meeting.pk]) if back else _live_url(meeting.pk),
        success=gettext("The proxy is revoked."),
    )
