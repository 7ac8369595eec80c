"""Reads shared by the delegation pages. Who may see what is asked of
``organisation.permissions.may``, which takes a ``Body`` as the body it names; a forbidden
object answers the same 404 as a missing one.

Delegates' names (and their group) are published to the members of the body they attend, as
officers' names are on a group page: standing as a delegate is standing for a public office,
so reading the list is not a read of personal data that needs an audit row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.delegation.bodies import (
    Body,
    body_from_key,
    body_of,
    is_member_in,
    receiving_body_of,
)
from grassroots.delegation.models import (
    AllocationLine,
    Composite,
    CompositeStatus,
    Delegate,
    DelegateAllocation,
    ForwardStatus,
    MotionForward,
)
from grassroots.delegation.services.common import DELEGATE_LEVELS, current_allocation
from grassroots.meetings.models import (
    Amendment,
    Attendance,
    Meeting,
    MeetingStatus,
    Motion,
    MotionStatus,
)
from grassroots.organisation.models import Group, ScopeLevel
from grassroots.organisation.permissions import Capability, may, scopes_for

OVERSEEING = (Capability.ALLOCATE_DELEGATES, Capability.RECEIVE_MOTIONS)


def may_see_body(user: User | AnonymousUser, body: Body) -> bool:
    """A body's delegate lists and forwarded motions are for its members and its officers."""
    if not getattr(user, "is_authenticated", False):
        return False
    return is_member_in(user, body) or any(may(user, c, body) for c in OVERSEEING)


# --- Meetings with delegates -------------------------------------------------------------------


def get_delegate_meeting_for(user: User | AnonymousUser, meeting_id: int) -> Meeting:
    meeting = (
        Meeting.objects.select_related("area__region", "region")
        .filter(pk=meeting_id, level__in=DELEGATE_LEVELS)
        .first()
    )
    if meeting is None or not may_see_body(user, body_of(meeting)):
        raise Http404(gettext("No such meeting."))
    return meeting


@dataclass
class LineView:
    line: AllocationLine
    delegates: list[Delegate]  # holding a seat now
    share: float  # of the recognised groups' members, per cent
    former: list[Delegate] = field(default_factory=list)  # withdrawn, oldest first

    @property
    def places_left(self) -> int:
        return max(self.line.delegates - len(self.delegates), 0)

    @property
    def vacated(self) -> list[Delegate]:
        """Withdrawn delegates whose seat the group has not filled yet."""
        filled = {d.replaces_id for d in (*self.delegates, *self.former)}
        return [d for d in self.former if d.pk not in filled]


@dataclass
class AllocationView:
    allocation: DelegateAllocation
    lines: list[LineView]
    rederived_matches: bool
    total_members: int
    signed_in: set[int]  # member ids of delegates signed in at the meeting

    @property
    def history(self) -> list[Delegate]:
        """Every delegate who gave up a seat, with who replaced them, by group."""
        return [d for lv in self.lines for d in lv.former]


def current_delegates(meeting: Meeting) -> Any:
    """The delegates to ``meeting`` now: a withdrawn delegate is no longer one anywhere."""
    return Delegate.objects.filter(meeting=meeting, withdrawn_at__isnull=True)


def is_delegate(member: Any, meeting: Meeting) -> bool:
    return member is not None and current_delegates(meeting).filter(member=member).exists()


def allocation_view(meeting: Meeting) -> AllocationView | None:
    from grassroots.delegation.services.allocation import rederive

    allocation = current_allocation(meeting)
    if allocation is None:
        return None
    lines = list(allocation.lines.select_related("group"))
    delegates: dict[int, list[Delegate]] = {}
    former: dict[int, list[Delegate]] = {}
    for d in (
        Delegate.objects.filter(meeting=meeting)
        .select_related("member", "group_meeting", "replaced_by__member", "replaces__member")
        .order_by("recorded_at", "id")
    ):
        (former if d.is_withdrawn else delegates).setdefault(d.group_id, []).append(d)
    total = sum(line.members for line in lines if line.is_recognised)
    stored = {line.group.slug: line.delegates for line in lines}
    # Signing in is the meetings app's; only a delegate holding a seat counts as one present.
    signed_in = set(
        Attendance.objects.filter(
            meeting=meeting,
            member_id__in=[d.member_id for ds in delegates.values() for d in ds],
        ).values_list("member_id", flat=True)
    )
    return AllocationView(
        allocation=allocation,
        lines=[
            LineView(
                line=line,
                delegates=delegates.get(line.group_id, []),
                share=(100 * line.members / total) if total and line.is_recognised else 0.0,
                former=former.get(line.group_id, []),
            )
            for line in lines
        ],
        rederived_matches=rederive(allocation) == stored,
        total_members=total,
        signed_in=signed_in,
    )


