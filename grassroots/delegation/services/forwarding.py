"""Forwarding a carried motion upward and placing it on the receiving body's agenda."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record
from grassroots.delegation.bodies import (
    Body,
    bodies_above,
    body_of,
    receiving_body_of,
)
from grassroots.delegation.models import ForwardStatus, MotionForward
from grassroots.delegation.services.common import (
    DelegationError,
    acting_person,
    actor_label,
    member_of,
)
from grassroots.meetings.models import (
    AgendaItem,
    AgendaItemKind,
    Meeting,
    MeetingStatus,
    Motion,
    MotionRevision,
    MotionStatus,
)
from grassroots.organisation.permissions import Capability, may
from grassroots.people.models import Member


@transaction.atomic(durable=True)
def forward_motion(
    *,
    actor: User,
    motion: Motion,
    to: Body,
    mover: Member | None = None,
    note: str = "",
) -> MotionForward:
    """Send ``motion``, carried by its meeting, up to the body ``to``."""
    motion = (
        Motion.objects.select_for_update(of=("self",))
        .select_related("meeting__group__area__region", "meeting__area__region", "meeting__region")
        .get(pk=motion.pk)
    )
    source = body_of(motion.meeting)
    if not may(actor, Capability.FORWARD_MOTIONS, source):
        raise PermissionDenied
    if motion.status != MotionStatus.CARRIED:
        raise DelegationError(
            gettext("Only a carried motion can be forwarded; this one is %(status)s.")
            % {"status": motion.get_status_display().lower()}
        )
    if MotionForward.objects.filter(motion=motion).exists():
        raise DelegationError(gettext("This motion has already been forwarded."))
    if not any(to.same_as(b) for b in bodies_above(source)):
        raise DelegationError(
            gettext("%(name)s cannot forward a motion to %(described)s.")
            % {"name": source.name, "described": to.described}
        )
    forward = MotionForward.objects.create(
        motion=motion,
        to_level=to.level,
        to_area=to.area,
        to_region=to.region,
        mover=mover or motion.proposer,
        note=note,
        forwarded_by=acting_person(actor),
        forwarded_by_label=actor_label(actor),
        forwarded_at=clock.now(),
    )
    record(
        actor=actor,
        action=AuditAction.DELEGATION_FORWARD_MOTION,
        subject_type="meetings.Motion",
        subject_id=motion.pk,
        scope=source.key,
        detail={"forward": forward.pk, "to": to.key},
    )
    return forward


def check_receiving_meeting(meeting: Meeting, body: Body) -> None:
    if not body.same_as(body_of(meeting)):
        raise DelegationError(
            gettext("That meeting is not a meeting of %(described)s.")
            % {"described": body.described}
        )
    if not meeting.takes_motions:
        raise DelegationError(gettext("That meeting takes no motions."))
    if meeting.status != MeetingStatus.SCHEDULED or meeting.starts_at <= clock.now():
        raise DelegationError(
            gettext("Motions can be put only on the agenda of a meeting still to come.")
        )


def place_motion(
    *,
    actor: User,
    meeting: Meeting,
    title: str,
    text: str,
    proposer: Member,
    seconder: Member,
    note: str,
) -> Motion:
    """A motion on ``meeting``'s agenda under its (first) motions item, ruled in order by the
    officer placing it. ``meeting`` must be locked by the caller."""
    item = meeting.agenda_items.filter(kind=AgendaItemKind.MOTIONS).order_by("position").first()
    if item is None:
        last = meeting.agenda_items.aggregate(m=Max("position"))["m"] or 0
        item = AgendaItem.objects.create(
            meeting=meeting,
            position=last + 1,
            kind=AgendaItemKind.MOTIONS,
            title=gettext("Motions"),
        )
    number = (Motion.objects.filter(meeting=meeting).aggregate(m=Max("number"))["m"] or 0) + 1
    at = clock.now()
    motion = Motion.objects.create(
        meeting=meeting,
        agenda_item=item,
        number=number,
        title=title,
        original_text=text,
        text=text,
        proposer=proposer,
        seconder=seconder,
        seconded_at=at,
        submitted_at=at,
        status=MotionStatus.IN_ORDER,
        ruled_by=member_of(actor),
        ruled_at=at,
        ruling_reason=note,
    )
    MotionRevision.objects.create(motion=motion, text=text, note=note[:200], created_at=at)
    return motion


def _locked_forward(forward: MotionForward) -> MotionForward:
    return (
        MotionForward.objects.select_for_update(of=("self",))
        .select_related("to_area", "to_region", "motion__meeting", "mover")
        .get(pk=forward.pk)
    )


@transaction.atomic(durable=True)
def place_forward_on_agenda(*, actor: User, forward: MotionForward, meeting: Meeting) -> Motion:
    """Put a forwarded motion on the agenda of a meeting of the body it was sent to."""
    forward = _locked_forward(forward)
    body = receiving_body_of(forward)
    if not may(actor, Capability.RECEIVE_MOTIONS, body):
        raise PermissionDenied
    if forward.status != ForwardStatus.AWAITING or forward.composite_id is not None:
        raise DelegationError(
            gettext("This motion is already on an agenda or part of a composite.")
            if forward.composite_id is None
            else gettext(
                "This motion is part of a composite: the composite goes on the agenda instead."
            )
        )
    meeting = Meeting.objects.select_for_update(of=("self",)).get(pk=meeting.pk)
    check_receiving_meeting(meeting, body)
    source = body_of(forward.motion.meeting)
    original = forward.motion
    seconder = original.seconder if original.seconder_id != forward.mover_id else original.proposer
    placed = place_motion(
        actor=actor,
        meeting=meeting,
        title=original.title,
        text=original.text,
        proposer=forward.mover,
        seconder=seconder,
        note=f"Forwarded by {source.name}, carried at {original.meeting.title}.",
    )
    forward.status = ForwardStatus.ON_AGENDA
    forward.placed_motion = placed
    forward.placed_by_label = actor_label(actor)
    forward.placed_at = clock.now()
    forward.save(update_fields=["status", "placed_motion", "placed_by_label", "placed_at"])
    record(
        actor=actor,
        action=AuditAction.DELEGATION_PLACE_FORWARD,
        subject_type="meetings.Motion",
        subject_id=placed.pk,
        scope=body.key,
        detail={"forward": forward.pk, "meeting": meeting.pk, "from_motion": original.pk},
    )
    return placed
