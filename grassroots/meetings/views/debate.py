"""The debate on a motion: posting, editing, reporting and hiding comments, and the reports page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from grassroots.accounts.requests import AuthenticatedRequest
from grassroots.meetings import queries
from grassroots.meetings.forms import CommentEditForm, CommentForm, ReasonForm
from grassroots.meetings.models import CommentReport, CommentStatus
from grassroots.meetings.services.common import MeetingError
from grassroots.meetings.services.debate import (
    dismiss_report,
    edit_comment,
    hide_comment,
    post_comment,
    report_comment,
)
from grassroots.meetings.views.common import attempt, motion_url, problem, reason_form
from grassroots.meetings.views.motions import motion_context
from grassroots.organisation.permissions import Capability, may


@login_required
@require_POST
def comment_post(request: AuthenticatedRequest, meeting_id: int, motion_id: int) -> HttpResponse:
    motion = queries.get_motion_for(request.user, meeting_id, motion_id)
    form = CommentForm(request.POST)
    context = motion_context(request, motion)
    if form.is_valid():
        data = form.cleaned_data
        parent = motion.comments.filter(pk=data["parent"]).first() if data["parent"] else None
        amendment = (
            motion.amendments.filter(pk=data["amendment"]).first() if data["amendment"] else None
        )
        # A reply names a comment of this motion's debate (and a comment on an amendment, an
        # amendment to this motion); anything else is refused, not posted as a new thread.
        if data["parent"] and parent is None:
            form.add_error(
                "body",
                gettext(
                    "The comment you are replying to is not in this motion's debate. "
                    "Nothing was posted: reply from the comment itself, or post a new "
                    "comment."
                ),
            )
        elif data["amendment"] and amendment is None:
            form.add_error(
                "body",
                gettext(
                    "That amendment is not one to this motion. Nothing was posted: "
                    "comment from the amendment itself."
                ),
            )
        else:
            try:
                comment = post_comment(
                    actor=request.user,
                    motion=motion,
                    body=data["body"],
                    parent=parent,
                    amendment=amendment,
                )
            except MeetingError as error:
                form.add_error("body", str(error))
            except PermissionDenied:
                raise Http404(gettext("Not found.")) from None
            else:
                return redirect(motion_url(motion) + f"#comment-{comment.pk}")
    context["comment_form"] = form
    return render(request, "meetings/motion_detail.html", context, status=400)


def _comment(request: HttpRequest, meeting_id: int, motion_id: int, comment_id: int) -> Any:
    return queries.get_comment_for(request.user, meeting_id, motion_id, comment_id)


@login_required
def comment_edit(
    request: AuthenticatedRequest, meeting_id: int, motion_id: int, comment_id: int
) -> HttpResponse:
    comment = _comment(request, meeting_id, motion_id, comment_id)
    member = queries.member_of(request.user)
    if member is None or comment.author_id != member.pk:
        raise Http404(gettext("Not found."))
    form = CommentEditForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        try:
            edit_comment(actor=request.user, comment=comment, body=form.cleaned_data["body"])
        except MeetingError as error:
            form.add_error("body", str(error))
        else:
            return redirect(motion_url(comment.motion) + f"#comment-{comment.pk}")
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
    request: AuthenticatedRequest, meeting_id: int, motion_id: int, comment_id: int
) -> HttpResponse:
    comment = _comment(request, meeting_id, motion_id, comment_id)
    may_moderate = may(request.user, Capability.MODERATE_DEBATE, comment.motion.meeting)
    return render(
        request,
        "meetings/comment_history.html",
        {
            "comment": comment,
            "motion": comment.motion,
            "meeting": comment.motion.meeting,
            # A hidden comment's words stay hidden from members, earlier versions too.
            "revisions": queries.comment_history(comment)
            if comment.status == CommentStatus.VISIBLE or may_moderate
            else [],
        },
    )


@login_required
def comment_report(
    request: AuthenticatedRequest, meeting_id: int, motion_id: int, comment_id: int
) -> HttpResponse:
    comment = _comment(request, meeting_id, motion_id, comment_id)
    if not queries.is_in_scope(queries.member_of(request.user), comment.motion.meeting):
        raise Http404(gettext("Not found."))
    return reason_form(
        request,
        lambda reason: report_comment(actor=request.user, comment=comment, reason=reason),
        meeting=comment.motion.meeting,
        back=motion_url(comment.motion) + f"#comment-{comment.pk}",
        success=gettext("Thank you: the moderators will look at it."),
        heading=gettext("Report this comment to the moderators"),
        button=gettext("Report it"),
        quote=comment.body,
    )


@login_required
def comment_hide(
    request: AuthenticatedRequest, meeting_id: int, motion_id: int, comment_id: int
) -> HttpResponse:
    comment = _comment(request, meeting_id, motion_id, comment_id)
    if not may(request.user, Capability.MODERATE_DEBATE, comment.motion.meeting):
        raise Http404(gettext("Not found."))
    return reason_form(
        request,
        lambda reason: hide_comment(actor=request.user, comment=comment, reason=reason),
        meeting=comment.motion.meeting,
        back=motion_url(comment.motion) + f"#comment-{comment.pk}",
        success=gettext("The comment is hidden; the reason shows in its place."),
        heading=gettext("Hide this comment"),
        button=gettext("Hide it"),
        quote=comment.body,
        hint=gettext("Members see the reason in the comment's place. It is kept in the audit log."),
    )


@login_required
def reports(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_meeting_for(request.user, meeting_id)
    if not may(request.user, Capability.MODERATE_DEBATE, meeting):
        raise Http404(gettext("Not found."))
    return render(
        request,
        "meetings/reports.html",
        {"meeting": meeting, "reports": queries.open_reports(meeting), "form": ReasonForm()},
    )


@login_required
@require_POST
def report_dismiss(request: AuthenticatedRequest, meeting_id: int, report_id: int) -> HttpResponse:
    meeting = queries.get_meeting_for(request.user, meeting_id)
    if not may(request.user, Capability.MODERATE_DEBATE, meeting):
        raise Http404(gettext("Not found."))
    report = CommentReport.objects.filter(pk=report_id, comment__motion__meeting=meeting).first()
    if report is None:
        raise Http404(gettext("No such report."))
    form = ReasonForm(request.POST)
    back = reverse("meetings:reports", args=[meeting.pk])
    if not form.is_valid():
        return problem(request, gettext("Say why the comment stays."), back)
    return attempt(
        request,
        lambda: dismiss_report(
            actor=request.user, report=report, resolution=form.cleaned_data["reason"]
        ),
        back=back,
        success=gettext("The report is resolved; the comment stays."),
    )
