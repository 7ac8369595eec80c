"""The debate thread on a motion: comments, their edits, reports and moderation."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record
from grassroots.clock import now
from grassroots.meetings import queries
from grassroots.meetings.models import (
    CLOSED_AMENDMENT_STATUSES,
    Amendment,
    Comment,
    CommentReport,
    CommentRevision,
    CommentStatus,
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


def _require_debate_open(motion: Motion) -> None:
    if not queries.debate_open(motion):
        raise MeetingError("The debate on this motion is closed: no more comments.")


@transaction.atomic(durable=True)
def post_comment(
    *,
    actor: User,
    motion: Motion,
    body: str,
    amendment: Amendment | None = None,
    parent: Comment | None = None,
) -> Comment:
    author = require_in_scope(actor, motion.meeting, "take part in this debate")
    # Read the motion afresh: the chair may have closed the debate since the page was drawn.
    motion = locked_motion(motion)
    _require_debate_open(motion)
    body = clean_text(body, "comment", COMMENT_MAX)
    if amendment is not None and amendment.motion_id != motion.pk:
        raise MeetingError("That amendment is to another motion.")
    if amendment is not None and amendment.status in CLOSED_AMENDMENT_STATUSES:
        raise MeetingError("The debate on this amendment is closed: it has been decided.")
    if parent is not None:
        if parent.motion_id != motion.pk:
            raise MeetingError("You can only reply to a comment in this debate.")
        amendment = parent.amendment
    comment = Comment.objects.create(
        motion=motion,
        amendment=amendment,
        parent=parent,
        author=author,
        body=body,
        created_at=now(),
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
    if comment.author_id != member.pk:
        raise PermissionDenied("Only the author can edit a comment.")
    if comment.status != CommentStatus.VISIBLE:
        raise MeetingError("A hidden comment cannot be edited.")
    _require_debate_open(comment.motion)
    body = clean_text(body, "comment", COMMENT_MAX)
    if body == comment.body:
        raise MeetingError("The comment is unchanged.")
    CommentRevision.objects.create(
        comment=comment, body=comment.body, written_at=comment.edited_at or comment.created_at
    )
    comment.body = body
    comment.edited_at = now()
    comment.save(update_fields=["body", "edited_at"])
    audit(actor, AuditAction.EDIT_COMMENT, comment)
    return comment


@transaction.atomic(durable=True)
def report_comment(*, actor: User, comment: Comment, reason: str) -> CommentReport:
    reporter = require_in_scope(actor, comment.motion.meeting, "report comments in this debate")
    reason = clean_text(reason, "reason for reporting", REASON_MAX)
    if comment.author_id == reporter.pk:
        raise MeetingError("You cannot report your own comment; edit it instead.")
    if CommentReport.objects.filter(comment=comment, reporter=reporter).exists():
        raise MeetingError("You have already reported this comment.")
    report = CommentReport.objects.create(
        comment=comment, reporter=reporter, reason=reason, reported_at=now()
    )
    audit(actor, AuditAction.REPORT_COMMENT, comment, reason=reason)
    return report


@transaction.atomic(durable=True)
def hide_comment(*, actor: User, comment: Comment, reason: str) -> Comment:
    """An officer hides a comment; the reason is shown in its place, kept, and audited. Open
    reports on it are resolved with the same reason."""
    if not may(actor, Capability.MODERATE_DEBATE, comment.motion.meeting):
        raise PermissionDenied("Only the moderators of this debate can hide comments.")
    moderator = acting_member(actor)
    reason = clean_text(reason, "reason for hiding it", REASON_MAX)
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if comment.status == CommentStatus.HIDDEN:
        raise MeetingError("This comment is already hidden.")
    moment = now()
    comment.status = CommentStatus.HIDDEN
    comment.moderated_by = moderator
    comment.moderated_at = moment
    comment.moderation_reason = reason
    comment.save(update_fields=["status", "moderated_by", "moderated_at", "moderation_reason"])
    CommentReport.objects.filter(comment=comment, resolved_at__isnull=True).update(
        resolved_at=moment, resolved_by=moderator, resolution=f"Hidden: {reason}"
    )
    audit(actor, AuditAction.HIDE_COMMENT, comment, reason=reason, author=comment.author_id)
    return comment


@transaction.atomic(durable=True)
def dismiss_report(*, actor: User, report: CommentReport, resolution: str) -> CommentReport:
    """An officer decides a reported comment stays, and says why (kept and audited)."""
    meeting = report.comment.motion.meeting
    if not may(actor, Capability.MODERATE_DEBATE, meeting):
        raise PermissionDenied("Only the moderators of this debate can resolve reports.")
    moderator = acting_member(actor)
    report = CommentReport.objects.select_for_update().get(pk=report.pk)
    if report.resolved_at is not None:
        raise MeetingError("This report has already been resolved.")
    report.resolution = clean_text(resolution, "reason for keeping the comment", REASON_MAX)
    report.resolved_at = now()
    report.resolved_by = moderator
    report.save(update_fields=["resolution", "resolved_at", "resolved_by"])
    record(
        actor=actor,
        action=AuditAction.DISMISS_REPORT,
        subject_type="comment",
        subject_id=report.comment_id,
        scope=meeting.scope_name[:120],
        detail={"report": report.pk, "resolution": report.resolution},
    )
    return report
