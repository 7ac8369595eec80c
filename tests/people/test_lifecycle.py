"""The membership lifecycle: reminders, the set-based nightly lapse after the grace period,
renewing and rejoining, each a status change in the history."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from grassroots.audit.models import AuditEntry
from grassroots.people import lifecycle
from grassroots.people.models import Member, MembershipStatus, MemberStatusChange
from grassroots.people.standing import members_in_good_standing_on
from tests.factories import MemberFactory, MemberWithLoginFactory, RoleFactory
from tests.mail import Mailbox, mailbox
from tests.organisation.conftest import Clock, frozen_clock

__all__ = ["frozen_clock", "mailbox"]
pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def test_nightly_lapse_takes_exactly_those_past_the_grace_period(frozen_clock: Clock) -> None:
    today = frozen_clock.today
    grace = datetime.timedelta(days=lifecycle.grace_days())
    overdue = [MemberFactory(renewal_due_on=today - grace - DAY) for _ in range(3)]
    in_grace = MemberFactory(renewal_due_on=today - grace)
    current = MemberFactory(renewal_due_on=today + DAY)
    no_date = MemberFactory(renewal_due_on=None)
    suspended = MemberFactory(renewal_due_on=today - grace - DAY, status="suspended")

    assert lifecycle.lapse_overdue() == 3

    statuses = dict(Member.objects.values_list("pk", "status"))
    assert {statuses[m.pk] for m in overdue} == {MembershipStatus.LAPSED}
    for m in (in_grace, current, no_date):
        assert statuses[m.pk] == MembershipStatus.MEMBER
    assert statuses[suspended.pk] == "suspended"
    entries = MemberStatusChange.objects.filter(cause="lapse")
    assert sorted(entries.values_list("member_id", flat=True)) == sorted(m.pk for m in overdue)
    assert {e.effective_on for e in entries} == {today}
    assert AuditEntry.objects.get(action="lapse_members").detail["lapsed"] == 3
    assert lifecycle.lapse_overdue() == 0  # a second run changes nothing
    assert not members_in_good_standing_on(today).filter(pk=overdue[0].pk).exists()


def test_reminders_go_once_per_renewal_date(
    frozen_clock: Clock, mailbox: Mailbox, django_capture_on_commit_callbacks
) -> None:
    due_soon = MemberFactory(renewal_due_on=frozen_clock.today + 10 * DAY)
    MemberFactory(renewal_due_on=frozen_clock.today + 300 * DAY)
    with django_capture_on_commit_callbacks(execute=True):
        assert lifecycle.send_renewal_reminders() == 1
    assert "due for renewal" in mailbox.last_to(due_soon.email).subject
    assert lifecycle.send_renewal_reminders() == 0


def test_a_lapsed_member_rejoins_and_a_member_renews_for_a_year(frozen_clock: Clock) -> None:
    member = MemberWithLoginFactory(renewal_due_on=frozen_clock.today - 60 * DAY)
    lifecycle.lapse_overdue()
    member.refresh_from_db()
    assert member.status == MembershipStatus.LAPSED
    lifecycle.renew_membership(actor=member.user, member=member)
    member.refresh_from_db()
    assert member.status == MembershipStatus.MEMBER
    assert member.renewal_due_on == frozen_clock.today + lifecycle.MEMBERSHIP_TERM
    assert MemberStatusChange.objects.filter(member=member).latest("id").cause == "rejoin"
    lifecycle.renew_membership(actor=member.user, member=member)
    member.refresh_from_db()
    assert member.renewal_due_on == frozen_clock.today + 2 * lifecycle.MEMBERSHIP_TERM
    assert AuditEntry.objects.filter(action="renew_membership").count() == 1


def test_renewal_by_someone_else_needs_national_office_and_a_reason(frozen_clock: Clock) -> None:
    member = MemberWithLoginFactory()
    other = MemberWithLoginFactory()
    with pytest.raises(PermissionDenied):
        lifecycle.renew_membership(actor=other.user, member=member, reason="kind")
    national = RoleFactory(role="national_office").member
    with pytest.raises(lifecycle.LifecycleError, match="reason"):
        lifecycle.renew_membership(actor=national.user, member=member)
    lifecycle.renew_membership(actor=national.user, member=member, reason="Paid by cheque")
    suspended = MemberWithLoginFactory(status="suspended")
    with pytest.raises(lifecycle.LifecycleError, match="suspended"):
        lifecycle.renew_membership(actor=suspended.user, member=suspended)


def test_the_nightly_command_runs_every_step(frozen_clock: Clock, capsys) -> None:
    MemberFactory(renewal_due_on=frozen_clock.today - 90 * DAY)
    call_command("run_membership_lifecycle")
    assert "lapsed 1 members" in capsys.readouterr().out
