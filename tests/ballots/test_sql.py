"""Each hand-written statement of grassroots.ballots.sql gives the answer of the ORM expression
beside it: the poll-open rule on every status and window, the current-officer-role rule on
every mix of dates, and (on PostgreSQL) the cast's one statement against the ORM's steps.
The roll-entry query behind every cast is held in tests/ballots/test_vote_query.py."""

from __future__ import annotations

import datetime
import secrets
import uuid

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grassroots import clock
from grassroots.ballots import sql
from grassroots.ballots.models import (
    Ballot,
    BallotStatus,
    ReceiptKeeper,
    RollEntry,
    UnsealedBallot,
)
from grassroots.organisation.models import Role, RoleAssignment
from grassroots.organisation.permissions import OFFICER_ROLES
from tests.ballots.conftest import make_ballot, open_with_voters
from tests.factories import MemberWithLoginFactory, RoleFactory

pytestmark = pytest.mark.django_db

HOURS = st.integers(min_value=-3, max_value=3)
HYPOTHESIS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def ballot() -> Ballot:
    return make_ballot().ballot


@HYPOTHESIS
@given(
    status=st.sampled_from(BallotStatus.values),
    opens=HOURS,
    length=st.integers(min_value=1, max_value=4),
    now=HOURS,
)
def test_poll_is_open_sql_orm_and_model_agree(ballot, status, opens, length, now):
    base = clock.now().replace(microsecond=0)
    hour = datetime.timedelta(hours=1)
    moment = base + now * hour
    Ballot.objects.filter(pk=ballot.pk).update(
        status=status, opens_at=base + opens * hour, closes_at=base + (opens + length) * hour
    )
    table = connection.ops.quote_name(Ballot._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {table} b WHERE b.id = %s AND {sql.poll_is_open_sql('b')}",
            [ballot.pk, *sql.poll_is_open_params(moment)],
        )
        (by_sql,) = cursor.fetchone()
    by_orm = Ballot.objects.filter(sql.poll_is_open(moment), pk=ballot.pk).exists()
    row = Ballot.objects.get(pk=ballot.pk)
    by_model = row.status == BallotStatus.OPEN and row.opens_at <= moment < row.closes_at
    assert bool(by_sql) == by_orm == by_model


ROLE_DAYS = st.sampled_from(["past", "current", "open-ended", "future", "ends-today", "starts"])


@HYPOTHESIS
@given(
    roles=st.lists(
        st.tuples(st.sampled_from([Role.SECRETARY, Role.CHAIR, Role.TREASURER]), ROLE_DAYS),
        min_size=0,
        max_size=3,
    )
)
def test_current_officer_role_sql_matches_the_orm(roles):
    member = MemberWithLoginFactory()
    today = clock.today()
    day = datetime.timedelta(days=1)
    for role, kind in roles:
        starts, ends = {
            "past": (today - 30 * day, today - day),
            "current": (today - 30 * day, today + 30 * day),
            "open-ended": (today - 30 * day, None),
            "future": (today + day, None),
            "ends-today": (today - 30 * day, today),
            "starts": (today, None),
        }[kind]
        RoleFactory(
            role=role,
            member=member,
            group=member.home_group,
            starts_on=starts,
            ends_on=ends,
        )
    table = connection.ops.quote_name(member._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {sql.current_officer_role_sql('a', 'm.id')} FROM {table} m WHERE m.id = %s",
            [*sql.current_officer_role_params(today), member.pk],
        )
        (by_sql,) = cursor.fetchone()
    by_orm = (
        RoleAssignment.objects.current(today).filter(member=member, role__in=OFFICER_ROLES).exists()
    )
    assert bool(by_sql) == by_orm


def _cast_rows(setup, member, moment, use_one_statement: bool) -> tuple[bool, bool, int, int]:
    """Run one form of the cast in a savepoint that is rolled back; what it did."""
    papers = [
        UnsealedBallot(ballot=setup.ballot, ciphertext=secrets.token_bytes(48), tracker="a" * 64),
        UnsealedBallot(ballot=setup.ballot, ciphertext=secrets.token_bytes(48), tracker="b" * 64),
    ]
    keeper = ReceiptKeeper(
        ballot=setup.ballot, key_hash=uuid.uuid4().hex * 2, receipt_sealed=b"receipt"
    )
    cast = sql._cast_in_one_statement if use_one_statement else sql._cast_through_orm
    sid = transaction.savepoint()
    try:
        marked = cast(setup.ballot.pk, member.pk, moment, papers, keeper)
        entry = RollEntry.objects.filter(ballot=setup.ballot, member=member).first()
        return (
            marked,
            bool(entry and entry.has_voted),
            UnsealedBallot.objects.filter(ballot=setup.ballot).count(),
            ReceiptKeeper.objects.filter(ballot=setup.ballot).count(),
        )
    finally:
        transaction.savepoint_rollback(sid)


@pytest.mark.postgres
def test_the_casts_one_statement_writes_what_the_orm_steps_write():
    if connection.vendor != "postgresql":
        pytest.skip("the one statement is PostgreSQL's")
    setup = make_ballot()
    voter, stranger = open_with_voters(setup, 2)
    RollEntry.objects.filter(ballot=setup.ballot, member=stranger).delete()
    ballot = Ballot.objects.get(pk=setup.ballot.pk)
    hour = datetime.timedelta(hours=1)
    moments = [ballot.opens_at - hour, ballot.opens_at, ballot.closes_at - hour, ballot.closes_at]
    seen = set()
    for status in (BallotStatus.OPEN, BallotStatus.CLOSED):
        Ballot.objects.filter(pk=ballot.pk).update(status=status)
        for has_voted in (False, True):
            RollEntry.objects.filter(ballot=ballot, member=voter).update(has_voted=has_voted)
            for moment in moments:
                for member in (voter, stranger):
                    one = _cast_rows(setup, member, moment, use_one_statement=True)
                    orm = _cast_rows(setup, member, moment, use_one_statement=False)
                    assert one == orm, (status, has_voted, moment, member == voter)
                    seen.add(one[0])
    assert seen == {True, False}
