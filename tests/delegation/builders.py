"""Meetings, carried motions and recognised groups for delegation tests, shared with the access
table and the browser test.

The meetings app's own services for scheduling and recording outcomes are not on main yet, so
these write the rows a held meeting leaves behind: a meeting, a motion with its first revision,
amendments and the chair's recorded outcomes.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.meetings.models import (
    AgendaItem,
    AgendaItemKind,
    Amendment,
    AmendmentKind,
    AmendmentStatus,
    Meeting,
    MeetingStatus,
    Motion,
    MotionRevision,
    MotionStatus,
    Outcome,
    OutcomeResult,
)
from grassroots.organisation.models import (
    Area,
    Group,
    GroupRecognition,
    GroupStatus,
    Region,
    Role,
    ScopeLevel,
)
from grassroots.people.models import Member, MembershipStatus
from tests.factories import (
    AreaFactory,
    GroupFactory,
    MemberFactory,
    MemberWithLoginFactory,
    RegionFactory,
    RoleFactory,
)
from tests.web.roles import give_authenticator_app


def recognise(*groups: Group, status: str = GroupStatus.RECOGNISED) -> None:
    for group in groups:
        GroupRecognition.objects.update_or_create(group=group, defaults={"status": status})


def add_members(group: Group, count: int, **fields: object) -> list[Member]:
    return [MemberFactory(home_group=group, **fields) for _ in range(count)]


def schedule(
    *,
    title: str,
    created_by: Member,
    group: Group | None = None,
    area: Area | None = None,
    region: Region | None = None,
    days_from_now: float = 14,
    status: str = MeetingStatus.SCHEDULED,
) -> Meeting:
    level = (
        ScopeLevel.GROUP
        if group
        else ScopeLevel.AREA
        if area
        else ScopeLevel.REGION
        if region
        else ScopeLevel.NATION
    )
    starts = clock.now() + datetime.timedelta(days=days_from_now)
    meeting = Meeting.objects.create(
        title=title,
        level=level,
        group=group,
        area=area,
        region=region,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        motions_deadline=starts - datetime.timedelta(hours=1),
        status=status,
        created_by=created_by,
        created_at=clock.now(),
        updated_at=clock.now(),
    )
    AgendaItem.objects.create(
        meeting=meeting, position=1, kind=AgendaItemKind.MOTIONS, title="Motions"
    )
    return meeting


def held_meeting(*, group: Group, title: str, created_by: Member, days_ago: float = 3) -> Meeting:
    return schedule(
        title=title,
        group=group,
        created_by=created_by,
        days_from_now=-days_ago,
        status=MeetingStatus.HELD,
    )


def motion_at(
    meeting: Meeting,
    *,
    title: str,
    text: str,
    proposer: Member,
    seconder: Member,
    status: str = MotionStatus.IN_ORDER,
) -> Motion:
    number = Motion.objects.filter(meeting=meeting).count() + 1
    motion = Motion.objects.create(
        meeting=meeting,
        agenda_item=meeting.agenda_items.first(),
        number=number,
        title=title,
        original_text=text,
        text=text,
        proposer=proposer,
        seconder=seconder,
        seconded_at=meeting.created_at,
        submitted_at=meeting.created_at,
        status=status,
    )
    MotionRevision.objects.create(
        motion=motion, text=text, note="Submitted", created_at=meeting.created_at
    )
    return motion


def carry_amendment(
    motion: Motion, *, proposer: Member, paragraph: int, new_text: str
) -> Amendment:
    """A replace-paragraph amendment the meeting carried, applied to the motion's text."""
    paragraphs = motion.paragraphs
    amendment = Amendment.objects.create(
        motion=motion,
        number=motion.amendments.count() + 1,
        proposer=proposer,
        kind=AmendmentKind.REPLACE,
        paragraph=paragraph,
        new_text=new_text,
        base_text=motion.text,
        submitted_at=clock.now(),
        status=AmendmentStatus.CARRIED,
    )
    paragraphs[paragraph - 1] = new_text
    motion.text = "\n\n".join(paragraphs)
    motion.save(update_fields=["text"])
    Outcome.objects.create(
        meeting=motion.meeting,
        amendment=amendment,
        result=OutcomeResult.CARRIED,
        recorded_by=proposer,
        recorded_at=clock.now(),
    )
    return amendment


