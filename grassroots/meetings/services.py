"""Every change to meetings: one function per use case, permission first, one transaction,
an audit row. ``actor`` is the logged-in user; bad input raises ``MeetingError`` with a message
fit to show on the page, and nothing is stored.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max

from grassroots.audit.services import record
from grassroots.ballots.models import Ballot
from grassroots.ballots.results import yes_no_result
from grassroots.clock import now
from grassroots.meetings import queries
from grassroots.meetings.models import (
    CLOSED_AMENDMENT_STATUSES,
    AgendaItem,
    AgendaItemKind,
    Amendment,
    AmendmentKind,
    AmendmentStatus,
    Attendance,
    BallotResult,
    BallotResultChoice,
    Comment,
    CommentReport,
    CommentRevision,
    CommentStatus,
    Meeting,
    MeetingFormat,
    MeetingKind,
    MeetingStatus,
    Minutes,
    MinutesRevision,
    MinutesStatus,
    Motion,
    MotionRevision,
    MotionStatus,
    Outcome,
    OutcomeResult,
    QuorumRule,
    QuorumRuleChange,
    Rsvp,
    RsvpResponse,
    SignInMethod,
)
from grassroots.meetings.texts import (
    AmendmentDoesNotApply,
    apply_amendment,
    split_paragraphs,
    structured_text,
)
from grassroots.organisation.models import Area, Group, Region, ScopeLevel
from grassroots.organisation.permissions import may_set_quorum
from grassroots.people.models import Member
from grassroots.people.queries import own_member

TITLE_MAX = 200
TEXT_MAX = 20_000
COMMENT_MAX = 5_000
REASON_MAX = 2_000


class MeetingError(Exception):
    """Bad input or the wrong moment; the message says which, for the page."""


def _audit(
    actor: Any,
    action: str,
    subject: Meeting | Motion | Amendment | Comment | Minutes,
    **detail: Any,
) -> None:
    kind = type(subject).__name__.lower()
    meeting = subject if isinstance(subject, Meeting) else None
    if meeting is None:
        meeting = getattr(subject, "meeting", None)
    if meeting is None and isinstance(subject, Amendment | Comment):
        meeting = subject.motion.meeting
    record(
        actor=actor,
        action=action,
        subject_type=kind,
        subject_id=subject.pk,
        scope=meeting.scope_name[:120] if meeting is not None else "",
        detail=detail,
    )


def _member(actor: Any) -> Member:
    member = own_member(actor)
    if member is None:
        raise PermissionDenied("Only members can do this.")
    return member


def _require_run(actor: Any, meeting: Meeting) -> Member:
    if not queries.may_run(actor, meeting):
        raise PermissionDenied("Only the officers who run this body's meetings can do this.")
    return _member(actor)


def _require_chair(actor: Any, meeting: Meeting) -> Member:
    if not queries.may_chair(actor, meeting):
        raise PermissionDenied("Only the chair of this body's meetings can do this.")
    return _member(actor)


def _require_in_scope(actor: Any, meeting: Meeting, what: str) -> Member:
    member = _member(actor)
    if not queries.is_in_scope(member, meeting):
        raise PermissionDenied(f"Only members of {meeting.scope_name} can {what}.")
    return member


def _text(value: str, label: str, maximum: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise MeetingError(f"Write the {label}.")
    if len(value) > maximum:
        raise MeetingError(f"The {label} is too long: at most {maximum:,} characters.")
    return value


def _locked_meeting(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("group", "area", "region")
        .get(pk=meeting.pk)
    )


def _locked_motion(motion: Motion) -> Motion:
    locked = Motion.objects.select_for_update().get(pk=motion.pk)
    locked.meeting = motion.meeting
    return locked


# --- scheduling ---------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def schedule_meeting(
    *,
    actor: Any,
    title: str,
    level: str,
    scope: Group | Area | Region | None,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    kind: str = MeetingKind.MEETING,
    format: str = MeetingFormat.IN_PERSON,
    description: str = "",
    address: str = "",
    online_link: str = "",
    accessibility_notes: str = "",
    capacity: int | None = None,
    motions_deadline: datetime.datetime | None = None,
) -> Meeting:
    """A body's officer schedules a meeting (with a deadline for motions) or a campaign event
    (with an optional capacity)."""
    if not queries.may_run_in(actor, scope):
        raise PermissionDenied("You cannot schedule meetings for that body.")
    creator = _member(actor)
    expected: dict[str, type[object]] = {
        ScopeLevel.GROUP: Group,
        ScopeLevel.AREA: Area,
        ScopeLevel.REGION: Region,
        ScopeLevel.NATION: type(None),
    }
    if level not in expected or not isinstance(scope, expected[level]):
        raise MeetingError("Choose which body holds the meeting.")
    title = _text(title, "title", TITLE_MAX)
    if kind not in MeetingKind.values:
        raise MeetingError("Choose what kind of meeting or event it is.")
    if format not in MeetingFormat.values:
        raise MeetingError("Choose whether it is in person, online or both.")
    moment = now()
    if starts_at <= moment:
        raise MeetingError("The start must be in the future.")
    if ends_at <= starts_at:
        raise MeetingError("The end must be after the start.")
    if format in (MeetingFormat.IN_PERSON, MeetingFormat.HYBRID) and not address.strip():
        raise MeetingError("Give the address of the venue.")
    if format in (MeetingFormat.ONLINE, MeetingFormat.HYBRID) and not online_link.strip():
        raise MeetingError("Give the link to join online.")
    if capacity is not None and capacity < 1:
        raise MeetingError("The capacity must be at least 1, or left empty for no limit.")
    if kind in (MeetingKind.MEETING, MeetingKind.GENERAL_MEETING):
        if motions_deadline is not None and not moment < motions_deadline <= starts_at:
            raise MeetingError(
                "The deadline for motions must be after now and no later than the start."
            )
    else:
        motions_deadline = None
    meeting = Meeting.objects.create(
        title=title,
        description=_text(description, "description", TEXT_MAX, required=False),
        kind=kind,
        format=format,
        level=level,
        group=scope if isinstance(scope, Group) else None,
        area=scope if isinstance(scope, Area) else None,
        region=scope if isinstance(scope, Region) else None,
        starts_at=starts_at,
        ends_at=ends_at,
        address=address.strip() if format != MeetingFormat.ONLINE else "",
        online_link=online_link.strip() if format != MeetingFormat.IN_PERSON else "",
        accessibility_notes=_text(
            accessibility_notes, "accessibility notes", TEXT_MAX, required=False
        ),
        capacity=capacity,
        motions_deadline=motions_deadline,
        created_by=creator,
        created_at=moment,
        updated_at=moment,
    )
    _audit(actor, "schedule_meeting", meeting, title=meeting.title, kind=kind)
    return meeting


@transaction.atomic(durable=True)
def cancel_meeting(*, actor: Any, meeting: Meeting, reason: str) -> Meeting:
    _require_run(actor, meeting)
    meeting = _locked_meeting(meeting)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise MeetingError("Only a scheduled meeting can be cancelled.")
    reason = _text(reason, "reason for cancelling", REASON_MAX)
    meeting.status = MeetingStatus.CANCELLED
    meeting.sequence += 1
    meeting.updated_at = now()
    meeting.save(update_fields=["status", "sequence", "updated_at"])
    _audit(actor, "cancel_meeting", meeting, reason=reason)
    return meeting


INVITATION_BODY = """Dear $first_name,

