"""Recording delegates: elected at a group meeting or by a ballot, within the group's
allocation, never from a group that is not recognised; the list is published to the area."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from grassroots import clock
from grassroots.audit.models import AuditEntry
from grassroots.ballots.models import Ballot, BallotStatus
from grassroots.delegation.models import Delegate
from grassroots.delegation.services.allocation import allocate_delegates
from grassroots.delegation.services.common import DelegationError
from grassroots.delegation.services.delegates import record_delegate
from grassroots.organisation.models import GroupStatus
from grassroots.people.models import Member
from tests.delegation.builders import add_members, held_meeting, recognise, schedule
from tests.factories import MemberWithLoginFactory
from tests.web.roles import give_authenticator_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def allocated(setup):
    allocate_delegates(
        actor=setup.coordinator,
        meeting=setup.meeting,
        seats=10,
        minimum=1,
        counted_on=clock.today(),
    )
    setup.branch_meeting = held_meeting(
        group=setup.gateshead, title="Gateshead AGM", created_by=setup.delegate
    )
    return setup


def record(setup, **overrides):
    kwargs = {
        "actor": setup.secretary,
        "meeting": setup.meeting,
        "group": setup.gateshead,
        "member": setup.delegate,
        "elected_by": "meeting",
        "group_meeting": setup.branch_meeting,
    }
    return record_delegate(**{**kwargs, **overrides})


def test_secretary_records_a_delegate_elected_at_the_group_meeting(allocated):
    delegate = record(allocated)
    assert delegate.group_meeting == allocated.branch_meeting
    assert delegate.recorded_by == allocated.secretary
    assert AuditEntry.objects.filter(
        action="delegation.record_delegate", subject_id=str(allocated.delegate.pk)
    ).exists()


def test_a_delegate_elected_by_a_published_ballot(allocated):
    from tests.ballots.conftest import open_group_ballot

    officer = Member.objects.get(user=allocated.national)
    ballot = open_group_ballot(group=allocated.gateshead, officer=officer, teller=allocated.voter)
    with pytest.raises(DelegationError, match="not been published"):
        record(allocated, elected_by="ballot", group_meeting=None, ballot=ballot)
    # The ballot's own count and publication are tested in tests/ballots; here only its state.
    Ballot.objects.filter(pk=ballot.pk).update(status=BallotStatus.PUBLISHED)
    ballot.refresh_from_db()
    delegate = record(allocated, elected_by="ballot", group_meeting=None, ballot=ballot)
    assert delegate.ballot == ballot


def test_a_delegate_from_a_group_that_is_not_recognised_is_refused_and_nothing_changes(
    allocated,
):
    hexham_member = Member.objects.filter(home_group=allocated.hexham).first()
    hexham_meeting = held_meeting(
        group=allocated.hexham, title="Hexham meeting", created_by=hexham_member
    )
    audit_rows = AuditEntry.objects.count()
    with pytest.raises(DelegationError, match="Hexham is not a recognised group"):
        record(
            allocated,
            actor=allocated.secretary_hexham,
            group=allocated.hexham,
            member=hexham_member,
            group_meeting=hexham_meeting,
        )
    assert not Delegate.objects.exists()
    assert AuditEntry.objects.count() == audit_rows


def test_a_group_that_loses_recognition_after_the_allocation_sends_no_more(allocated):
    recognise(allocated.gateshead, status=GroupStatus.DERECOGNISED)
    with pytest.raises(DelegationError, match="not a recognised group"):
        record(allocated)


def test_no_more_delegates_than_the_group_was_allocated(allocated):
    alnwick = list(Member.objects.filter(home_group=allocated.alnwick))
    secretary = MemberWithLoginFactory(home_group=allocated.alnwick)
    from grassroots.organisation.models import Role
    from tests.factories import RoleFactory

    RoleFactory(member=secretary, role=Role.SECRETARY, group=allocated.alnwick)
    give_authenticator_app(secretary.user)
    meeting = held_meeting(group=allocated.alnwick, title="Alnwick meeting", created_by=secretary)
    kwargs = {
        "actor": secretary.user,
        "group": allocated.alnwick,
        "group_meeting": meeting,
    }
    record(allocated, member=alnwick[0], **kwargs)
    with pytest.raises(DelegationError, match="Alnwick has 1 delegate and 1 already recorded"):
        record(allocated, member=alnwick[1], **kwargs)
    assert Delegate.objects.filter(group=allocated.alnwick).count() == 1


def test_the_delegate_must_belong_to_the_group(allocated):
    sunderland_member = Member.objects.filter(home_group=allocated.sunderland).first()
    with pytest.raises(DelegationError, match="home group is Gateshead"):
        record(allocated, member=sunderland_member)


def test_the_electing_meeting_must_be_the_groups_and_held(allocated):
    other = held_meeting(group=allocated.sunderland, title="Sunderland", created_by=allocated.voter)
    with pytest.raises(DelegationError, match="Name the meeting of Gateshead"):
        record(allocated, group_meeting=other)
    future = schedule(title="Next month", group=allocated.gateshead, created_by=allocated.voter)
    with pytest.raises(DelegationError, match="has not been held"):
        record(allocated, group_meeting=future)


def test_the_same_member_is_not_recorded_twice(allocated):
    record(allocated)
    with pytest.raises(DelegationError, match="already a delegate"):
        record(allocated)


def test_another_groups_secretary_cannot_record(allocated):
    with pytest.raises(PermissionDenied):
        record(allocated, actor=allocated.secretary_elsewhere)


def test_no_delegates_before_the_allocation(setup):
    branch = held_meeting(group=setup.gateshead, title="AGM", created_by=setup.delegate)
    with pytest.raises(DelegationError, match="No delegates have been allocated"):
        record_delegate(
            actor=setup.secretary,
            meeting=setup.meeting,
            group=setup.gateshead,
            member=setup.delegate,
            elected_by="meeting",
            group_meeting=branch,
        )


def test_the_delegate_list_is_published_to_the_areas_members_only(allocated):
    record(allocated)
    url = reverse("delegation_meeting", args=[allocated.meeting.pk])
    in_area = Client()
    in_area.force_login(allocated.voter.user)
    page = in_area.get(url).content.decode()
    assert "Dee Legate" in page
    assert "Not recognised (suspended)" in page
    assert "the same allocation" in page
    outsider = MemberWithLoginFactory(home_group=allocated.elsewhere)
    other = Client()
    other.force_login(outsider.user)
    assert other.get(url).status_code == 404


def test_page_shows_a_clear_error_for_a_delegate_from_an_unrecognised_group(allocated):
    hexham_member = Member.objects.filter(home_group=allocated.hexham).first()
    hexham_meeting = held_meeting(group=allocated.hexham, title="Hexham", created_by=hexham_member)
    client = Client()
    client.force_login(allocated.secretary_hexham)
    response = client.post(
        reverse("delegation_record_delegate", args=[allocated.meeting.pk]),
        {
            "group": allocated.hexham.pk,
            "membership_number": hexham_member.membership_number,
            "elected_by": "meeting",
            "group_meeting": hexham_meeting.pk,
        },
    )
    assert response.status_code == 200
    assert "Hexham is not a recognised group (suspended)" in response.content.decode()
    assert not Delegate.objects.exists()


def test_page_refuses_a_membership_number_from_another_group(allocated):
    add_members(allocated.sunderland, 1, membership_number="GR7777777")
    client = Client()
    client.force_login(allocated.secretary)
    response = client.post(
        reverse("delegation_record_delegate", args=[allocated.meeting.pk]),
        {
            "group": allocated.gateshead.pk,
            "membership_number": "GR7777777",
            "elected_by": "meeting",
            "group_meeting": allocated.branch_meeting.pk,
        },
    )
    assert "No member of Gateshead has that membership number" in response.content.decode()
    assert not Delegate.objects.exists()
