"""Live votes: the chair opens one, those present vote (for themselves, for whoever gave them a
proxy, or with a printed code), the chair closes it (or its time runs out) and the result is
counted at once. A motion's or amendment's result becomes its outcome in the meetings app.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
from collections.abc import Callable
from fractions import Fraction
from typing import Any, ParamSpec, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext, gettext_noop

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.assembly import queries
from grassroots.assembly.counting import YESNO_OPTIONS, Paper, count_live_vote, show
from grassroots.assembly.models import (
    LiveBallot,
    LiveVote,
    Proxy,
    UnsealedLiveBallot,
    VoteMark,
    VoteMethod,
    VoteSubject,
    VotingCode,
)
from grassroots.assembly.services import sealing
from grassroots.assembly.services.common import (
    AssemblyError,
    acting_member,
    audit,
    require_chair,
    require_in_session,
    share_vote_lock,
)
from grassroots.audit.actions import AuditAction
from grassroots.meetings import queries as meetings
from grassroots.meetings.models import (
    Amendment,
    AmendmentStatus,
    Majority,
    Meeting,
    Motion,
    MotionStatus,
)
from grassroots.meetings.services.common import MeetingError, quorum_override_reason
from grassroots.people.models import Member
from grassroots.rows import breaks_constraint

P = ParamSpec("P")
R = TypeVar("R")

MAX_OPTIONS = 50
MAX_MINUTES = 240


def _options(method: str, options: list[str]) -> list[str]:
    if method == VoteMethod.YESNO:
        return list(YESNO_OPTIONS)
    cleaned = [o.strip() for o in options if o.strip()]
    if len(cleaned) < 2:
        raise AssemblyError(gettext("Give at least two choices, one a line."))
    if len(cleaned) > MAX_OPTIONS:
        raise AssemblyError(
            gettext("At most %(max_options)s choices.") % {"max_options": MAX_OPTIONS}
        )
    if len({o.casefold() for o in cleaned}) != len(cleaned):
        raise AssemblyError(gettext("Each choice must differ from the others."))
    if any(len(o) > 200 for o in cleaned):
        raise AssemblyError(gettext("A choice is too long: at most 200 characters."))
    return cleaned


def _subject(
    meeting: Meeting, subject: str, motion: Motion | None, amendment: Amendment | None
) -> tuple[Motion | None, Amendment | None, str]:
    if subject == VoteSubject.AMENDMENT:
        if amendment is None or amendment.motion.meeting_id != meeting.pk:
            raise AssemblyError(gettext("Choose the amendment to vote on."))
        if amendment.status != AmendmentStatus.PROPOSED:
            raise AssemblyError(
                gettext("Amendment %(number)s is already %(status)s.")
                % {"number": amendment.number, "status": amendment.get_status_display().lower()}
            )
        motion = amendment.motion
        question = gettext("Amendment %(amendment)s to motion %(motion)s") % {
            "amendment": amendment.number,
            "motion": motion.number,
        }
        return motion, amendment, question
    if subject == VoteSubject.MOTION:
        if motion is None or motion.meeting_id != meeting.pk:
            raise AssemblyError(gettext("Choose the motion to vote on."))
        if motion.is_closed or motion.status == MotionStatus.AWAITING_SECONDER:
            raise AssemblyError(
                gettext("Motion %(number)s is %(status)s: it cannot be put to the vote.")
                % {"number": motion.number, "status": motion.get_status_display().lower()}
            )
        pending = meetings.open_amendments(motion).count()
        if pending:
            message = (
                gettext(
                    "Vote on the %(pending)s outstanding amendment first: "
                    "amendments are decided before the motion."
                )
                if pending == 1
                else gettext(
                    "Vote on the %(pending)s outstanding amendments first: "
                    "amendments are decided before the motion."
                )
            )
            raise AssemblyError(message % {"pending": pending})
        return motion, None, f"Motion {motion.number}: {motion.title}"
    if subject in (VoteSubject.PROCEDURAL, VoteSubject.ELECTION):
        return None, None, ""
    raise AssemblyError(gettext("Say what the vote is on."))


@transaction.atomic(durable=True)
def open_vote(
    *,
    actor: User,
    meeting: Meeting,
    subject: str,
    method: str = VoteMethod.YESNO,
    question: str = "",
    options: list[str] | None = None,
    motion: Motion | None = None,
    amendment: Amendment | None = None,
    minutes: int | None = None,
    seats: int = 1,
    majority: str = Majority.SIMPLE,
    quorum_override: str = "",
) -> LiveVote:
    """The chair puts a question to those present. Refused while another vote is open, and
    while the meeting is not quorate unless the chair gives a reason (kept for the minutes)."""
    chair = require_chair(actor, meeting)
    require_in_session(meeting)
    if method not in VoteMethod.values:
        raise AssemblyError(gettext("Choose how people vote."))
    if subject in (VoteSubject.MOTION, VoteSubject.AMENDMENT) and method != VoteMethod.YESNO:
        raise AssemblyError(
            gettext("A motion or an amendment is voted for, against or abstaining.")
        )
    if subject == VoteSubject.ELECTION and method == VoteMethod.YESNO:
        raise AssemblyError(
            gettext("An election is voted on candidates: choose one, approval or ranked.")
        )
    if majority not in Majority.values:
        raise AssemblyError(gettext("Say whether a simple or a two-thirds majority is needed."))
    motion, amendment, title = _subject(meeting, subject, motion, amendment)
    question = (question or "").strip() or title
    if not question:
        raise AssemblyError(gettext("Write the question."))
    if len(question) > 300:
        raise AssemblyError(gettext("The question is too long: at most 300 characters."))
    choices = _options(method, options or [])
    if not 1 <= seats < len(choices) and method != VoteMethod.YESNO:
        raise AssemblyError(
            gettext("The number to elect must be from 1 to %(most)s.") % {"most": len(choices) - 1}
        )
    if minutes is not None and not 1 <= minutes <= MAX_MINUTES:
        raise AssemblyError(
            gettext("Voting time is from 1 to %(max_minutes)s minutes, or none.")
            % {"max_minutes": MAX_MINUTES}
        )
    if queries.open_vote(meeting) is not None:
        raise AssemblyError(gettext("Another vote is open: close it first."))
    try:
        override = quorum_override_reason(meeting, quorum_override, gettext("a vote cannot open"))
    except MeetingError as error:
        raise AssemblyError(str(error)) from error
    orders = queries.standing_orders(meeting)
    moment = clock.now()
    try:
        with transaction.atomic():
            vote = LiveVote.objects.create(
                meeting=meeting,
                subject=subject,
                method=method,
                motion=motion,
                amendment=amendment,
                question=question,
                options=choices,
                seats=seats if method != VoteMethod.YESNO else 1,
                majority=majority,
                is_secret=orders.secret_votes,
                is_weighted=orders.weighting != "none",
                quorum_override=override,
                opened_by=chair,
                opened_at=moment,
                closes_at=moment + datetime.timedelta(minutes=minutes) if minutes else None,
            )
    except IntegrityError:
        raise AssemblyError(gettext("Another vote is open: close it first.")) from None
    audit(
        actor,
        AuditAction.ASSEMBLY_OPEN_VOTE,
        meeting,
        vote=vote.pk,
        question=question,
        quorum_override=override,
    )
    return vote


def _choice(vote: LiveVote, choice: list[int]) -> list[int]:
    count = len(vote.options)
    if any(not isinstance(c, int) or isinstance(c, bool) or not 0 <= c < count for c in choice):
        raise AssemblyError(gettext("That is not one of the choices."))
    if len(set(choice)) != len(choice):
        raise AssemblyError(gettext("Each choice can be marked once."))
    if vote.method in (VoteMethod.YESNO, VoteMethod.SINGLE) and len(choice) != 1:
        raise AssemblyError(gettext("Choose one."))
    if not choice:
        raise AssemblyError(gettext("Choose at least one."))
    return choice


def _cast(
    vote: LiveVote, voter: Member, weight: Fraction, choice: list[int], cast_by: Member
) -> None:
    # No savepoint: the mark and the paper are written by one transaction id, which the sealer
    # then separates (a savepoint would give the mark an id of its own, one step from the
    # paper's). Two casts racing for one member meet the unique constraint instead, and
    # refuses_a_second_vote turns it into the same refusal.
    if VoteMark.objects.filter(vote=vote, member=voter).exists():
        raise AssemblyError(
            gettext(
                "%(first_name)s %(last_name)s has already voted on this question: a "
                "vote cannot be changed or cast twice."
            )
            % {"first_name": voter.first_name, "last_name": voter.last_name}
        )
    VoteMark.objects.create(vote=vote, member=voter)
    if vote.is_secret:
        # The paper waits for the sealer, which moves it with a new id in a shuffled batch in a
        # transaction of its own (services.sealing), once this one has committed.
        UnsealedLiveBallot.objects.create(
            vote=vote,
            choice=choice,
            weight_numerator=weight.numerator,
            weight_denominator=weight.denominator,
        )
        vote_id = vote.pk
        transaction.on_commit(lambda: sealing.seal_pending(vote_id))
        return
    LiveBallot.objects.create(
        vote=vote,
        choice=choice,
        weight_numerator=weight.numerator,
        weight_denominator=weight.denominator,
        voter=voter,
        cast_by=cast_by,
    )


def refuses_a_second_vote(cast: Callable[P, R]) -> Callable[P, R]:
    """Around a casting transaction: a mark that meets the one-vote-per-member constraint (a
    second cast racing the first) is refused, with nothing stored, like any second vote."""

    @functools.wraps(cast)
    def refusing(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return cast(*args, **kwargs)
        except IntegrityError as error:
            if not breaks_constraint(error, VoteMark, "one_live_vote_per_member"):
                raise
            raise AssemblyError(
                gettext(
                    "That member has already voted on this question: a vote cannot be "
                    "changed or cast twice."
                )
            ) from None

    return refusing


def locked_open_vote(meeting: Meeting, vote_id: int) -> LiveVote:
    vote = share_vote_lock(vote_id)
    if vote is None or vote.meeting_id != meeting.pk:
        raise AssemblyError(gettext("There is no such vote at this meeting."))
    if not vote.is_open or queries.is_due(vote):
        raise AssemblyError(
            gettext("Voting on this question has closed: the vote was not counted.")
        )
    return vote


def cast_in_person(
    vote: LiveVote, meeting: Meeting, voter: Member, choice: list[int], cast_by: Member
) -> None:
    """Checks that ``voter`` may vote (present, in scope, a delegate where votes are weighted)
    and casts; for the code kiosk as for the attendee's page."""
    orders = queries.standing_orders(meeting)
    if queries.attendance_of(meeting, voter) is None:
        raise AssemblyError(
            gettext(
                "%(first_name)s %(last_name)s is not signed in as present: only those "
                "present (in the room or online) vote."
            )
            % {"first_name": voter.first_name, "last_name": voter.last_name}
        )
    weight = queries.weight_of(meeting, voter, orders)
    if weight is None:
        raise AssemblyError(
            gettext("Only the meeting's delegates vote at this meeting.")
            if orders.weighting == "delegation"
            else gettext("Only members of %(scope)s in good standing vote.")
            % {"scope": meeting.scope_name}
        )
    _cast(vote, voter, weight, _choice(vote, choice), cast_by)


