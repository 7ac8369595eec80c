"""What the session's use cases share: the error, the audit row, the actor checks and the one
database-specific lock (a cast shares the vote's row lock; the close takes it whole)."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.utils.translation import gettext

from grassroots.accounts.models import User
from grassroots.assembly.models import LiveVote
from grassroots.assembly.queries import in_session_kind
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record
from grassroots.meetings import queries as meetings
from grassroots.meetings.models import Meeting, MeetingStatus

# Who may act on a meeting is decided once, in meetings; the meeting in session re-exports it.
from grassroots.meetings.services.common import acting_member as acting_member
from grassroots.meetings.services.common import require_chair as require_chair
from grassroots.meetings.services.common import require_run as require_run
from grassroots.people.models import Member


class AssemblyError(Exception):
    """Bad input or the wrong moment; the message says which, for the page."""


def audit(actor: User | None, action: AuditAction, meeting: Meeting, **detail: Any) -> None:
    record(
        actor=actor,
        action=action,
        subject_type="meeting",
        subject_id=meeting.pk,
        scope=meeting.scope_name[:120],
        detail=detail,
    )


def require_in_session(meeting: Meeting) -> None:
    """The meeting is under way: started, not ended, not cancelled, and takes motions."""
    if not in_session_kind(meeting) or meeting.status != MeetingStatus.SCHEDULED:
        raise AssemblyError(gettext("This meeting is not in session."))
    if not meetings.has_started(meeting):
        raise AssemblyError(gettext("The meeting has not started yet."))
    if not meetings.sign_in_open(meeting):
        raise AssemblyError(gettext("The meeting has ended."))


def member_by_number(meeting: Meeting, number: str) -> Member:
    member = Member.objects.filter(membership_number=(number or "").strip().upper()).first()
    if member is None or not meetings.is_in_scope(member, meeting):
        raise AssemblyError(
            gettext(
                "No member of %(scope_name)s in good standing has membership number %(number)s."
            )
            % {"scope_name": meeting.scope_name, "number": repr((number or "").strip())}
        )
    return member


def share_vote_lock(vote_id: int) -> LiveVote | None:
    """The vote, locked FOR SHARE on PostgreSQL: casts do not wait for one another, and the
    close (FOR UPDATE) waits for casts under way and they for it, so no paper is stored after
    the count. SQLite runs one writing transaction at a time, which holds the same."""
    if connection.vendor != "postgresql":
        return LiveVote.objects.filter(pk=vote_id).first()
    # The table's name is the model's own, not input; the id is a bound parameter.
    sql = f"SELECT * FROM {LiveVote._meta.db_table} WHERE id = %s FOR SHARE"  # noqa: S608  # nosec B608
    found = list(LiveVote.objects.raw(sql, [vote_id]))
    return found[0] if found else None
