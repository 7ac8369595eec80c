"""Meeting pages: thin views that parse a form, call a service or query, and render.

Bad input and wrong moments come back from the services as ``MeetingError``: the page is drawn
again with the message (status 400) and nothing is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from grassroots import clock
from grassroots.meetings import queries, services
from grassroots.meetings.debate_html import thread_html
from grassroots.meetings.forms import (
    AgendaItemForm,
    AmendmentForm,
    ApproveMinutesForm,
    BallotForm,
    CommentEditForm,
    CommentForm,
    MeetingForm,
    MinutesForm,
    MotionForm,
    OutcomeForm,
    QuorumRuleForm,
    ReasonForm,
    RsvpForm,
    RulingForm,
    SignInMemberForm,
)
from grassroots.meetings.ical import CalendarEvent, calendar
from grassroots.meetings.models import (
    Amendment,
    CommentReport,
    Meeting,
    MinutesStatus,
    Motion,
    Outcome,
)
from grassroots.people.models import Member

FEED_SALT = "grassroots.meetings.calendar-feed"


def _problem(request: HttpRequest, message: str, back: str) -> HttpResponse:
    return render(request, "meetings/problem.html", {"message": message, "back": back}, status=400)


def _attempt(
    request: HttpRequest, action: Callable[[], Any], *, back: str, success: str
) -> HttpResponse:
    """Run a button's service call: on success a message and back to the page, on bad input
    the problem page (400), on a refusal the same 404 as a missing page."""
    try:
        action()
    except services.MeetingError as error:
        return _problem(request, str(error), back)
    except PermissionDenied:
        raise Http404("Not found.") from None
    messages.success(request, success)
    return redirect(back)


def _reason_form(
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
        except services.MeetingError as error:
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


def _meeting_url(meeting: Meeting) -> str:
    return reverse("meetings:detail", args=[meeting.pk])


def _motion_url(motion: Motion) -> str:
    return reverse("meetings:motion_detail", args=[motion.meeting_id, motion.pk])


# --- meetings -----------------------------------------------------------------------------------


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
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
def meeting_create(request: HttpRequest) -> HttpResponse:
    choices = queries.scope_choices(request.user)
    if not choices:
        raise Http404("Not found.")
    form = MeetingForm(request.POST or None, scopes=choices)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                level, scope = queries.scope_from_choice(data["scope"])
                meeting = services.schedule_meeting(
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
            except (services.MeetingError, ValueError) as error:
                form.add_error(None, str(error) if str(error) else "Choose who holds it.")
            except PermissionDenied:
                form.add_error("scope", "You cannot schedule meetings for that body.")
            else:
                messages.success(request, "Scheduled. Add the agenda, then invite the members.")
                return redirect("meetings:detail", meeting_id=meeting.pk)
        status = 400
    return render(request, "meetings/meeting_form.html", {"form": form}, status=status)


@login_required
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_meeting_for(request.user, meeting_id)
    member = queries.member_of(request.user)
    may_run = queries.may_run(request.user, meeting)
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "agenda": meeting.agenda_items.all(),
            "motions": queries.motions_visible_to(request.user, meeting),
            "rsvp": queries.rsvp_summary(request.user, meeting),
            "may_run": may_run,
            "may_chair": queries.may_chair(request.user, meeting),
            "in_scope": queries.is_in_scope(member, meeting),
            "may_rsvp": queries.is_in_scope(member, meeting, queries.SEE_STATUSES),
            "motions_open": queries.motions_open(meeting),
            "sign_in_open": queries.sign_in_open(meeting),
            "signed_in": queries.has_signed_in(request.user, meeting),
            "quorum": queries.quorum(meeting) if may_run else None,
            "quorum_rule_url": queries.quorum_rule_url(request.user, meeting) if may_run else None,
            "minutes": queries.minutes_for(request.user, meeting),
            "now": clock.now(),
        },
    )


@login_required
def meeting_ics(request: HttpRequest, meeting_id: int) -> HttpResponse:
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
        raise Http404("No such calendar.") from None
    member = Member.objects.select_related("user").filter(pk=member_id).first()
    if member is None or member.user is None:
        raise Http404("No such calendar.")
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
        description += f"\n\nJoin online: {meeting.online_link}"
    if meeting.accessibility_notes:
        description += f"\n\nAccess: {meeting.accessibility_notes}"
    return CalendarEvent(
        uid=f"{meeting.uid}@grassroots",
        summary=f"{meeting.title} ({meeting.scope_name})",
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        stamp=meeting.updated_at,
        sequence=meeting.sequence,
        description=description.strip(),
        location=location,
        url=request.build_absolute_uri(_meeting_url(meeting)),
        cancelled=meeting.status == "cancelled",
    )


@login_required
@require_POST
def meeting_invite(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_meeting_for(request.user, meeting_id)
    if not queries.may_run(request.user, meeting):
        raise Http404("Not found.")
    link = request.build_absolute_uri(_meeting_url(meeting))
    return _attempt(
        request,
        lambda: services.invite_members(actor=request.user, meeting=meeting, link=link),
        back=_meeting_url(meeting),
        success="The invitations are on their way to the members.",
    )


@login_required
def meeting_cancel(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_meeting_for(request.user, meeting_id)
    if not queries.may_run(request.user, meeting):
        raise Http404("Not found.")
    return _reason_form(
        request,
        lambda reason: services.cancel_meeting(actor=request.user, meeting=meeting, reason=reason),
        meeting=meeting,
        back=_meeting_url(meeting),
        success="The meeting is cancelled.",
        heading="Cancel this meeting",
        button="Cancel it",
    )


@login_required
def agenda(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_meeting_for(request.user, meeting_id)
    if not queries.may_run(request.user, meeting):
        raise Http404("Not found.")
    form = AgendaItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_agenda_item(actor=request.user, meeting=meeting, **form.cleaned_data)
        except services.MeetingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Added to the agenda.")
            return redirect("meetings:agenda", meeting_id=meeting.pk)
    return render(
        request,
        "meetings/agenda.html",
        {"meeting": meeting, "form": form, "items": meeting.agenda_items.all()},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def meeting_rsvp(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_meeting_for(request.user, meeting_id)
    form = RsvpForm(request.POST)
    if not form.is_valid():
        return _problem(request, "Say whether you are going.", _meeting_url(meeting))
    return _attempt(
        request,
        lambda: services.rsvp(
            actor=request.user, meeting=meeting, response=form.cleaned_data["response"]
        ),
        back=_meeting_url(meeting),
        success="Thank you: your reply is recorded.",
    )


@login_required
@require_POST
def meeting_sign_in(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_meeting_for(request.user, meeting_id)
    return _attempt(
        request,
        lambda: services.sign_in(actor=request.user, meeting=meeting),
        back=_meeting_url(meeting),
        success="You are signed in.",
    )


@login_required
def attendance(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The secretary's sign-in desk: sign members in by number, the list, and the quorum."""
    meeting = queries.get_meeting_for(request.user, meeting_id)
    if not queries.may_run(request.user, meeting):
        raise Http404("Not found.")
    form = SignInMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            done = services.sign_in_member(
                actor=request.user,
                meeting=meeting,
                membership_number=form.cleaned_data["membership_number"],
            )
        except services.MeetingError as error:
            form.add_error("membership_number", str(error))
        else:
            messages.success(request, f"{done.member.first_name} {done.member.last_name} is in.")
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