@refuses_a_second_vote
@transaction.atomic(durable=True)
def cast_vote(
    *,
    actor: User,
    meeting: Meeting,
    vote_id: int,
    choice: list[int],
    for_member: Member | None = None,
) -> None:
    """Vote on the open question: for oneself, or (``for_member``) for a member whose proxy
    one holds. Once only per member; nothing is stored when it is refused."""
    member = acting_member(actor)
    vote = locked_open_vote(meeting, vote_id)
    if for_member is None or for_member.pk == member.pk:
        cast_in_person(vote, meeting, member, choice, member)
        return
    if queries.attendance_of(meeting, member) is None:
        raise AssemblyError(
            gettext("Sign in as present before you vote, for yourself or by proxy.")
        )
    proxy = Proxy.objects.filter(
        meeting=meeting, principal=for_member, holder=member, revoked_at__isnull=True
    ).first()
    if proxy is None:
        raise AssemblyError(
            gettext("You do not hold %(first_name)s %(last_name)s's proxy.")
            % {"first_name": for_member.first_name, "last_name": for_member.last_name}
        )
    orders = queries.standing_orders(meeting)
    weight = queries.weight_of(meeting, for_member, orders)
    if weight is None:
        raise AssemblyError(
            gettext("%(first_name)s %(last_name)s has no vote at this meeting.")
            % {"first_name": for_member.first_name, "last_name": for_member.last_name}
        )
    _cast(vote, for_member, weight, _choice(vote, choice), member)


