"""A group that meets every recognition criterion, a clock the tests move, and the real SMTP
server of ``tests.mail``."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from grassroots import clock
from grassroots.organisation.models import (
    AgmRecord,
    AgreementAcceptance,
    Group,
    GroupRecognition,
    GroupStatus,
    Role,
    RoleAssignment,
)
from grassroots.organisation.recognition import AGREEMENT_VERSION
from grassroots.people.models import Member
from tests.factories import GroupFactory, MemberFactory, RoleFactory
from tests.mail import Mailbox, mailbox

__all__ = ["Mailbox", "mailbox"]

START = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)


class Clock:
    """grassroots.clock.now, frozen at START and moved by whole days."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.at = START
        monkeypatch.setattr(clock, "now", lambda: self.at)

    def advance(self, **kwargs: float) -> None:
        self.at += datetime.timedelta(**kwargs)

    @property
    def today(self) -> datetime.date:
        return self.at.date()


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    yield Clock(monkeypatch)


@dataclass
class Officers:
    group: Group
    chair: Member
    secretary: Member
    data_manager: Member
    dm_role: RoleAssignment
    ordinary: list[Member]


def make_recognised_group(
    *, status: str = GroupStatus.RECOGNISED, group: Group | None = None
) -> Officers:
    """A group meeting every default criterion: Chair, Secretary, a Data Manager who accepted
    the agreement, five members by home group, an AGM three months ago."""
    group = group or GroupFactory()
    start = datetime.date(2025, 1, 1)
    chair = RoleFactory(role=Role.CHAIR, group=group, member__home_group=group, starts_on=start)
    secretary = RoleFactory(
        role=Role.SECRETARY, group=group, member__home_group=group, starts_on=start
    )
    dm_role = RoleFactory(
        role=Role.DATA_MANAGER,
        group=group,
        member__home_group=group,
        starts_on=start,
        accepted_agreement=False,
    )
    AgreementAcceptance.objects.create(
        assignment=dm_role, version=AGREEMENT_VERSION, accepted_at=START
    )
    ordinary = [MemberFactory(home_group=group) for _ in range(2)]
    AgmRecord.objects.create(
        group=group,
        held_on=datetime.date(2025, 12, 1),
        recorded_by=None,
        recorded_by_label="test",
        recorded_at=START,
    )
    GroupRecognition.objects.create(group=group, status=status)
    return Officers(
        group=group,
        chair=chair.member,
        secretary=secretary.member,
        data_manager=dm_role.member,
        dm_role=dm_role,
        ordinary=ordinary,
    )


@pytest.fixture
def officers(frozen_clock: Clock) -> Officers:
    return make_recognised_group()
