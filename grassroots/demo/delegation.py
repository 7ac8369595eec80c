"""The demo's delegation: the Leeds area meeting (made by ``meetings.demo``) gets eight
delegates allocated by membership, at least one per recognised group; each Leeds group records
its delegates, elected at a held group meeting (Leeds Central's last branch meeting, an AGM for
the others); and Leeds Central's carried motion is forwarded to the area and put on the area
meeting's agenda. The demo member is one of Leeds Central's delegates, so logging in as them
shows "Stand down" on the delegate list.

Made through this app's own services, as the officers would through the pages (each writes
its audit row). Every step first looks whether it is done already, so seeding again changes
nothing.
"""

from __future__ import annotations

import datetime
from typing import Any

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.delegation.bodies import Body
from grassroots.delegation.models import Delegate, ElectedBy, ForwardStatus, MotionForward
from grassroots.delegation.services.allocation import allocate_delegates
from grassroots.delegation.services.common import current_allocation
from grassroots.delegation.services.delegates import record_delegate
from grassroots.delegation.services.forwarding import forward_motion, place_forward_on_agenda
from grassroots.demo.people import MEMBER_LOGIN, NATIONAL_LOGIN
from grassroots.meetings.models import (
    Meeting,
    MeetingFormat,
    Motion,
    MotionStatus,
)
from grassroots.meetings.services.history import record_past_meeting
from grassroots.organisation.models import Area, Group, Role, RoleAssignment, ScopeLevel
from grassroots.people.models import Member, MembershipStatus

AREA = "Leeds"
SEATS = 8
# Published with the allocation; used only if a small demo's counts tie for the last seat.
SEED = 20260601
HOME_GROUP = "Leeds Central"
ELECTED_AT_HOME = "Leeds Central branch meeting (last month)"
FORWARDED = "Support the bus drivers' strike"


def seed_demo_delegation() -> None:
    area = Area.objects.filter(name=AREA).first()
    meeting = (
        Meeting.objects.filter(
            level=ScopeLevel.AREA, area=area, title=f"{AREA} area meeting"
        ).first()
        if area is not None
        else None
    )
    national = Member.objects.filter(email=NATIONAL_LOGIN.email).select_related("user").first()
    if area is None or meeting is None or national is None or national.user is None:
        return
    coordinator = officer_login(Role.AREA_COORDINATOR, area=area) or national.user
    allocate_and_record(meeting, coordinator, seats=SEATS, seed=SEED, recorded_by=national.user)
    _forward_and_place(area, meeting, coordinator, national.user)


def allocate_and_record(
    meeting: Meeting, allocated_by: User, *, seats: int, seed: int, recorded_by: User
) -> None:
    """The meeting's delegates allocated today by ``allocated_by`` (at least one a group) unless
    they are already, and each group's delegates recorded by ``recorded_by``."""
    if current_allocation(meeting) is None:
        allocate_delegates(
            actor=allocated_by,
            meeting=meeting,
            seats=seats,
            minimum=1,
            counted_on=clock.today(),
            seed=seed,
        )
    allocation = current_allocation(meeting)
    assert allocation is not None
    for line in allocation.lines.select_related("group").filter(delegates__gt=0):
        record_delegates(meeting, line.group, line.delegates, recorded_by)


def officer_login(role: str, **scope: Any) -> Any:
    found = (
        RoleAssignment.objects.current()
        .filter(role=role, **scope)
        .select_related("member__user")
        .first()
    )
    return found.member.user if found is not None and found.member.user is not None else None


def _electing_meeting(group: Group, by: User) -> Meeting:
    """The held group meeting that elected the group's delegates: Leeds Central's last branch
    meeting, or an AGM three weeks ago, recorded as history (``record_past_meeting``)."""
    title = ELECTED_AT_HOME if group.name == HOME_GROUP else f"{group.name} AGM"
    found = Meeting.objects.filter(level=ScopeLevel.GROUP, group=group, title=title).first()
    if found is not None:
        return found
    start = clock.now().replace(minute=0, second=0, microsecond=0) - datetime.timedelta(days=21)
    return record_past_meeting(
        actor=by,
        source="the demo: the group's record of the AGM that elected its delegates",
        title=title,
        level=ScopeLevel.GROUP,
        scope=group,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        format=MeetingFormat.IN_PERSON,
        address=f"{group.name} community centre",
        description="Election of delegates to the area and regional meetings.",
    )


def record_delegates(meeting: Meeting, group: Group, seats: int, fallback: Any) -> None:
    """``group``'s secretary records its delegates to ``meeting`` (the demo member first, when
    of the group), elected at a held group meeting; also for the demo's regional meeting."""
    held = Delegate.objects.filter(meeting=meeting, group=group, withdrawn_at__isnull=True)
    wanted = seats - held.count()
    if wanted <= 0:
        return
    secretary = officer_login(Role.SECRETARY, group=group) or fallback
    eligible = Member.objects.filter(
        home_group=group, status=MembershipStatus.MEMBER, erased_at__isnull=True
    ).exclude(pk__in=held.values("member_id"))
    # The demo member first, so their login shows a delegate's view; then by membership number.
    chosen = list(eligible.filter(email=MEMBER_LOGIN.email)) + list(
        eligible.exclude(email=MEMBER_LOGIN.email).order_by("membership_number")[:wanted]
    )
    electing = _electing_meeting(group, secretary)
    for member in chosen[:wanted]:
        record_delegate(
            actor=secretary,
            meeting=meeting,
            group=group,
            member=member,
            elected_by=ElectedBy.MEETING,
            group_meeting=electing,
        )


def _forward_and_place(area: Area, meeting: Meeting, coordinator: Any, fallback: Any) -> None:
    motion = Motion.objects.filter(
        title=FORWARDED, meeting__group__name=HOME_GROUP, status=MotionStatus.CARRIED
    ).first()
    if motion is None:
        return
    forward = MotionForward.objects.filter(motion=motion).first()
    if forward is None:
        group = Group.objects.get(name=HOME_GROUP)
        forward = forward_motion(
            actor=officer_login(Role.SECRETARY, group=group) or fallback,
            motion=motion,
            to=Body(level=ScopeLevel.AREA, area=area),
            note="Leeds Central asks the area to back the strike across the city.",
        )
    if forward.status == ForwardStatus.AWAITING and forward.composite_id is None:
        place_forward_on_agenda(actor=coordinator, forward=forward, meeting=meeting)