{scope} {kind_phrase}: {title}

When: {when}
{where}{access}{deadline}
See the agenda, add it to your calendar and reply at:
{link}
"""


def _invitation_text(meeting: Meeting, link: str) -> tuple[str, str]:
    from django.utils import timezone

    starts = timezone.localtime(meeting.starts_at)
    ends = timezone.localtime(meeting.ends_at)
    when = f"{starts:%A %d %B %Y, %H:%M} to {ends:%H:%M}"
    where = ""
    if meeting.address:
        where += f"Where: {meeting.address}\n"
    if meeting.online_link:
        where += f"Online: {meeting.online_link}\n"
    access = f"Access: {meeting.accessibility_notes}\n" if meeting.accessibility_notes else ""
    deadline = ""
    if meeting.motions_deadline:
        closes = timezone.localtime(meeting.motions_deadline)
        deadline = f"Motions and amendments by: {closes:%A %d %B %Y, %H:%M}\n"
    kind_phrase = (
        "invites you to a meeting" if meeting.takes_motions else "invites you to take part"
    )
    body = INVITATION_BODY.format(
        scope=meeting.scope_name,
        kind_phrase=kind_phrase,
        title=meeting.title,
        when=when,
        where=where,
        access=access,
        deadline=deadline,
        link=link,
    )
    subject = f"{meeting.get_kind_display()}: {meeting.title}, {starts:%d %B}"
    return subject[:200], body


def invite_members(*, actor: Any, meeting: Meeting, link: str) -> int:
    """Invite the body's members through messaging; returns how many will be written to.

    A meeting that takes motions is a notice every member in good standing must get
    (``send_to_members``, kind NOTICE, consent and unsubscribes do not apply); a campaign event
    is an ordinary message (``send_mailout``), so only members who agreed to hear from the
    movement and have not unsubscribed get it. Addresses never reach the officer.
    """
    from grassroots.messaging.models import MailKind
    from grassroots.messaging.queries import Scope
    from grassroots.messaging.services import MessagingError, send_mailout, send_to_members

    _require_run(actor, meeting)
    if meeting.status != MeetingStatus.SCHEDULED or meeting.ends_at <= now():
        raise MeetingError("Invitations go only for a scheduled meeting that has not ended.")
    if meeting.invitations_sent_at is not None:
        raise MeetingError("The invitations have already been sent.")
    subject, body = _invitation_text(meeting, link)
    purpose = f"Invitation to {meeting.title}"[:200]
    if meeting.takes_motions:
        with transaction.atomic(durable=True):
            locked = _locked_meeting(meeting)
            if locked.invitations_sent_at is not None:
                raise MeetingError("The invitations have already been sent.")
            recipients = queries.members_in_scope(meeting)
            mailout = send_to_members(
                actor=actor,
                members=recipients,
                subject=subject,
                body=body,
                purpose=purpose,
                kind=MailKind.NOTICE,
            )
            _mark_invited(actor, locked, mailout)
            return mailout.recipients
    scope = Scope(
        level=meeting.level, group=meeting.group, area=meeting.area, region=meeting.region
    )
    try:
        mailout = send_mailout(
            actor=actor,
            scope=scope,
            statuses=list(queries.SEE_STATUSES),
            subject=subject,
            body=body.replace("$first_name", "member").replace("Dear member,", "Hello,"),
            purpose=purpose,
        )
    except MessagingError as error:
        raise MeetingError(str(error)) from error
    with transaction.atomic(durable=True):
        _mark_invited(actor, _locked_meeting(meeting), mailout)
    return mailout.recipients


def _mark_invited(actor: Any, meeting: Meeting, mailout: Any) -> None:
    meeting.invitations_sent_at = now()
    meeting.invitation_mailout = mailout
    meeting.save(update_fields=["invitations_sent_at", "invitation_mailout"])
    _audit(actor, "invite_members", meeting, mailout=mailout.pk, recipients=mailout.recipients)


# --- agenda -------------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def add_agenda_item(
    *, actor: Any, meeting: Meeting, kind: str, title: str, description: str = ""
) -> AgendaItem:
    _require_run(actor, meeting)
    meeting = _locked_meeting(meeting)
    if not meeting.takes_motions:
        raise MeetingError("Campaign events have no agenda.")
    if meeting.status != MeetingStatus.SCHEDULED:
        raise MeetingError("The agenda of a meeting that is over or cancelled cannot change.")
    if kind not in AgendaItemKind.values:
        raise MeetingError("Choose what kind of item it is.")
    last = meeting.agenda_items.aggregate(last=Max("position"))["last"] or 0
    item = AgendaItem.objects.create(
        meeting=meeting,
        position=last + 1,
        kind=kind,
        title=_text(title, "item's title", TITLE_MAX),
        description=_text(description, "item's description", TEXT_MAX, required=False),
    )
    _audit(actor, "add_agenda_item", meeting, item=item.pk, title=item.title, kind=kind)
    return item


@transaction.atomic(durable=True)
def remove_agenda_item(*, actor: Any, item: AgendaItem) -> None:
    meeting = item.meeting
    _require_run(actor, meeting)
    meeting = _locked_meeting(meeting)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise MeetingError("The agenda of a meeting that is over or cancelled cannot change.")
    if item.motions.exists():
        raise MeetingError("Motions are filed under this item; it cannot be removed.")
    title = item.title
    item.delete()
    _audit(actor, "remove_agenda_item", meeting, title=title)


# --- RSVP and attendance ------------------------------------------------------------------------


@transaction.atomic(durable=True)
def rsvp(*, actor: Any, meeting: Meeting, response: str) -> Rsvp:
    """Reply to an invitation. Places are taken under a lock on the meeting, so two members
    cannot both take the last one."""
    member = _member(actor)
    if not queries.is_in_scope(member, meeting, queries.SEE_STATUSES):
        raise PermissionDenied(f"Only members of {meeting.scope_name} can reply.")
    if response not in RsvpResponse.values:
        raise MeetingError("Say whether you are going.")
    meeting = _locked_meeting(meeting)
    if meeting.status != MeetingStatus.SCHEDULED or meeting.ends_at <= now():
        raise MeetingError("Replies are closed: the meeting is over or cancelled.")
    existing = Rsvp.objects.filter(meeting=meeting, member=member).first()
    if (
        response == RsvpResponse.GOING
        and meeting.capacity is not None
        and (existing is None or existing.response != RsvpResponse.GOING)
    ):
        going = Rsvp.objects.filter(meeting=meeting, response=RsvpResponse.GOING).count()
        if going >= meeting.capacity:
            raise MeetingError(
                f"Sorry, it is full: all {meeting.capacity} places are taken. "
                "Your reply has not been recorded."
            )
    reply, _ = Rsvp.objects.update_or_create(
        meeting=meeting, member=member, defaults={"response": response, "responded_at": now()}
    )
    _audit(actor, "rsvp", meeting, response=response)
    return reply


def _sign_in(actor: Any, meeting: Meeting, member: Member, by: Member, method: str) -> Attendance:
    if not queries.sign_in_open(meeting):
        raise MeetingError(
            "Signing in opens an hour before the meeting starts and closes when it ends."
        )
    if Attendance.objects.filter(meeting=meeting, member=member).exists():
        raise MeetingError(f"{member.first_name} {member.last_name} is already signed in.")
    attendance = Attendance.objects.create(
        meeting=meeting, member=member, signed_in_at=now(), signed_in_by=by, method=method
    )
    _audit(actor, "sign_in", meeting, member=member.membership_number, method=method)
    return attendance


@transaction.atomic(durable=True)
def sign_in(*, actor: Any, meeting: Meeting) -> Attendance:
    """A member signs themselves in on the day."""
    member = _require_in_scope(actor, meeting, "sign in to this meeting")
    return _sign_in(actor, _locked_meeting(meeting), member, member, SignInMethod.SELF)


@transaction.atomic(durable=True)
def sign_in_member(*, actor: Any, meeting: Meeting, membership_number: str) -> Attendance:
    """The secretary signs a member in on the night, by membership number."""
    officer = _require_run(actor, meeting)
    meeting = _locked_meeting(meeting)
    member = Member.objects.filter(membership_number=membership_number.strip().upper()).first()
    if member is None or not queries.is_in_scope(member, meeting):
        raise MeetingError(
            f"No member of {meeting.scope_name} in good standing has membership number "
            f"{membership_number.strip()!r}."
        )
    return _sign_in(actor, meeting, member, officer, SignInMethod.SECRETARY)


# --- motions ------------------------------------------------------------------------------------


def _require_motions_open(meeting: Meeting, what: str) -> None:
    if not meeting.takes_motions:
        raise MeetingError("This event takes no motions.")
    if meeting.motions_deadline is None:
        raise MeetingError("This meeting takes no motions.")
    if not queries.motions_open(meeting):
        raise MeetingError(
            f"The deadline for {what} has passed; they closed at "
            f"{_local(meeting.motions_deadline)}. Nothing was submitted."
        )


def _local(moment: datetime.datetime) -> str:
    from django.utils import timezone

    return f"{timezone.localtime(moment):%d %B %Y, %H:%M}"


@transaction.atomic(durable=True)
def submit_motion(
    *,
    actor: Any,
    meeting: Meeting,
    title: str,
    seconder_number: str,
    text: str = "",
    notes: str = "",
    believes: str = "",
    resolves: str = "",
    agenda_item: AgendaItem | None = None,
) -> Motion:
    """A member in scope submits a motion, naming a seconder, who must then confirm it. The
    text may be free, or written as notes / believes / resolves (not both)."""
    proposer = _require_in_scope(actor, meeting, "submit motions to this meeting")
    meeting = _locked_meeting(meeting)
    _require_motions_open(meeting, "motions")
    title = _text(title, "motion's title", TITLE_MAX)
    structured = any(part.strip() for part in (notes, believes, resolves))
    if structured and text.strip():
        raise MeetingError(
            "Write the motion either as free text or as notes / believes / resolves, not both."
        )
    if structured:
        if not resolves.strip():
            raise MeetingError("A structured motion needs a 'resolves' part: what it decides.")
        body = structured_text(notes, believes, resolves)
    else:
        body = "\n\n".join(split_paragraphs(text))
    body = _text(body, "motion's text", TEXT_MAX)
    seconder = Member.objects.filter(membership_number=seconder_number.strip().upper()).first()
    if seconder is None or not queries.is_in_scope(seconder, meeting):
        raise MeetingError(
            f"The seconder must be a member of {meeting.scope_name} in good standing: no such "
            f"member has membership number {seconder_number.strip()!r}."
        )
    if seconder.pk == proposer.pk:
        raise MeetingError("You cannot second your own motion: name another member.")
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise MeetingError("Choose an item of this meeting's agenda.")
    if agenda_item is None:
        agenda_item = meeting.agenda_items.filter(kind=AgendaItemKind.MOTIONS).first()
    moment = now()
    number = (meeting.motions.aggregate(last=Max("number"))["last"] or 0) + 1
    motion = Motion.objects.create(
        meeting=meeting,
        agenda_item=agenda_item,
        number=number,
        title=title,
        original_text=body,
        text=body,
        is_structured=structured,
        proposer=proposer,
        seconder=seconder,
        submitted_at=moment,
        status=MotionStatus.AWAITING_SECONDER,
    )
    MotionRevision.objects.create(motion=motion, text=body, note="Submitted", created_at=moment)
    _audit(actor, "submit_motion", motion, title=title, seconder=seconder.membership_number)
    return motion


@transaction.atomic(durable=True)
def second_motion(*, actor: Any, motion: Motion) -> Motion:
    """The named seconder confirms; only then do the meeting's members see the motion."""
    member = _member(actor)
    motion = _locked_motion(motion)
    if motion.seconder_id != member.pk:
        raise PermissionDenied("Only the member named as seconder can second this motion.")
    if motion.status != MotionStatus.AWAITING_SECONDER:
        raise MeetingError("This motion has already been seconded.")
    _require_motions_open(motion.meeting, "seconding motions")
    motion.status = MotionStatus.SUBMITTED
    motion.seconded_at = now()
    motion.save(update_fields=["status", "seconded_at"])
    _audit(actor, "second_motion", motion)
    return motion


