"""What every meetings use case shares: the error it raises for bad input, the limits on text, the
audit row, the permission checks on the actor and the row locks.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext

from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record
from grassroots.meetings import queries
from grassroots.meetings.models import Amendment, Comment, Meeting, Minutes, Motion
from grassroots.organisation.permissions import Capability, may
from grassroots.people.models import Member
from grassroots.people.queries import own_member

TITLE_MAX = 200
TEXT_MAX = 20_000
COMMENT_MAX = 5_000
REASON_MAX = 2_000


class MeetingError(Exception):
    """Bad input or the wrong moment; the message says which, for the page."""


def audit(
    actor: User | None,
    action: AuditAction,
    subject: Meeting | Motion | Amendment | Comment | Minutes,
    **detail: Any,
) -> None:
    kind = type(subject).__name__.lower()
    meeting = subject if isinstance(subject, Meeting) else None
    if meeting is None:
        meeting = getattr(subject, "meeting", None)
    if meeting is None and isinstance(subject, Amendment | Comment) and subject.motion:
        meeting = subject.motion.meeting
    record(
        actor=actor,
        action=action,
        subject_type=kind,
        subject_id=subject.pk,
        scope=meeting.scope_name[:120] if meeting is not None else "",
        detail=detail,
    )


def acting_member(actor: User) -> Member:
    member = own_member(actor)
    if member is None:
        raise PermissionDenied(gettext("Only members can do this."))
    return member


def require_run(actor: User, meeting: Meeting) -> Member:
    if not may(actor, Capability.RUN_MEETINGS, meeting):
        raise PermissionDenied(
            gettext("Only the officers who run this body's meetings can do this.")
        )
    return acting_member(actor)


def require_chair(actor: User, meeting: Meeting) -> Member:
    if not may(actor, Capability.CHAIR_MEETING, meeting):
        raise PermissionDenied(gettext("Only the chair of this body's meetings can do this."))
    return acting_member(actor)


def require_in_scope(actor: User, meeting: Meeting, what: str) -> Member:
    member = acting_member(actor)
    if not queries.is_in_scope(member, meeting):
        raise PermissionDenied(
            gettext("Only members of %(scope_name)s can %(what)s.")
            % {"scope_name": meeting.scope_name, "what": what}
        )
    return member


def clean_text(value: str, label: str, maximum: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise MeetingError(gettext("Write the %(label)s.") % {"label": label})
    if len(value) > maximum:
        raise MeetingError(
            gettext("The %(label)s is too long: at most %(maximum)s characters.")
            % {"label": label, "maximum": f"{maximum:,}"}
        )
    return value


def locked_meeting(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("group", "area", "region")
        .get(pk=meeting.pk)
    )


def locked_motion(motion: Motion) -> Motion:
    locked = Motion.objects.select_for_update().get(pk=motion.pk)
    locked.meeting = motion.meeting
    return locked


def quorum_override_reason(meeting: Meeting, override: str, what: str) -> str:
    """The chair's reason for going on although the meeting is not quorate ("" when it is).

    Not quorate and no reason: refused, with the numbers, so the chair can wait for more to
    sign in or record why the meeting goes on (the reason is kept and shown in the minutes)."""
    override = clean_text(
        override, gettext("reason for going on without a quorum"), REASON_MAX, required=False
    )
    check = queries.quorum(meeting)
    if check.is_quorate:
        return ""
    if not override:
        raise MeetingError(
            gettext(
                "The meeting is not quorate (%(present)s signed in, %(required)s "
                "needed): %(what)s unless the chair overrides the quorum and gives a "
                "reason, which the minutes will show."
            )
            % {"present": check.present, "required": check.required, "what": what}
        )
    return override
