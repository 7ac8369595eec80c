"""Every write in the delegation app: allocating delegates, recording them, forwarding carried
motions upward, putting them on the receiving body's agenda, and compositing.

Each use case checks permission first, validates, writes and audits in one durable
transaction; anything the rules refuse raises ``DelegationError`` with the reason to show, and
changes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.urls import reverse

from grassroots import clock
from grassroots.audit.services import record
from grassroots.ballots.models import Ballot, BallotStatus
from grassroots.delegation.bodies import (
    Body,
    bodies_above,
    body_of,
    may_for_body,
    receiving_body_of,
)
from grassroots.delegation.counting import members_in_good_standing
from grassroots.delegation.models import (
    AllocationLine,
    Composite,
    CompositeAgreement,
    CompositeStatus,
    Delegate,
    DelegateAllocation,
    ElectedBy,
    ForwardStatus,
    MotionForward,
    WithdrawnHow,
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
from grassroots.messaging.models import MailKind
from grassroots.messaging.services import send_to_members
from grassroots.organisation.models import (
    RECOGNISED_STATUSES,
    Group,
    GroupRecognition,
    GroupStatus,
    Role,
    RoleAssignment,
    ScopeLevel,
)
from grassroots.organisation.permissions import Capability, may
from grassroots.people.models import Member, MembershipStatus
from grassroots.tally.apportionment import apportion
from grassroots.tally.types import TallyError

# A group sends delegates while it is recognised: organisation.models.RECOGNISED_STATUSES (a
# group at risk still is; provisional, suspended and de-recognised groups are not).
# Delegates are allocated for meetings of these bodies.
DELEGATE_LEVELS = (ScopeLevel.AREA, ScopeLevel.REGION)
# Placed motions still open to being replaced by a composite: not yet debated or decided.
REPLACEABLE_STATUSES = (MotionStatus.SUBMITTED, MotionStatus.IN_ORDER)
MAX_REASON = 2000


class DelegationError(Exception):
    """A request the rules refuse, with a reason to show the person."""


def _label(actor: Any) -> str:
    return str(actor.email) if getattr(actor, "is_authenticated", False) else "system"


def _person(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _member_of(actor: Any) -> Member | None:
    return getattr(actor, "member", None) if getattr(actor, "is_authenticated", False) else None


def is_recognised(status: str) -> bool:
    return status in RECOGNISED_STATUSES


def recognition_statuses(groups: Sequence[Group]) -> dict[int, str]:
    """Each group's status now; a group never reviewed is provisional."""
    found = dict(
        GroupRecognition.objects.filter(group__in=groups).values_list("group_id", "status")
    )
    return {g.pk: found.get(g.pk, GroupStatus.PROVISIONAL) for g in groups}


def current_allocation(meeting: Meeting) -> DelegateAllocation | None:
    return DelegateAllocation.objects.filter(meeting=meeting, superseded_at__isnull=True).first()


