"""RSVPs before a meeting and signing in at it (by the member, or by an officer for them)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.meetings import queries
from grassroots.meetings.models import (
    Attendance,
    Meeting,
    MeetingFormat,
    MeetingStatus,
    Presence,
    Rsvp,
    RsvpResponse,
    SignInMethod,
)
from grassroots.meetings.services.common import (
    MeetingError,
    acting_member,
    audit,
    locked_meeting,
    require_in_scope,
    require_run,
)
from grassroots.people.models import Member


@transaction.atomic(durable=True)
def rsvp(*, actor: User, meeting: Meeting, response: str) -> Rsvp:
    """Reply to an invitation. Places are taken under a lock on the meeting, so two members
    cannot both take the last one."""
    member = acting_member(actor)
    if not queries.is_in_scope(member, meeting, queries.SEE_STATUSES):
        raise PermissionDenied(
            gettext("Only members of %(scope_name)s can reply.")
            % {"scope_name": meeting.scope_name}
        )
    if response not in RsvpResponse.values:
        raise MeetingError(gettext("Say whether you are going."))
    meeting = locked_meeting(meeting)
    if meeting.status != MeetingStatus.SCHEDULED or meeting.ends_at <= clock.now():
        raise MeetingError(gettext("Replies are closed: the meeting is over or cancelled."))
    existing = Rsvp.objects.filter(meeting=meeting, member=member).first()
    if (
        response == RsvpResponse.GOING
        and meeting.capacity is not None
        and (existing is None or existing.response != RsvpResponse.GOING)
    ):
        going = Rsvp.objects.filter(meeting=meeting, response=RsvpResponse.GOING).count()
        if going >= meeting.capacity:
            raise MeetingError(
                gettext(
                    "Sorry, it is full: all %(capacity)s places are taken. Your reply has "
                    "not been recorded."
                )
                % {"capacity": meeting.capacity}
            )
    reply, _ = Rsvp.objects.update_or_create(
        meeting=meeting, member=member, defaults={"response": response, "responded_at": clock.now()}
    )
    audit(actor, AuditAction.RSVP, meeting, response=response)
    return reply


def _presence(meeting: Meeting, presence: str) -> str:
    if presence not in Presence.values:
        raise MeetingError(gettext("Say whether they are in the room or online."))
    if presence == Presence.ONLINE and meeting.format == MeetingFormat.IN_PERSON:
        raise MeetingError(
            gettext("This meeting is held in person only: nobody attends it online.")
        )
    if presence == Presence.ROOM and meeting.format == MeetingFormat.ONLINE:
        raise MeetingError(gettext("This meeting is held online only: everyone attends it online."))
    return presence


def _sign_in(
    actor: User,
    meeting: Meeting,
    member: Member,
    by: Member,
    method: str,
    presence: str | None = None,
) -> Attendance:
    if presence is None:
        presence = Presence.ONLINE if meeting.format == MeetingFormat.ONLINE else Presence.ROOM
    presence = _presence(meeting, presence)
    if not queries.sign_in_open(meeting):
        raise MeetingError(
            gettext("Signing in opens an hour before the meeting starts and closes when it ends.")
        )
    if Attendance.objects.filter(meeting=meeting, member=member).exists():
        raise MeetingError(
            gettext("%(first_name)s %(last_name)s is already signed in.")
            % {"first_name": member.first_name, "last_name": member.last_name}
        )
    attendance = Attendance.objects.create(
        meeting=meeting,
        member=member,
        signed_in_at=clock.now(),
        signed_in_by=by,
        method=method,
        presence=presence,
    )
    audit(
        actor,
        AuditAction.SIGN_IN,
        meeting,
        member=member.membership_number,
        method=method,
        presence=presence,
    )
    return attendance


@transaction.atomic(durable=True)
def sign_in(*, actor: User, meeting: Meeting, presence: str | None = None) -> Attendance:
    """A member signs themselves in on the day, in the room or online (None: the meeting's
    own format says which)."""
    member = require_in_scope(actor, meeting, gettext("sign in to this meeting"))
    return _sign_in(actor, locked_meeting(meeting), member, member, SignInMethod.SELF, presence)


@transaction.atomic(durable=True)
def sign_in_member(
    *, actor: User, meeting: Meeting, membership_number: str, presence: str | None = None
) -> Attendance:
    """The secretary signs a member in on the night, by membership number."""
    officer = require_run(actor, meeting)
    meeting = locked_meeting(meeting)
    member = Member.objects.filter(membership_number=membership_number.strip().upper()).first()
    if member is None or not queries.is_in_scope(member, meeting):
        raise MeetingError(
            gettext(
                "No member of %(scope_name)s in good standing has membership number %(number)s."
            )
            % {"scope_name": meeting.scope_name, "number": repr(membership_number.strip())}
        )
    return _sign_in(actor, meeting, member, officer, SignInMethod.SECRETARY, presence)
