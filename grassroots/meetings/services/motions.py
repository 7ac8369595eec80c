"""Motions: submitting, seconding, ruling in or out of order, closing the debate."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.meetings import queries
from grassroots.meetings.models import (
    AgendaItem,
    AgendaItemKind,
    Meeting,
    Motion,
    MotionRevision,
    MotionStatus,
)
from grassroots.meetings.services.common import (
    REASON_MAX,
    TEXT_MAX,
    TITLE_MAX,
    MeetingError,
    acting_member,
    audit,
    clean_text,
    locked_meeting,
    locked_motion,
    require_chair,
    require_in_scope,
    require_run,
)
from grassroots.meetings.texts import split_paragraphs, structured_text
from grassroots.notifications.models import Kind
from grassroots.notifications.services import notify
from grassroots.people.models import Member


def require_motions_open(meeting: Meeting, what: str) -> None:
    if not meeting.takes_motions:
        raise MeetingError(gettext("This event takes no motions."))
    if meeting.motions_deadline is None:
        raise MeetingError(gettext("This meeting takes no motions."))
    if not queries.motions_open(meeting):
        raise MeetingError(
            gettext(
                "The deadline for %(what)s has passed; they closed at "
                "%(motions_deadline)s. Nothing was submitted."
            )
            % {"what": what, "motions_deadline": _local(meeting.motions_deadline)}
        )


def _local(moment: datetime.datetime) -> str:
    from django.utils import timezone

    return f"{timezone.localtime(moment):%d %B %Y, %H:%M}"


@transaction.atomic(durable=True)
def submit_motion(
    *,
    actor: User,
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
    proposer = require_in_scope(actor, meeting, gettext("submit motions to this meeting"))
    meeting = locked_meeting(meeting)
    require_motions_open(meeting, gettext("motions"))
    title = clean_text(title, gettext("motion's title"), TITLE_MAX)
    structured = any(part.strip() for part in (notes, believes, resolves))
    if structured and text.strip():
        raise MeetingError(
            gettext(
                "Write the motion either as free text or as notes / believes / resolves, not both."
            )
        )
    if structured:
        if not resolves.strip():
            raise MeetingError(
                gettext("A structured motion needs a 'resolves' part: what it decides.")
            )
        body = structured_text(notes, believes, resolves)
    else:
        body = "\n\n".join(split_paragraphs(text))
    body = clean_text(body, gettext("motion's text"), TEXT_MAX)
    seconder = Member.objects.filter(membership_number=seconder_number.strip().upper()).first()
    if seconder is None or not queries.is_in_scope(seconder, meeting):
        raise MeetingError(
            gettext(
                "The seconder must be a member of %(scope_name)s in good standing: no "
                "such member has membership number %(number)s."
            )
            % {"scope_name": meeting.scope_name, "number": repr(seconder_number.strip())}
        )
    if seconder.pk == proposer.pk:
        raise MeetingError(gettext("You cannot second your own motion: name another member."))
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise MeetingError(gettext("Choose an item of this meeting's agenda."))
    if agenda_item is None:
        agenda_item = meeting.agenda_items.filter(kind=AgendaItemKind.MOTIONS).first()
    moment = clock.now()
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
    audit(
        actor, AuditAction.SUBMIT_MOTION, motion, title=title, seconder=seconder.membership_number
    )
    notify(
        [seconder.pk],
        kind=Kind.MOTION,
        message="motion_to_second",
        params={"proposer": f"{proposer.first_name} {proposer.last_name}", "title": title},
        url=reverse(
            "meetings:motion_detail", kwargs={"meeting_id": meeting.pk, "motion_id": motion.pk}
        ),
    )
    return motion


@transaction.atomic(durable=True)
def second_motion(*, actor: User, motion: Motion) -> Motion:
    """The named seconder confirms; only then do the meeting's members see the motion."""
    member = acting_member(actor)
    motion = locked_motion(motion)
    if motion.seconder_id != member.pk:
        raise PermissionDenied(gettext("Only the member named as seconder can second this motion."))
    if motion.status != MotionStatus.AWAITING_SECONDER:
        raise MeetingError(gettext("This motion has already been seconded."))
    require_motions_open(motion.meeting, gettext("seconding motions"))
    motion.status = MotionStatus.SUBMITTED
    motion.seconded_at = clock.now()
    motion.save(update_fields=["status", "seconded_at"])
    audit(actor, AuditAction.SECOND_MOTION, motion)
    return motion


@transaction.atomic(durable=True)
def rule_motion(*, actor: User, motion: Motion, in_order: bool, reason: str = "") -> Motion:
    """Officers rule a motion in order or not; a ruling out of order needs a reason, which
    members see."""
    officer = require_run(actor, motion.meeting)
    motion = locked_motion(motion)
    if motion.status not in (
        MotionStatus.SUBMITTED,
        MotionStatus.IN_ORDER,
        MotionStatus.OUT_OF_ORDER,
    ):
        raise MeetingError(
            gettext("Only a seconded motion that has not been decided can be ruled on.")
        )
    reason = clean_text(reason, gettext("reason"), REASON_MAX, required=not in_order)
    motion.status = MotionStatus.IN_ORDER if in_order else MotionStatus.OUT_OF_ORDER
    motion.ruled_by = officer
    motion.ruled_at = clock.now()
    motion.ruling_reason = reason
    motion.save(update_fields=["status", "ruled_by", "ruled_at", "ruling_reason"])
    audit(actor, AuditAction.RULE_MOTION, motion, in_order=in_order, reason=reason)
    return motion


@transaction.atomic(durable=True)
def close_debate(*, actor: User, motion: Motion) -> Motion:
    require_chair(actor, motion.meeting)
    motion = locked_motion(motion)
    if motion.debate_closed_at is not None:
        raise MeetingError(gettext("The debate is already closed."))
    motion.debate_closed_at = clock.now()
    motion.save(update_fields=["debate_closed_at"])
    audit(actor, AuditAction.CLOSE_DEBATE, motion)
    return motion
