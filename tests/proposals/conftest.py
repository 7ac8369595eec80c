from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from grassroots import clock
from grassroots.meetings.models import Meeting
from grassroots.organisation.models import Group, Role, ScopeLevel
from grassroots.people.models import Member
from grassroots.proposals.models import Proposal
from grassroots.proposals.services.proposing import make_proposal
from tests.ballots.conftest import Clock
from tests.factories import GroupFactory, MemberWithLoginFactory, RoleFactory
from tests.meetings.builders import group_meeting
from tests.web.roles import give_authenticator_app


@dataclass
class Branch:
    group: Group
    other_group: Group
    secretary: Member
    chair: Member
    proposer: Member
    blocker: Member
    third: Member
    outsider: Member  # a member of another group
    meeting: Meeting


@pytest.fixture
def moving_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    yield Clock(monkeypatch)


@pytest.fixture
def branch(db: object) -> Branch:
    group = GroupFactory(name="Leeds Central")
    other = GroupFactory(name="Bristol Central")
    secretary = MemberWithLoginFactory(home_group=group, first_name="Seren", last_name="Tait")
    RoleFactory(member=secretary, role=Role.SECRETARY, group=group)
    chair = MemberWithLoginFactory(home_group=group, first_name="Carys", last_name="Hale")
    RoleFactory(member=chair, role=Role.CHAIR, group=group)
    give_authenticator_app(secretary.user)
    give_authenticator_app(chair.user)
    return Branch(
        group=group,
        other_group=other,
        secretary=secretary,
        chair=chair,
        proposer=MemberWithLoginFactory(home_group=group, first_name="Maya", last_name="Okafor"),
        blocker=MemberWithLoginFactory(home_group=group, first_name="Sam", last_name="Reid"),
        third=MemberWithLoginFactory(home_group=group, first_name="Kit", last_name="Marsh"),
        outsider=MemberWithLoginFactory(home_group=other, first_name="Bryn", last_name="Penn"),
        meeting=group_meeting(group, secretary, starts_in=datetime.timedelta(days=14)),
    )


def propose(
    branch: Branch,
    *,
    process: str = "consent",
    by: Member | None = None,
    closes_in: datetime.timedelta = datetime.timedelta(days=2),
    **extra: object,
) -> Proposal:
    return make_proposal(
        actor=(by or branch.proposer).user,
        level=ScopeLevel.GROUP,
        scope=branch.group,
        title="Run a stall on Saturday",
        text="A stall outside the market, 10 till 2, with the housing leaflet.",
        process=process,
        closes_at=clock.now() + closes_in,
        **extra,  # type: ignore[arg-type]
    )