def carry(motion: Motion, *, chair: Member, votes_for: int = 12, votes_against: int = 3) -> Motion:
    motion.status = MotionStatus.CARRIED
    motion.save(update_fields=["status"])
    Outcome.objects.create(
        meeting=motion.meeting,
        motion=motion,
        result=OutcomeResult.CARRIED,
        votes_for=votes_for,
        votes_against=votes_against,
        recorded_by=chair,
        recorded_at=clock.now(),
    )
    return motion


def carried_group_motion(
    *, group: Group, title: str, text: str, proposer: Member, seconder: Member, chair: Member
) -> Motion:
    meeting = held_meeting(group=group, title=f"{group.name} branch meeting", created_by=chair)
    motion = motion_at(meeting, title=title, text=text, proposer=proposer, seconder=seconder)
    return carry(motion, chair=chair)


@dataclass
class AreaSetup:
    area: Area
    gateshead: Group  # recognised, 33 members in good standing
    sunderland: Group  # recognised, 10
    alnwick: Group  # recognised, 2
    hexham: Group  # suspended, 20
    elsewhere: Group  # a recognised group in another region
    coordinator: User
    national: User
    secretary: User  # of Gateshead
    secretary_hexham: User
    secretary_elsewhere: User
    meeting: Meeting  # the area meeting, in a fortnight
    delegate: Member  # a Gateshead member who can be elected
    voter: Member  # another Gateshead member with a login


def officer(role: str, home: Group, **scope: object) -> User:
    member = MemberWithLoginFactory(home_group=home)
    RoleFactory(member=member, role=role, **scope)
    give_authenticator_app(member.user)
    return member.user


def build_area() -> AreaSetup:
    """Four groups in one area: Gateshead (33 members in good standing), Sunderland (10),
    Alnwick (2), all recognised, and Hexham (20), suspended; a group elsewhere; officers with
    an authenticator app; and the area meeting in a fortnight."""
    north = RegionFactory(name="North", slug="north")
    area = AreaFactory(region=north, name="Northumbria", slug="northumbria")
    gateshead = GroupFactory(area=area, name="Gateshead", slug="gateshead")
    sunderland = GroupFactory(area=area, name="Sunderland", slug="sunderland")
    alnwick = GroupFactory(area=area, name="Alnwick", slug="alnwick")
    hexham = GroupFactory(area=area, name="Hexham", slug="hexham")
    elsewhere = GroupFactory(name="Truro", slug="truro")
    recognise(gateshead, sunderland, alnwick, elsewhere)
    recognise(hexham, status=GroupStatus.SUSPENDED)

    today = clock.today()
    coordinator = officer(Role.AREA_COORDINATOR, gateshead, area=area)
    national = officer(Role.NATIONAL_OFFICE, gateshead)
    secretary = officer(Role.SECRETARY, gateshead, group=gateshead)
    secretary_hexham = officer(Role.SECRETARY, hexham, group=hexham)
    secretary_elsewhere = officer(Role.SECRETARY, elsewhere, group=elsewhere)
    # Five of Gateshead's 33 are the officers above plus the two named members below.
    delegate = MemberWithLoginFactory(home_group=gateshead, first_name="Dee", last_name="Legate")
    voter = MemberWithLoginFactory(home_group=gateshead)
    add_members(gateshead, 33 - 5)
    add_members(sunderland, 10 - 1)
    add_members(alnwick, 2)
    add_members(hexham, 20 - 1)
    # Not in good standing today, or not Gateshead's by home group: none of these count.
    add_members(gateshead, 2, status=MembershipStatus.SUPPORTER)
    add_members(gateshead, 1, status=MembershipStatus.LAPSED)
    add_members(gateshead, 1, status=MembershipStatus.SUSPENDED)
    add_members(gateshead, 1, joined_on=today + datetime.timedelta(days=1))
    add_members(gateshead, 1, renewal_due_on=today - datetime.timedelta(days=1))
    add_members(gateshead, 1, erased_at=clock.now())
    associate = MemberFactory(home_group=sunderland)
    associate.other_groups.add(gateshead)
    meeting = schedule(
        title="Northumbria area meeting",
        area=area,
        created_by=Member.objects.get(user=coordinator),
    )
    return AreaSetup(
        area=area,
        gateshead=gateshead,
        sunderland=sunderland,
        alnwick=alnwick,
        hexham=hexham,
        elsewhere=elsewhere,
        coordinator=coordinator,
        national=national,
        secretary=secretary,
        secretary_hexham=secretary_hexham,
        secretary_elsewhere=secretary_elsewhere,
        meeting=meeting,
        delegate=delegate,
        voter=voter,
    )
