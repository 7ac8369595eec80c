"""Amendments to a motion: proposing, accepting as friendly, ruling out of order."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.meetings.models import (
    Amendment,
    AmendmentKind,
    AmendmentStatus,
    Motion,
    MotionRevision,
    MotionStatus,
)
from grassroots.meetings.services.common import (
    REASON_MAX,
    TEXT_MAX,
    MeetingError,
    acting_member,
    audit,
    clean_text,
    locked_motion,
    require_in_scope,
    require_run,
)
from grassroots.meetings.services.motions import require_motions_open
from grassroots.meetings.texts import AmendmentDoesNotApply, apply_amendment, split_paragraphs


def _require_amendable(motion: Motion) -> None:
    if motion.is_closed:
        raise MeetingError(
            gettext("This motion is closed (%(status)s): it takes no more amendments.")
            % {"status": motion.get_status_display().lower()}
        )
    if motion.status == MotionStatus.AWAITING_SECONDER:
        raise MeetingError(gettext("A motion can be amended once it has been seconded."))


@transaction.atomic(durable=True)
def propose_amendment(
    *, actor: User, motion: Motion, kind: str, paragraph: int, new_text: str = ""
) -> Amendment:
    """A member in scope proposes to insert, delete or replace one paragraph."""
    proposer = require_in_scope(actor, motion.meeting, gettext("amend motions at this meeting"))
    motion = locked_motion(motion)
    _require_amendable(motion)
    require_motions_open(motion.meeting, gettext("amendments"))
    if kind not in AmendmentKind.values:
        raise MeetingError(gettext("Choose whether to insert, delete or replace a paragraph."))
    new_text = (
        "" if kind == AmendmentKind.DELETE else clean_text(new_text, gettext("new text"), TEXT_MAX)
    )
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
        submitted_at=clock.now(),
    )
    audit(actor, AuditAction.PROPOSE_AMENDMENT, amendment, kind=kind, paragraph=paragraph)
    return amendment


def apply_to_motion(motion: Motion, amendment: Amendment, note: str) -> None:
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
            gettext(
                "The motion's text has changed since this amendment was written, so it cannot "
                "be made as it stands: record it as fallen or remitted, or ask the mover to "
                "propose it again against the current text."
            )
        )
    try:
        motion.text = apply_amendment(
            motion.text, amendment.kind, amendment.paragraph, amendment.new_text
        )
    except AmendmentDoesNotApply as error:
        raise MeetingError(str(error)) from error
    motion.save(update_fields=["text"])
    MotionRevision.objects.create(
        motion=motion, text=motion.text, amendment=amendment, note=note, created_at=clock.now()
    )


@transaction.atomic(durable=True)
def accept_amendment_as_friendly(*, actor: User, amendment: Amendment) -> Amendment:
    """The motion's mover accepts an amendment; the motion's text changes at once."""
    member = acting_member(actor)
    motion = locked_motion(amendment.motion)
    if motion.proposer_id != member.pk:
        raise PermissionDenied(
            gettext("Only the motion's mover can accept an amendment as friendly.")
        )
    _require_amendable(motion)
    amendment = Amendment.objects.select_for_update().get(pk=amendment.pk)
    if amendment.status != AmendmentStatus.PROPOSED:
        raise MeetingError(gettext("Only a proposed amendment can be accepted."))
    apply_to_motion(motion, amendment, f"Amendment {amendment.number} accepted as friendly")
    amendment.status = AmendmentStatus.ACCEPTED_FRIENDLY
    amendment.accepted_at = clock.now()
    amendment.save(update_fields=["status", "accepted_at"])
    amendment.motion = motion
    audit(actor, AuditAction.ACCEPT_AMENDMENT_AS_FRIENDLY, amendment)
    return amendment


@transaction.atomic(durable=True)
def rule_amendment_out_of_order(*, actor: User, amendment: Amendment, reason: str) -> Amendment:
    officer = require_run(actor, amendment.motion.meeting)
    amendment = Amendment.objects.select_for_update().get(pk=amendment.pk)
    if amendment.status != AmendmentStatus.PROPOSED:
        raise MeetingError(gettext("Only a proposed amendment can be ruled out of order."))
    amendment.status = AmendmentStatus.OUT_OF_ORDER
    amendment.ruled_by = officer
    amendment.ruled_at = clock.now()
    amendment.ruling_reason = clean_text(reason, gettext("reason"), REASON_MAX)
    amendment.save(update_fields=["status", "ruled_by", "ruled_at", "ruling_reason"])
    audit(actor, AuditAction.RULE_AMENDMENT_OUT_OF_ORDER, amendment, reason=amendment.ruling_reason)
    return amendment
