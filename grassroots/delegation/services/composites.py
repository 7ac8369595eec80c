"""Composites: forwarded motions merged into one, agreed by their movers, put on an agenda."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record
from grassroots.delegation.bodies import receiving_body_of
from grassroots.delegation.models import (
    Composite,
    CompositeAgreement,
    CompositeStatus,
    ForwardStatus,
    MotionForward,
)
from grassroots.delegation.services.common import (
    REPLACEABLE_STATUSES,
    DelegationError,
    acting_person,
    actor_label,
    member_of,
)
from grassroots.delegation.services.forwarding import check_receiving_meeting, place_motion
from grassroots.meetings.models import Meeting, Motion, MotionStatus
from grassroots.organisation.permissions import Capability, may
from grassroots.people.models import Member


@transaction.atomic(durable=True)
def propose_composite(
    *, actor: User, forwards: Sequence[MotionForward], title: str, text: str
) -> Composite:
    """Draft one motion to stand for several forwarded to the same body on the same subject."""
    locked = list(
        MotionForward.objects.select_for_update(of=("self",))
        .select_related("to_area", "to_region", "placed_motion")
        .filter(pk__in=[f.pk for f in forwards])
        .order_by("forwarded_at", "id")
    )
    if len(locked) < 2:
        raise DelegationError(gettext("A composite needs at least two forwarded motions."))
    body = receiving_body_of(locked[0])
    if not may(actor, Capability.RECEIVE_MOTIONS, body):
        raise PermissionDenied
    if any(not receiving_body_of(f).same_as(body) for f in locked):
        raise DelegationError(gettext("Only motions forwarded to the same body can be composited."))
    for f in locked:
        if f.composite_id is not None:
            raise DelegationError(
                gettext("“%(title)s” is already part of a composite.") % {"title": f.motion.title}
            )
        if f.status == ForwardStatus.ON_AGENDA and (
            f.placed_motion is None or f.placed_motion.status not in REPLACEABLE_STATUSES
        ):
            raise DelegationError(
                gettext("“%(title)s” has already been debated or decided on its agenda.")
                % {"title": f.motion.title}
            )
    if not title.strip() or not text.strip():
        raise DelegationError(gettext("Give the composite a title and its text."))
    composite = Composite.objects.create(
        to_level=body.level,
        to_area=body.area,
        to_region=body.region,
        title=title.strip(),
        text=text.strip(),
        proposed_by=acting_person(actor),
        proposed_by_label=actor_label(actor),
        proposed_at=clock.now(),
    )
    MotionForward.objects.filter(pk__in=[f.pk for f in locked]).update(composite=composite)
    record(
        actor=actor,
        action=AuditAction.DELEGATION_PROPOSE_COMPOSITE,
        subject_type="delegation.Composite",
        subject_id=composite.pk,
        scope=body.key,
        detail={"forwards": [f.pk for f in locked]},
    )
    return composite


@transaction.atomic(durable=True)
def agree_to_composite(*, actor: User, composite: Composite) -> list[CompositeAgreement]:
    """The acting member agrees to the composite's text for every part they move."""
    composite = Composite.objects.select_for_update(of=("self",)).get(pk=composite.pk)
    member = member_of(actor)
    if member is None:
        raise PermissionDenied
    parts = [p for p in composite.parts.all() if p.mover_id == member.pk]
    if not parts:
        raise PermissionDenied
    if composite.status != CompositeStatus.PROPOSED:
        raise DelegationError(gettext("This composite is already on an agenda."))
    done = set(composite.agreements.values_list("forward_id", flat=True))
    agreements = [
        CompositeAgreement.objects.create(
            composite=composite, forward=p, agreed_by=member, agreed_at=clock.now()
        )
        for p in parts
        if p.pk not in done
    ]
    if not agreements:
        raise DelegationError(gettext("You have already agreed to this composite."))
    record(
        actor=actor,
        action=AuditAction.DELEGATION_AGREE_COMPOSITE,
        subject_type="delegation.Composite",
        subject_id=composite.pk,
        scope=receiving_body_of(composite).key,
        detail={"forwards": [a.forward_id for a in agreements]},
    )
    return agreements


