"""A regional delegate meeting under way, for the session's tests, the access table, the
PostgreSQL test, the browser test and the benchmark.

Three groups of the region send delegates by size (the allocation's rows are written as the
delegation app leaves them: members counted and seats per group), each delegate's vote carrying
their group's members shared among its delegates. The regional coordinator chairs and runs it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.assembly.services.orders import set_standing_orders
from grassroots.delegation.models import AllocationLine, Delegate, DelegateAllocation
from grassroots.meetings.models import (
    AgendaItem,
    AgendaItemKind,
    Meeting,
    MeetingFormat,
    MeetingStatus,
    Motion,
    MotionRevision,
    MotionStatus,
)
from grassroots.meetings.services.attendance import sign_in_member
from grassroots.organisation.models import Group, Region, Role, ScopeLevel
from grassroots.people.models import Member
from tests.delegation.builders import recognise
from tests.factories import (
    AreaFactory,
    GroupFactory,
    MemberFactory,
    MemberWithLoginFactory,
    RegionFactory,
    RoleFactory,
)
from tests.web.roles import give_authenticator_app

GROUPS = (("Leeds Central", 30, 3), ("Harrogate", 12, 2), ("Skipton", 5, 1))


@dataclass
class Session:
    region: Region
    groups: list[Group]
    meeting: Meeting
    chair: User
    chair_member: Member
    delegates: list[
        Member
    ]  # in group order: 3 of Leeds (weight 10), 2 of Harrogate (6), Skipton (5)
    others: list[Member] = field(default_factory=list)  # members of the region, not delegates
    motion: Motion | None = None


def _held_group_meeting(group: Group, by: Member) -> Meeting:
    moment = clock.now() - datetime.timedelta(days=20)
    return Meeting.objects.create(
        title=f"{group.name} branch meeting",
        level=ScopeLevel.GROUP,
        group=group,
        starts_at=moment,
        ends_at=moment + datetime.timedelta(hours=2),
        address="Hall",
        status=MeetingStatus.HELD,
        created_by=by,
        created_at=moment,
        updated_at=moment,
    )


def build_session(
    *,
    groups: tuple[tuple[str, int, int], ...] = GROUPS,
    weighted: bool = True,
    secret: bool = False,
    proxies_per_holder: int = 1,
    balance: str = "side",
    speaking_seconds: int = 120,
    extra_members: int = 2,
    logins: bool = True,
) -> Session:
    """A hybrid regional meeting that started ten minutes ago, with a seconded motion."""
    region = RegionFactory(name="Yorkshire", slug="yorkshire")
    area = AreaFactory(region=region, name="West Yorkshire", slug="west-yorkshire")
    made = [
        GroupFactory(area=area, name=name, slug=name.lower().replace(" ", "-"))
        for name, _, _ in groups
    ]
    recognise(*made)
    chair_member = MemberWithLoginFactory(home_group=made[0], first_name="Carys", last_name="Hale")
    RoleFactory(member=chair_member, role=Role.REGIONAL_COORDINATOR, region=region)
    give_authenticator_app(chair_member.user)
    start = clock.now() - datetime.timedelta(minutes=10)
    meeting = Meeting.objects.create(
        title="Yorkshire regional delegate meeting",
        format=MeetingFormat.HYBRID,
        level=ScopeLevel.REGION,
        region=region,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
        address="Leeds Civic Hall",
        online_link="https://meet.example.org/yorkshire",
        created_by=chair_member,
        created_at=start - datetime.timedelta(days=30),
        updated_at=start - datetime.timedelta(days=30),
    )
    AgendaItem.objects.create(
        meeting=meeting, position=1, kind=AgendaItemKind.MOTIONS, title="Motions"
    )
    allocation = DelegateAllocation.objects.create(
        meeting=meeting,
        counted_on=clock.today(),
        seats=sum(seats for _, _, seats in groups),
        minimum=1,
        made_by_label="test",
        made_at=clock.now(),
    )
    factory = MemberWithLoginFactory if logins else MemberFactory
    delegates: list[Member] = []
    for group, (_, members, seats) in zip(made, groups, strict=True):
        AllocationLine.objects.create(
            allocation=allocation,
            group=group,
            recognition_status="recognised",
            is_recognised=True,
            members=members,
            delegates=seats,
        )
        evidence = _held_group_meeting(group, chair_member)
        for _ in range(seats):
            member = factory(home_group=group)
            Delegate.objects.create(
                meeting=meeting,
                group=group,
                member=member,
                elected_by="meeting",
                group_meeting=evidence,
                recorded_by_label="test",
                recorded_at=clock.now(),
            )
            delegates.append(member)
    others = [factory(home_group=made[0]) for _ in range(extra_members)]
    set_standing_orders(
        actor=chair_member.user,
        meeting=meeting,
        secret_votes=secret,
        weighting="delegation" if weighted else "none",
        proxies_per_holder=proxies_per_holder,
        speaking_seconds=speaking_seconds,
        balance=balance,
        prefer_first_time=True,
    )
    proposer, seconder = delegates[0], delegates[-1]
    text = "This region resolves to back the tenants' unions in every town."
    motion = Motion.objects.create(
        meeting=meeting,
        agenda_item=meeting.agenda_items.first(),
        number=1,
        title="Back the tenants' unions",
        original_text=text,
        text=text,
        proposer=proposer,
        seconder=seconder,
        seconded_at=start,
        submitted_at=start - datetime.timedelta(days=10),
        status=MotionStatus.IN_ORDER,
    )
    MotionRevision.objects.create(motion=motion, text=text, note="Submitted", created_at=start)
    return Session(
        region=region,
        groups=made,
        meeting=meeting,
        chair=chair_member.user,
        chair_member=chair_member,
        delegates=delegates,
        others=others,
        motion=motion,
    )


def sign_in(session: Session, members: list[Member], presence: str = "room") -> None:
    for member in members:
        sign_in_member(
            actor=session.chair,
            meeting=session.meeting,
            membership_number=member.membership_number,
            presence=presence,
        )
