"""Decisions at the meeting: outcomes of amendments and motions recorded by the chair, a motion
sent to a ballot, and the ballot's result written back (the handler ballots calls).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.ballots.models import Ballot
from grassroots.ballots.results import yes_no_result
from grassroots.meetings import queries
from grassroots.meetings.models import (
    Amendment,
    AmendmentStatus,
    BallotResult,
    BallotResultChoice,
    Majority,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesRevision,
    MinutesStatus,
    Motion,
    MotionStatus,
    Outcome,
    OutcomeResult,
)
from grassroots.meetings.services.amendments import apply_to_motion
from grassroots.meetings.services.common import (
    REASON_MAX,
    MeetingError,
    audit,
    clean_text,
    locked_motion,
    quorum_override_reason,
    require_chair,
)
from grassroots.tally.declared import contradiction


def _counts(
    result: str,
    majority: str,
    votes_for: int | None,
    votes_against: int | None,
    votes_abstain: int | None,
) -> None:
    for value in (votes_for, votes_against, votes_abstain):
        if value is not None and value < 0:
            raise MeetingError(gettext("Votes cannot be negative."))
    if majority not in Majority.values:
        raise MeetingError(
            gettext("Say whether the decision needed a simple or a two-thirds majority.")
        )
    if result in (OutcomeResult.CARRIED, OutcomeResult.FALLEN):
        problem = contradiction(
            carried=result == OutcomeResult.CARRIED,
            votes_for=votes_for,
            votes_against=votes_against,
            threshold=majority,
        )
        if problem:
            raise MeetingError(
                gettext("%(problem)s Nothing has been recorded.") % {"problem": problem}
            )


def _quorum(meeting: Meeting, result: str, override: str) -> str:
    """A withdrawal needs no quorum (nobody decides it); every other outcome does."""
    if result == OutcomeResult.WITHDRAWN:
        return ""
    return quorum_override_reason(meeting, override, gettext("an outcome cannot be recorded"))


def _require_meeting_started(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise MeetingError(gettext("The meeting was cancelled."))
    if not queries.has_started(meeting):
        raise MeetingError(gettext("Outcomes are recorded at the meeting, once it has started."))
    if Minutes.objects.filter(meeting=meeting).exclude(status=MinutesStatus.DRAFT).exists():
        raise MeetingError(
            gettext("The minutes are approved: the record of this meeting is closed.")
        )


@transaction.atomic(durable=True)
def record_amendment_outcome(
    *,
    actor: User,
    amendment: Amendment,
    result: str,
    votes_for: int | None = None,
    votes_against: int | None = None,
    votes_abstain: int | None = None,
    note: str = "",
    majority: str = Majority.SIMPLE,
    quorum_override: str = "",
) -> Outcome:
    """The chair records what the meeting decided on an amendment; a carried amendment changes
    the motion's text."""
    meeting = amendment.motion.meeting
    chair = require_chair(actor, meeting)
    _require_meeting_started(meeting)
    motion = locked_motion(amendment.motion)
    if motion.is_closed:
        raise MeetingError(gettext("The motion has been decided: its amendments can no longer be."))
    amendment = Amendment.objects.select_for_update().get(pk=amendment.pk)
    if amendment.status != AmendmentStatus.PROPOSED:
        raise MeetingError(
            gettext("This amendment is already %(status)s.")
            % {"status": amendment.get_status_display().lower()}
        )
    if result not in (
        OutcomeResult.CARRIED,
        OutcomeResult.FALLEN,
        OutcomeResult.REMITTED,
        OutcomeResult.WITHDRAWN,
    ):
        raise MeetingError(gettext("Choose carried, fallen, remitted or withdrawn."))
    _counts(result, majority, votes_for, votes_against, votes_abstain)
    override = _quorum(meeting, result, quorum_override)
    if result == OutcomeResult.CARRIED:
        apply_to_motion(motion, amendment, f"Amendment {amendment.number} carried")
    amendment.status = str(result)
    amendment.save(update_fields=["status"])
    outcome = Outcome.objects.create(
        meeting=meeting,
        amendment=amendment,
        result=result,
        votes_for=votes_for,
        votes_against=votes_against,
        votes_abstain=votes_abstain,
        note=clean_text(note, gettext("note"), REASON_MAX, required=False),
        majority=majority,
        quorum_override=override,
        recorded_by=chair,
        recorded_at=clock.now(),
    )
    amendment.motion = motion
    audit(
        actor,
        AuditAction.RECORD_AMENDMENT_OUTCOME,
        amendment,
        result=result,
        votes=[votes_for, votes_against, votes_abstain],
        quorum_override=override,
    )
    return outcome


