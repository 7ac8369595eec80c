"""Membership status history: every writer records the change, the backfill gives each existing
member one entry, "in good standing on D" reads the history, and (on PostgreSQL) the database
refuses a member whose status has no matching entry."""

from __future__ import annotations

import datetime
import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from grassroots import clock
from grassroots.people import services
from grassroots.people.erasure import erase_member
from grassroots.people.importing import COLUMNS, parse_members
from grassroots.people.models import Member, MembershipStatus, MemberStatusChange
from grassroots.people.queries import import_group_directory
from grassroots.people.standing import (
    members_in_good_standing_on,
    status_history,
)
from tests.demo_database import restore_demo
from tests.factories import GroupFactory, MemberFactory, change_status

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
D = datetime.date(2025, 6, 1)


def in_good_standing(on: datetime.date) -> set[str]:
    return set(members_in_good_standing_on(on).values_list("last_name", flat=True))


def lapse(member: Member, on: datetime.date) -> None:
    change_status(member, MembershipStatus.LAPSED, on)


def test_a_member_who_lapsed_after_the_date_counts_and_one_who_joined_after_it_does_not():
    group = GroupFactory()
    lapsed_later = MemberFactory(home_group=group, last_name="Later", joined_on=D.replace(2020))
    lapse(lapsed_later, D + datetime.timedelta(days=1))
    MemberFactory(home_group=group, last_name="Joiner", joined_on=D + datetime.timedelta(days=1))
    lapsed_before = MemberFactory(home_group=group, last_name="Before", joined_on=D.replace(2020))
    lapse(lapsed_before, D - datetime.timedelta(days=1))
    MemberFactory(home_group=group, last_name="Steady", joined_on=D.replace(2020))
    MemberFactory(
        home_group=group,
        last_name="Supporter",
        joined_on=D.replace(2020),
        status=MembershipStatus.SUPPORTER,
    )

    assert in_good_standing(D) == {"Later", "Steady"}
    assert in_good_standing(D + datetime.timedelta(days=1)) == {"Joiner", "Steady"}
    assert in_good_standing(D - datetime.timedelta(days=1)) == {"Later", "Steady"}
    # The member's status today is "lapsed": the old reading would have left them out on D.
    assert Member.objects.get(pk=lapsed_later.pk).status == MembershipStatus.LAPSED


def test_the_scope_is_the_home_group_and_an_erased_record_counts_only_before_its_erasure():
    leeds, york = GroupFactory(), GroupFactory()
    MemberFactory(home_group=leeds, last_name="Leeds")
    erased = MemberFactory(home_group=york, last_name="York")
    erase_member(actor=None, member=erased, reason="asked to be forgotten")
    on_leeds = members_in_good_standing_on(D, home_group_ids=[leeds.pk])
    assert list(on_leeds.values_list("last_name", flat=True)) == ["Leeds"]
    assert members_in_good_standing_on(D, home_group_ids=[york.pk]).count() == 1
    assert members_in_good_standing_on(clock.today(), home_group_ids=[york.pk]).count() == 0
    # Erasure keeps the history (statuses and dates name nobody once the name is gone).
    assert list(status_history(erased).values_list("status", flat=True)) == ["member"]


def test_good_standing_on_a_date_is_one_query(django_assert_num_queries):
    group = GroupFactory()
    for n in range(5):
        lapse(MemberFactory(home_group=group), D + datetime.timedelta(days=n))
    with django_assert_num_queries(1):
        # Lapsed from D, D+1 and D+2: only the two who lapsed later count on D+2.
        assert members_in_good_standing_on(D + datetime.timedelta(days=2)).count() == 2