# --- Allocation --------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def allocate_delegates(
    *,
    actor: Any,
    meeting: Meeting,
    seats: int,
    minimum: int,
    counted_on: datetime.date,
    seed: int | None = None,
) -> DelegateAllocation:
    """Share ``seats`` delegates to ``meeting`` among the groups of its area or region by
    Sainte-Laguë over their members in good standing on ``counted_on``, at least ``minimum``
    to each recognised group and none to the rest."""
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("area", "region")
        .get(pk=meeting.pk)
    )
    body = body_of(meeting)
    if not may_for_body(actor, Capability.ALLOCATE_DELEGATES, body):
        raise PermissionDenied
    if meeting.level not in DELEGATE_LEVELS:
        raise DelegationError("Delegates are allocated only for area and regional meetings.")
    if meeting.status != MeetingStatus.SCHEDULED:
        raise DelegationError(
            f"This meeting is {meeting.get_status_display().lower()}: "
            "delegates are allocated before it is held."
        )
    if seats < 1:
        raise DelegationError("Give at least one delegate seat.")
    if minimum < 0:
        raise DelegationError("The minimum per group cannot be negative.")
    if counted_on > clock.today():
        raise DelegationError("Membership can be counted only on a date that has passed.")
    previous = current_allocation(meeting)
    if previous is not None and Delegate.objects.filter(meeting=meeting).exists():
        raise DelegationError(
            "Delegates have already been recorded against the current allocation, "
            "so it can no longer be replaced."
        )
    groups = list(Group.objects.filter(body.groups()).order_by("name"))
    if not groups:
        raise DelegationError(f"{body.name} has no groups to send delegates.")
    statuses = recognition_statuses(groups)
    counts = members_in_good_standing([g.pk for g in groups], counted_on)
    recognised = [g for g in groups if is_recognised(statuses[g.pk])]
    if not recognised:
        raise DelegationError(f"None of the groups in {body.name} is recognised.")
    try:
        result = apportion(
            {g.slug: counts[g.pk] for g in recognised},
            seats,
            method="sainte-lague",
            seed=seed,
            minimum=minimum,
        )
    except TallyError as error:
        raise DelegationError(f"The allocation cannot be made: {error}.") from error
    if previous is not None:
        previous.superseded_at = clock.now()
        previous.save(update_fields=["superseded_at"])
    allocation = DelegateAllocation.objects.create(
        meeting=meeting,
        counted_on=counted_on,
        seats=seats,
        minimum=minimum,
        method=result.method,
        seed=result.seed,
        rounds=[
            {
                "seat": r.seat,
                "awarded_to": r.awarded_to,
                "note": r.note,
                "quotients": {k: [q.numerator, q.denominator] for k, q in r.quotients.items()},
            }
            for r in result.rounds
        ],
        made_by=_person(actor),
        made_by_label=_label(actor),
        made_at=clock.now(),
    )
    AllocationLine.objects.bulk_create(
        AllocationLine(
            allocation=allocation,
            group=g,
            recognition_status=statuses[g.pk],
            is_recognised=is_recognised(statuses[g.pk]),
            members=counts[g.pk],
            delegates=result.allocation.get(g.slug, 0),
        )
        for g in groups
    )
    record(
        actor=actor,
        action="delegation.allocate",
        subject_type="delegation.DelegateAllocation",
        subject_id=allocation.pk,
        scope=body.key,
        detail={
            "meeting": meeting.pk,
            "seats": seats,
            "minimum": minimum,
            "counted_on": counted_on.isoformat(),
            "replaces": previous.pk if previous else None,
            "allocation": {g.slug: result.allocation.get(g.slug, 0) for g in groups},
        },
    )
    return allocation


def rederive(allocation: DelegateAllocation) -> dict[str, int]:
    """The allocation recomputed by ``tally`` from the stored inputs alone (slug: delegates)."""
    lines = list(allocation.lines.select_related("group"))
    result = apportion(
        {line.group.slug: line.members for line in lines if line.is_recognised},
        allocation.seats,
        method="sainte-lague",
        seed=allocation.seed,
        minimum=allocation.minimum,
    )
    return {line.group.slug: result.allocation.get(line.group.slug, 0) for line in lines}


# --- Delegates ---------------------------------------------------------------------------------


def _locked_allocation(meeting: Meeting) -> DelegateAllocation:
    """The meeting's current allocation, locked: every change to a meeting's delegates takes
    this lock first, so two officers filling the same place are served one after the other."""
    allocation = (
        DelegateAllocation.objects.select_for_update(of=("self",))
        .filter(meeting=meeting, superseded_at__isnull=True)
        .first()
    )
    if allocation is None:
        raise DelegationError("No delegates have been allocated for this meeting yet.")
    return allocation


def _require_before_meeting(meeting: Meeting) -> None:
    if meeting.status != MeetingStatus.SCHEDULED:
        raise DelegationError(
            f"The meeting is {meeting.get_status_display().lower()}: "
            "its delegates can no longer change."
        )