# --- quorum rules -------------------------------------------------------------------------------


@login_required
def quorum_rule(request: HttpRequest, level: str, body_id: int | None = None) -> HttpResponse:
    """A body's quorum rule, its history, and the form to change it: for the body's own officers
    and national office (``permissions.may_set_quorum``); everyone else gets 404."""
    level, body = queries.get_quorum_body_for(request.user, level, body_id)
    current = queries.current_quorum_terms(level, body)
    initial = {
        "minimum_present": current.minimum_present,
        "percent_of_members": current.percent_of_members,
    }
    form = QuorumRuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.set_quorum_rule(
                actor=request.user,
                level=level,
                body=body,
                minimum_present=data["minimum_present"],
                percent_of_members=data["percent_of_members"],
                reason=data["reason"],
            )
        except services.MeetingError as error:
            form.add_error(None, str(error))
        except PermissionDenied:
            raise Http404("Not found.") from None
        else:
            messages.success(
                request,
                "The quorum rule is changed. It applies to meetings that have not started yet.",
            )
            return redirect(request.path)
    return render(
        request,
        "meetings/quorum_rule.html",
        {
            "body_name": str(body) if body is not None else "The whole movement (national)",
            "level": level,
            "current": current,
            "default_minimum": queries.DEFAULT_QUORUM_MINIMUM,
            "history": queries.quorum_history(level, body).select_related("changed_by")[:100],
            "form": form,
        },
        status=400 if form.errors else 200,
    )


