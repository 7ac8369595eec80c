"""Withdrawing and replacing delegates: the delegate stands down, or the group's officers
withdraw them with a reason; the group records a replacement elected as the original was.
The seat keeps its history, and a withdrawn delegate is no longer a delegate anywhere."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.urls import reverse

from grassroots import clock
from grassroots.audit.models import AuditEntry
from grassroots.delegation import queries
from grassroots.delegation.models import Delegate, WithdrawnHow
from grassroots.delegation.services.allocation import allocate_delegates
from grassroots.delegation.services.common import DelegationError
from grassroots.delegation.services.delegates import (
    record_delegate,
    replace_delegate,
    withdraw_delegate,
)
from grassroots.meetings.models import Attendance, Meeting, MeetingStatus
from grassroots.organisation.models import Role
from grassroots.people.models import Member
from tests.delegation.builders import build_area, held_meeting
from tests.factories import MemberWithLoginFactory, RoleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seated(setup):
    """Gateshead's delegate Dee Legate recorded; Gateshead has a Chair too."""
    allocate_delegates(
        actor=setup.coordinator,
        meeting=setup.meeting,
        seats=10,
        minimum=1,
        counted_on=clock.today(),
    )
    setup.chair = MemberWithLoginFactory(home_group=setup.gateshead, first_name="Cara")
    RoleFactory(member=setup.chair, role=Role.CHAIR, group=setup.gateshead)
    setup.branch_meeting = held_meeting(
        group=setup.gateshead, title="Gateshead AGM", created_by=setup.voter
    )
    setup.seat = record_delegate(
        actor=setup.secretary,
        meeting=setup.meeting,
        group=setup.gateshead,
        member=setup.delegate,
        elected_by="meeting",
        group_meeting=setup.branch_meeting,
    )
    setup.successor = MemberWithLoginFactory(
        home_group=setup.gateshead, first_name="Sam", last_name="Successor"
    )
    return setup


def replace(setup, **overrides):
    kwargs = {
        "actor": setup.secretary,
        "delegate": setup.seat,
        "member": setup.successor,
        "elected_by": "meeting",
        "group_meeting": setup.branch_meeting,
    }
    return replace_delegate(**{**kwargs, **overrides})


def unchanged(seat: Delegate) -> bool:
    seat.refresh_from_db()
    return seat.withdrawn_at is None and not Delegate.objects.filter(replaces=seat).exists()


