"""Dues from GoCardless's and Stripe's payments exports (their own column names), with clear
row errors and exact counts; by hand with a reason; "paid up by a date" for a ballot's roll and
a delegate allocation's count."""

from __future__ import annotations

import contextlib
import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from grassroots.audit.models import AuditEntry
from grassroots.ballots.eligibility import eligible_members
from grassroots.delegation.counting import members_in_good_standing
from grassroots.people import dues
from grassroots.people.models import DuesRecord
from tests.factories import GroupFactory, MemberFactory, MemberWithLoginFactory, RoleFactory
from tests.organisation.conftest import Clock, frozen_clock

__all__ = ["frozen_clock"]
pytestmark = pytest.mark.django_db

GOCARDLESS_HEADER = (
    "id,created_at,charge_date,amount,description,currency,status,amount_refunded,reference,"
    "transaction_fee,payout_date,app_fee,links.mandate,links.creditor,links.customer,"
    "links.payout,links.subscription,customers.id,customers.created_at,customers.email,"
    "customers.given_name,customers.family_name"
)
STRIPE_HEADER = (
    "id,Description,Seller Message,Created (UTC),Amount,Amount Refunded,Currency,"
    "Converted Amount,Converted Amount Refunded,Fee,Tax,Converted Currency,Mode,Status,"
    "Statement Descriptor,Customer ID,Customer Description,Customer Email,Captured"
)


def gocardless_row(pid: str, day: str, amount: str, status: str, email: str) -> str:
    return (
        f"{pid},2026-01-01T10:00:00Z,{day},{amount},Membership,GBP,{status},0,REF,0.20,,,"
        f"MD1,CR1,CU1,PO1,SB1,CU1,2025-01-01T00:00:00Z,{email},Ada,Lovelace"
    )


def stripe_row(pid: str, created: str, amount: str, status: str, email: str) -> str:
    return (
        f"{pid},Payment for invoice,Payment complete.,{created},{amount},0.00,gbp,{amount},"
        f"0.00,0.25,0.00,gbp,Live,{status},GRASSROOTS,cus_1,,{email},true"
    )


@pytest.fixture
def national(frozen_clock: Clock):
    return RoleFactory(role="national_office").member


def test_gocardless_export_updates_dues_and_reports_each_bad_row(national) -> None:
    ada = MemberFactory(email="ada@example.org")
    bob = MemberFactory(email="Bob@Example.org")
    text = "\n".join(
        [
            GOCARDLESS_HEADER,
            gocardless_row("PM1", "2026-01-05", "5.00", "paid_out", "ada@example.org"),
            gocardless_row("PM2", "2026-02-05", "5.00", "confirmed", "ada@example.org"),
            gocardless_row("PM3", "2026-02-07", "10.00", "paid_out", "bob@example.org"),
            gocardless_row("PM4", "2026-02-07", "10.00", "failed", "bob@example.org"),
            gocardless_row("PM5", "31-31-2026", "5.00", "paid_out", "ada@example.org"),
            gocardless_row("PM6", "2026-02-07", "five", "paid_out", "ada@example.org"),
            gocardless_row("PM7", "2026-02-07", "5.00", "paid_out", "nobody@example.org"),
            "PM8,short",
        ]
    )
    result = dues.import_dues(
        actor=national.user, provider="gocardless", text=text, frequency="monthly"
    )
    assert (result.rows, result.applied, result.not_paid, result.error_count) == (8, 3, 1, 4)
    assert result.errors == [
        "Row 6: the date “31-31-2026” is not a date.",
        "Row 7: the amount “five” is not an amount.",
        "Row 8: no member has the email address nobody@example.org.",
        "Row 9: has 2 columns where the header has 22.",
    ]
    ada_dues = DuesRecord.objects.get(member=ada)
    assert (ada_dues.paid_up_to, ada_dues.amount_pence) == (datetime.date(2026, 3, 5), 500)
    assert ada_dues.last_payment_ref == "PM2" and ada_dues.source == "gocardless"
    assert DuesRecord.objects.get(member=bob).paid_up_to == datetime.date(2026, 3, 7)
    assert AuditEntry.objects.get(action="import_dues").detail["errors"] == 4