@transaction.atomic(durable=True)
def rule_motion(*, actor: Any, motion: Motion, in_order: bool, reason: str = "") -> Motion:
    """Officers rule a motion in order or not; a ruling out of order needs a reason, which
    members see."""
    officer = _require_run(actor, motion.meeting)
    motion = _locked_motion(motion)
    if motion.status not in (
        MotionStatus.SUBMITTED,
        MotionStatus.IN_ORDER,
        MotionStatus.OUT_OF_ORDER,
    ):
        raise MeetingError("Only a seconded motion that has not been decided can be ruled on.")
    reason = _text(reason, "reason", REASON_MAX, required=not in_order)
    motion.status = MotionStatus.IN_ORDER if in_order else MotionStatus.OUT_OF_ORDER
    motion.ruled_by = officer
    motion.ruled_at = now()
    motion.ruling_reason = reason
    motion.save(update_fields=["status", "ruled_by", "ruled_at", "ruling_reason"])
    _audit(actor, "rule_motion", motion, in_order=in_order, reason=reason)
    return motion


@transaction.atomic(durable=True)
def close_debate(*, actor: Any, motion: Motion) -> Motion:
    _require_chair(actor, motion.meeting)
    motion = _locked_motion(motion)
    if motion.debate_closed_at is not None:
        raise MeetingError("The debate is already closed.")
    motion.debate_closed_at = now()
    motion.save(update_fields=["debate_closed_at"])
    _audit(actor, "close_debate", motion)
    return motion


