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


def _cast_rows(setup, member, moment, rows: sql.CastRows, use_one_statement: bool):
    """Run one form of the cast in a savepoint that is rolled back; what it did and wrote."""
    cast = sql._cast_in_one_statement if use_one_statement else sql._cast_through_orm
    sid = transaction.savepoint()
    try:
        marked = cast(setup.ballot.pk, member.pk, moment, rows)
        entry = RollEntry.objects.filter(ballot=setup.ballot, member=member).first()
        papers = UnsealedBallot.objects.filter(ballot=setup.ballot).order_by("tracker")
        keepers = ReceiptKeeper.objects.filter(ballot=setup.ballot)
        return (
            marked,
            bool(entry and entry.has_voted),
            [(bytes(c), t) for c, t in papers.values_list("ciphertext", "tracker")],
            [(k, bytes(r)) for k, r in keepers.values_list("key_hash", "receipt_sealed")],
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
                    rows = sql.CastRows(
                        papers=[(secrets.token_bytes(48), secrets.token_hex(32)) for _ in "ab"],
                        key_hash=secrets.token_hex(32),
                        receipt_sealed=secrets.token_bytes(40),
                    )
                    one = _cast_rows(setup, member, moment, rows, use_one_statement=True)
                    orm = _cast_rows(setup, member, moment, rows, use_one_statement=False)
                    assert one == orm, (status, has_voted, moment, member == voter)
                    if one[0]:  # it voted: exactly what was given is stored
                        assert one[2] == sorted(rows.papers, key=lambda paper: paper[1])
                        assert one[3] == [(rows.key_hash, rows.receipt_sealed)]
                    else:
                        assert one[2:] == ([], [])
                    seen.add(one[0])
    assert seen == {True, False}


@pytest.mark.postgres
def test_freezing_the_roll_in_one_statement_puts_the_orms_rows_on_it():
    """``freeze_roll`` (INSERT ... SELECT on PostgreSQL) and ``freeze_roll_orm`` put the same
    members on the roll, with the same home groups and regions, in member id order."""
    from grassroots.ballots.eligibility import eligible_members
    from tests.factories import GroupFactory

    setup = make_ballot()
    others = GroupFactory()
    for _ in range(4):
        MemberWithLoginFactory(home_group=setup.group)
    MemberWithLoginFactory(home_group=others)  # outside the group ballot's scope
    MemberWithLoginFactory(home_group=setup.group, status="lapsed")
    ballot = Ballot.objects.get(pk=setup.ballot.pk)
    eligible = eligible_members(ballot)

    def frozen() -> list[tuple[int, int | None, int | None, bool]]:
        rows = RollEntry.objects.filter(ballot=ballot).order_by("pk")
        return list(rows.values_list("member_id", "group_id", "region_id", "has_voted"))

    sid = transaction.savepoint()
    assert sql.freeze_roll_orm(ballot, eligible) == eligible.count()
    by_orm = frozen()
    transaction.savepoint_rollback(sid)
    assert sql.freeze_roll(ballot, eligible) == len(by_orm) > 0
    assert frozen() == by_orm
    assert [member for member, _, _, _ in by_orm] == sorted(eligible.values_list("pk", flat=True))
    assert {region for _, _, region, _ in by_orm} == {setup.group.area.region_id}


@pytest.mark.postgres
def test_storing_the_counts_papers_in_one_statement_writes_what_the_orm_writes():
    """``store_plaintexts`` (UPDATE ... FROM VALUES on PostgreSQL) and the ORM's form store
    the same papers at the same positions, and neither overwrites a paper already stored."""
    setup = make_ballot()
    ballot = Ballot.objects.get(pk=setup.ballot.pk)
    from grassroots.ballots.models import BallotBoxEntry

    BallotBoxEntry.objects.bulk_create(
        BallotBoxEntry(
            ballot=ballot, log_index=i, ciphertext=secrets.token_bytes(8), tracker=f"{i:064x}"
        )
        for i in range(6)
    )
    BallotBoxEntry.objects.filter(ballot=ballot, log_index=2).update(plaintext=b"kept")
    papers = [(i, f"paper {i}\\n".encode()) for i in (0, 2, 3, 5)]

    def stored() -> list[tuple[int, bytes | None]]:
        rows = BallotBoxEntry.objects.filter(ballot=ballot).order_by("log_index")
        return [
            (i, None if p is None else bytes(p))
            for i, p in rows.values_list("log_index", "plaintext")
        ]

    sid = transaction.savepoint()
    assert sql.store_plaintexts_orm(ballot.pk, papers) == 3
    by_orm = stored()
    transaction.savepoint_rollback(sid)
    assert sql.store_plaintexts(ballot.pk, papers) == 3
    assert stored() == by_orm
    assert by_orm[2] == (2, b"kept") and by_orm[1] == (1, None)
    assert sql.store_plaintexts(ballot.pk, papers) == 0, "nothing stored twice"


@pytest.mark.postgres
@HYPOTHESIS
@given(
    waiting=st.integers(min_value=0, max_value=12),
    chosen=st.randoms(use_true_random=False),
    start=st.integers(min_value=0, max_value=50),
)
def test_sealing_a_batch_in_one_statement_moves_what_the_orm_moves(ballot, waiting, chosen, start):
    """``move_to_box`` (DELETE ... RETURNING into an ordered INSERT on PostgreSQL) and the
    ORM's form put the same papers at the same log positions in the shuffled order, with new
    ids, and leave the same ballots waiting; an id not waiting is not moved."""
    from grassroots.ballots.models import BallotBoxEntry

    UnsealedBallot.objects.filter(ballot=ballot).delete()
    outbox = UnsealedBallot.objects.bulk_create(
        UnsealedBallot(
            ballot=ballot, ciphertext=secrets.token_bytes(20), tracker=secrets.token_hex(32)
        )
        for _ in range(waiting)
    )
    ids = [row.pk for row in outbox]
    chosen.shuffle(ids)
    ids = ids[: chosen.randint(0, waiting)]
    ids.insert(chosen.randint(0, len(ids)), uuid.uuid4())  # not waiting: skipped, no gap

    def after() -> tuple[list[tuple[int, bytes, str]], set[str], set[uuid.UUID]]:
        box = BallotBoxEntry.objects.filter(ballot=ballot).order_by("log_index")
        rows = [
            (i, bytes(c), t) for i, c, t in box.values_list("log_index", "ciphertext", "tracker")
        ]
        left = set(UnsealedBallot.objects.filter(ballot=ballot).values_list("tracker", flat=True))
        return rows, left, set(box.values_list("pk", flat=True))

    sid = transaction.savepoint()
    assert sql.move_to_box_orm(ballot.pk, start, ids) == len(ids) - 1
    by_orm, left_by_orm, _ = after()
    transaction.savepoint_rollback(sid)
    assert sql.move_to_box(ballot.pk, start, ids) == len(ids) - 1
    rows, left, new_ids = after()
    assert rows == by_orm
    assert left == left_by_orm
    by_id = {row.pk: row for row in outbox}
    assert [t for _, _, t in rows] == [by_id[pk].tracker for pk in ids if pk in by_id]
    assert [i for i, _, _ in rows] == list(range(start, start + len(ids) - 1))
    assert not new_ids & set(by_id), "each sealed ballot has a new id"
    BallotBoxEntry.objects.filter(ballot=ballot).delete()


def _fillfactor(table: str) -> list[str] | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [table])
        return cursor.fetchone()[0]