def _count(vote: LiveVote) -> dict[str, Any]:
    papers = [
        Paper(tuple(b.choice), Fraction(b.weight_numerator, b.weight_denominator))
        for b in LiveBallot.objects.filter(vote=vote).only(
            "choice", "weight_numerator", "weight_denominator"
        )
    ]
    result = count_live_vote(
        method=vote.method,
        options=vote.options,
        papers=papers,
        seats=vote.seats,
        majority=vote.majority,
        is_weighted=vote.is_weighted,
        seed=vote.uid.int % (2**31),
    )
    if not vote.is_secret:
        named = (
            LiveBallot.objects.filter(vote=vote)
            .select_related("voter", "cast_by")
            .order_by("voter__last_name", "voter__first_name")
        )
        result["named"] = [
            {
                "voter": f"{b.voter.first_name} {b.voter.last_name}" if b.voter else "",
                "choice": ", ".join(vote.options[i] for i in b.choice),
                "weight": show(Fraction(b.weight_numerator, b.weight_denominator)),
                "by_proxy": bool(b.cast_by_id and b.cast_by_id != b.voter_id),
            }
            for b in named
        ]
    return result


def close_vote(*, actor: User | None, meeting: Meeting, vote_id: int) -> LiveVote:
    """Close the vote and count it (the chair, or anyone's page once its time has run out),
    then record a motion's or amendment's result as its outcome (in the meetings app's own
    transaction: the count stands even if the outcome cannot be recorded, and the vote says
    why)."""
    with transaction.atomic(durable=True):
        if actor is not None:
            require_chair(actor, meeting)
        vote = LiveVote.objects.select_for_update().filter(pk=vote_id, meeting=meeting).first()
        if vote is None:
            raise AssemblyError(gettext("There is no such vote at this meeting."))
        if not vote.is_open:
            raise AssemblyError(gettext("This vote is already closed."))
        if actor is None and not queries.is_due(vote):
            raise AssemblyError(gettext("This vote is still open."))
        vote.closed_at = min(clock.now(), vote.closes_at) if vote.closes_at else clock.now()
        if vote.is_secret:
            sealing.seal_at_close(vote)
        # Codes die with their vote; a used one would say when its attendee voted.
        VotingCode.objects.filter(vote=vote).delete()
        vote.result = _count(vote)
        vote.save(update_fields=["closed_at", "result"])
        audit(
            actor,
            AuditAction.ASSEMBLY_CLOSE_VOTE,
            meeting,
            vote=vote.pk,
            winners=vote.result["winners"],
            voters=vote.result["voters"],
        )
    if vote.is_secret:
        sealing.vacuum_after_close()
    if vote.subject in (VoteSubject.MOTION, VoteSubject.AMENDMENT):
        _record_outcome(vote)
    return vote


