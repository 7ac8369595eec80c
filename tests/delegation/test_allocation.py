"""Delegate allocation: members counted in SQL, Sainte-Laguë with a minimum per recognised
group, nothing for the rest, the inputs kept so anyone can re-derive it."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from grassroots import clock
from grassroots.audit.models import AuditEntry
from grassroots.delegation.counting import members_in_good_standing
from grassroots.delegation.models import DelegateAllocation
from grassroots.delegation.services.allocation import allocate_delegates, rederive
from grassroots.delegation.services.common import DelegationError, current_allocation
from grassroots.tally.apportionment import apportion
from tests.delegation.builders import schedule

pytestmark = pytest.mark.django_db


def allocate(setup, **overrides):
    kwargs = {
        "actor": setup.coordinator,
        "meeting": setup.meeting,
        "seats": 10,
        "minimum": 1,
        "counted_on": clock.today(),
    }
    return allocate_delegates(**{**kwargs, **overrides})


def shares(allocation):
    return {line.group.name: line.delegates for line in allocation.lines.all()}


def test_members_in_good_standing_are_counted_by_home_group_in_one_query(
    setup, django_assert_num_queries
):
    groups = [setup.gateshead, setup.sunderland, setup.alnwick, setup.hexham]
    with django_assert_num_queries(1):
        counts = members_in_good_standing([g.pk for g in groups], clock.today())
    assert counts == {
        setup.gateshead.pk: 33,
        setup.sunderland.pk: 10,
        setup.alnwick.pk: 2,
        setup.hexham.pk: 20,
    }


def test_counting_on_an_earlier_date_leaves_out_those_who_joined_since(setup):
    from tests.delegation.builders import add_members

    add_members(setup.alnwick, 3, joined_on=clock.today() - datetime.timedelta(days=10))
    earlier = clock.today() - datetime.timedelta(days=20)
    assert members_in_good_standing([setup.alnwick.pk], earlier) == {setup.alnwick.pk: 2}
    assert members_in_good_standing([setup.alnwick.pk], clock.today()) == {setup.alnwick.pk: 5}


def test_allocating_on_a_past_date_counts_who_was_in_good_standing_then(setup):
    """The status history, not today's status: a member who lapsed after the date counts, one
    who joined after it does not."""
    from grassroots.people.models import MembershipStatus
    from tests.delegation.builders import add_members
    from tests.factories import change_status

    counted_on = clock.today() - datetime.timedelta(days=30)
    lapsed = add_members(setup.alnwick, 3, joined_on=datetime.date(2020, 1, 1))
    for member in lapsed:
        change_status(member, MembershipStatus.LAPSED, counted_on + datetime.timedelta(days=1))
    add_members(setup.alnwick, 4, joined_on=counted_on + datetime.timedelta(days=1))
    allocation = allocate(setup, counted_on=counted_on)
    lines = {line.group.name: line for line in allocation.lines.all()}
    assert lines["Alnwick"].members == 2 + 3
    assert members_in_good_standing([setup.alnwick.pk], clock.today()) == {setup.alnwick.pk: 6}


def test_seats_follow_membership_with_a_minimum_and_none_for_a_suspended_group(setup):
    allocation = allocate(setup)
    # Worked by hand: one each first, then quotients 33/3, 33/5, 33/7, 33/9 beat Sunderland's
    # 10/3; 10/3 beats 33/11; then 33/11 and 33/13 beat 10/5.
    assert shares(allocation) == {"Alnwick": 1, "Gateshead": 7, "Hexham": 0, "Sunderland": 2}
    lines = {line.group.name: line for line in allocation.lines.all()}
    assert lines["Hexham"].members == 20
    assert not lines["Hexham"].is_recognised
    assert lines["Hexham"].recognition_status == "suspended"
    assert [r["awarded_to"] for r in allocation.rounds][:4] == ["gateshead"] * 4
    assert allocation.rounds[0]["seat"] == 4


def test_the_stored_inputs_re_derive_the_allocation(setup):
    allocation = allocate(setup)
    assert rederive(allocation) == {
        "alnwick": 1,
        "gateshead": 7,
        "hexham": 0,
        "sunderland": 2,
    }
    assert apportion(
        {"gateshead": 33, "sunderland": 10, "alnwick": 2}, 10, minimum=1
    ).allocation == {"gateshead": 7, "sunderland": 2, "alnwick": 1}


def test_allocation_is_audited(setup):
    allocation = allocate(setup)
    entry = AuditEntry.objects.get(action="delegation.allocate")
    assert entry.subject_id == str(allocation.pk)
    assert entry.detail["allocation"]["gateshead"] == 7


def test_a_group_secretary_cannot_allocate(setup):
    with pytest.raises(PermissionDenied):
        allocate(setup, actor=setup.secretary)
    assert not DelegateAllocation.objects.exists()


def test_too_few_seats_for_the_minimum_is_refused_and_nothing_is_stored(setup):
    with pytest.raises(DelegationError, match="at least 2 each"):
        allocate(setup, seats=5, minimum=2)
    assert not DelegateAllocation.objects.exists()
    assert not AuditEntry.objects.filter(action="delegation.allocate").exists()


def test_counting_on_a_future_date_is_refused(setup):
    with pytest.raises(DelegationError, match="passed"):
        allocate(setup, counted_on=clock.today() + datetime.timedelta(days=1))


def test_only_area_and_regional_meetings_get_delegates(setup):
    group_meeting = schedule(
        title="Branch meeting", group=setup.gateshead, created_by=setup.delegate
    )
    with pytest.raises(DelegationError, match="area and regional"):
        allocate(setup, actor=setup.national, meeting=group_meeting)


def test_allocating_again_replaces_the_allocation_until_a_delegate_is_recorded(setup):
    from grassroots.delegation.services.delegates import record_delegate
    from tests.delegation.builders import held_meeting

    first = allocate(setup)
    second = allocate(setup, seats=6)
    first.refresh_from_db()
    assert first.superseded_at is not None
    assert current_allocation(setup.meeting) == second
    branch = held_meeting(group=setup.gateshead, title="Branch AGM", created_by=setup.delegate)
    record_delegate(
        actor=setup.secretary,
        meeting=setup.meeting,
        group=setup.gateshead,
        member=setup.delegate,
        elected_by="meeting",
        group_meeting=branch,
    )
    with pytest.raises(DelegationError, match="already been recorded"):
        allocate(setup, seats=12)
    assert current_allocation(setup.meeting) == second
