"""Minutes: the draft written from the record, edits, approval at a later meeting, publication."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.meetings import queries
from grassroots.meetings.extensions import minutes_sections
from grassroots.meetings.models import (
    Attendance,
    BallotResult,
    Majority,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesRevision,
    MinutesStatus,
    Motion,
    MotionStatus,
    Outcome,
    Presence,
)
from grassroots.meetings.services.common import (
    MeetingError,
    audit,
    clean_text,
    locked_meeting,
    require_run,
)
from grassroots.meetings.services.decisions import ballot_result_text


def draft_text(meeting: Meeting) -> str:
    """The first draft of the minutes, from what was recorded: who was there, the agenda and
    each motion's and amendment's outcome with the votes. Written in the movement's language
    whoever drafts it: the minutes are a record, kept as written, and the choice labels they
    quote (a motion's status, a vote's method) would otherwise follow the drafter's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return _draft_text(meeting)


def _draft_text(meeting: Meeting) -> str:
    from django.utils import timezone

    check = queries.quorum(meeting)
    lines = [
        f"Minutes of {meeting.title}",
        f"{meeting.scope_name}, {timezone.localtime(meeting.starts_at):%A %d %B %Y, %H:%M}",
        "",
        f"Present: {check.present} members{_online(meeting)} (quorum {check.required}: "
        f"{'quorate' if check.is_quorate else 'NOT quorate'}).",
        "",
    ]
    for item in meeting.agenda_items.all():
        lines.append(f"{item.position}. {item.title}")
    lines.append("")
    motions = (
        Motion.objects.filter(meeting=meeting)
        .exclude(status=MotionStatus.AWAITING_SECONDER)
        .select_related("proposer", "seconder")
        .prefetch_related("amendments__proposer")
    )
    outcomes = {(o.motion_id, o.amendment_id): o for o in Outcome.objects.filter(meeting=meeting)}
    results = {r.motion_id: r for r in BallotResult.objects.filter(motion__meeting=meeting)}
    for motion in motions:
        lines.append(f"Motion {motion.number}: {motion.title}")
        lines.append(
            f"Proposed by {motion.proposer.first_name} {motion.proposer.last_name}, seconded by "
            f"{motion.seconder.first_name} {motion.seconder.last_name}."
        )
        if motion.status == MotionStatus.OUT_OF_ORDER:
            lines.append(f"Ruled out of order: {motion.ruling_reason}")
        for amendment in motion.amendments.all():
            outcome = outcomes.get((None, amendment.pk))
            lines.append(
                f"  Amendment {amendment.number} ({amendment.get_kind_display().lower()} "
                f"{amendment.paragraph}), moved by {amendment.proposer.first_name} "
                f"{amendment.proposer.last_name}: "
                f"{_outcome_text(outcome, amendment.get_status_display())}"
            )
        ballot_result = results.get(motion.pk)
        decided = _outcome_text(
            outcomes.get((motion.pk, None)),
            "Sent to a ballot of members" if ballot_result else motion.get_status_display(),
        )
        lines.append(f"Outcome: {decided}")
        if ballot_result is not None:
            lines.append(ballot_result_text(motion, ballot_result))
        if motion.text != motion.original_text and motion.status == MotionStatus.CARRIED:
            lines.append("Text as carried:")
            lines.append(motion.text)
        lines.append("")
    lines.extend(minutes_sections(meeting))
    return "\n".join(lines).strip() + "\n"


def _online(meeting: Meeting) -> str:
    online = Attendance.objects.filter(meeting=meeting, presence=Presence.ONLINE).count()
    return f", {online} of them online" if online else ""


def _outcome_text(outcome: Outcome | None, status: str) -> str:
    if outcome is None:
        return status.lower()
    text = outcome.get_result_display().lower()
    votes = [outcome.votes_for, outcome.votes_against, outcome.votes_abstain]
    if any(v is not None for v in votes):
        f, a, ab = (v if v is not None else 0 for v in votes)
        text += f" ({f} for, {a} against, {ab} abstaining)"
    if outcome.majority != Majority.SIMPLE:
        text += f", {outcome.get_majority_display().lower()} needed"
    if outcome.quorum_override:
        text += (
            ". Recorded while the meeting was not quorate: the chair overrode the quorum "
            f"because {outcome.quorum_override}"
        )
    if outcome.note:
        text += f". {outcome.note}"
    return text


