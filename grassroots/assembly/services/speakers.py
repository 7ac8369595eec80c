"""The speakers' list: attendees ask to speak (in the room or online), the chair calls the next
speaker (in the order the standing orders give), and ends each speech; the time allowed is the
standing orders' at the moment the speaker is called."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.assembly import queries
from grassroots.assembly.models import Gender, Side, SpeakerRequest, SpeakerStatus
from grassroots.assembly.services.common import (
    AssemblyError,
    acting_member,
    audit,
    require_chair,
    require_in_session,
)
from grassroots.audit.actions import AuditAction
from grassroots.meetings.models import Meeting, Motion


@transaction.atomic(durable=True)
def ask_to_speak(
    *,
    actor: User,
    meeting: Meeting,
    side: str = Side.NEITHER,
    gender: str = "",
    motion: Motion | None = None,
) -> SpeakerRequest:
    member = acting_member(actor)
    require_in_session(meeting)
    attendance = queries.attendance_of(meeting, member)
    if attendance is None:
        raise AssemblyError(gettext("Sign in as present (in the room or online) to ask to speak."))
    if side not in Side.values:
        raise AssemblyError(gettext("Say whether you speak for, against or neither."))
    if gender not in Gender.values:
        raise AssemblyError(gettext("Choose one of the answers, or rather not say."))
    if motion is not None and motion.meeting_id != meeting.pk:
        raise AssemblyError(gettext("That motion is not on this meeting's agenda."))
    try:
        with transaction.atomic():
            return SpeakerRequest.objects.create(
                meeting=meeting,
                member=member,
                motion=motion,
                side=side,
                gender=gender,
                presence=attendance.presence,
                asked_at=clock.now(),
                seconds_allowed=queries.standing_orders(meeting).speaking_seconds,
            )
    except IntegrityError:
        raise AssemblyError(gettext("You are already on the speakers' list.")) from None


@transaction.atomic(durable=True)
def withdraw_request(*, actor: User, meeting: Meeting) -> None:
    member = acting_member(actor)
    found = SpeakerRequest.objects.filter(
        meeting=meeting, member=member, status=SpeakerStatus.WAITING
    ).update(status=SpeakerStatus.WITHDRAWN)
    if not found:
        raise AssemblyError(gettext("You are not waiting to speak."))


def _end_current(meeting: Meeting) -> SpeakerRequest | None:
    current = (
        SpeakerRequest.objects.select_for_update()
        .filter(meeting=meeting, status=SpeakerStatus.SPEAKING)
        .first()
    )
    if current is not None:
        current.status = SpeakerStatus.DONE
        current.ended_at = clock.now()
        current.save(update_fields=["status", "ended_at"])
    return current


@transaction.atomic(durable=True)
def call_next_speaker(*, actor: User, meeting: Meeting) -> SpeakerRequest:
    """End the speech under way (if any) and call the next speaker in the list's order."""
    require_chair(actor, meeting)
    require_in_session(meeting)
    # One chair's click at a time: the list's order depends on who spoke last.
    SpeakerRequest.objects.select_for_update().filter(meeting=meeting).exists()
    ended = _end_current(meeting)
    queue = queries.speakers_queue(meeting)
    if not queue:
        if ended is not None:
            audit(actor, AuditAction.ASSEMBLY_END_SPEECH, meeting, speaker=ended.pk)
            return ended
        raise AssemblyError(gettext("Nobody is waiting to speak."))
    chosen = queue[0]
    chosen.status = SpeakerStatus.SPEAKING
    chosen.started_at = clock.now()
    chosen.seconds_allowed = queries.standing_orders(meeting).speaking_seconds
    chosen.save(update_fields=["status", "started_at", "seconds_allowed"])
    audit(actor, AuditAction.ASSEMBLY_CALL_SPEAKER, meeting, speaker=chosen.pk)
    return chosen


@transaction.atomic(durable=True)
def end_speech(*, actor: User, meeting: Meeting) -> SpeakerRequest:
    require_chair(actor, meeting)
    ended = _end_current(meeting)
    if ended is None:
        raise AssemblyError(gettext("Nobody is speaking."))
    audit(actor, AuditAction.ASSEMBLY_END_SPEECH, meeting, speaker=ended.pk)
    return ended
