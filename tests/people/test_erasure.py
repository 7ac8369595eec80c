"""Erasure and retention: the person goes, the counts stay; an erased address cannot come back
through an import; lapsed members are pseudonymised after the retention period."""

from __future__ import annotations

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.models import AuditEntry
from grassroots.ballots.models import Ballot, RollEntry
from grassroots.ballots.publication import election_record
from grassroots.ledger.verify import verify_record
from grassroots.people import erasure, services
from grassroots.people.importing import parse_members
from grassroots.people.models import ErasedAddress, Member, MembershipStatus
from grassroots.people.queries import get_member_for, import_group_directory
from tests.ballots.conftest import (
    Clock,
    cast_orders,
    close_count_publish,
    make_ballot,
    open_with_voters,
)
from tests.factories import MemberFactory
from tests.people.test_import import csv_bytes
from tests.web.roles import build_movement

pytestmark = pytest.mark.django_db


def test_erasure_pseudonymises_the_record_and_closes_the_login():
    m = build_movement()
    member = m.member
    member.other_groups.add(m.group_a_sibling)
    user_id, email = member.user_id, member.email

    erasure.erase_member(actor=m.national.user, member=member, reason="member's letter of 3 May")

    member.refresh_from_db()
    assert (member.first_name, member.last_name) == ("Erased", "member")
    assert member.email == f"erased-{member.membership_number.lower()}@erased.invalid"
    assert (member.phone, member.postcode) == ("", "")
    assert (member.consent_to_contact, member.consent_recorded_at, member.consent_source) == (
        False,
        None,
        "",
    )
    assert member.user_id is None and member.is_erased
    assert not User.objects.filter(pk=user_id).exists()
    assert not EmailAddress.objects.filter(email__iexact=email).exists()
    assert not member.other_groups.exists()
    assert ErasedAddress.objects.filter(digest=erasure.suppression_digest(email)).exists()
    entry = AuditEntry.objects.get(action="erase_member")
    assert entry.subject_id == member.membership_number
    assert email not in str(entry.detail) and email not in entry.purpose


def test_erasure_keeps_every_audit_row_that_named_the_member():
    m = build_movement()
    number = m.in_group_a.membership_number
    get_member_for(m.data_manager_a.user, number, purpose="welcome call")
    before = list(AuditEntry.objects.filter(subject_id=number).values_list("pk", flat=True))

    erasure.erase_member(actor=m.national.user, member=m.in_group_a, reason="request")

    after = set(AuditEntry.objects.filter(subject_id=number).values_list("pk", flat=True))
    assert set(before) < after


def test_erasure_ends_the_offices_the_member_holds():
    m = build_movement()
    erasure.erase_member(actor=m.national.user, member=m.data_manager_a, reason="request")

    assert not m.data_manager_a.role_assignments.filter(ends_on__isnull=True).exists()


@pytest.mark.parametrize("who", ["member", "data_manager_a", "coordinator"])
def test_only_national_office_may_erase(who):
    m = build_movement()
    with pytest.raises(PermissionDenied):
        erasure.erase_member(actor=getattr(m, who).user, member=m.in_group_a, reason="x")
    assert not Member.objects.get(pk=m.in_group_a.pk).is_erased


def test_erasing_twice_is_refused():
    m = build_movement()
    erasure.erase_member(actor=m.national.user, member=m.in_group_a, reason="request")
    with pytest.raises(ValueError, match="already erased"):
        erasure.erase_member(actor=m.national.user, member=m.in_group_a, reason="request")


def test_national_office_erases_through_the_page_after_typing_the_number():
    m = build_movement()
    client = Client()
    client.force_login(m.national.user)
    url = reverse("member_erase", kwargs={"number": m.in_group_b.membership_number})

    wrong = client.post(url, {"reason": "request", "confirm_number": "GR0"})
    assert wrong.status_code == 200
    assert b"There is a problem" in wrong.content
    assert not Member.objects.get(pk=m.in_group_b.pk).is_erased

    done = client.post(url, {"reason": "request", "confirm_number": m.in_group_b.membership_number})
    assert done.status_code == 302
    assert Member.objects.get(pk=m.in_group_b.pk).is_erased
    assert client.get(url).status_code == 404