def movers_yet_to_agree(composite: Composite) -> list[Member]:
    agreed = set(composite.agreements.values_list("forward_id", flat=True))
    seen: dict[int, Member] = {}
    for part in composite.parts.select_related("mover").order_by("forwarded_at", "id"):
        if part.pk not in agreed:
            seen.setdefault(part.mover_id, part.mover)
    return list(seen.values())


@transaction.atomic(durable=True)
def place_composite_on_agenda(*, actor: User, composite: Composite, meeting: Meeting) -> Motion:
    """Once every mover has agreed, the composite goes on the agenda in place of its parts;
    a part already on that agenda, not yet debated, is withdrawn in its favour."""
    composite = (
        Composite.objects.select_for_update(of=("self",))
        .select_related("to_area", "to_region")
        .get(pk=composite.pk)
    )
    body = receiving_body_of(composite)
    if not may(actor, Capability.RECEIVE_MOTIONS, body):
        raise PermissionDenied
    if composite.status != CompositeStatus.PROPOSED:
        raise DelegationError(gettext("This composite is already on an agenda."))
    waiting = movers_yet_to_agree(composite)
    if waiting:
        raise DelegationError(
            gettext("Every mover must agree to the composite first; still waiting for %(names)s.")
            % {"names": ", ".join(m.full_name for m in waiting)}
        )
    meeting = Meeting.objects.select_for_update(of=("self",)).get(pk=meeting.pk)
    check_receiving_meeting(meeting, body)
    parts = list(
        composite.parts.select_for_update(of=("self",))
        .select_related("mover", "placed_motion", "motion")
        .order_by("forwarded_at", "id")
    )
    for part in parts:
        placed = part.placed_motion
        if placed is None:
            continue
        if placed.status not in REPLACEABLE_STATUSES:
            raise DelegationError(
                gettext(
                    "“%(title)s” has been debated or decided since; the composite cannot "
                    "replace it."
                )
                % {"title": part.motion.title}
            )
        if placed.meeting_id != meeting.pk:
            raise DelegationError(
                gettext(
                    "“%(title)s” is on the agenda of another meeting; put the composite "
                    "on that one."
                )
                % {"title": part.motion.title}
            )
    movers = list({p.mover_id: p.mover for p in parts}.values())
    seconder = movers[1] if len(movers) > 1 else parts[0].motion.seconder
    if seconder.pk == movers[0].pk:
        seconder = parts[0].motion.proposer
    motion = place_motion(
        actor=actor,
        meeting=meeting,
        title=composite.title,
        text=composite.text,
        proposer=movers[0],
        seconder=seconder,
        note=f"Composite of {len(parts)} forwarded motions, agreed by their movers.",
    )
    at = clock.now()
    for part in parts:
        if part.placed_motion is not None:
            withdrawn = part.placed_motion
            withdrawn.status = MotionStatus.WITHDRAWN
            withdrawn.ruling_reason = f"Replaced by composite motion {motion.number}."
            withdrawn.ruled_at = at
            withdrawn.save(update_fields=["status", "ruling_reason", "ruled_at"])
    MotionForward.objects.filter(pk__in=[p.pk for p in parts]).update(
        status=ForwardStatus.COMPOSITED
    )
    composite.status = CompositeStatus.ON_AGENDA
    composite.placed_motion = motion
    composite.placed_at = at
    composite.save(update_fields=["status", "placed_motion", "placed_at"])
    record(
        actor=actor,
        action=AuditAction.DELEGATION_PLACE_COMPOSITE,
        subject_type="meetings.Motion",
        subject_id=motion.pk,
        scope=body.key,
        detail={"composite": composite.pk, "meeting": meeting.pk, "parts": [p.pk for p in parts]},
    )
    return motion