# --- amendments ---------------------------------------------------------------------------------


def _require_amendable(motion: Motion) -> None:
    if motion.is_closed:
        raise MeetingError(
            f"This motion is closed ({motion.get_status_display().lower()}): it takes no more "
            "amendments."
        )
    if motion.status == MotionStatus.AWAITING_SECONDER:
        raise MeetingError("A motion can be amended once it has been seconded.")


@transaction.atomic(durable=True)
def propose_amendment(
    *, actor: Any, motion: Motion, kind: str, paragraph: int, new_text: str = ""
) -> Amendment:
    """A member in scope proposes to insert, delete or replace one paragraph."""
    proposer = _require_in_scope(actor, motion.meeting, "amend motions at this meeting")
    motion = _locked_motion(motion)
    _require_amendable(motion)
    _require_motions_open(motion.meeting, "amendments")
    if kind not in AmendmentKind.values:
        raise MeetingError("Choose whether to insert, delete or replace a paragraph.")
    new_text = "" if kind == AmendmentKind.DELETE else _text(new_text, "new text", TEXT_MAX)
    try:
        apply_amendment(motion.text, kind, paragraph, new_text)
    except AmendmentDoesNotApply as error:
        raise MeetingError(str(error)) from error
    number = (motion.amendments.aggregate(last=Max("number"))["last"] or 0) + 1
    amendment = Amendment.objects.create(
        motion=motion,
        number=number,
        proposer=proposer,
        kind=kind,
        paragraph=paragraph,
        new_text="\n\n".join(split_paragraphs(new_text)),
        base_text=motion.text,
        submitted_at=now(),
    )
    _audit(actor, "propose_amendment", amendment, kind=kind, paragraph=paragraph)
    return amendment


