"""The discussion beside a proposal: the meetings debate thread (replies, edits with their
history, reports and moderation), with proposals deciding who takes part.

Members and supporters of the body, and its officers, post, reply and report
(``queries.may_discuss``); the author edits; the body's debate moderators hide comments and
dismiss reports (``Capability.MODERATE_DEBATE`` over the proposal's body). The discussion stays
open after the close; an amended version's is closed (the newest version is discussed). Each use
case checks that, then runs the thread's own ``*_within`` step from ``meetings.services.debate``
in the same transaction, and audits under the proposal."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.meetings.models import Comment, CommentReport, DebateThread
from grassroots.meetings.services.common import MeetingError
from grassroots.meetings.services.debate import (
    dismiss_report_within,
    edit_comment_within,
    hide_comment_within,
    locked_comment,
    post_in_thread_within,
    report_comment_within,
)
from grassroots.people.models import Member
from grassroots.proposals import queries
from grassroots.proposals.models import Proposal
from grassroots.proposals.services.common import (
    ProposalError,
    acting_member,
    audit,
    locked_proposal,
)

T = TypeVar("T")
ABOUT_MAX = 200


def _thread_rule(step: Callable[[], T]) -> T:
    """Run a thread step; its refusal (bad input, the wrong moment) is the proposal's error."""
    try:
        return step()
    except MeetingError as error:
        raise ProposalError(str(error)) from None


def _participant(actor: User, proposal: Proposal) -> Member:
    member = acting_member(actor)
    if not queries.may_discuss(actor, proposal):
        raise PermissionDenied(gettext("Only members of the body take part in its discussion."))
    return member


def _require_open(proposal: Proposal) -> None:
    if not queries.discussion_open(proposal):
        raise ProposalError(gettext("This version was amended: discuss the newest version."))


def _in_discussion(proposal: Proposal, comment: Comment) -> tuple[Proposal, Comment]:
    """The proposal read afresh (its thread may have been made since the page was drawn), and
    the comment, locked, if it is in its discussion; refused alike otherwise."""
    proposal = Proposal.objects.select_related("group", "area", "region").get(pk=proposal.pk)
    if proposal.thread_id is None or comment.thread_id != proposal.thread_id:
        raise PermissionDenied(gettext("That comment is not in this proposal's discussion."))
    return proposal, locked_comment(comment)


@transaction.atomic(durable=True)
def post_comment(
    *, actor: User, proposal: Proposal, body: str, parent: Comment | None = None
) -> Comment:
    """A member of the body comments on the proposal, or replies to a comment in its
    discussion; the thread is made with the first comment."""
    author = _participant(actor, proposal)
    # Locked: an amendment may supersede it meanwhile, and two first comments make one thread.
    proposal = locked_proposal(proposal.pk)
    _require_open(proposal)
    thread = proposal.thread
    if thread is None:
        thread = DebateThread.objects.create(
            about=f"Proposal {proposal.pk}: {proposal.title}"[:ABOUT_MAX], created_at=clock.now()
        )
        proposal.thread = thread
        proposal.save(update_fields=["thread"])
    comment = _thread_rule(
        lambda: post_in_thread_within(author=author, thread=thread, body=body, parent=parent)
    )
    audit(actor, AuditAction.COMMENT_ON_PROPOSAL, proposal, comment=comment.pk)
    return comment


@transaction.atomic(durable=True)
def edit_comment(*, actor: User, proposal: Proposal, comment: Comment, body: str) -> Comment:
    """The author edits their comment while the discussion is open; the earlier text is kept."""
    member = acting_member(actor)
    proposal, comment = _in_discussion(proposal, comment)
    if comment.author_id != member.pk:
        raise PermissionDenied(gettext("Only the author can edit a comment."))
    _require_open(proposal)
    comment = _thread_rule(lambda: edit_comment_within(member=member, comment=comment, body=body))
    audit(actor, AuditAction.EDIT_COMMENT, proposal, comment=comment.pk)
    return comment


@transaction.atomic(durable=True)
def report_comment(
    *, actor: User, proposal: Proposal, comment: Comment, reason: str
) -> CommentReport:
    reporter = _participant(actor, proposal)
    proposal, comment = _in_discussion(proposal, comment)
    report = _thread_rule(
        lambda: report_comment_within(reporter=reporter, comment=comment, reason=reason)
    )
    audit(actor, AuditAction.REPORT_COMMENT, proposal, comment=comment.pk, reason=report.reason)
    return report


def _moderator(actor: User, proposal: Proposal) -> Member:
    if not queries.may_moderate(actor, proposal):
        raise PermissionDenied(gettext("Only the moderators of this body's debates can do this."))
    return acting_member(actor)


@transaction.atomic(durable=True)
def hide_comment(*, actor: User, proposal: Proposal, comment: Comment, reason: str) -> Comment:
    """A moderator hides a comment; the reason shows in its place, is kept and audited."""
    moderator = _moderator(actor, proposal)
    proposal, comment = _in_discussion(proposal, comment)
    comment = _thread_rule(
        lambda: hide_comment_within(moderator=moderator, comment=comment, reason=reason)
    )
    audit(
        actor,
        AuditAction.HIDE_COMMENT,
        proposal,
        comment=comment.pk,
        author=comment.author_id,
        reason=comment.moderation_reason,
    )
    return comment


@transaction.atomic(durable=True)
def dismiss_report(
    *, actor: User, proposal: Proposal, report: CommentReport, resolution: str
) -> CommentReport:
    """A moderator decides a reported comment stays, and says why."""
    moderator = _moderator(actor, proposal)
    proposal, _comment = _in_discussion(proposal, report.comment)
    report = _thread_rule(
        lambda: dismiss_report_within(moderator=moderator, report=report, resolution=resolution)
    )
    audit(
        actor,
        AuditAction.DISMISS_REPORT,
        proposal,
        comment=report.comment_id,
        report=report.pk,
        resolution=report.resolution,
    )
    return report
