"""Pages of a meeting itself: the list, scheduling, the meeting's page, calendar files and feed,
invitations, cancelling, the agenda, RSVP, sign-in and attendance.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from grassroots import clock
from grassroots.accounts.requests import AuthenticatedRequest
from grassroots.meetings import queries
from grassroots.meetings.extensions import meeting_links
from grassroots.meetings.forms import MeetingForm, RsvpForm, SignInMemberForm
from grassroots.meetings.ical import CalendarEvent, calendar
from grassroots.meetings.models import Meeting, MeetingStatus
from grassroots.meetings.services.attendance import rsvp, sign_in, sign_in_member
from grassroots.meetings.services.common import MeetingError
from grassroots.meetings.services.scheduling import cancel_meeting, invite_members, schedule_meeting
from grassroots.meetings.views.agenda import agenda as agenda
from grassroots.meetings.views.common import attempt, meeting_url, problem, reason_form
from grassroots.organisation.permissions import Capability, may
from grassroots.people.models import Member

FEED_SALT = "grassroots.meetings.calendar-feed"


@login_required
def meeting_list(request: AuthenticatedRequest) -> HttpResponse:
    member = queries.member_of(request.user)
    feed = None
    if member is not None:
        token = signing.dumps(member.pk, salt=FEED_SALT)
        feed = request.build_absolute_uri(reverse("meetings:feed", args=[token]))
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "upcoming": queries.upcoming_meetings_for(request.user)[:50],
            "past": queries.past_meetings_for(request.user)[:20],
            "to_second": queries.motions_awaiting_my_seconding(request.user),
            "can_schedule": bool(queries.scope_choices(request.user)),
            "feed_url": feed,
        },
    )


@login_required
def meeting_create(request: AuthenticatedRequest) -> HttpResponse:
    choices = queries.scope_choices(request.user)
    if not choices:
        raise Http404(gettext("Not found."))
    form = MeetingForm(request.POST or None, scopes=choices)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                level, scope = queries.scope_from_choice(data["scope"])
                meeting = schedule_meeting(
                    actor=request.user,
                    title=data["title"],
                    level=level,
                    scope=scope,
                    kind=data["kind"],
                    format=data["format"],
                    description=data["description"],
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    address=data["address"],
                    online_link=data["online_link"],
                    accessibility_notes=data["accessibility_notes"],
                    capacity=data["capacity"],
                    motions_deadline=data["motions_deadline"],
                )
            except (MeetingError, ValueError) as error:
                form.add_error(None, str(error) if str(error) else gettext("Choose who holds it."))
            except PermissionDenied:
                form.add_error("scope", gettext("You cannot schedule meetings for that body."))
            else:
                messages.success(
                    request, gettext("Scheduled. Add the agenda, then invite the members.")
                )
                return redirect("meetings:detail", meeting_id=meeting.pk)
        status = 400
    return render(request, "meetings/meeting_form.html", {"form": form}, status=status)


@login_required
def meeting_detail(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_meeting_for(request.user, meeting_id)
    member = queries.member_of(request.user)
    may_run = may(request.user, Capability.RUN_MEETINGS, meeting)
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "agenda": meeting.agenda_items.all(),
            "motions": queries.motions_visible_to(request.user, meeting),
            "rsvp": queries.rsvp_summary(request.user, meeting),
            "may_run": may_run,
            "may_chair": may(request.user, Capability.CHAIR_MEETING, meeting),
            "in_scope": queries.is_in_scope(member, meeting),
            "may_rsvp": queries.is_in_scope(member, meeting, queries.SEE_STATUSES),
            "motions_open": queries.motions_open(meeting),
            "sign_in_open": queries.sign_in_open(meeting),
            "signed_in": queries.has_signed_in(request.user, meeting),
            "quorum": queries.quorum(meeting) if may_run else None,
            "quorum_rule_url": queries.quorum_rule_url(request.user, meeting) if may_run else None,
            "minutes": queries.minutes_for(request.user, meeting),
            "now": clock.now(),
            "in_session_links": meeting_links(request.user, meeting),
        },
    )


@login_required
def meeting_ics(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_meeting_for(request.user, meeting_id)
    response = HttpResponse(
        calendar([_event(request, meeting)], name=meeting.title),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A member's calendar feed: calendar apps cannot log in, so the signed link is the proof;
    it shows only what the member sees when logged in."""
    try:
        member_id = int(signing.loads(token, salt=FEED_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        raise Http404(gettext("No such calendar.")) from None
    member = Member.objects.select_related("user").filter(pk=member_id).first()
    if member is None or member.user is None:
        raise Http404(gettext("No such calendar."))
    window = clock.now() - queries.FEED_PAST
    meetings = queries.meetings_visible_to(member.user).filter(ends_at__gte=window)[:500]
    return HttpResponse(
        calendar([_event(request, m) for m in meetings], name="Grassroots meetings"),
        content_type="text/calendar; charset=utf-8",
    )


def _event(request: HttpRequest, meeting: Meeting) -> CalendarEvent:
    location = (
        ", ".join(line.strip() for line in meeting.address.splitlines() if line.strip())
        or meeting.online_link
    )
    description = meeting.description
    if meeting.online_link:
        description += "\n\n" + gettext("Join online: %(link)s") % {"link": meeting.online_link}
    if meeting.accessibility_notes:
        description += "\n\n" + gettext("Access: %(notes)s") % {
            "notes": meeting.accessibility_notes
        }
    return CalendarEvent(
        uid=f"{meeting.uid}@grassroots",
        summary=f"{meeting.title} ({meeting.scope_name})",
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        stamp=meeting.updated_at,
        sequence=meeting.sequence,
        description=description.strip(),
        location=location,
        url=request.build_absolute_uri(meeting_url(meeting)),
        cancelled=meeting.status == MeetingStatus.CANCELLED,
    )


@login_required
@require_POST
def meeting_invite(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_meeting_for(request.user, meeting_id)
    if not may(request.user, Capability.RUN_MEETINGS, meeting):
        raise Http404(gettext("Not found."))
    link = request.build_absolute_uri(meeting_url(meeting))
    return attempt(
        request,
        lambda: invite_members(actor=request.user, meeting=meeting, link=link),
        back=meeting_url(meeting),
        success=gettext("The invitations are on their way to the members."),
    )


@login_required
def meeting_cancel(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_meeting_for(request.user, meeting_id)
    if not may(request.user, Capability.RUN_MEETINGS, meeting):
        raise Http404(gettext("Not found."))
    return reason_form(
        request,
        lambda reason: cancel_meeting(actor=request.user, meeting=meeting, reason=reason),
        meeting=meeting,
        back=meeting_url(meeting),
        success=gettext("The meeting is cancelled."),
        heading=gettext("Cancel this meeting"),
        button=gettext("Cancel it"),
    )


@login_required
@require_POST
def meeting_rsvp(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_meeting_for(request.user, meeting_id)
    form = RsvpForm(request.POST)
    if not form.is_valid():
        return problem(request, gettext("Say whether you are going."), meeting_url(meeting))
    return attempt(
        request,
        lambda: rsvp(actor=request.user, meeting=meeting, response=form.cleaned_data["response"]),
        back=meeting_url(meeting),
        success=gettext("Thank you: your reply is recorded."),
    )


@login_required
@require_POST
def meeting_sign_in(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_meeting_for(request.user, meeting_id)
    return attempt(
        request,
        lambda: sign_in(
            actor=request.user, meeting=meeting, presence=request.POST.get("presence") or None
        ),
        back=meeting_url(meeting),
        success=gettext("You are signed in."),
    )


@login_required
def attendance(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    """The secretary's sign-in desk: sign members in by number, the list, and the quorum."""
    meeting = queries.get_meeting_for(request.user, meeting_id)
    if not may(request.user, Capability.RUN_MEETINGS, meeting):
        raise Http404(gettext("Not found."))
    form = SignInMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            done = sign_in_member(
                actor=request.user,
                meeting=meeting,
                membership_number=form.cleaned_data["membership_number"],
                presence=form.cleaned_data["presence"] or None,
            )
        except MeetingError as error:
            form.add_error("membership_number", str(error))
        else:
            messages.success(
                request,
                gettext("%(first_name)s %(last_name)s is in.")
                % {"first_name": done.member.first_name, "last_name": done.member.last_name},
            )
            return redirect("meetings:attendance", meeting_id=meeting.pk)
    return render(
        request,
        "meetings/attendance.html",
        {
            "meeting": meeting,
            "form": form,
            "present": queries.attendance_list(meeting),
            "quorum": queries.quorum(meeting),
            "quorum_rule_url": queries.quorum_rule_url(request.user, meeting),
            "sign_in_open": queries.sign_in_open(meeting),
        },
        status=400 if form.errors else 200,
    )