def _apply_to_motion(motion: Motion, amendment: Amendment, note: str) -> None:
    """Make the amendment to the motion's current text and keep the revision. The paragraph it
    names must still read as it did when the amendment was written."""
    base = split_paragraphs(amendment.base_text)
    current = split_paragraphs(motion.text)
    unchanged = motion.text == amendment.base_text or (
        len(base) == len(current)
        and (
            amendment.kind == AmendmentKind.INSERT
            or base[amendment.paragraph - 1] == current[amendment.paragraph - 1]
        )
    )
    if not unchanged:
        raise MeetingError(
            "The motion's text has changed since this amendment was written, so it cannot be "
            "made as it stands: record it as fallen or remitted, or ask the mover to propose it "
            "again against the current text."
        )
    try:
        motion.text = apply_amendment(
            motion.text, amendment.kind, amendment.paragraph, amendment.new_text
        )
    except AmendmentDoesNotApply as error:
        raise MeetingError(str(error)) from error
    motion.save(update_fields=["text"])
    MotionRevision.objects.create(
        motion=motion, text=motion.text, amendment=amendment, note=note, created_at=now()
    )


@transaction.atomic(durable=True)
def accept_amendment_as_friendly(*, actor: Any, amendment: Amendment) -> Amendment:
    """The motion's mover accepts an amendment; the motion's text changes at once."""
    member = _member(actor)
    motion = _locked_motion(amendment.motion)
    if motion.proposer_id != member.pk:
        raise PermissionDenied("Only the motion's mover can accept an amendment as friendly.")
    _require_amendable(motion)
    amendment = Amendment.objects.select_for_update().get(pk=amendment.pk)
    if amendment.status != AmendmentStatus.PROPOSED:
        raise MeetingError("Only a proposed amendment can be accepted.")
    _apply_to_motion(motion, amendment, f"Amendment {amendment.number} accepted as friendly")
    amendment.status = AmendmentStatus.ACCEPTED_FRIENDLY
    amendment.accepted_at = now()
    amendment.save(update_fields=["status", "accepted_at"])
    amendment.motion = motion
    _audit(actor, "accept_amendment_as_friendly", amendment)
    return amendment


@transaction.atomic(durable=True)
def rule_amendment_out_of_order(*, actor: Any, amendment: Amendment, reason: str) -> Amendment:
    officer = _require_run(actor, amendment.motion.meeting)
    amendment = Amendment.objects.select_for_update().get(pk=amendment.pk)
    if amendment.status != AmendmentStatus.PROPOSED:
        raise MeetingError("Only a proposed amendment can be ruled out of order.")
    amendment.status = AmendmentStatus.OUT_OF_ORDER
    amendment.ruled_by = officer
    amendment.ruled_at = now()
    amendment.ruling_reason = _text(reason, "reason", REASON_MAX)
    amendment.save(update_fields=["status", "ruled_by", "ruled_at", "ruling_reason"])
    _audit(actor, "rule_amendment_out_of_order", amendment, reason=amendment.ruling_reason)
    return amendment


# --- debate -------------------------------------------------------------------------------------


def _require_debate_open(motion: Motion) -> None:
    if not queries.debate_open(motion):
        raise MeetingError("The debate on this motion is closed: no more comments.")


@transaction.atomic(durable=True)
def post_comment(
    *,
    actor: Any,
    motion: Motion,
    body: str,
    amendment: Amendment | None = None,
    parent: Comment | None = None,
) -> Comment:
    author = _require_in_scope(actor, motion.meeting, "take part in this debate")
    # Read the motion afresh: the chair may have closed the debate since the page was drawn.
    motion = _locked_motion(motion)
    _require_debate_open(motion)
    body = _text(body, "comment", COMMENT_MAX)
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
    _audit(actor, "post_comment", comment, motion=motion.pk)
    return comment


@transaction.atomic(durable=True)
def edit_comment(*, actor: Any, comment: Comment, body: str) -> Comment:
    """The author edits their comment; the earlier text is kept and shown as its history."""
    member = _member(actor)
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
    body = _text(body, "comment", COMMENT_MAX)
    if body == comment.body:
        raise MeetingError("The comment is unchanged.")
    CommentRevision.objects.create(
        comment=comment, body=comment.body, written_at=comment.edited_at or comment.created_at
    )
    comment.body = body
    comment.edited_at = now()
    comment.save(update_fields=["body", "edited_at"])
    _audit(actor, "edit_comment", comment)
    return comment


@transaction.atomic(durable=True)
def report_comment(*, actor: Any, comment: Comment, reason: str) -> CommentReport:
    reporter = _require_in_scope(actor, comment.motion.meeting, "report comments in this debate")
    reason = _text(reason, "reason for reporting", REASON_MAX)
    if comment.author_id == reporter.pk:
        raise MeetingError("You cannot report your own comment; edit it instead.")
    if CommentReport.objects.filter(comment=comment, reporter=reporter).exists():
        raise MeetingError("You have already reported this comment.")
    report = CommentReport.objects.create(
        comment=comment, reporter=reporter, reason=reason, reported_at=now()
    )
    _audit(actor, "report_comment", comment, reason=reason)
    return report