def get_delegate_for(user: User | AnonymousUser, delegate_id: int) -> Delegate:
    """A delegate ``user`` may withdraw or replace: the delegate themself, or the group's
    officers who record its delegates. Anyone else gets the same 404 as for a missing one."""
    delegate = (
        Delegate.objects.select_related(
            "member", "group", "meeting__area__region", "meeting__region", "replaced_by__member"
        )
        .filter(pk=delegate_id)
        .first()
    )
    if delegate is None or not (
        may(user, Capability.RECORD_DELEGATES, delegate.group) or may_withdraw_self(user, delegate)
    ):
        raise Http404(gettext("No such delegate."))
    return delegate


def may_withdraw_self(user: User | AnonymousUser, delegate: Delegate) -> bool:
    member = getattr(user, "member", None) if getattr(user, "is_authenticated", False) else None
    return member is not None and member.pk == delegate.member_id


def delegate_meetings_visible_to(user: User | AnonymousUser) -> list[Meeting]:
    """Scheduled area and regional meetings whose body ``user`` may see, soonest first."""
    if not getattr(user, "is_authenticated", False):
        return []
    meetings = Meeting.objects.select_related("area__region", "region").filter(
        level__in=DELEGATE_LEVELS, status=MeetingStatus.SCHEDULED
    )
    # Narrow to the bodies of the person's own groups and of the groups they oversee, then ask
    # the one rule (may_see_body) of each of the few left.
    overseen = [scopes_for(user, c) for c in OVERSEEING]
    if not any(s.everywhere for s in overseen):
        member = getattr(user, "member", None)
        group_ids = set().union(*(s.group_ids for s in overseen))
        if member is not None:
            group_ids |= {member.home_group_id, *member.other_groups.values_list("id", flat=True)}
        meetings = meetings.filter(
            Q(level=ScopeLevel.AREA, area__groups__in=group_ids)
            | Q(level=ScopeLevel.REGION, region__areas__groups__in=group_ids)
        ).distinct()
    return [m for m in meetings.order_by("starts_at")[:200] if may_see_body(user, body_of(m))]


def groups_user_records_for(user: User | AnonymousUser, meeting: Meeting) -> list[Group]:
    """The groups of the meeting's body whose delegates ``user`` may record."""
    scopes = scopes_for(user, Capability.RECORD_DELEGATES)
    if scopes.is_empty:
        return []
    groups = Group.objects.filter(body_of(meeting).groups()).order_by("name")
    if not scopes.everywhere:
        groups = groups.filter(pk__in=scopes.group_ids)
    return list(groups)


# --- Forwarded motions -------------------------------------------------------------------------


def get_body_for(user: User | AnonymousUser, key: str) -> Body:
    body = body_from_key(key)
    if body is None or body.level == ScopeLevel.GROUP or not may_see_body(user, body):
        raise Http404(gettext("No such body."))
    return body


def forwards_to(body: Body) -> list[MotionForward]:
    return list(
        MotionForward.objects.filter(to_level=body.level, to_area=body.area, to_region=body.region)
        .select_related("motion__meeting__group", "motion__meeting__area", "mover", "composite")
        .select_related("placed_motion__meeting")
        .order_by("status", "-forwarded_at")
    )


def composites_for(body: Body) -> list[Composite]:
    return list(
        Composite.objects.filter(to_level=body.level, to_area=body.area, to_region=body.region)
        .prefetch_related("parts")
        .order_by("-proposed_at")
    )


def get_forward_for(user: User | AnonymousUser, forward_id: int) -> MotionForward:
    forward = (
        MotionForward.objects.select_related(
            "to_area__region", "to_region", "motion__meeting", "mover", "placed_motion", "composite"
        )
        .filter(pk=forward_id)
        .first()
    )
    if forward is None:
        raise Http404(gettext("No such motion."))
    if not (
        may_see_body(user, receiving_body_of(forward))
        or may_see_body(user, body_of(forward.motion.meeting))
    ):
        raise Http404(gettext("No such motion."))
    return forward


def get_composite_for(user: User | AnonymousUser, composite_id: int) -> Composite:
    composite = (
        Composite.objects.select_related("to_area__region", "to_region")
        .filter(pk=composite_id)
        .first()
    )
    if composite is None or not may_see_body(user, receiving_body_of(composite)):
        raise Http404(gettext("No such composite."))
    return composite


def get_forwardable_motion_for(user: User | AnonymousUser, motion_id: int) -> Motion:
    """A motion ``user`` may forward (FORWARD_MOTIONS over its meeting's body)."""
    motion = (
        Motion.objects.select_related(
            "meeting__group__area__region", "meeting__area__region", "meeting__region", "proposer"
        )
        .filter(pk=motion_id)
        .first()
    )
    if motion is None or not may(user, Capability.FORWARD_MOTIONS, body_of(motion.meeting)):
        raise Http404(gettext("No such motion."))
    return motion


