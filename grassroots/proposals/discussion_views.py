"""The pages for one comment in a proposal's discussion (edit, history, report, hide) and the
moderators' reports; posting is on the proposal's page (``views.comment``). The thread is the
meetings debate thread; who may do what is proposals' (``services.discussion``). A refused page
answers 404 alike for a missing proposal, one not allowed, and a comment not in its discussion.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grassroots.accounts.requests import AuthenticatedRequest
from grassroots.meetings.forms import CommentEditForm, ReasonForm
from grassroots.meetings.models import Comment, CommentStatus
from grassroots.meetings.queries import comment_history
from grassroots.people.queries import own_member
from grassroots.proposals import queries
from grassroots.proposals.models import Proposal
from grassroots.proposals.services.common import ProposalError
from grassroots.proposals.services.discussion import (
    dismiss_report,
    edit_comment,
    hide_comment,
    report_comment,
)


def _found(
    request: AuthenticatedRequest, proposal_id: int, comment_id: int
) -> tuple[Proposal, Comment]:
    proposal = queries.get_proposal_for(request.user, proposal_id)
    return proposal, queries.get_comment_for(request.user, proposal_id, comment_id)


def _at(proposal: Proposal, comment_id: int) -> str:
    return reverse("proposals:detail", args=[proposal.pk]) + f"#comment-{comment_id}"


@login_required
def comment_edit(request: AuthenticatedRequest, proposal_id: int, comment_id: int) -> HttpResponse:
    proposal, comment = _found(request, proposal_id, comment_id)
    member = own_member(request.user)
    if member is None or comment.author_id != member.pk:
        raise Http404(gettext("No such page."))
    form = CommentEditForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        try:
            edit_comment(
                actor=request.user,
                proposal=proposal,
                comment=comment,
                body=form.cleaned_data["body"],
            )
        except PermissionDenied:
            raise Http404(gettext("No such page.")) from None
        except ProposalError as error:
            form.add_error("body", str(error))
        else:
            messages.success(request, _("Your comment is changed; its earlier text is kept."))
            return redirect(_at(proposal, comment.pk))
    return render(
        request,
        "proposals/comment_edit.html",
        {"form": form, "comment": comment, "proposal": proposal},
        status=400 if form.errors else 200,
    )


@login_required
def comment_history_page(
    request: AuthenticatedRequest, proposal_id: int, comment_id: int
) -> HttpResponse:
    proposal, comment = _found(request, proposal_id, comment_id)
    may_moderate = queries.may_moderate(request.user, proposal)
    return render(
        request,
        "proposals/comment_history.html",
        {
            "comment": comment,
            "proposal": proposal,
            # A hidden comment's words stay hidden from members, earlier versions too.
            "revisions": comment_history(comment)
            if comment.status == CommentStatus.VISIBLE or may_moderate
            else [],
        },
    )


def _reason_page(
    request: AuthenticatedRequest,
    proposal: Proposal,
    comment: Comment,
    action: Callable[[str], Any],
    *,
    heading: str,
    button: str,
    success: str,
    hint: str = "",
) -> HttpResponse:
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            action(form.cleaned_data["reason"])
        except PermissionDenied:
            raise Http404(gettext("No such page.")) from None
        except ProposalError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, success)
            return redirect(_at(proposal, comment.pk))
    return render(
        request,
        "proposals/comment_reason.html",
        {
            "form": form,
            "proposal": proposal,
            "comment": comment,
            "heading": heading,
            "button": button,
            "hint": hint,
        },
        status=400 if form.errors else 200,
    )


@login_required
def comment_report(
    request: AuthenticatedRequest, proposal_id: int, comment_id: int
) -> HttpResponse:
    proposal, comment = _found(request, proposal_id, comment_id)
    if not queries.may_discuss(request.user, proposal):
        raise Http404(gettext("No such page."))
    return _reason_page(
        request,
        proposal,
        comment,
        lambda reason: report_comment(
            actor=request.user, proposal=proposal, comment=comment, reason=reason
        ),
        heading=_("Report this comment to the moderators"),
        button=_("Report it"),
        success=_("Thank you: the moderators will look at it."),
    )


@login_required
def comment_hide(request: AuthenticatedRequest, proposal_id: int, comment_id: int) -> HttpResponse:
    proposal, comment = _found(request, proposal_id, comment_id)
    if not queries.may_moderate(request.user, proposal):
        raise Http404(gettext("No such page."))
    return _reason_page(
        request,
        proposal,
        comment,
        lambda reason: hide_comment(
            actor=request.user, proposal=proposal, comment=comment, reason=reason
        ),
        heading=_("Hide this comment"),
        button=_("Hide it"),
        success=_("The comment is hidden; the reason shows in its place."),
        hint=_("Members see the reason in the comment's place. It is kept in the audit log."),
    )


def _moderated(request: AuthenticatedRequest, proposal_id: int) -> Proposal:
    proposal = queries.get_proposal_for(request.user, proposal_id)
    if not queries.may_moderate(request.user, proposal):
        raise Http404(gettext("No such page."))
    return proposal


@login_required
def reports(request: AuthenticatedRequest, proposal_id: int) -> HttpResponse:
    proposal = _moderated(request, proposal_id)
    return render(
        request,
        "proposals/reports.html",
        {"proposal": proposal, "reports": list(queries.open_reports(proposal))},
    )


@login_required
@require_POST
def report_dismiss(request: AuthenticatedRequest, proposal_id: int, report_id: int) -> HttpResponse:
    proposal = _moderated(request, proposal_id)
    report = queries.open_reports(proposal).filter(pk=report_id).first()
    if report is None:
        raise Http404(gettext("No such report."))
    back = reverse("proposals:reports", args=[proposal.pk])
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the comment stays."))
        return redirect(back)
    try:
        dismiss_report(
            actor=request.user,
            proposal=proposal,
            report=report,
            resolution=form.cleaned_data["reason"],
        )
    except ProposalError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The report is resolved; the comment stays."))
    return redirect(back)