@transaction.atomic(durable=True)
def hide_comment(*, actor: Any, comment: Comment, reason: str) -> Comment:
    """An officer hides a comment; the reason is shown in its place, kept, and audited. Open
    reports on it are resolved with the same reason."""
    if not queries.may_moderate(actor, comment.motion.meeting):
        raise PermissionDenied("Only the moderators of this debate can hide comments.")
    moderator = _member(actor)
    reason = _text(reason, "reason for hiding it", REASON_MAX)
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
    _audit(actor, "hide_comment", comment, reason=reason, author=comment.author_id)
    return comment


@transaction.atomic(durable=True)
def dismiss_report(*, actor: Any, report: CommentReport, resolution: str) -> CommentReport:
    """An officer decides a reported comment stays, and says why (kept and audited)."""
    meeting = report.comment.motion.meeting
    if not queries.may_moderate(actor, meeting):
        raise PermissionDenied("Only the moderators of this debate can resolve reports.")
    moderator = _member(actor)
    report = CommentReport.objects.select_for_update().get(pk=report.pk)
    if report.resolved_at is not None:
        raise MeetingError("This report has already been resolved.")
    report.resolution = _text(resolution, "reason for keeping the comment", REASON_MAX)
    report.resolved_at = now()
    report.resolved_by = moderator
    report.save(update_fields=["resolution", "resolved_at", "resolved_by"])
    record(
        actor=actor,
        action="dismiss_report",
        subject_type="comment",
        subject_id=report.comment_id,
        scope=meeting.scope_name[:120],
        detail={"report": report.pk, "resolution": report.resolution},
    )
    return report


# --- decisions at the meeting -------------------------------------------------------------------


def _counts(votes_for: int | None, votes_against: int | None, votes_abstain: int | None) -> None:
    for value in (votes_for, votes_against, votes_abstain):
        if value is not None and value < 0:
            raise MeetingError("Votes cannot be negative.")


def _require_meeting_started(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise MeetingError("The meeting was cancelled.")
    if not queries.has_started(meeting):
        raise MeetingError("Outcomes are recorded at the meeting, once it has started.")
    if Minutes.objects.filter(meeting=meeting).exclude(status=MinutesStatus.DRAFT).exists():
        raise MeetingError("The minutes are approved: the record of this meeting is closed.")


@transaction.atomic(durable=True)
def record_amendment_outcome(
    *,
    actor: Any,
    amendment: Amendment,
    result: str,
    votes_for: int | None = None,
    votes_against: int | None = None,
    votes_abstain: int | None = None,
    note: str = "",
) -> Outcome:
    """The chair records what the meeting decided on an amendment; a carried amendment changes
    the motion's text."""
    meeting = amendment.motion.meeting
    chair = _require_chair(actor, meeting)
    _require_meeting_started(meeting)
    motion = _locked_motion(amendment.motion)
    if motion.is_closed:
        raise MeetingError("The motion has been decided: its amendments can no longer be.")
    amendment = Amendment.objects.select_for_update().get(pk=amendment.pk)
    if amendment.status != AmendmentStatus.PROPOSED:
        raise MeetingError(f"This amendment is already {amendment.get_status_display().lower()}.")
    if result not in (
        OutcomeResult.CARRIED,
        OutcomeResult.FALLEN,
        OutcomeResult.REMITTED,
        OutcomeResult.WITHDRAWN,
    ):
        raise MeetingError("Choose carried, fallen, remitted or withdrawn.")
    _counts(votes_for, votes_against, votes_abstain)
    if result == OutcomeResult.CARRIED:
        _apply_to_motion(motion, amendment, f"Amendment {amendment.number} carried")
    amendment.status = str(result)
    amendment.save(update_fields=["status"])
    outcome = Outcome.objects.create(
        meeting=meeting,
        amendment=amendment,
        result=result,
        votes_for=votes_for,
        votes_against=votes_against,
        votes_abstain=votes_abstain,
        note=_text(note, "note", REASON_MAX, required=False),
        recorded_by=chair,
        recorded_at=now(),
    )
    amendment.motion = motion
    _audit(
        actor,
        "record_amendment_outcome",
        amendment,
        result=result,
        votes=[votes_for, votes_against, votes_abstain],
    )
    return outcome


def _require_decidable(motion: Motion) -> None:
    if motion.is_closed:
        raise MeetingError(f"This motion is already {motion.get_status_display().lower()}.")
    if motion.status == MotionStatus.AWAITING_SECONDER:
        raise MeetingError("An unseconded motion cannot be put to the meeting.")
    pending = queries.open_amendments(motion).count()
    if pending:
        raise MeetingError(
            f"Record the outcome of the {pending} outstanding amendment{'s' if pending > 1 else ''}"
            " first: amendments are decided before the motion."
        )


@transaction.atomic(durable=True)
def record_motion_outcome(
    *,
    actor: Any,
    motion: Motion,
    result: str,
    votes_for: int | None = None,
    votes_against: int | None = None,
    votes_abstain: int | None = None,
    note: str = "",
) -> Outcome:
    meeting = motion.meeting
    chair = _require_chair(actor, meeting)
    _require_meeting_started(meeting)
    motion = _locked_motion(motion)
    if result not in (
        OutcomeResult.CARRIED,
        OutcomeResult.FALLEN,
        OutcomeResult.REMITTED,
        OutcomeResult.WITHDRAWN,
    ):
        raise MeetingError(
            "Choose carried, fallen, remitted or withdrawn (or send it to a ballot of members)."
        )
    if result != OutcomeResult.WITHDRAWN:
        _require_decidable(motion)
    elif motion.is_closed:
        raise MeetingError(f"This motion is already {motion.get_status_display().lower()}.")
    _counts(votes_for, votes_against, votes_abstain)
    moment = now()
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
        note=_text(note, "note", REASON_MAX, required=False),
        recorded_by=chair,
        recorded_at=moment,
    )
    _audit(
        actor,
        "record_motion_outcome",
        motion,
        result=result,
        votes=[votes_for, votes_against, votes_abstain],
    )
    return outcome


