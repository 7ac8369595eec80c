"""The debate thread on a motion, or in a ``DebateThread`` another app owns: comments, their
edits, reports and moderation.

The ``*_within`` steps are the thread's own rules (a reply stays in its thread, only the author
edits, a hidden comment is not edited, one report per member) and run inside the caller's
transaction. Who may post, read, report or moderate, and whether the debate is still open, is
the owner's to decide before it calls them: meetings decides for a motion (the use cases below),
``grassroots.proposals.services.discussion`` for a proposal. Each use case audits under its
owner's subject."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record
from grassroots.meetings import queries
from grassroots.meetings.models import (
    CLOSED_AMENDMENT_STATUSES,
    Amendment,
    Comment,
    CommentReport,
    CommentRevision,
    CommentStatus,
    DebateThread,
    Motion,
)
from grassroots.meetings.services.common import (
    COMMENT_MAX,
    REASON_MAX,
    MeetingError,
    acting_member,
    audit,
    clean_text,
    locked_motion,
    require_in_scope,
)
from grassroots.organisation.permissions import Capability, may
from grassroots.people.models import Member


def _require_debate_open(motion: Motion) -> None:
    if not queries.debate_open(motion):
        raise MeetingError(gettext("The debate on this motion is closed: no more comments."))


# --- the thread's own rules, for any owner ------------------------------------------------------


def post_in_thread_within(
    *, author: Member, thread: DebateThread, body: str, parent: Comment | None = None
) -> Comment:
    """A comment in ``thread`` by ``author``, whom its owner has let post; a reply stays in it."""
    body = clean_text(body, gettext("comment"), COMMENT_MAX)
    if parent is not None and parent.thread_id != thread.pk:
        raise MeetingError(gettext("You can only reply to a comment in this discussion."))
    return Comment.objects.create(
        thread=thread, parent=parent, author=author, body=body, created_at=clock.now()
    )


def locked_comment(comment: Comment) -> Comment:
    """The comment, locked against another edit or a moderator's hiding."""
    return Comment.objects.select_for_update(of=("self",)).get(pk=comment.pk)


def edit_comment_within(*, member: Member, comment: Comment, body: str) -> Comment:
    """The author edits their comment (locked by the caller); the earlier text is kept as its
    history."""
    if comment.author_id != member.pk:
        raise PermissionDenied(gettext("Only the author can edit a comment."))
    if comment.status != CommentStatus.VISIBLE:
        raise MeetingError(gettext("A hidden comment cannot be edited."))
    body = clean_text(body, gettext("comment"), COMMENT_MAX)
    if body == comment.body:
        raise MeetingError(gettext("The comment is unchanged."))
    CommentRevision.objects.create(
        comment=comment, body=comment.body, written_at=comment.edited_at or comment.created_at
    )
    comment.body = body
    comment.edited_at = clock.now()
    comment.save(update_fields=["body", "edited_at"])
    return comment


def report_comment_within(*, reporter: Member, comment: Comment, reason: str) -> CommentReport:
    reason = clean_text(reason, gettext("reason for reporting"), REASON_MAX)
    if comment.author_id == reporter.pk:
        raise MeetingError(gettext("You cannot report your own comment; edit it instead."))
    if CommentReport.objects.filter(comment=comment, reporter=reporter).exists():
        raise MeetingError(gettext("You have already reported this comment."))
    return CommentReport.objects.create(
        comment=comment, reporter=reporter, reason=reason, reported_at=clock.now()
    )


def hide_comment_within(*, moderator: Member, comment: Comment, reason: str) -> Comment:
    """Hide a comment (its owner's moderator has been checked); the reason shows in its place
    and resolves its open reports."""
    reason = clean_text(reason, gettext("reason for hiding it"), REASON_MAX)
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if comment.status == CommentStatus.HIDDEN:
        raise MeetingError(gettext("This comment is already hidden."))
    moment = clock.now()
    comment.status = CommentStatus.HIDDEN
    comment.moderated_by = moderator
    comment.moderated_at = moment
    comment.moderation_reason = reason
    comment.save(update_fields=["status", "moderated_by", "moderated_at", "moderation_reason"])
    CommentReport.objects.filter(comment=comment, resolved_at__isnull=True).update(
        resolved_at=moment, resolved_by=moderator, resolution=f"Hidden: {reason}"
    )
    return comment