class InTransaction:
    """The part of a schema editor the backfill uses, inside the test's transaction (SQLite's
    schema editor refuses to open there)."""

    connection = connection

    def execute(self, sql: str, params: list[object]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def test_the_backfill_gives_each_existing_member_one_entry_from_their_current_status():
    group = GroupFactory()
    Member.objects.bulk_create(
        Member(
            membership_number=f"GR900000{n}",
            first_name="Old",
            last_name=f"Record{n}",
            email=f"old{n}@example.org",
            status=status,
            joined_on=datetime.date(2019, 1, 1 + n),
            home_group=group,
        )
        for n, status in enumerate([MembershipStatus.MEMBER, MembershipStatus.LAPSED])
    )
    migration = importlib.import_module("grassroots.people.migrations.0005_member_status_history")
    migration.backfill(apps, InTransaction())
    rows = set(
        MemberStatusChange.objects.values_list(
            "member__last_name", "status", "effective_on", "cause"
        )
    )
    assert rows == {
        ("Record0", "member", datetime.date(2019, 1, 1), "backfill"),
        ("Record1", "lapsed", datetime.date(2019, 1, 2), "backfill"),
    }


def test_an_import_records_new_members_from_joining_and_a_changed_status_from_today():
    GroupFactory(name="Leeds Central", slug="leeds-central")
    header = ",".join(COLUMNS)

    def run(status: str) -> None:
        row = f"GR5000001,Ada,Lovelace,ada@example.org,,,{status},2020-01-02,,leeds-central,,no,,"
        data = f"{header}\n{row}\n".encode()
        parsed = parse_members(data, groups=import_group_directory())
        assert services.import_members(actor=None, parsed=parsed).applied

    run("member")
    run("member")  # the same file again changes nothing, in the history too
    run("lapsed")
    member = Member.objects.get(membership_number="GR5000001")
    assert list(status_history(member).values_list("status", "effective_on", "cause")) == [
        ("member", datetime.date(2020, 1, 2), "import"),
        ("lapsed", clock.today(), "import"),
    ]


@pytest.mark.slow
def test_the_demo_records_every_members_status():
    restore_demo(800)  # what seed_demo makes (tests/demo_database.py)
    assert_history_matches_every_status()
    lapsed = Member.objects.filter(status=MembershipStatus.LAPSED).first()
    assert lapsed is not None
    assert status_history(lapsed).last().status == MembershipStatus.LAPSED  # type: ignore[union-attr]


def assert_history_matches_every_status() -> None:
    from grassroots.people.standing import status_on

    far_future = datetime.date(2999, 1, 1)
    mismatched = Member.objects.alias(latest=status_on(far_future)).exclude(status=F("latest"))
    assert not mismatched.exists()


# Code that writes member rows: making a Member, bulk writes, COPY into the table, or setting a
# member's status. Each such module must record the status history.
WRITER_PATTERNS = [
    re.compile(r"(?<!class )\bMember\("),
    re.compile(r"\bMember\.objects\.(?:bulk_create|bulk_update|create|update|get_or_create)\b"),
    re.compile(r"\bMember\.objects\.[^\n]*\.update\(\s*status"),
    re.compile(r"COPY \{quote\(Member\._meta\.db_table\)\}"),
    re.compile(r"\bmember\.status\s*=[^=]"),
]
KNOWN_WRITERS = {
    "grassroots/people/services.py",
    "grassroots/people/lifecycle.py",
    "grassroots/people/discipline.py",
    "grassroots/organisation/joining.py",
    "bench/lifecycle.py",
    "bench/groups.py",
    "bench/meetings.py",
    "bench/cast_load.py",
}


def test_every_module_that_writes_members_records_their_status_history():
    found = set()
    for folder in ("grassroots", "bench"):
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            text = path.read_text()
            if any(p.search(text) for p in WRITER_PATTERNS):
                found.add(str(path.relative_to(ROOT)))
    assert found == KNOWN_WRITERS, (
        "A module writes member rows that is not a known writer: make it record each status it "
        "sets with grassroots.people.standing.record_status_changes (or record_joined), then "
        "add it to KNOWN_WRITERS"
    )
    for name in KNOWN_WRITERS:
        text = (ROOT / name).read_text()
        assert "record_status_changes" in text or "record_joined" in text, name


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_refuses_to_commit_a_status_without_its_history_entry():
    group = GroupFactory()
    with pytest.raises(IntegrityError, match="status history"), transaction.atomic():
        Member.objects.create(
            membership_number="GR9999999",
            first_name="No",
            last_name="History",
            email="nohistory@example.org",
            joined_on=D,
            home_group=group,
        )
    assert not Member.objects.filter(membership_number="GR9999999").exists()

    member = MemberFactory(home_group=group)
    with pytest.raises(IntegrityError, match="status history"), transaction.atomic():
        Member.objects.filter(pk=member.pk).update(status=MembershipStatus.LAPSED)
    assert Member.objects.get(pk=member.pk).status == MembershipStatus.MEMBER

    with transaction.atomic():
        lapse(member, clock.today())
    assert Member.objects.get(pk=member.pk).status == MembershipStatus.LAPSED