def _updates(table: str) -> tuple[int, int]:
    """This backend's updates of ``table`` in this transaction, and how many were heap-only
    (not yet reported to the statistics: they may hold an earlier test's too)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = %s",
            [table],
        )
        return cursor.fetchone()


@pytest.mark.postgres
def test_the_counts_plaintexts_are_heap_only_updates_that_write_no_index_entry():
    """The box is stored with room on each page (migration 0023), so writing a paper's
    plaintext keeps its new row version on the same page: PostgreSQL counts every one of the
    count's updates as HOT, which adds nothing to the box's indexes (issue 22)."""
    from grassroots.ballots.models import BallotBoxEntry
    from grassroots.ledger.crypto import seal_ballot, tracker

    setup = make_ballot()
    ballot = Ballot.objects.get(pk=setup.ballot.pk)
    key = bytes(ballot.tellers_public_key)
    papers = [
        (i, f'{{"marks":[{i % 4},{(i + 1) % 4},{(i + 2) % 4}],"question":"q1"}}'.encode())
        for i in range(300)
    ]
    BallotBoxEntry.objects.bulk_create(
        BallotBoxEntry(
            ballot=ballot,
            log_index=i,
            ciphertext=(sealed := seal_ballot(plaintext, key)),
            tracker=tracker(ballot.election_id, sealed),
        )
        for i, plaintext in papers
    )
    table = BallotBoxEntry._meta.db_table
    assert _fillfactor(table) == ["fillfactor=40"]
    before = _updates(table)
    for start in range(0, 300, 100):
        assert sql.store_plaintexts(ballot.pk, papers[start : start + 100]) == 100
    after = _updates(table)
    assert (after[0] - before[0], after[1] - before[1]) == (300, 300), "every update HOT"


def _a_paper(setup) -> dict[int, list[int]]:
    from tests.ballots.conftest import candidate_ids

    return {setup.motion.pk: candidate_ids(setup.motion)[:1], setup.stv.pk: []}


@pytest.mark.postgres
def test_a_voters_roll_mark_is_a_heap_only_update_that_writes_no_index_entry():
    """The roll is stored with room on each page (migration 0025): setting a voter's mark keeps
    the new row version on its page, so no index of the roll gets an entry (issue 22)."""
    from grassroots.ballots.services.casting import cast_ballot

    table = RollEntry._meta.db_table
    assert _fillfactor(table) == ["fillfactor=50"]
    setup = make_ballot()
    voters = open_with_voters(setup, 12)
    ballot = Ballot.objects.get(pk=setup.ballot.pk)
    before = _updates(table)
    for voter in voters:
        cast_ballot(
            actor=voter.user,
            ballot=ballot,
            answers=_a_paper(setup),
            idempotency_key=secrets.token_urlsafe(24),
        )
    after = _updates(table)
    assert (after[0] - before[0], after[1] - before[1]) == (12, 12), "every mark HOT"


@pytest.mark.django_db(transaction=True)
def test_a_cast_commits_before_its_receipt_as_one_statement_on_postgresql():
    """Outside any transaction (as in a request), a cast on PostgreSQL is its one statement in
    autocommit, so it has committed when it returns; elsewhere it runs in a durable
    transaction. Inside another transaction that is not a test's, it refuses to run."""
    from grassroots.ballots.services.casting import cast_ballot

    setup = make_ballot()
    first, second = open_with_voters(setup, 2)
    ballot = Ballot.objects.get(pk=setup.ballot.pk)
    seen: list[tuple[bool, bool]] = []

    def watch(execute, sql_text, params, many, context):
        if sql_text.startswith("WITH open_ballot") or "ballots_unsealedballot" in sql_text:
            seen.append((connection.get_autocommit(), connection.in_atomic_block))
        return execute(sql_text, params, many, context)

    with connection.execute_wrapper(watch):
        receipt = cast_ballot(
            actor=first.user,
            ballot=ballot,
            answers=_a_paper(setup),
            idempotency_key=secrets.token_urlsafe(24),
        )
    assert len(receipt.trackers) == 2
    if connection.vendor == "postgresql":
        assert seen == [(True, False)], "one statement, its own transaction"
    else:
        assert seen and all(mode == (False, True) for mode in seen), "a durable transaction"
    assert RollEntry.objects.get(ballot=ballot, member=first).has_voted
    assert UnsealedBallot.objects.filter(ballot=ballot).count() == 2

    with pytest.raises(RuntimeError), transaction.atomic():
        cast_ballot(
            actor=second.user,
            ballot=ballot,
            answers=_a_paper(setup),
            idempotency_key=secrets.token_urlsafe(24),
        )
    assert not RollEntry.objects.get(ballot=ballot, member=second).has_voted