# --- motions ------------------------------------------------------------------------------------


@login_required
def motion_submit(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_meeting_for(request.user, meeting_id)
    if (
        not queries.is_in_scope(queries.member_of(request.user), meeting)
        or not meeting.takes_motions
    ):
        raise Http404("Not found.")
    form = MotionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            motion = services.submit_motion(
                actor=request.user,
                meeting=meeting,
                title=data["title"],
                text=data["text"],
                notes=data["notes"],
                believes=data["believes"],
                resolves=data["resolves"],
                seconder_number=data["seconder"],
            )
        except services.MeetingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                "Submitted. Your seconder has been asked to confirm on their meetings page.",
            )
            return redirect(_motion_url(motion))
    return render(
        request,
        "meetings/motion_form.html",
        {"meeting": meeting, "form": form, "motions_open": queries.motions_open(meeting)},
        status=400 if form.errors else 200,
    )


def _id_param(data: Any, name: str) -> int | None:
    value = str(data.get(name, ""))
    return int(value) if value.isdigit() else None


def _motion_context(request: HttpRequest, motion: Motion) -> dict[str, Any]:
    meeting = motion.meeting
    data = request.POST if request.method == "POST" else request.GET
    member = queries.member_of(request.user)
    may_moderate = queries.may_moderate(request.user, meeting)
    thread = queries.debate_thread(motion, for_moderator=may_moderate)
    in_scope = queries.is_in_scope(member, meeting)
    debate_open = queries.debate_open(motion)
    return {
        "meeting": meeting,
        "motion": motion,
        "member": member,
        "amendments": queries.amendments_with_diffs(motion),
        "thread": thread,
        "thread_html": thread_html(
            thread,
            motion_url=_motion_url(motion),
            member_id=member.pk if member else None,
            in_scope=in_scope,
            debate_open=debate_open,
            may_moderate=may_moderate,
        ),
        "revisions": motion.revisions.all(),
        "debate_open": debate_open,
        "motions_open": queries.motions_open(meeting),
        "in_scope": in_scope,
        "may_run": queries.may_run(request.user, meeting),
        "may_chair": queries.may_chair(request.user, meeting),
        "may_moderate": may_moderate,
        "may_forward": queries.may_forward(request.user, motion),
        "forwarded": queries.forward_of(motion),
        "is_mover": member is not None and motion.proposer_id == member.pk,
        "is_seconder": member is not None and motion.seconder_id == member.pk,
        "comment_form": CommentForm(),
        "motion_url": _motion_url(motion),
        "outcome": Outcome.objects.filter(motion=motion).first(),
        "ballot_result": queries.ballot_result(motion),
        "reply_to": _id_param(data, "reply" if request.method == "GET" else "parent"),
        "on_amendment": _id_param(data, "amendment"),
    }


@login_required
def motion_detail(request: HttpRequest, meeting_id: int, motion_id: int) -> HttpResponse:
    motion = queries.get_motion_for(request.user, meeting_id, motion_id)
    return render(request, "meetings/motion_detail.html", _motion_context(request, motion))


@login_required
@require_POST
def motion_second(request: HttpRequest, meeting_id: int, motion_id: int) -> HttpResponse:
    motion = queries.get_motion_for(request.user, meeting_id, motion_id)
    return _attempt(
        request,
        lambda: services.second_motion(actor=request.user, motion=motion),
        back=_motion_url(motion),
        success="You have seconded the motion; members can now see and debate it.",
    )