def send_motion_to_ballot(
    *,
    actor: Any,
    motion: Motion,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
) -> Outcome:
    """The chair sends the motion to a yes/no ballot of the body's members.

    This creates a *draft* ballot through ``grassroots.ballots.services`` (the chair becomes its
    returning officer, who then sets up tellers and opens it on the ballots pages, as for any
    ballot). The ballot services run in transactions of their own, so every check is made
    first; the motion is marked sent (with the ballot) only once the ballot exists.
    """
    from grassroots.ballots.models import QuestionKind
    from grassroots.ballots.services.errors import BallotError
    from grassroots.ballots.services.setup import add_question, create_ballot

    meeting = motion.meeting
    chair = _require_chair(actor, meeting)
    _require_meeting_started(meeting)
    _require_decidable(motion)
    if closes_at <= opens_at:
        raise MeetingError("The ballot must close after it opens.")
    if opens_at <= now():
        raise MeetingError("The ballot must open in the future.")
    try:
        ballot = create_ballot(
            actor=actor,
            title=f"{meeting.scope_name}: motion {motion.number}, {motion.title}"[:200],
            description=motion.text,
            level=meeting.level,
            scope=queries.scope_object(meeting),
            opens_at=opens_at,
            closes_at=closes_at,
        )
        add_question(
            actor=actor,
            ballot=ballot,
            title=f"Should {meeting.scope_name} adopt motion {motion.number}, {motion.title}?"[
                :200
            ],
            kind=QuestionKind.YESNO,
        )
    except PermissionDenied:
        raise
    except BallotError as error:
        raise MeetingError(str(error)) from error
    with transaction.atomic(durable=True):
        motion = _locked_motion(motion)
        _require_decidable(motion)
        moment = now()
        motion.status = MotionStatus.SENT_TO_BALLOT
        motion.ballot = ballot
        motion.debate_closed_at = motion.debate_closed_at or moment
        motion.save(update_fields=["status", "ballot", "debate_closed_at"])
        outcome = Outcome.objects.create(
            meeting=meeting,
            motion=motion,
            result=OutcomeResult.SENT_TO_BALLOT,
            note=f"Sent to a ballot of members ({ballot.election_id})",
            recorded_by=chair,
            recorded_at=moment,
        )
        _audit(actor, "send_motion_to_ballot", motion, ballot=ballot.pk)
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
    moment = now()
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
        minutes.text = f"{minutes.text.rstrip()}\n\n{_ballot_result_text(motion, found)}\n"
        minutes.updated_at = moment
        minutes.updated_by = None
        minutes.save(update_fields=["text", "updated_at", "updated_by"])
        MinutesRevision.objects.create(
            minutes=minutes, text=minutes.text, written_at=moment, written_by=None
        )
    _audit(
        None,
        "record_ballot_result",
        motion,
        ballot=ballot.election_id,
        result=found.result,
        votes=[found.votes_yes, found.votes_no, found.votes_abstain],
        addendum=found.is_addendum,
    )
    return found


def _ballot_result_text(motion: Motion, found: BallotResult) -> str:
    from django.urls import reverse

    return (
        f"Motion {motion.number}: {motion.title}. {found.summary}: "
        f"{reverse('ballot_results', args=[found.ballot_id])}"
    )


# --- minutes ------------------------------------------------------------------------------------