def close_if_due(meeting: Meeting) -> None:
    """A vote whose closing time has passed is closed by the next page that looks at it."""
    vote = queries.open_vote(meeting)
    if vote is not None and queries.is_due(vote):
        # Closed meanwhile by another request: nothing to do.
        with contextlib.suppress(AssemblyError):
            close_vote(actor=None, meeting=meeting, vote_id=vote.pk)


# What became of a result, kept in English and said in the reader's language where shown
# (``{% translate vote.outcome_note %}``): whole sentences, one for each outcome.
CHAIR_GONE = gettext_noop("The chair's login is gone: record the outcome by hand.")
RECORDED_AS = {
    "carried": gettext_noop("Recorded as the outcome: carried."),
    "fallen": gettext_noop("Recorded as the outcome: fallen."),
}


def _record_outcome(vote: LiveVote) -> None:
    from grassroots.meetings.services.decisions import (
        record_amendment_outcome,
        record_motion_outcome,
    )

    result = vote.result or {}
    rows = result["rows"]
    weighted = vote.is_weighted
    figures = (
        {}
        if weighted
        else {
            "votes_for": rows[0]["heads"],
            "votes_against": rows[1]["heads"],
            "votes_abstain": rows[2]["heads"],
        }
    )
    outcome = "carried" if result.get("carried") else "fallen"
    note = f"Live vote: {result['notes'].rstrip('.')}."
    if weighted:
        note += (
            f" Heads: {rows[0]['heads']} for, {rows[1]['heads']} against, "
            f"{rows[2]['heads']} abstaining."
        )
    chair_user = vote.opened_by.user
    if chair_user is None:
        vote.outcome_note = CHAIR_GONE
        LiveVote.objects.filter(pk=vote.pk).update(outcome_note=vote.outcome_note)
        return
    try:
        if vote.amendment_id is not None:
            amendment = Amendment.objects.select_related("motion__meeting").get(
                pk=vote.amendment_id
            )
            record_amendment_outcome(
                actor=chair_user,
                amendment=amendment,
                result=outcome,
                note=note,
                majority=vote.majority,
                quorum_override=vote.quorum_override,
                **figures,
            )
        else:
            motion = Motion.objects.select_related("meeting").get(pk=vote.motion_id or 0)
            record_motion_outcome(
                actor=chair_user,
                motion=motion,
                result=outcome,
                note=note,
                majority=vote.majority,
                quorum_override=vote.quorum_override,
                **figures,
            )
        vote.outcome_note = RECORDED_AS[outcome]
    except (MeetingError, PermissionDenied) as error:
        vote.outcome_note = gettext(
            "The outcome could not be recorded (%(error)s); record it by hand."
        ) % {"error": error}
    LiveVote.objects.filter(pk=vote.pk).update(outcome_note=vote.outcome_note)