def _create_delegate(
    *,
    actor: Any,
    meeting: Meeting,
    group: Group,
    member: Member,
    elected_by: str,
    group_meeting: Meeting | None,
    ballot: Ballot | None,
    replaces: Delegate | None,
) -> Delegate:
    """Check the member and the evidence of their election, then write the delegate. The
    caller holds the allocation lock and has checked the group's places."""
    if (
        member.home_group_id != group.pk
        or member.status != MembershipStatus.MEMBER
        or member.is_erased
    ):
        raise DelegationError(
            f"A delegate must be a member in good standing whose home group is {group.name}."
        )
    if Delegate.objects.filter(meeting=meeting, member=member, withdrawn_at__isnull=True).exists():
        raise DelegationError(f"{member.full_name} is already a delegate to this meeting.")
    if elected_by == ElectedBy.MEETING:
        if group_meeting is None or not (
            group_meeting.level == ScopeLevel.GROUP and group_meeting.group_id == group.pk
        ):
            raise DelegationError(f"Name the meeting of {group.name} that elected the delegate.")
        if group_meeting.status == MeetingStatus.CANCELLED or group_meeting.starts_at > clock.now():
            raise DelegationError("The group meeting that elected the delegate has not been held.")
        ballot = None
    elif elected_by == ElectedBy.BALLOT:
        if ballot is None or not (ballot.level == ScopeLevel.GROUP and ballot.group_id == group.pk):
            raise DelegationError(f"Name the ballot of {group.name} that elected the delegate.")
        if ballot.status != BallotStatus.PUBLISHED:
            raise DelegationError("The ballot's result has not been published yet.")
        group_meeting = None
    else:
        raise DelegationError("Say how the delegate was elected: at a meeting or by a ballot.")
    delegate = Delegate.objects.create(
        meeting=meeting,
        group=group,
        member=member,
        elected_by=elected_by,
        group_meeting=group_meeting,
        ballot=ballot,
        replaces=replaces,
        recorded_by=_person(actor),
        recorded_by_label=_label(actor),
        recorded_at=clock.now(),
    )
    record(
        actor=actor,
        action="delegation.replace_delegate" if replaces else "delegation.record_delegate",
        subject_type="people.Member",
        subject_id=member.pk,
        scope=f"group:{group.pk}",
        detail={
            "meeting": meeting.pk,
            "delegate": delegate.pk,
            "elected_by": elected_by,
            "group_meeting": group_meeting.pk if group_meeting else None,
            "ballot": ballot.pk if ballot else None,
            "replaces": replaces.pk if replaces else None,
        },
    )
    return delegate


def _check_group_sends(meeting: Meeting, group: Group) -> None:
    body = body_of(meeting)
    if meeting.level not in DELEGATE_LEVELS or not body.contains_group(group):
        raise DelegationError(f"{group.name} does not send delegates to this meeting.")
    status = recognition_statuses([group])[group.pk]
    if not is_recognised(status):
        raise DelegationError(
            f"{group.name} is not a recognised group ({GroupStatus(status).label.lower()}), "
            "so it sends no delegates."
        )


@transaction.atomic(durable=True)
def record_delegate(
    *,
    actor: Any,
    meeting: Meeting,
    group: Group,
    member: Member,
    elected_by: str,
    group_meeting: Meeting | None = None,
    ballot: Ballot | None = None,
) -> Delegate:
    """Record that ``group`` elected ``member`` as a delegate to ``meeting``, at a group
    meeting or by a ballot. A place given up by a withdrawn delegate is filled first (the new
    delegate replaces them), so the seat's history stays whole."""
    if not may(actor, Capability.RECORD_DELEGATES, group):
        raise PermissionDenied
    _check_group_sends(meeting, group)
    allocation = _locked_allocation(meeting)
    line = allocation.lines.filter(group=group).first()
    seats = line.delegates if line is not None else 0
    taken = Delegate.objects.filter(meeting=meeting, group=group, withdrawn_at__isnull=True).count()
    if taken >= seats:
        raise DelegationError(
            f"{group.name} has {seats} delegate{'s' if seats != 1 else ''} "
            f"and {taken} already recorded: there is no place left."
        )
    vacated = (
        Delegate.objects.filter(
            meeting=meeting, group=group, withdrawn_at__isnull=False, replaced_by__isnull=True
        )
        .order_by("withdrawn_at", "id")
        .first()
    )
    delegate = _create_delegate(
        actor=actor,
        meeting=meeting,
        group=group,
        member=member,
        elected_by=elected_by,
        group_meeting=group_meeting,
        ballot=ballot,
        replaces=vacated,
    )
    if vacated is not None:
        _notify_replacement(actor=actor, old=vacated, new=delegate)
    return delegate


def _group_notice_recipients(group: Group, *also: int) -> list[int]:
    """The member concerned and the group's Chair and Secretary today."""
    ids = list(also)
    ids += (
        RoleAssignment.objects.current(clock.today())
        .filter(group=group, role__in=(Role.CHAIR, Role.SECRETARY))
        .values_list("member_id", flat=True)
    )
    return list(dict.fromkeys(ids))


def _list_link(meeting: Meeting) -> str:
    return settings.GRASSROOTS_SITE_URL.rstrip("/") + reverse(
        "delegation_meeting", args=[meeting.pk]
    )


