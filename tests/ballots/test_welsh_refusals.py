"""A ballot's refusals are in the language of the person refused (issue 21, docs/i18n.md): the
services' messages are marked for translation, so an officer or voter reading in Welsh is told
in Welsh, and in English as before."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from grassroots import clock
from grassroots.ballots.services.errors import BallotError
from grassroots.ballots.services.setup import create_ballot
from grassroots.organisation.models import Role
from tests.factories import GroupFactory, RoleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    translation.deactivate()


def _backwards_ballot(group, officer):
    now = clock.now()
    return create_ballot(
        actor=officer.user,
        title="Etholiad",
        description="",
        level="group",
        scope=group,
        opens_at=now + datetime.timedelta(hours=2),
        closes_at=now + datetime.timedelta(hours=1),
        joined_before=datetime.date(2025, 1, 1),
        tellers_count=3,
        threshold=2,
    )


def test_a_refusal_is_in_the_officers_language():
    group = GroupFactory()
    officer = RoleFactory(role=Role.NATIONAL_OFFICE, member__home_group=group).member
    with translation.override("cy"), pytest.raises(BallotError) as welsh:
        _backwards_ballot(group, officer)
    assert str(welsh.value) == "Rhaid i'r pleidleisio gau ar ôl iddo agor."
    with translation.override("en-gb"), pytest.raises(BallotError) as english:
        _backwards_ballot(group, officer)
    assert str(english.value) == "The poll must close after it opens."


def test_a_meetings_refusal_is_in_the_members_language():
    from django.core.exceptions import PermissionDenied

    from grassroots.meetings.services.motions import second_motion
    from tests.factories import MemberWithLoginFactory
    from tests.meetings.builders import group_meeting, motion_in

    group = GroupFactory()
    officer = RoleFactory(role=Role.NATIONAL_OFFICE, member__home_group=group).member
    proposer, seconder, other = (MemberWithLoginFactory(home_group=group) for _ in range(3))
    motion = motion_in(
        group_meeting(group, officer),
        proposer,
        seconder,
        title="Tai",
        text="Testun.",
        seconded=False,
    )
    with translation.override("cy"), pytest.raises(PermissionDenied) as welsh:
        second_motion(actor=other.user, motion=motion)
    assert str(welsh.value) == "Dim ond yr aelod a enwyd fel eilydd all eilio'r cynnig hwn."