@transaction.atomic(durable=True)
def draft_minutes(*, actor: User, meeting: Meeting) -> Minutes:
    secretary = require_run(actor, meeting)
    meeting = locked_meeting(meeting)
    if not queries.has_started(meeting) or meeting.status == MeetingStatus.CANCELLED:
        raise MeetingError(gettext("Minutes are drafted once the meeting has taken place."))
    if Minutes.objects.filter(meeting=meeting).exists():
        raise MeetingError(gettext("The minutes have already been drafted; edit them instead."))
    moment = clock.now()
    text = draft_text(meeting)
    minutes = Minutes.objects.create(
        meeting=meeting, text=text, drafted_at=moment, updated_at=moment, updated_by=secretary
    )
    MinutesRevision.objects.create(
        minutes=minutes, text=text, written_at=moment, written_by=secretary
    )
    if meeting.status == MeetingStatus.SCHEDULED:
        meeting.status = MeetingStatus.HELD
        meeting.save(update_fields=["status"])
    audit(actor, AuditAction.DRAFT_MINUTES, minutes)
    return minutes


@transaction.atomic(durable=True)
def edit_minutes(*, actor: User, minutes: Minutes, text: str) -> Minutes:
    secretary = require_run(actor, minutes.meeting)
    minutes = Minutes.objects.select_for_update().get(pk=minutes.pk)
    if minutes.status != MinutesStatus.DRAFT:
        raise MeetingError(gettext("Approved minutes cannot be edited."))
    text = clean_text(text, gettext("minutes"), 100_000)
    if text == minutes.text.strip():
        raise MeetingError(gettext("The minutes are unchanged."))
    moment = clock.now()
    minutes.text = text
    minutes.updated_at = moment
    minutes.updated_by = secretary
    minutes.save(update_fields=["text", "updated_at", "updated_by"])
    MinutesRevision.objects.create(
        minutes=minutes, text=text, written_at=moment, written_by=secretary
    )
    audit(actor, AuditAction.EDIT_MINUTES, minutes)
    return minutes


@transaction.atomic(durable=True)
def approve_minutes(*, actor: User, minutes: Minutes, at_meeting: Meeting) -> Minutes:
    """Record that a later meeting of the same body approved the minutes as a true record."""
    meeting = minutes.meeting
    require_run(actor, meeting)
    minutes = Minutes.objects.select_for_update().get(pk=minutes.pk)
    if minutes.status != MinutesStatus.DRAFT:
        raise MeetingError(gettext("These minutes have already been approved."))
    if not queries.later_meetings_of_body(meeting).filter(pk=at_meeting.pk).exists():
        raise MeetingError(
            gettext("Minutes are approved at a later meeting of the same body: choose one.")
        )
    if not queries.has_started(at_meeting):
        raise MeetingError(
            gettext("The minutes are approved at that meeting, once it has started.")
        )
    minutes.status = MinutesStatus.APPROVED
    minutes.approved_at_meeting = at_meeting
    minutes.approved_at = clock.now()
    minutes.save(update_fields=["status", "approved_at_meeting", "approved_at"])
    audit(actor, AuditAction.APPROVE_MINUTES, minutes, at_meeting=at_meeting.pk)
    return minutes


@transaction.atomic(durable=True)
def publish_minutes(*, actor: User, minutes: Minutes) -> Minutes:
    require_run(actor, minutes.meeting)
    minutes = Minutes.objects.select_for_update().get(pk=minutes.pk)
    if minutes.status != MinutesStatus.APPROVED:
        raise MeetingError(gettext("Minutes are published once a later meeting has approved them."))
    minutes.status = MinutesStatus.PUBLISHED
    minutes.published_at = clock.now()
    minutes.save(update_fields=["status", "published_at"])
    audit(actor, AuditAction.PUBLISH_MINUTES, minutes)
    return minutes