def draft_text(meeting: Meeting) -> str:
    """The first draft of the minutes, from what was recorded: who was there, the agenda and
    each motion's and amendment's outcome with the votes."""
    from django.utils import timezone

    check = queries.quorum(meeting)
    lines = [
        f"Minutes of {meeting.title}",
        f"{meeting.scope_name}, {timezone.localtime(meeting.starts_at):%A %d %B %Y, %H:%M}",
        "",
        f"Present: {check.present} members (quorum {check.required}: "
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
            lines.append(_ballot_result_text(motion, ballot_result))
        if motion.text != motion.original_text and motion.status == MotionStatus.CARRIED:
            lines.append("Text as carried:")
            lines.append(motion.text)
        lines.append("")
    return "\n".join(lines).strip() + "\n"


def _outcome_text(outcome: Outcome | None, status: str) -> str:
    if outcome is None:
        return status.lower()
    text = outcome.get_result_display().lower()
    votes = [outcome.votes_for, outcome.votes_against, outcome.votes_abstain]
    if any(v is not None for v in votes):
        f, a, ab = (v if v is not None else 0 for v in votes)
        text += f" ({f} for, {a} against, {ab} abstaining)"
    if outcome.note:
        text += f". {outcome.note}"
    return text


@transaction.atomic(durable=True)
def draft_minutes(*, actor: Any, meeting: Meeting) -> Minutes:
    secretary = _require_run(actor, meeting)
    meeting = _locked_meeting(meeting)
    if not queries.has_started(meeting) or meeting.status == MeetingStatus.CANCELLED:
        raise MeetingError("Minutes are drafted once the meeting has taken place.")
    if Minutes.objects.filter(meeting=meeting).exists():
        raise MeetingError("The minutes have already been drafted; edit them instead.")
    moment = now()
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
    _audit(actor, "draft_minutes", minutes)
    return minutes


@transaction.atomic(durable=True)
def edit_minutes(*, actor: Any, minutes: Minutes, text: str) -> Minutes:
    secretary = _require_run(actor, minutes.meeting)
    minutes = Minutes.objects.select_for_update().get(pk=minutes.pk)
    if minutes.status != MinutesStatus.DRAFT:
        raise MeetingError("Approved minutes cannot be edited.")
    text = _text(text, "minutes", 100_000)
    if text == minutes.text.strip():
        raise MeetingError("The minutes are unchanged.")
    moment = now()
    minutes.text = text
    minutes.updated_at = moment
    minutes.updated_by = secretary
    minutes.save(update_fields=["text", "updated_at", "updated_by"])
    MinutesRevision.objects.create(
        minutes=minutes, text=text, written_at=moment, written_by=secretary
    )
    _audit(actor, "edit_minutes", minutes)
    return minutes


@transaction.atomic(durable=True)
def approve_minutes(*, actor: Any, minutes: Minutes, at_meeting: Meeting) -> Minutes:
    """Record that a later meeting of the same body approved the minutes as a true record."""
    meeting = minutes.meeting
    _require_run(actor, meeting)
    minutes = Minutes.objects.select_for_update().get(pk=minutes.pk)
    if minutes.status != MinutesStatus.DRAFT:
        raise MeetingError("These minutes have already been approved.")
    if not queries.later_meetings_of_body(meeting).filter(pk=at_meeting.pk).exists():
        raise MeetingError("Minutes are approved at a later meeting of the same body: choose one.")
    if not queries.has_started(at_meeting):
        raise MeetingError("The minutes are approved at that meeting, once it has started.")
    minutes.status = MinutesStatus.APPROVED
    minutes.approved_at_meeting = at_meeting
    minutes.approved_at = now()
    minutes.save(update_fields=["status", "approved_at_meeting", "approved_at"])
    _audit(actor, "approve_minutes", minutes, at_meeting=at_meeting.pk)
    return minutes


@transaction.atomic(durable=True)
def publish_minutes(*, actor: Any, minutes: Minutes) -> Minutes:
    _require_run(actor, minutes.meeting)
    minutes = Minutes.objects.select_for_update().get(pk=minutes.pk)
    if minutes.status != MinutesStatus.APPROVED:
        raise MeetingError("Minutes are published once a later meeting has approved them.")
    minutes.status = MinutesStatus.PUBLISHED
    minutes.published_at = now()
    minutes.save(update_fields=["status", "published_at"])
    _audit(actor, "publish_minutes", minutes)
    return minutes


# --- quorum rules -------------------------------------------------------------------------------

QUORUM_MINIMUM_MAX = 100_000
_BODY_CLASSES: dict[str, type[Group | Area | Region]] = {
    ScopeLevel.GROUP: Group,
    ScopeLevel.AREA: Area,
    ScopeLevel.REGION: Region,
}


def _quorum_number(value: object, label: str, *, lowest: int, highest: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise MeetingError(f"The {label} must be a whole number.")
    if value < lowest:
        raise MeetingError(f"The {label} cannot be less than {lowest}.")
    if value > highest:
        raise MeetingError(f"The {label} cannot be more than {highest:,}.")
    return value


@transaction.atomic(durable=True)
def set_quorum_rule(
    *,
    actor: Any,
    level: str,
    body: Group | Area | Region | None,
    minimum_present: int,
    percent_of_members: int,
    reason: str,
) -> QuorumRuleChange:
    """Change ``body``'s quorum rule (``body`` None with level nation: the national rule).

    The change is kept with the rule it replaced, who made it and why, and is audited. It
    applies to meetings that have not started yet: a meeting already under way, or held, keeps
    the rule in force when it started (``queries.quorum_rule_in_force``)."""
    if not may_set_quorum(actor, body if level != ScopeLevel.NATION else None):
        raise PermissionDenied("Only the body's own officers or national office can do this.")
    if level == ScopeLevel.NATION:
        body = None
    elif not isinstance(body, _BODY_CLASSES.get(level, ())):
        raise MeetingError("Say which group, area or region the rule is for.")
    minimum = _quorum_number(
        minimum_present, "minimum number present", lowest=1, highest=QUORUM_MINIMUM_MAX
    )
    percent = _quorum_number(percent_of_members, "percentage of members", lowest=0, highest=100)
    reason = _text(reason, "reason for the change", REASON_MAX)
    if body is not None:
        type(body).objects.select_for_update().filter(pk=body.pk).first()
    scope = queries.body_filter(level, body)
    rule = QuorumRule.objects.select_for_update().filter(scope).first()
    if rule is not None and (rule.minimum_present, rule.percent_of_members) == (minimum, percent):
        raise MeetingError(
            f"That is already the rule: at least {minimum} present and {percent}% of members."
        )
    previous = (rule.minimum_present, rule.percent_of_members) if rule else (None, None)
    columns: dict[str, Any] = {"level": level}
    if body is not None:
        columns[level] = body
    if rule is None:
        rule = QuorumRule(**columns)
    rule.minimum_present, rule.percent_of_members = minimum, percent
    rule.save()
    changer = own_member(actor)
    change = QuorumRuleChange.objects.create(
        **columns,
        previous_minimum_present=previous[0],
        previous_percent_of_members=previous[1],
        minimum_present=minimum,
        percent_of_members=percent,
        reason=reason,
        changed_by=changer,
        changed_at=now(),
    )
    record(
        actor=actor,
        action="set_quorum_rule",
        subject_type="quorum_rule",
        subject_id=rule.pk,
        scope=(str(body) if body is not None else "National")[:120],
        purpose=reason[:200],
        detail={
            "level": level,
            "from": None
            if previous[0] is None
            else {"minimum_present": previous[0], "percent_of_members": previous[1]},
            "to": {"minimum_present": minimum, "percent_of_members": percent},
        },
    )
    return change