def _notify_withdrawal(*, actor: Any, delegate: Delegate) -> None:
    who = delegate.member.full_name
    meeting = delegate.meeting
    if delegate.withdrawn_how == WithdrawnHow.WITHDREW:
        how = f"{who} has withdrawn as a delegate"
    else:
        how = (
            f"The officers of {delegate.group.name} have withdrawn {who} as a delegate, "
            f"for this reason: {delegate.withdrawal_reason}\n\nSo {who} is no longer a delegate"
        )
    send_to_members(
        actor=actor,
        members=_group_notice_recipients(delegate.group, delegate.member_id),
        subject=f"{who} is no longer a delegate of {delegate.group.name} to {meeting.title}",
        body=(
            "Dear $first_name,\n\n"
            f"{how} of {delegate.group.name} to {meeting.title} "
            f"({meeting.starts_at:%-d %B %Y}). The group can elect a replacement, at a group "
            "meeting or by a ballot, and record them on the delegate list.\n\n"
            f"The delegate list: {_list_link(meeting)}\n"
        ),
        purpose="delegate notice: withdrawal",
        kind=MailKind.NOTICE,
    )


def _notify_replacement(*, actor: Any, old: Delegate, new: Delegate) -> None:
    meeting = new.meeting
    send_to_members(
        actor=actor,
        members=_group_notice_recipients(new.group, new.member_id, old.member_id),
        subject=(
            f"{new.member.full_name} replaces {old.member.full_name} as a delegate of "
            f"{new.group.name}"
        ),
        body=(
            "Dear $first_name,\n\n"
            f"{new.group.name} has recorded {new.member.full_name} as its delegate to "
            f"{meeting.title} ({meeting.starts_at:%-d %B %Y}), in the place of "
            f"{old.member.full_name}, who is no longer a delegate.\n\n"
            f"The delegate list: {_list_link(meeting)}\n"
        ),
        purpose="delegate notice: replacement",
        kind=MailKind.NOTICE,
    )


def _locked_delegate(delegate: Delegate) -> Delegate:
    return (
        Delegate.objects.select_for_update(of=("self",))
        .select_related("member", "group", "meeting")
        .get(pk=delegate.pk)
    )


@transaction.atomic(durable=True)
def withdraw_delegate(*, actor: Any, delegate: Delegate, reason: str = "") -> Delegate:
    """The delegate stands down, or the group's officers (``RECORD_DELEGATES``) withdraw them
    with a reason. The seat is then vacant until the group records a replacement."""
    _locked_allocation(delegate.meeting)
    delegate = _locked_delegate(delegate)
    member = _member_of(actor)
    is_self = member is not None and member.pk == delegate.member_id
    if not is_self and not may(actor, Capability.RECORD_DELEGATES, delegate.group):
        raise PermissionDenied
    if delegate.withdrawn_at is not None:
        raise DelegationError(
            f"{delegate.member.full_name} was already withdrawn on "
            f"{delegate.withdrawn_at:%-d %B %Y}."
        )
    _require_before_meeting(delegate.meeting)
    reason = reason.strip()
    if len(reason) > MAX_REASON:
        raise DelegationError(f"Keep the reason to {MAX_REASON} characters.")
    if not is_self and not reason:
        raise DelegationError(
            f"Give the reason the group withdraws {delegate.member.full_name} as its delegate."
        )
    delegate.withdrawn_at = clock.now()
    delegate.withdrawn_how = WithdrawnHow.WITHDREW if is_self else WithdrawnHow.REMOVED
    delegate.withdrawal_reason = reason
    delegate.withdrawn_by = _person(actor)
    delegate.withdrawn_by_label = _label(actor)
    delegate.save(
        update_fields=[
            "withdrawn_at",
            "withdrawn_how",
            "withdrawal_reason",
            "withdrawn_by",
            "withdrawn_by_label",
        ]
    )
    record(
        actor=actor,
        action="delegation.withdraw_delegate",
        subject_type="people.Member",
        subject_id=delegate.member_id,
        scope=f"group:{delegate.group_id}",
        detail={
            "meeting": delegate.meeting_id,
            "delegate": delegate.pk,
            "how": delegate.withdrawn_how,
            "reason": reason,
        },
    )
    _notify_withdrawal(actor=actor, delegate=delegate)
    return delegate