def test_stripe_export_and_a_paid_up_date_never_moves_back(national) -> None:
    ada = MemberFactory(email="ada@example.org")
    DuesRecord.objects.create(
        member=ada,
        paid_up_to=datetime.date(2027, 6, 1),
        source="manual",
        updated_at=national.created_at,
    )
    text = "\n".join(
        [STRIPE_HEADER, stripe_row("ch_1", "2026-02-10 09:30", "60.00", "Paid", "ada@example.org")]
    )
    result = dues.import_dues(actor=national.user, provider="stripe", text=text, frequency="annual")
    assert result.applied == 1 and result.error_count == 0
    assert DuesRecord.objects.get(member=ada).paid_up_to == datetime.date(2027, 6, 1)


def test_a_file_of_the_wrong_provider_is_refused_whole(national) -> None:
    text = "\n".join([STRIPE_HEADER, stripe_row("ch_1", "2026-02-10", "6", "Paid", "a@b.org")])
    with pytest.raises(
        dues.DuesError, match="not a GoCardless export: it has no column 'charge_date'"
    ):
        dues.import_dues(actor=national.user, provider="gocardless", text=text, frequency="monthly")
    assert not DuesRecord.objects.exists()


def test_dues_by_hand_need_the_right_and_a_reason(national) -> None:
    member = MemberWithLoginFactory()
    with pytest.raises(PermissionDenied):
        dues.set_dues_by_hand(
            actor=member.user,
            member=member,
            amount_pence=1,
            frequency="monthly",
            paid_up_to=datetime.date(2026, 5, 1),
            reason="x",
        )
    with pytest.raises(dues.DuesError, match="reason"):
        dues.set_dues_by_hand(
            actor=national.user,
            member=member,
            amount_pence=1,
            frequency="monthly",
            paid_up_to=datetime.date(2026, 5, 1),
            reason=" ",
        )
    dues.set_dues_by_hand(
        actor=national.user,
        member=member,
        amount_pence=300,
        frequency="monthly",
        paid_up_to=datetime.date(2026, 5, 1),
        reason="Paid in cash at the AGM",
    )
    assert AuditEntry.objects.get(action="change_dues").purpose == "Paid in cash at the AGM"


def test_ballot_and_delegate_count_can_require_paid_up_dues(national, frozen_clock: Clock) -> None:
    from tests.ballots.conftest import open_group_ballot

    group = GroupFactory()
    paid = MemberFactory(home_group=group)
    unpaid = MemberFactory(home_group=group)
    DuesRecord.objects.create(
        member=paid,
        paid_up_to=datetime.date(2026, 4, 1),
        source="manual",
        updated_at=national.created_at,
    )
    ballot = open_group_ballot(group=group, officer=national, teller=national)
    assert {paid, unpaid} <= set(eligible_members(ballot))
    dues.set_paid_up_requirement(
        actor=national.user,
        kind="ballot",
        object_id=ballot.pk,
        paid_up_by=datetime.date(2026, 3, 1),
        reason="Rule 4.2",
    )
    assert paid in eligible_members(ballot) and unpaid not in eligible_members(ballot)
    counted = members_in_good_standing(
        [group.pk], frozen_clock.today, paid_up_by=datetime.date(2026, 3, 1)
    )
    assert counted[group.pk] == 1


def test_dues_page_imports_an_upload(national, client: Client) -> None:
    from tests.web.roles import give_authenticator_app

    MemberFactory(email="ada@example.org")
    give_authenticator_app(national.user)
    client.force_login(national.user)
    body = "\n".join(
        [
            GOCARDLESS_HEADER,
            gocardless_row("PM1", "05/02/2026", "5.00", "paid_out", "ada@example.org"),
        ]
    )
    response = client.post(
        reverse("dues_home"),
        {
            "action": "import",
            "import-provider": "gocardless",
            "import-frequency": "monthly",
            "import-file": SimpleUploadedFile("payments.csv", ("\ufeff" + body).encode()),
        },
    )
    page = response.content.decode()
    assert "1 row read: 1 paid payment used" in page
    assert DuesRecord.objects.get().paid_up_to == datetime.date(2026, 3, 5)


@given(st.text(max_size=30))
@settings(max_examples=200, deadline=None)
def test_any_amount_or_date_text_is_parsed_or_refused_cleanly(text: str) -> None:
    for parse in (dues._parse_pence, dues._parse_date):
        with contextlib.suppress(ValueError, ArithmeticError):
            parse(text)