@login_required
def motion_rule(request: HttpRequest, meeting_id: int, motion_id: int) -> HttpResponse:
    motion = queries.get_motion_for(request.user, meeting_id, motion_id)
    if not queries.may_run(request.user, motion.meeting):
        raise Http404("Not found.")
    form = RulingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.rule_motion(
                actor=request.user,
                motion=motion,
                in_order=form.cleaned_data["decision"] == "in_order",
                reason=form.cleaned_data["reason"],
            )
        except services.MeetingError as error:
            form.add_error("reason", str(error))
        else:
            messages.success(request, "Ruling recorded.")
            return redirect(_motion_url(motion))
    return render(
        request,
        "meetings/motion_rule.html",
        {"meeting": motion.meeting, "motion": motion, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def amendment_propose(request: HttpRequest, meeting_id: int, motion_id: int) -> HttpResponse:
    motion = queries.get_motion_for(request.user, meeting_id, motion_id)
    if not queries.is_in_scope(queries.member_of(request.user), motion.meeting):
        raise Http404("Not found.")
    form = AmendmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.propose_amendment(actor=request.user, motion=motion, **form.cleaned_data)
        except services.MeetingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Your amendment is proposed.")
            return redirect(_motion_url(motion))
    return render(
        request,
        "meetings/amendment_form.html",
        {
            "meeting": motion.meeting,
            "motion": motion,
            "form": form,
            "paragraphs": motion.paragraphs,
        },
        status=400 if form.errors else 200,
    )


def _amendment(
    request: HttpRequest, meeting_id: int, motion_id: int, amendment_id: int
) -> Amendment:
    return queries.get_amendment_for(request.user, meeting_id, motion_id, amendment_id)


@login_required
@require_POST
def amendment_accept(
    request: HttpRequest, meeting_id: int, motion_id: int, amendment_id: int
) -> HttpResponse:
    amendment = _amendment(request, meeting_id, motion_id, amendment_id)
    return _attempt(
        request,
        lambda: services.accept_amendment_as_friendly(actor=request.user, amendment=amendment),
        back=_motion_url(amendment.motion),
        success="Accepted as friendly: the motion's text now includes it.",
    )


@login_required
def amendment_rule(
    request: HttpRequest, meeting_id: int, motion_id: int, amendment_id: int
) -> HttpResponse:
    amendment = _amendment(request, meeting_id, motion_id, amendment_id)
    motion = amendment.motion
    if not queries.may_run(request.user, motion.meeting):
        raise Http404("Not found.")
    return _reason_form(
        request,
        lambda reason: services.rule_amendment_out_of_order(
            actor=request.user, amendment=amendment, reason=reason
        ),
        meeting=motion.meeting,
        back=_motion_url(motion),
        success="The amendment is ruled out of order.",
        heading=f"Rule amendment {amendment.number} out of order",
        button="Rule it out of order",
    )


@login_required
def amendment_outcome(
    request: HttpRequest, meeting_id: int, motion_id: int, amendment_id: int
) -> HttpResponse:
    amendment = _amendment(request, meeting_id, motion_id, amendment_id)
    motion = amendment.motion
    if not queries.may_chair(request.user, motion.meeting):
        raise Http404("Not found.")
    form = OutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_amendment_outcome(
                actor=request.user, amendment=amendment, **form.cleaned_data
            )
        except services.MeetingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Amendment {amendment.number}: outcome recorded.")
            return redirect(_motion_url(motion))
    return render(
        request,
        "meetings/outcome_form.html",
        {
            "form": form,
            "meeting": motion.meeting,
            "motion": motion,
            "heading": f"Amendment {amendment.number} to motion {motion.number}",
            "diff": queries.amendment_diff(amendment),
        },
        status=400 if form.errors else 200,
    )


@login_required
def motion_outcome(request: HttpRequest, meeting_id: int, motion_id: int) -> HttpResponse:
    motion = queries.get_motion_for(request.user, meeting_id, motion_id)
    if not queries.may_chair(request.user, motion.meeting):
        raise Http404("Not found.")
    form = OutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_motion_outcome(actor=request.user, motion=motion, **form.cleaned_data)
        except services.MeetingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Motion {motion.number}: outcome recorded.")
            return redirect(_motion_url(motion))
    return render(
        request,
        "meetings/outcome_form.html",
        {
            "form": form,
            "meeting": motion.meeting,
            "motion": motion,
            "heading": f"Motion {motion.number}: {motion.title}",
            "diff": None,
        },
        status=400 if form.errors else 200,
    )


@login_required
def motion_ballot(request: HttpRequest, meeting_id: int, motion_id: int) -> HttpResponse:
    motion = queries.get_motion_for(request.user, meeting_id, motion_id)
    if not queries.may_chair(request.user, motion.meeting):
        raise Http404("Not found.")
    form = BallotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.send_motion_to_ballot(actor=request.user, motion=motion, **form.cleaned_data)
        except services.MeetingError as error:
            form.add_error(None, str(error))
        except PermissionDenied:
            form.add_error(None, "You cannot run ballots for this body.")
        else:
            messages.success(
                request,
                "A draft ballot is created: set up its tellers and open it on the ballot's page.",
            )
            return redirect(_motion_url(motion))
    return render(
        request,
        "meetings/motion_ballot.html",
        {"form": form, "meeting": motion.meeting, "motion": motion},
        status=400 if form.errors else 200,
    )


# --- debate -------------------------------------------------------------------------------------


@login_required
@require_POST
def comment_post(request: HttpRequest, meeting_id: int, motion_id: int) -> HttpResponse:
    motion = queries.get_motion_for(request.user, meeting_id, motion_id)
    form = CommentForm(request.POST)
    context = _motion_context(request, motion)
    if form.is_valid():
        data = form.cleaned_data
        parent = motion.comments.filter(pk=data["parent"]).first() if data["parent"] else None
        amendment = (
            motion.amendments.filter(pk=data["amendment"]).first() if data["amendment"] else None
        )
        try:
            comment = services.post_comment(
                actor=request.user,
                motion=motion,
                body=data["body"],
                parent=parent,
                amendment=amendment,
            )
        except services.MeetingError as error:
            form.add_error("body", str(error))
        except PermissionDenied:
            raise Http404("Not found.") from None
        else:
            return redirect(_motion_url(motion) + f"#comment-{comment.pk}")
    context["comment_form"] = form
    return render(request, "meetings/motion_detail.html", context, status=400)


def _comment(request: HttpRequest, meeting_id: int, motion_id: int, comment_id: int) -> Any:
    return queries.get_comment_for(request.user, meeting_id, motion_id, comment_id)


@login_required
def comment_edit(
    request: HttpRequest, meeting_id: int, motion_id: int, comment_id: int
) -> HttpResponse:
    comment = _comment(request, meeting_id, motion_id, comment_id)
    member = queries.member_of(request.user)
    if member is None or comment.author_id != member.pk:
        raise Http404("Not found.")
    form = CommentEditForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_comment(
                actor=request.user, comment=comment, body=form.cleaned_data["body"]
            )
        except services.MeetingError as error:
            form.add_error("body", str(error))
        else:
            return redirect(_motion_url(comment.motion) + f"#comment-{comment.pk}")
    return render(
        request,
        "meetings/comment_edit.html",
        {
            "form": form,
            "comment": comment,
            "motion": comment.motion,
            "meeting": comment.motion.meeting,
        },
        status=400 if form.errors else 200,
    )


@login_required
def comment_history(
    request: HttpRequest, meeting_id: int, motion_id: int, comment_id: int
) -> HttpResponse:
    comment = _comment(request, meeting_id, motion_id, comment_id)
    may_moderate = queries.may_moderate(request.user, comment.motion.meeting)
    return render(
        request,
        "meetings/comment_history.html",
        {
            "comment": comment,
            "motion": comment.motion,
            "meeting": comment.motion.meeting,
            # A hidden comment's words stay hidden from members, earlier versions too.
            "revisions": queries.comment_history(comment)
            if comment.status == "visible" or may_moderate
            else [],
        },
    )


@login_required
def comment_report(
    request: HttpRequest, meeting_id: int, motion_id: int, comment_id: int
) -> HttpResponse:
    comment = _comment(request, meeting_id, motion_id, comment_id)
    if not queries.is_in_scope(queries.member_of(request.user), comment.motion.meeting):
        raise Http404("Not found.")
    return _reason_form(
        request,
        lambda reason: services.report_comment(actor=request.user, comment=comment, reason=reason),
        meeting=comment.motion.meeting,
        back=_motion_url(comment.motion) + f"#comment-{comment.pk}",
        success="Thank you: the moderators will look at it.",
        heading="Report this comment to the moderators",
        button="Report it",
        quote=comment.body,
    )


@login_required
def comment_hide(
    request: HttpRequest, meeting_id: int, motion_id: int, comment_id: int
) -> HttpResponse:
    comment = _comment(request, meeting_id, motion_id, comment_id)
    if not queries.may_moderate(request.user, comment.motion.meeting):
        raise Http404("Not found.")
    return _reason_form(
        request,
        lambda reason: services.hide_comment(actor=request.user, comment=comment, reason=reason),
        meeting=comment.motion.meeting,
        back=_motion_url(comment.motion) + f"#comment-{comment.pk}",
        success="The comment is hidden; the reason shows in its place.",
        heading="Hide this comment",
        button="Hide it",
        quote=comment.body,
        hint="Members see the reason in the comment's place. It is kept in the audit log.",
    )


@login_required
def reports(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_meeting_for(request.user, meeting_id)
    if not queries.may_moderate(request.user, meeting):
        raise Http404("Not found.")
    return render(
        request,
        "meetings/reports.html",
        {"meeting": meeting, "reports": queries.open_reports(meeting), "form": ReasonForm()},
    )


@login_required
@require_POST
def report_dismiss(request: HttpRequest, meeting_id: int, report_id: int) -> HttpResponse:
    meeting = queries.get_meeting_for(request.user, meeting_id)
    if not queries.may_moderate(request.user, meeting):
        raise Http404("Not found.")
    report = CommentReport.objects.filter(pk=report_id, comment__motion__meeting=meeting).first()
    if report is None:
        raise Http404("No such report.")
    form = ReasonForm(request.POST)
    back = reverse("meetings:reports", args=[meeting.pk])
    if not form.is_valid():
        return _problem(request, "Say why the comment stays.", back)
    return _attempt(
        request,
        lambda: services.dismiss_report(
            actor=request.user, report=report, resolution=form.cleaned_data["reason"]
        ),
        back=back,
        success="The report is resolved; the comment stays.",
    )


# --- minutes ------------------------------------------------------------------------------------


@login_required
def minutes(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_meeting_for(request.user, meeting_id)
    found = queries.minutes_for(request.user, meeting)
    may_run = queries.may_run(request.user, meeting)
    if found is None and not may_run:
        raise Http404("No minutes yet.")
    later = [
        (str(m.pk), f"{m.title}, {m.starts_at:%d %b %Y}")
        for m in queries.later_meetings_of_body(meeting)[:10]
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
def minutes_draft(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_meeting_for(request.user, meeting_id)
    return _attempt(
        request,
        lambda: services.draft_minutes(actor=request.user, meeting=meeting),
        back=reverse("meetings:minutes", args=[meeting.pk]),
        success="Drafted from the recorded outcomes. Edit them as needed.",
    )


@login_required
def minutes_edit(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_meeting_for(request.user, meeting_id)
    found = queries.minutes_for(request.user, meeting)
    if found is None or not queries.may_run(request.user, meeting):
        raise Http404("Not found.")
    form = MinutesForm(request.POST or None, initial={"text": found.text})
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_minutes(actor=request.user, minutes=found, text=form.cleaned_data["text"])
        except services.MeetingError as error:
            form.add_error("text", str(error))
        else:
            messages.success(request, "Minutes saved.")
            return redirect("meetings:minutes", meeting_id=meeting.pk)
    return render(
        request,
        "meetings/minutes_edit.html",
        {"meeting": meeting, "minutes": found, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def minutes_approve(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_meeting_for(request.user, meeting_id)
    found = queries.minutes_for(request.user, meeting)
    if found is None or not queries.may_run(request.user, meeting):
        raise Http404("Not found.")
    back = reverse("meetings:minutes", args=[meeting.pk])
    later = queries.later_meetings_of_body(meeting)
    form = ApproveMinutesForm(request.POST, meetings=[(str(m.pk), m.title) for m in later[:10]])
    if not form.is_valid():
        return _problem(request, "Choose the later meeting that approved the minutes.", back)
    at_meeting = later.get(pk=int(form.cleaned_data["at_meeting"]))
    return _attempt(
        request,
        lambda: services.approve_minutes(actor=request.user, minutes=found, at_meeting=at_meeting),
        back=back,
        success="Minutes approved. Publish them to the members when ready.",
    )


@login_required
@require_POST
def minutes_publish(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_meeting_for(request.user, meeting_id)
    found = queries.minutes_for(request.user, meeting)
    if found is None or not queries.may_run(request.user, meeting):
        raise Http404("Not found.")
    return _attempt(
        request,
        lambda: services.publish_minutes(actor=request.user, minutes=found),
        back=reverse("meetings:minutes", args=[meeting.pk]),
        success="The minutes are published to the members.",
    )