def receiving_meetings(body: Body) -> list[Meeting]:
    """Meetings of ``body`` still to come that take motions."""
    meetings = Meeting.objects.filter(
        level=body.level,
        area=body.area,
        region=body.region,
        status=MeetingStatus.SCHEDULED,
        starts_at__gt=clock.now(),
    ).order_by("starts_at")
    return [m for m in meetings if m.takes_motions]


# --- A motion's history ------------------------------------------------------------------------


@dataclass
class Stage:
    """One meeting a motion passed through: its text there, the amendments, the outcome, and
    the stages below it (one for a forwarded motion, several for a composite)."""

    motion: Motion
    body: Body
    amendments: list[Amendment]
    composite: Composite | None = None
    earlier: list[Stage] = field(default_factory=list)

    @property
    def is_carried(self) -> bool:
        return self.motion.status == MotionStatus.CARRIED


def motion_history(motion: Motion, depth: int = 0) -> Stage:
    """The motion and every stage it came up through (bounded: group, area, region, nation)."""
    motion = Motion.objects.select_related(
        "meeting__group", "meeting__area", "meeting__region"
    ).get(pk=motion.pk)
    stage = Stage(
        motion=motion,
        body=body_of(motion.meeting),
        amendments=list(motion.amendments.order_by("number")),
    )
    if depth > 4:
        return stage
    arrived = MotionForward.objects.filter(placed_motion=motion).select_related("motion").first()
    if arrived is not None:
        stage.earlier.append(motion_history(arrived.motion, depth + 1))
    composite = Composite.objects.filter(placed_motion=motion).first()
    if composite is not None:
        stage.composite = composite
        for part in composite.parts.select_related("motion").order_by("forwarded_at", "id"):
            stage.earlier.append(motion_history(part.motion, depth + 1))
    return stage


def supporting_groups(stage: Stage) -> list[Group]:
    """The groups whose carried motions this one stands for."""
    if not stage.earlier:
        group = stage.motion.meeting.group
        return [group] if group is not None and stage.is_carried else []
    found: dict[int, Group] = {}
    for earlier in stage.earlier:
        for g in supporting_groups(earlier):
            found.setdefault(g.pk, g)
    return sorted(found.values(), key=lambda g: g.name)


def forward_history(forward: MotionForward) -> tuple[Stage, list[Group]]:
    stage = motion_history(forward.placed_motion or forward.motion)
    return stage, supporting_groups(stage)


def awaiting(forwards: list[MotionForward]) -> list[MotionForward]:
    return [f for f in forwards if f.status == ForwardStatus.AWAITING and f.composite_id is None]


def open_composites(composites: list[Composite]) -> list[Composite]:
    return [c for c in composites if c.status == CompositeStatus.PROPOSED]


def forwardable_motions(user: User | AnonymousUser) -> list[Motion]:
    """Carried motions not yet forwarded that ``user`` may forward, newest first."""
    if scopes_for(user, Capability.FORWARD_MOTIONS).is_empty:
        return []
    candidates = (
        Motion.objects.filter(status=MotionStatus.CARRIED, forward__isnull=True)
        .exclude(meeting__level=ScopeLevel.NATION)
        .select_related("meeting__group__area__region", "meeting__area__region", "meeting__region")
        .order_by("-submitted_at")[:200]
    )
    return [m for m in candidates if may(user, Capability.FORWARD_MOTIONS, body_of(m.meeting))]


def bodies_receiving_for(user: User | AnonymousUser) -> list[Body]:
    """The areas, regions and nation whose forwarded motions ``user`` may put on an agenda."""
    from grassroots.organisation.models import Area, Region

    scopes = scopes_for(user, Capability.RECEIVE_MOTIONS)
    if scopes.is_empty:
        return []
    if scopes.everywhere:
        return [Body(level=ScopeLevel.NATION)]
    areas = Area.objects.filter(groups__in=scopes.group_ids).distinct().order_by("name")
    bodies = [
        Body(level=ScopeLevel.AREA, area=a)
        for a in areas
        if may(user, Capability.RECEIVE_MOTIONS, Body(level=ScopeLevel.AREA, area=a))
    ]
    regions = Region.objects.filter(areas__groups__in=scopes.group_ids).distinct()
    bodies += [
        Body(level=ScopeLevel.REGION, region=r)
        for r in regions.order_by("name")
        if may(user, Capability.RECEIVE_MOTIONS, Body(level=ScopeLevel.REGION, region=r))
    ]
    return bodies


def electing_meetings(groups: list[Group]) -> Any:
    """Group meetings held (started, not cancelled) that could have elected a delegate."""
    return (
        Meeting.objects.filter(level=ScopeLevel.GROUP, group__in=groups, starts_at__lte=clock.now())
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("group")
        .order_by("-starts_at")
    )


def electing_ballots(groups: list[Group]) -> Any:
    from grassroots.ballots.models import Ballot, BallotStatus

    return Ballot.objects.filter(
        level=ScopeLevel.GROUP, group__in=groups, status=BallotStatus.PUBLISHED
    ).order_by("-published_at")