def test_erasure_keeps_ballot_tallies_roll_counts_and_the_verifiable_record(monkeypatch):
    clock_ = Clock(monkeypatch)
    setup = make_ballot()
    voters = open_with_voters(setup, 5)
    cast_orders(setup, voters, [[0, 1], [1, 0], [2, 3], [0, 2], [3]])
    ballot = close_count_publish(setup, clock_)
    record_before = election_record(ballot)
    roll_before = (ballot.roll.count(), ballot.roll.filter(has_voted=True).count())
    assert all(check.passed for check in verify_record(record_before))

    erasure.erase_member(actor=setup.officer.user, member=voters[0], reason="member's request")

    ballot = Ballot.objects.get(pk=ballot.pk)
    record_after = election_record(ballot)
    assert record_after == record_before
    assert all(check.passed for check in verify_record(record_after))
    assert (ballot.roll.count(), ballot.roll.filter(has_voted=True).count()) == roll_before
    assert RollEntry.objects.get(ballot=ballot, member=voters[0]).has_voted


def reimport(data: bytes, **options: object) -> services.ImportOutcome:
    parsed = parse_members(data, groups=import_group_directory())
    return services.import_members(actor=None, parsed=parsed, **options)


def test_reimporting_an_erased_address_is_refused_with_the_reason_on_its_row():
    m = build_movement()
    victim = MemberFactory(home_group=m.group_a, email="Gwen.Price@Example.org")
    erasure.erase_member(actor=m.national.user, member=victim, reason="request")
    slug = m.group_a.slug
    rows = [
        f",Gwen,Price,  gwen.price@example.ORG ,,,member,2020-01-02,,{slug},,no,,",
        f",New,Person,new.person@example.org,,,member,2020-01-02,,{slug},,no,,",
    ]

    outcome = reimport(csv_bytes(*rows), allow_partial=True)

    assert outcome.created == 1
    [problem] = outcome.problems
    assert (problem.line, problem.column) == (2, "email")
    assert "suppression list" in problem.message
    assert not Member.objects.filter(email__iexact="gwen.price@example.org").exists()


def test_reimporting_an_erased_membership_number_is_refused():
    m = build_movement()
    victim = MemberFactory(home_group=m.group_a)
    erasure.erase_member(actor=m.national.user, member=victim, reason="request")
    row = (
        f"{victim.membership_number},Gwen,Price,other@example.org,,,member,2020-01-02,,"
        f"{m.group_a.slug},,no,,"
    )

    outcome = reimport(csv_bytes(row))

    assert not outcome.applied
    assert outcome.problems[0].column == "membership_number"
    assert Member.objects.get(pk=victim.pk).first_name == "Erased"


def test_suppression_survives_a_rotated_secret_key(settings):
    m = build_movement()
    victim = MemberFactory(home_group=m.group_a, email="kept@example.org")
    erasure.erase_member(actor=m.national.user, member=victim, reason="request")
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-secret-key-after-rotation-0123456789"
    settings.SECRET_KEY_FALLBACKS = [old]

    assert erasure.suppressed_emails(["KEPT@example.org"]) == {"KEPT@example.org"}


def test_retention_pseudonymises_only_lapsed_members_past_the_period(monkeypatch, settings):
    settings.GRASSROOTS_LAPSED_RETENTION_DAYS = 730
    frozen = datetime.datetime(2027, 6, 1, 9, 0, tzinfo=datetime.UTC)
    monkeypatch.setattr(clock, "now", lambda: frozen)
    old = MemberFactory(status=MembershipStatus.LAPSED, renewal_due_on=datetime.date(2025, 5, 1))
    never_renewed = MemberFactory(
        status=MembershipStatus.LAPSED, joined_on=datetime.date(2020, 1, 1)
    )
    recent = MemberFactory(status=MembershipStatus.LAPSED, renewal_due_on=datetime.date(2025, 7, 1))
    current = MemberFactory(
        status=MembershipStatus.MEMBER, renewal_due_on=datetime.date(2024, 1, 1)
    )

    call_command("apply_retention", "--dry-run")
    assert not Member.objects.filter(erased_at__isnull=False).exists()

    run = erasure.apply_retention(dry_run=False)

    assert sorted(run.erased) == sorted([old.membership_number, never_renewed.membership_number])
    erased = set(Member.objects.filter(erased_at=frozen).values_list("pk", flat=True))
    assert erased == {old.pk, never_renewed.pk}
    assert recent.pk not in erased and current.pk not in erased
    entries = AuditEntry.objects.filter(action="erase_member", actor__isnull=True)
    assert entries.count() == 2
    assert erasure.apply_retention(dry_run=False).erased == []


def test_retention_command_reports_what_it_would_do(monkeypatch, capsys):
    monkeypatch.setattr(clock, "now", lambda: datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC))
    lapsed = MemberFactory(status=MembershipStatus.LAPSED, renewal_due_on=datetime.date(2025, 1, 1))

    call_command("apply_retention", "--dry-run")

    assert lapsed.membership_number in capsys.readouterr().out
    assert not Member.objects.get(pk=lapsed.pk).is_erased
