from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from grassroots.meetings.models import Meeting
from grassroots.organisation.models import Group, Role
from grassroots.people.models import Member
from tests.ballots.conftest import Clock
from tests.factories import GroupFactory, MemberWithLoginFactory, RoleFactory
from tests.meetings.builders import group_meeting


@dataclass
class Branch:
    group: Group
    other_group: Group
    secretary: Member
    chair: Member
    mover: Member
    seconder: Member
    amender: Member
    commenter: Member
    outsider: Member  # a member of another group
    meeting: Meeting


@pytest.fixture
def clock_(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    yield Clock(monkeypatch)


@pytest.fixture
def branch(db: object) -> Branch:
    group = GroupFactory(name="Leeds Central")
    other = GroupFactory(name="Bristol Central")
    secretary = MemberWithLoginFactory(home_group=group, first_name="Seren", last_name="Tait")
    RoleFactory(member=secretary, role=Role.SECRETARY, group=group)
    chair = MemberWithLoginFactory(home_group=group, first_name="Carys", last_name="Hale")
    RoleFactory(member=chair, role=Role.CHAIR, group=group)
    return Branch(
        group=group,
        other_group=other,
        secretary=secretary,
        chair=chair,
        mover=MemberWithLoginFactory(home_group=group, first_name="Maya", last_name="Okafor"),
        seconder=MemberWithLoginFactory(home_group=group, first_name="Sam", last_name="Reid"),
        amender=MemberWithLoginFactory(home_group=group, first_name="Ade", last_name="Bello"),
        commenter=MemberWithLoginFactory(home_group=group, first_name="Kit", last_name="Marsh"),
        outsider=MemberWithLoginFactory(home_group=other, first_name="Bryn", last_name="Penn"),
        meeting=group_meeting(group, secretary),
    )