@transaction.atomic(durable=True)
def replace_delegate(
    *,
    actor: Any,
    delegate: Delegate,
    member: Member,
    elected_by: str,
    group_meeting: Meeting | None = None,
    ballot: Ballot | None = None,
) -> Delegate:
    """Record the member ``delegate``'s group elected in their place, at a group meeting or by
    a ballot, as for the original. ``delegate`` must have been withdrawn and not yet replaced."""
    if not may(actor, Capability.RECORD_DELEGATES, delegate.group):
        raise PermissionDenied
    _locked_allocation(delegate.meeting)
    old = _locked_delegate(delegate)
    if old.withdrawn_at is None:
        raise DelegationError(
            f"{old.member.full_name} still holds this seat: withdraw them first, with the reason."
        )
    successor = Delegate.objects.filter(replaces=old).select_related("member").first()
    if successor is not None:
        raise DelegationError(
            f"This seat has already been filled: {successor.member.full_name} replaced "
            f"{old.member.full_name}."
        )
    _require_before_meeting(old.meeting)
    _check_group_sends(old.meeting, old.group)
    new = _create_delegate(
        actor=actor,
        meeting=old.meeting,
        group=old.group,
        member=member,
        elected_by=elected_by,
        group_meeting=group_meeting,
        ballot=ballot,
        replaces=old,
    )
    _notify_replacement(actor=actor, old=old, new=new)
    return new


# --- Forwarding --------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def forward_motion(
    *,
    actor: Any,
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
    if not may_for_body(actor, Capability.FORWARD_MOTIONS, source):
        raise PermissionDenied
    if motion.status != MotionStatus.CARRIED:
        raise DelegationError(
            f"Only a carried motion can be forwarded; this one is "
            f"{motion.get_status_display().lower()}."
        )
    if MotionForward.objects.filter(motion=motion).exists():
        raise DelegationError("This motion has already been forwarded.")
    if not any(to.same_as(b) for b in bodies_above(source)):
        raise DelegationError(f"{source.name} cannot forward a motion to {to.described}.")
    forward = MotionForward.objects.create(
        motion=motion,
        to_level=to.level,
        to_area=to.area,
        to_region=to.region,
        mover=mover or motion.proposer,
        note=note,
        forwarded_by=_person(actor),
        forwarded_by_label=_label(actor),
        forwarded_at=clock.now(),
    )
    record(
        actor=actor,
        action="delegation.forward_motion",
        subject_type="meetings.Motion",
        subject_id=motion.pk,
        scope=source.key,
        detail={"forward": forward.pk, "to": to.key},
    )
    return forward


def _check_receiving_meeting(meeting: Meeting, body: Body) -> None:
    if not body.same_as(body_of(meeting)):
        raise DelegationError(f"That meeting is not a meeting of {body.described}.")
    if not meeting.takes_motions:
        raise DelegationError("That meeting takes no motions.")
    if meeting.status != MeetingStatus.SCHEDULED or meeting.starts_at <= clock.now():
        raise DelegationError("Motions can be put only on the agenda of a meeting still to come.")


