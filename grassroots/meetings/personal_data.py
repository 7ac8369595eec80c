"""What meetings holds about a member or a login, for erasure.

Registered with people from ``MeetingsConfig.ready`` (people sits below meetings:
docs/decisions.md); its rows are in the subject-access export through ``other_records``,
row by row, and docs/data-protection.md has these rules in prose.
"""

from __future__ import annotations

from grassroots.meetings.models import Comment, CommentRevision
from grassroots.people.erasure_rules import (
    BODY_RECORD,
    OFFICER_ACT,
    Action,
    Erasure,
    Rule,
    delete_rows,
)

REMOVED_COMMENT = "(Removed: the author's record was erased.)"


def _remove_comments_words(erasure: Erasure) -> None:
    comments = Comment.objects.filter(author=erasure.member)
    CommentRevision.objects.filter(comment__in=comments).delete()
    comments.update(body=REMOVED_COMMENT, edited_at=None)


ERASURE_RULES: dict[str, Rule] = {
    "meetings.meeting.created_by": Rule(Action.KEEP, "kept", OFFICER_ACT),
    "meetings.rsvp.member": Rule(
        Action.DELETE,
        "deleted (a future event's place is freed)",
        "an RSVP records nothing the body decided",
        delete_rows("meetings.rsvp", "member"),
    ),
    "meetings.attendance.member": Rule(
        Action.KEEP,
        "kept, pointing at the pseudonymised row",
        "attendance makes the meeting quorate; its decisions rest on the count",
    ),
    "meetings.attendance.signed_in_by": Rule(Action.KEEP, "kept", OFFICER_ACT),
    "meetings.motion.proposer": Rule(Action.KEEP, "kept, text included", BODY_RECORD),
    "meetings.motion.seconder": Rule(Action.KEEP, "kept", BODY_RECORD),
    "meetings.motion.ruled_by": Rule(Action.KEEP, "kept, ruling reason included", OFFICER_ACT),
    "meetings.amendment.proposer": Rule(Action.KEEP, "kept, text included", BODY_RECORD),
    "meetings.amendment.ruled_by": Rule(Action.KEEP, "kept, ruling reason included", OFFICER_ACT),
    "meetings.comment.author": Rule(
        Action.ANONYMISE,
        f"kept in its thread (replies stay in place), author 'Erased member'; its text becomes "
        f'"{REMOVED_COMMENT}" and its edit history is deleted',
        "a comment is the person's own opinion, not a decision of the body; the debate's "
        "result is on the motion, or on the proposal whose discussion it is in",
        _remove_comments_words,
    ),
    "meetings.comment.moderated_by": Rule(
        Action.KEEP, "kept, moderation reason included", OFFICER_ACT
    ),
    "meetings.commentreport.reporter": Rule(
        Action.DELETE,
        "the member's reports of comments are deleted",
        "a report is the reporter's own complaint; a moderator's action stays on the comment",
        delete_rows("meetings.commentreport", "reporter"),
    ),
    "meetings.commentreport.resolved_by": Rule(Action.KEEP, "kept", OFFICER_ACT),
    "meetings.outcome.recorded_by": Rule(Action.KEEP, "kept", OFFICER_ACT),
    "meetings.quorumrulechange.changed_by": Rule(Action.KEEP, "kept, reason included", OFFICER_ACT),
    "meetings.minutes.updated_by": Rule(Action.KEEP, "kept", OFFICER_ACT),
    "meetings.minutesrevision.written_by": Rule(Action.KEEP, "kept", OFFICER_ACT),
}