def _require_decidable(motion: Motion) -> None:
    if motion.is_closed:
        raise MeetingError(
            gettext("This motion is already %(status)s.")
            % {"status": motion.get_status_display().lower()}
        )
    if motion.status == MotionStatus.AWAITING_SECONDER:
        raise MeetingError(gettext("An unseconded motion cannot be put to the meeting."))
    pending = queries.open_amendments(motion).count()
    if pending:
        message = (
            gettext(
                "Record the outcome of the %(pending)s outstanding amendment first: "
                "amendments are decided before the motion."
            )
            if pending == 1
            else gettext(
                "Record the outcome of the %(pending)s outstanding amendments first: "
                "amendments are decided before the motion."
            )
        )
        raise MeetingError(message % {"pending": pending})


@transaction.atomic(durable=True)
def record_motion_outcome(
    *,
    actor: User,
    motion: Motion,
    result: str,
    votes_for: int | None = None,
    votes_against: int | None = None,
    votes_abstain: int | None = None,
    note: str = "",
    majority: str = Majority.SIMPLE,
    quorum_override: str = "",
) -> Outcome:
    meeting = motion.meeting
    chair = require_chair(actor, meeting)
    _require_meeting_started(meeting)
    motion = locked_motion(motion)
    if result not in (
        OutcomeResult.CARRIED,
        OutcomeResult.FALLEN,
        OutcomeResult.REMITTED,
        OutcomeResult.WITHDRAWN,
    ):
        raise MeetingError(
            gettext(
                "Choose carried, fallen, remitted or withdrawn (or send it to a ballot of members)."
            )
        )
    if result != OutcomeResult.WITHDRAWN:
        _require_decidable(motion)
    elif motion.is_closed:
        raise MeetingError(
            gettext("This motion is already %(status)s.")
            % {"status": motion.get_status_display().lower()}
        )
    _counts(result, majority, votes_for, votes_against, votes_abstain)
    override = _quorum(meeting, result, quorum_override)
    moment = clock.now()
    motion.status = str(result)
    motion.debate_closed_at = motion.debate_closed_at or moment
    motion.save(update_fields=["status", "debate_closed_at"])
    if result == OutcomeResult.WITHDRAWN:
        # Amendments to a withdrawn motion fall with it.
        motion.amendments.filter(status=AmendmentStatus.PROPOSED).update(
            status=AmendmentStatus.FALLEN
        )
    outcome = Outcome.objects.create(
        meeting=meeting,
        motion=motion,
        result=result,
        votes_for=votes_for,
        votes_against=votes_against,
        votes_abstain=votes_abstain,
        note=clean_text(note, gettext("note"), REASON_MAX, required=False),
        majority=majority,
        quorum_override=override,
        recorded_by=chair,
        recorded_at=moment,
    )
    audit(
        actor,
        AuditAction.RECORD_MOTION_OUTCOME,
        motion,
        result=result,
        votes=[votes_for, votes_against, votes_abstain],
        quorum_override=override,
    )
    return outcome