def _place_motion(
    *,
    actor: Any,
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
            meeting=meeting, position=last + 1, kind=AgendaItemKind.MOTIONS, title="Motions"
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
        ruled_by=_member_of(actor),
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
def place_forward_on_agenda(*, actor: Any, forward: MotionForward, meeting: Meeting) -> Motion:
    """Put a forwarded motion on the agenda of a meeting of the body it was sent to."""
    forward = _locked_forward(forward)
    body = receiving_body_of(forward)
    if not may_for_body(actor, Capability.RECEIVE_MOTIONS, body):
        raise PermissionDenied
    if forward.status != ForwardStatus.AWAITING or forward.composite_id is not None:
        raise DelegationError(
            "This motion is already on an agenda or part of a composite."
            if forward.composite_id is None
            else "This motion is part of a composite: the composite goes on the agenda instead."
        )
    meeting = Meeting.objects.select_for_update(of=("self",)).get(pk=meeting.pk)
    _check_receiving_meeting(meeting, body)
    source = body_of(forward.motion.meeting)
    original = forward.motion
    seconder = original.seconder if original.seconder_id != forward.mover_id else original.proposer
    placed = _place_motion(
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
    forward.placed_by_label = _label(actor)
    forward.placed_at = clock.now()
    forward.save(update_fields=["status", "placed_motion", "placed_by_label", "placed_at"])
    record(
        actor=actor,
        action="delegation.place_forward",
        subject_type="meetings.Motion",
        subject_id=placed.pk,
        scope=body.key,
        detail={"forward": forward.pk, "meeting": meeting.pk, "from_motion": original.pk},
    )
    return placed


# --- Composites --------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def propose_composite(
    *, actor: Any, forwards: Sequence[MotionForward], title: str, text: str
) -> Composite:
    """Draft one motion to stand for several forwarded to the same body on the same subject."""
    locked = list(
        MotionForward.objects.select_for_update(of=("self",))
        .select_related("to_area", "to_region", "placed_motion")
        .filter(pk__in=[f.pk for f in forwards])
        .order_by("forwarded_at", "id")
    )
    if len(locked) < 2:
        raise DelegationError("A composite needs at least two forwarded motions.")
    body = receiving_body_of(locked[0])
    if not may_for_body(actor, Capability.RECEIVE_MOTIONS, body):
        raise PermissionDenied
    if any(not receiving_body_of(f).same_as(body) for f in locked):
        raise DelegationError("Only motions forwarded to the same body can be composited.")
    for f in locked:
        if f.composite_id is not None:
            raise DelegationError(f"“{f.motion.title}” is already part of a composite.")
        if f.status == ForwardStatus.ON_AGENDA and (
            f.placed_motion is None or f.placed_motion.status not in REPLACEABLE_STATUSES
        ):
            raise DelegationError(
                f"“{f.motion.title}” has already been debated or decided on its agenda."
            )
    if not title.strip() or not text.strip():
        raise DelegationError("Give the composite a title and its text.")
    composite = Composite.objects.create(
        to_level=body.level,
        to_area=body.area,
        to_region=body.region,
        title=title.strip(),
        text=text.strip(),
        proposed_by=_person(actor),
        proposed_by_label=_label(actor),
        proposed_at=clock.now(),
    )
    MotionForward.objects.filter(pk__in=[f.pk for f in locked]).update(composite=composite)
    record(
        actor=actor,
        action="delegation.propose_composite",
        subject_type="delegation.Composite",
        subject_id=composite.pk,
        scope=body.key,
        detail={"forwards": [f.pk for f in locked]},
    )
    return composite


@transaction.atomic(durable=True)
def agree_to_composite(*, actor: Any, composite: Composite) -> list[CompositeAgreement]:
    """The acting member agrees to the composite's text for every part they move."""
    composite = Composite.objects.select_for_update(of=("self",)).get(pk=composite.pk)
    member = _member_of(actor)
    if member is None:
        raise PermissionDenied
    parts = [p for p in composite.parts.all() if p.mover_id == member.pk]
    if not parts:
        raise PermissionDenied
    if composite.status != CompositeStatus.PROPOSED:
        raise DelegationError("This composite is already on an agenda.")
    done = set(composite.agreements.values_list("forward_id", flat=True))
    agreements = [
        CompositeAgreement.objects.create(
            composite=composite, forward=p, agreed_by=member, agreed_at=clock.now()
        )
        for p in parts
        if p.pk not in done
    ]
    if not agreements:
        raise DelegationError("You have already agreed to this composite.")
    record(
        actor=actor,
        action="delegation.agree_composite",
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
def place_composite_on_agenda(*, actor: Any, composite: Composite, meeting: Meeting) -> Motion:
    """Once every mover has agreed, the composite goes on the agenda in place of its parts;
    a part already on that agenda, not yet debated, is withdrawn in its favour."""
    composite = (
        Composite.objects.select_for_update(of=("self",))
        .select_related("to_area", "to_region")
        .get(pk=composite.pk)
    )
    body = receiving_body_of(composite)
    if not may_for_body(actor, Capability.RECEIVE_MOTIONS, body):
        raise PermissionDenied
    if composite.status != CompositeStatus.PROPOSED:
        raise DelegationError("This composite is already on an agenda.")
    waiting = movers_yet_to_agree(composite)
    if waiting:
        raise DelegationError(
            "Every mover must agree to the composite first; still waiting for "
            + ", ".join(m.full_name for m in waiting)
            + "."
        )
    meeting = Meeting.objects.select_for_update(of=("self",)).get(pk=meeting.pk)
    _check_receiving_meeting(meeting, body)
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
                f"“{part.motion.title}” has been debated or decided since; "
                "the composite cannot replace it."
            )
        if placed.meeting_id != meeting.pk:
            raise DelegationError(
                f"“{part.motion.title}” is on the agenda of another meeting; "
                "put the composite on that one."
            )
    movers = list({p.mover_id: p.mover for p in parts}.values())
    seconder = movers[1] if len(movers) > 1 else parts[0].motion.seconder
    if seconder.pk == movers[0].pk:
        seconder = parts[0].motion.proposer
    motion = _place_motion(
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
        action="delegation.place_composite",
        subject_type="meetings.Motion",
        subject_id=motion.pk,
        scope=body.key,
        detail={"composite": composite.pk, "meeting": meeting.pk, "parts": [p.pk for p in parts]},
    )
    return motion
