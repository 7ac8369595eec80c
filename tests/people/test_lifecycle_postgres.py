"""The PostgreSQL forms of the set-based steps: the lapse as one statement (members updated,
history entries written from the rows it changed, accepted by the deferred status-history
trigger) and the dues upsert by COPY keeping the later paid-up date. They must answer as the
portable forms do (tests/people/test_lifecycle.py, tests/people/test_dues.py)."""

from __future__ import annotations

import datetime

import pytest

from grassroots import clock
from grassroots.people import dues, lifecycle
from grassroots.people.models import DuesRecord, Member, MembershipStatus, MemberStatusChange
from tests.factories import MemberFactory, RoleFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
DAY = datetime.timedelta(days=1)


def test_the_lapse_statement_updates_members_and_their_history_together() -> None:
    today = clock.today()
    overdue = [MemberFactory(renewal_due_on=today - 40 * DAY) for _ in range(3)]
    current = MemberFactory(renewal_due_on=today)
    assert lifecycle.lapse_overdue() == 3  # commits: the deferred trigger accepts it
    assert set(
        Member.objects.filter(status=MembershipStatus.LAPSED).values_list("pk", flat=True)
    ) == {m.pk for m in overdue}
    assert MemberStatusChange.objects.filter(cause="lapse").count() == 3
    assert Member.objects.get(pk=current.pk).status == MembershipStatus.MEMBER


def test_the_dues_upsert_by_copy_keeps_the_later_date() -> None:
    national = RoleFactory(role="national_office").member
    ada = MemberFactory(email="ada@example.org")
    bob = MemberFactory(email="bob@example.org")
    DuesRecord.objects.create(
        member=ada, paid_up_to=datetime.date(2030, 1, 1), source="manual", updated_at=clock.now()
    )
    text = (
        "id,charge_date,amount,currency,status,customers.email\n"
        "PM1,2026-02-05,5.00,GBP,paid_out,ada@example.org\n"
        "PM2,2026-02-07,7.50,GBP,confirmed,bob@example.org\n"
    )
    result = dues.import_dues(
        actor=national.user, provider="gocardless", text=text, frequency="monthly"
    )
    assert result.members_updated == 2
    ada_dues, bob_dues = DuesRecord.objects.get(member=ada), DuesRecord.objects.get(member=bob)
    assert ada_dues.paid_up_to == datetime.date(2030, 1, 1) and ada_dues.amount_pence == 500
    assert ada_dues.source == "gocardless" and ada_dues.last_payment_ref == "PM1"
    assert (bob_dues.paid_up_to, bob_dues.amount_pence) == (datetime.date(2026, 3, 7), 750)