def dismiss_report_within(
    *, moderator: Member, report: CommentReport, resolution: str
) -> CommentReport:
    report = CommentReport.objects.select_for_update().get(pk=report.pk)
    if report.resolved_at is not None:
        raise MeetingError(gettext("This report has already been resolved."))
    report.resolution = clean_text(
        resolution, gettext("reason for keeping the comment"), REASON_MAX
    )
    report.resolved_at = clock.now()
    report.resolved_by = moderator
    report.save(update_fields=["resolution", "resolved_at", "resolved_by"])
    return report


# --- a motion's debate: meetings decides who takes part -----------------------------------------


def _motion_of(comment: Comment) -> Motion:
    if comment.motion is None:
        # A comment in another app's thread is that app's to act on, never through a motion.
        raise PermissionDenied(gettext("This comment is not in a motion's debate."))
    return comment.motion


@transaction.atomic(durable=True)
def post_comment(
    *,
    actor: User,
    motion: Motion,
    body: str,
    amendment: Amendment | None = None,
    parent: Comment | None = None,
) -> Comment:
    author = require_in_scope(actor, motion.meeting, gettext("take part in this debate"))
    # Read the motion afresh: the chair may have closed the debate since the page was drawn.
    motion = locked_motion(motion)
    _require_debate_open(motion)
    body = clean_text(body, gettext("comment"), COMMENT_MAX)
    if amendment is not None and amendment.motion_id != motion.pk:
        raise MeetingError(gettext("That amendment is to another motion."))
    if amendment is not None and amendment.status in CLOSED_AMENDMENT_STATUSES:
        raise MeetingError(gettext("The debate on this amendment is closed: it has been decided."))
    if parent is not None:
        if parent.motion_id != motion.pk:
            raise MeetingError(gettext("You can only reply to a comment in this debate."))
        amendment = parent.amendment
    comment = Comment.objects.create(
        motion=motion,
        amendment=amendment,
        parent=parent,
        author=author,
        body=body,
        created_at=clock.now(),
    )
    audit(actor, AuditAction.POST_COMMENT, comment, motion=motion.pk)
    return comment


@transaction.atomic(durable=True)
def edit_comment(*, actor: User, comment: Comment, body: str) -> Comment:
    """The author edits their comment; the earlier text is kept and shown as its history."""
    member = acting_member(actor)
    comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("motion__meeting")
        .get(pk=comment.pk)
    )
    motion = _motion_of(comment)
    if comment.author_id == member.pk and comment.status == CommentStatus.VISIBLE:
        _require_debate_open(motion)
    comment = edit_comment_within(member=member, comment=comment, body=body)
    audit(actor, AuditAction.EDIT_COMMENT, comment)
    return comment


@transaction.atomic(durable=True)
def report_comment(*, actor: User, comment: Comment, reason: str) -> CommentReport:
    motion = _motion_of(comment)
    reporter = require_in_scope(actor, motion.meeting, gettext("report comments in this debate"))
    report = report_comment_within(reporter=reporter, comment=comment, reason=reason)
    audit(actor, AuditAction.REPORT_COMMENT, comment, reason=report.reason)
    return report


@transaction.atomic(durable=True)
def hide_comment(*, actor: User, comment: Comment, reason: str) -> Comment:
    """An officer hides a comment; the reason is shown in its place, kept, and audited. Open
    reports on it are resolved with the same reason."""
    if not may(actor, Capability.MODERATE_DEBATE, _motion_of(comment).meeting):
        raise PermissionDenied(gettext("Only the moderators of this debate can hide comments."))
    moderator = acting_member(actor)
    comment = hide_comment_within(moderator=moderator, comment=comment, reason=reason)
    audit(
        actor,
        AuditAction.HIDE_COMMENT,
        comment,
        reason=comment.moderation_reason,
        author=comment.author_id,
    )
    return comment


@transaction.atomic(durable=True)
def dismiss_report(*, actor: User, report: CommentReport, resolution: str) -> CommentReport:
    """An officer decides a reported comment stays, and says why (kept and audited)."""
    meeting = _motion_of(report.comment).meeting
    if not may(actor, Capability.MODERATE_DEBATE, meeting):
        raise PermissionDenied(gettext("Only the moderators of this debate can resolve reports."))
    moderator = acting_member(actor)
    report = dismiss_report_within(moderator=moderator, report=report, resolution=resolution)
    record(
        actor=actor,
        action=AuditAction.DISMISS_REPORT,
        subject_type="comment",
        subject_id=report.comment_id,
        scope=meeting.scope_name[:120],
        detail={"report": report.pk, "resolution": report.resolution},
    )
    return report