def test_a_delegate_stands_down_and_the_delegate_chair_and_secretary_are_told(
    seated, mailbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        withdraw_delegate(actor=seated.delegate.user, delegate=seated.seat)
    seated.seat.refresh_from_db()
    assert seated.seat.withdrawn_how == WithdrawnHow.WITHDREW
    assert seated.seat.withdrawn_by == seated.delegate.user
    assert not queries.is_delegate(seated.delegate, seated.meeting)
    entry = AuditEntry.objects.get(action="delegation.withdraw_delegate")
    assert entry.detail["how"] == "withdrew"
    subject = "Dee Legate is no longer a delegate of Gateshead to Northumbria area meeting"
    secretary = Member.objects.get(user=seated.secretary)
    for person in (seated.delegate, seated.chair, secretary):
        notice = mailbox.last_to(person.email)
        assert notice.subject == subject
        assert "Dee Legate has withdrawn as a delegate of Gateshead" in notice.text
        assert reverse("delegation_meeting", args=[seated.meeting.pk]) in notice.text
    assert not mailbox.to(seated.voter.email)


def test_the_groups_officers_withdraw_a_delegate_only_with_a_reason(
    seated, mailbox, django_capture_on_commit_callbacks
):
    with pytest.raises(DelegationError, match="Give the reason the group withdraws Dee Legate"):
        withdraw_delegate(actor=seated.secretary, delegate=seated.seat, reason="   ")
    assert unchanged(seated.seat)
    with django_capture_on_commit_callbacks(execute=True):
        withdraw_delegate(
            actor=seated.secretary, delegate=seated.seat, reason="Moved away from the area."
        )
    seated.seat.refresh_from_db()
    assert seated.seat.withdrawn_how == WithdrawnHow.REMOVED
    assert seated.seat.withdrawal_reason == "Moved away from the area."
    notice = mailbox.last_to(seated.delegate.email)
    assert "for this reason: Moved away from the area." in notice.text


def test_withdrawing_twice_is_refused_and_changes_nothing(seated):
    withdraw_delegate(actor=seated.delegate.user, delegate=seated.seat)
    seated.seat.refresh_from_db()
    first = seated.seat.withdrawn_at
    audit_rows = AuditEntry.objects.count()
    with pytest.raises(DelegationError, match="Dee Legate was already withdrawn on"):
        withdraw_delegate(actor=seated.secretary, delegate=seated.seat, reason="Again")
    seated.seat.refresh_from_db()
    assert seated.seat.withdrawn_at == first
    assert seated.seat.withdrawn_how == WithdrawnHow.WITHDREW
    assert AuditEntry.objects.count() == audit_rows


def test_nobody_else_withdraws_someone_elses_seat(seated):
    for actor in (seated.voter.user, seated.secretary_elsewhere, seated.secretary_hexham):
        with pytest.raises(PermissionDenied):
            withdraw_delegate(actor=actor, delegate=seated.seat, reason="Not yours")
    assert unchanged(seated.seat)


def test_the_group_records_a_replacement_and_the_seat_keeps_its_history(
    seated, mailbox, django_capture_on_commit_callbacks
):
    with pytest.raises(DelegationError, match="Dee Legate still holds this seat"):
        replace(seated)
    assert unchanged(seated.seat)
    withdraw_delegate(actor=seated.secretary, delegate=seated.seat, reason="Ill health.")
    with django_capture_on_commit_callbacks(execute=True):
        new = replace(seated)
    assert new.replaces == seated.seat
    assert queries.is_delegate(seated.successor, seated.meeting)
    assert not queries.is_delegate(seated.delegate, seated.meeting)
    entry = AuditEntry.objects.get(action="delegation.replace_delegate")
    assert entry.detail["replaces"] == seated.seat.pk
    subject = "Sam Successor replaces Dee Legate as a delegate of Gateshead"
    for person in (seated.successor, seated.delegate, seated.chair):
        assert mailbox.last_to(person.email).subject == subject
    view = queries.allocation_view(seated.meeting)
    assert view is not None
    gateshead = next(lv for lv in view.lines if lv.line.group == seated.gateshead)
    assert [d.member for d in gateshead.delegates] == [seated.successor]
    assert [d.member for d in view.history] == [seated.delegate]
    assert gateshead.vacated == []


def test_replacing_with_someone_outside_the_group_is_refused_and_changes_nothing(seated):
    withdraw_delegate(actor=seated.delegate.user, delegate=seated.seat)
    sunderland_member = Member.objects.filter(home_group=seated.sunderland).first()
    with pytest.raises(DelegationError, match="home group is Gateshead"):
        replace(seated, member=sunderland_member)
    other = held_meeting(group=seated.sunderland, title="Sunderland", created_by=seated.voter)
    with pytest.raises(DelegationError, match="Name the meeting of Gateshead"):
        replace(seated, group_meeting=other)
    assert not Delegate.objects.filter(replaces=seated.seat).exists()


def test_a_seat_is_replaced_once(seated):
    withdraw_delegate(actor=seated.delegate.user, delegate=seated.seat)
    replace(seated)
    with pytest.raises(DelegationError, match="already been filled: Sam Successor replaced"):
        replace(seated, member=seated.voter)
    assert not queries.is_delegate(seated.voter, seated.meeting)


def test_another_groups_officer_cannot_replace(seated):
    withdraw_delegate(actor=seated.delegate.user, delegate=seated.seat)
    with pytest.raises(PermissionDenied):
        replace(seated, actor=seated.secretary_elsewhere)
    with pytest.raises(PermissionDenied):
        replace(seated, actor=seated.delegate.user)
    assert not Delegate.objects.filter(replaces=seated.seat).exists()


def test_recording_a_delegate_into_a_vacated_seat_makes_them_the_replacement(seated):
    withdraw_delegate(actor=seated.delegate.user, delegate=seated.seat)
    new = record_delegate(
        actor=seated.secretary,
        meeting=seated.meeting,
        group=seated.gateshead,
        member=seated.successor,
        elected_by="meeting",
        group_meeting=seated.branch_meeting,
    )
    assert new.replaces == seated.seat


def test_a_withdrawn_delegate_leaves_a_place_and_may_be_elected_again(seated):
    withdraw_delegate(actor=seated.delegate.user, delegate=seated.seat)
    again = replace(seated, member=seated.delegate)
    assert queries.is_delegate(seated.delegate, seated.meeting)
    assert again.replaces == seated.seat


def test_a_withdrawn_delegate_signed_in_at_the_area_meeting_is_not_counted_as_a_delegate(seated):
    Attendance.objects.create(
        meeting=seated.meeting, member=seated.delegate, signed_in_at=clock.now(), method="self"
    )
    view = queries.allocation_view(seated.meeting)
    assert view is not None and view.signed_in == {seated.delegate.pk}
    withdraw_delegate(actor=seated.delegate.user, delegate=seated.seat)
    view = queries.allocation_view(seated.meeting)
    assert view is not None and view.signed_in == set()
    assert not queries.current_delegates(seated.meeting).filter(member=seated.delegate).exists()


def test_delegates_cannot_change_once_the_meeting_is_held(seated):
    Meeting.objects.filter(pk=seated.meeting.pk).update(status=MeetingStatus.HELD)
    with pytest.raises(DelegationError, match="The meeting is held"):
        withdraw_delegate(actor=seated.delegate.user, delegate=seated.seat)
    assert unchanged(seated.seat)


# --- pages -----------------------------------------------------------------------------------


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_published_list_shows_who_held_the_seat_when_and_why_it_ended(seated):
    withdraw_delegate(actor=seated.secretary, delegate=seated.seat, reason="Moved to Leeds.")
    url = reverse("delegation_meeting", args=[seated.meeting.pk])
    page = client_for(seated.voter.user).get(url).content.decode()
    assert "Seat given up by Dee Legate" in page
    assert "Withdrawn by the group: Moved to Leeds." in page
    assert reverse("delegation_replace_delegate", args=[seated.seat.pk]) not in page
    secretary_page = client_for(seated.secretary).get(url).content.decode()
    assert reverse("delegation_replace_delegate", args=[seated.seat.pk]) in secretary_page
    replace(seated)
    page = client_for(seated.voter.user).get(url).content.decode()
    assert "Sam Successor (at Gateshead AGM, in the place of Dee Legate)" in page
    assert "Sam Successor, from" in page


def test_the_withdraw_page_is_for_the_delegate_and_the_groups_officers_only(seated):
    url = reverse("delegation_withdraw_delegate", args=[seated.seat.pk])
    assert client_for(seated.voter.user).get(url).status_code == 404
    assert client_for(seated.secretary_elsewhere).post(url, {"reason": "x"}).status_code == 404
    assert unchanged(seated.seat)
    response = client_for(seated.secretary).post(url, {"reason": ""})
    assert response.status_code == 400
    assert "Give the reason the group withdraws this delegate." in response.content.decode()
    assert unchanged(seated.seat)
    response = client_for(seated.delegate.user).post(url, {"reason": ""})
    assert response.status_code == 302
    seated.seat.refresh_from_db()
    assert seated.seat.withdrawn_how == WithdrawnHow.WITHDREW


def test_the_replace_page_refuses_a_membership_number_from_another_group(seated):
    withdraw_delegate(actor=seated.delegate.user, delegate=seated.seat)
    url = reverse("delegation_replace_delegate", args=[seated.seat.pk])
    assert client_for(seated.delegate.user).get(url).status_code == 404
    sunderland_member = Member.objects.filter(home_group=seated.sunderland).first()
    response = client_for(seated.secretary).post(
        url,
        {
            "membership_number": sunderland_member.membership_number,
            "elected_by": "meeting",
            "group_meeting": seated.branch_meeting.pk,
        },
    )
    assert response.status_code == 400
    assert "No member of Gateshead has that membership number" in response.content.decode()
    assert not Delegate.objects.filter(replaces=seated.seat).exists()
    response = client_for(seated.secretary).post(
        url,
        {
            "membership_number": seated.successor.membership_number,
            "elected_by": "meeting",
            "group_meeting": seated.branch_meeting.pk,
        },
    )
    assert response.status_code == 302
    assert Delegate.objects.get(replaces=seated.seat).member == seated.successor


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_officers_replacing_the_same_delegate_at_once_record_one():
    """Gateshead's Secretary and the national office each record a different replacement for
    the same withdrawn delegate at the same moment: the allocation lock makes one wait, find
    the seat filled and be refused with the reason."""
    area = build_area()
    allocate_delegates(
        actor=area.coordinator, meeting=area.meeting, seats=10, minimum=1, counted_on=clock.today()
    )
    electing = held_meeting(group=area.gateshead, title="Gateshead AGM", created_by=area.voter)
    seat = record_delegate(
        actor=area.secretary,
        meeting=area.meeting,
        group=area.gateshead,
        member=area.delegate,
        elected_by="meeting",
        group_meeting=electing,
    )
    withdraw_delegate(actor=area.delegate.user, delegate=seat)
    candidates = {
        area.secretary: MemberWithLoginFactory(home_group=area.gateshead, last_name="First"),
        area.national: MemberWithLoginFactory(home_group=area.gateshead, last_name="Second"),
    }
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(actor, member: Member) -> None:
        barrier.wait()
        try:
            replace_delegate(
                actor=actor,
                delegate=seat,
                member=member,
                elected_by="meeting",
                group_meeting=electing,
            )
            outcomes.append("replaced")
        except DelegationError as error:
            outcomes.append(str(error))
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=attempt, args=pair) for pair in candidates.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winner = Delegate.objects.get(replaces=seat).member
    assert sorted(outcomes) == [
        f"This seat has already been filled: {winner.full_name} replaced Dee Legate.",
        "replaced",
    ]
    assert queries.current_delegates(area.meeting).filter(group=area.gateshead).count() == 1


def test_reasons_are_kept_short(seated):
    with pytest.raises(DelegationError, match="Keep the reason to 2000 characters"):
        withdraw_delegate(actor=seated.secretary, delegate=seated.seat, reason="x" * 2001)
    assert unchanged(seated.seat)