def send_motion_to_ballot(
    *,
    actor: User,
    motion: Motion,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    quorum_override: str = "",
) -> Outcome:
    """The chair sends the motion to a yes/no ballot of the body's members.

    Sending a motion to a ballot is a decision of the meeting, so it needs a quorum as an
    outcome does: while not quorate it is refused unless the chair gives a reason, kept on the
    outcome and shown in the minutes.

    This creates a *draft* ballot through ``grassroots.ballots.services`` (the chair becomes its
    returning officer, who then sets up tellers and opens it on the ballots pages, as for any
    ballot). The ballot services run in transactions of their own, so every check is made
    first; the motion is marked sent (with the ballot) only once the ballot exists.
    """
    from grassroots.ballots.models import QuestionKind
    from grassroots.ballots.services.errors import BallotError
    from grassroots.ballots.services.setup import add_question, create_ballot

    meeting = motion.meeting
    chair = require_chair(actor, meeting)
    _require_meeting_started(meeting)
    _require_decidable(motion)
    if closes_at <= opens_at:
        raise MeetingError(gettext("The ballot must close after it opens."))
    if opens_at <= clock.now():
        raise MeetingError(gettext("The ballot must open in the future."))
    override = quorum_override_reason(
        meeting, quorum_override, gettext("a motion cannot be sent to a ballot")
    )
    try:
        ballot = create_ballot(
            actor=actor,
            title=(
                gettext("%(body)s: motion %(number)s, %(title)s")
                % {"body": meeting.scope_name, "number": motion.number, "title": motion.title}
            )[:200],
            description=motion.text,
            level=meeting.level,
            scope=meeting.group or meeting.area or meeting.region,  # ballots: None is the nation
            opens_at=opens_at,
            closes_at=closes_at,
        )
        add_question(
            actor=actor,
            ballot=ballot,
            title=(
                gettext("Should %(body)s adopt motion %(number)s, %(title)s?")
                % {"body": meeting.scope_name, "number": motion.number, "title": motion.title}
            )[:200],
            kind=QuestionKind.YESNO,
        )
    except PermissionDenied:
        raise
    except BallotError as error:
        raise MeetingError(str(error)) from error
    with transaction.atomic(durable=True):
        motion = locked_motion(motion)
        _require_decidable(motion)
        moment = clock.now()
        motion.status = MotionStatus.SENT_TO_BALLOT
        motion.ballot = ballot
        motion.debate_closed_at = motion.debate_closed_at or moment
        motion.save(update_fields=["status", "ballot", "debate_closed_at"])
        outcome = Outcome.objects.create(
            meeting=meeting,
            motion=motion,
            result=OutcomeResult.SENT_TO_BALLOT,
            note=f"Sent to a ballot of members ({ballot.election_id})",
            quorum_override=override,
            recorded_by=chair,
            recorded_at=moment,
        )
        audit(
            actor,
            AuditAction.SEND_MOTION_TO_BALLOT,
            motion,
            ballot=ballot.pk,
            quorum_override=override,
        )
    return outcome


@transaction.atomic
def record_ballot_result(ballot: Ballot) -> BallotResult | None:
    """Write a published ballot's result back to the motion that was sent to it.

    Registered with ``grassroots.ballots.results`` (apps.py) and called inside the ballot's
    publishing transaction, with the ballot locked; no person acts, the returning officer's
    publication does. Nothing happens for a ballot no motion was sent to, or a second time.
    The motion is carried or fallen as if the meeting had decided it, so a carried motion can
    be forwarded; the draft minutes get the result, approved minutes an addendum.
    """
    motion = (
        Motion.objects.select_for_update(of=("self",))
        .select_related("meeting")
        .filter(ballot=ballot, status=MotionStatus.SENT_TO_BALLOT)
        .first()
    )
    if motion is None or BallotResult.objects.filter(motion=motion).exists():
        return None
    result = yes_no_result(ballot)
    moment = clock.now()
    minutes = Minutes.objects.select_for_update().filter(meeting=motion.meeting).first()
    found = BallotResult.objects.create(
        motion=motion,
        ballot=ballot,
        result=BallotResultChoice.CARRIED if result.is_carried else BallotResultChoice.FALLEN,
        votes_yes=result.votes_yes,
        votes_no=result.votes_no,
        votes_abstain=result.votes_abstain,
        election_id=result.election_id,
        published_at=result.published_at,
        recorded_at=moment,
        is_addendum=minutes is not None and minutes.status != MinutesStatus.DRAFT,
    )
    motion.status = MotionStatus.CARRIED if result.is_carried else MotionStatus.FALLEN
    motion.save(update_fields=["status"])
    if minutes is not None and minutes.status == MinutesStatus.DRAFT:
        minutes.text = f"{minutes.text.rstrip()}\n\n{ballot_result_text(motion, found)}\n"
        minutes.updated_at = moment
        minutes.updated_by = None
        minutes.save(update_fields=["text", "updated_at", "updated_by"])
        MinutesRevision.objects.create(
            minutes=minutes, text=minutes.text, written_at=moment, written_by=None
        )
    audit(
        None,
        AuditAction.RECORD_BALLOT_RESULT,
        motion,
        ballot=ballot.election_id,
        result=found.result,
        votes=[found.votes_yes, found.votes_no, found.votes_abstain],
        addendum=found.is_addendum,
    )
    return found


def ballot_result_text(motion: Motion, found: BallotResult) -> str:
    from django.urls import reverse

    return (
        f"Motion {motion.number}: {motion.title}. {found.summary}: "
        f"{reverse('ballot_results', args=[found.ballot_id])}"
    )
