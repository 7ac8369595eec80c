"""The ballots app's hand-written SQL, each statement beside the ORM expression it mirrors.

Speed on the cast path needs a second expression of a few rules: building these queries
through the ORM cost more CPU than running them (docs/decisions.md, docs/benchmarks/
ballots.md). Each rule is written here twice, as the ORM says it and as SQL made once per
process from the models' own table and column names, and tests/ballots/test_sql.py and
tests/ballots/test_vote_query.py hold the two equal. Nothing else in the app writes SQL or
asks which database it is on (``connection.vendor``).

- **The poll is open**: ``status`` is open and ``opens_at <= now < closes_at``
  (:func:`poll_is_open`; ``Ballot.is_open`` says the same of one row in Python).
- **A current officer role**: a role in ``OFFICER_ROLES`` whose dates hold today
  (``RoleAssignment.objects.current()``; the ORM form the middleware decides from is
  ``officer_mfa_annotations``).
- **The roll entry behind every cast** (:func:`ballot_to_vote_row`, mirroring
  :func:`ballot_to_vote_orm`): the ballot, the voter's roll entry and the officer-MFA flags.
- **The cast's writes** (:func:`cast`): on PostgreSQL one statement; elsewhere the ORM.
- **Vacuuming the unsealed box and the roll** (:func:`vacuum_unsealed`, :func:`vacuum_roll`):
  PostgreSQL only.
- **Storing the count's decrypted papers** (:func:`store_plaintexts`): on PostgreSQL one
  ``UPDATE ... FROM (VALUES ...)`` per batch.
- **Freezing the roll** (:func:`freeze_roll`): on PostgreSQL one ``INSERT ... SELECT`` over the
  eligibility query the ORM builds; elsewhere plain rows and ``bulk_create``.
- **Sealing a batch** (:func:`move_to_box`): on PostgreSQL one ``DELETE ... RETURNING`` feeding
  an ``INSERT`` in the shuffled order; elsewhere the ORM's rows and ``bulk_create``.

Only the models' own table, column and type names are formatted into SQL; every value is a
query parameter (bandit B608 is silenced line by line for that reason).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from allauth.mfa.models import Authenticator
from django.db import connection, models, transaction
from django.db.models import Q, QuerySet, Subquery

from grassroots.accounts.middleware import officer_mfa_annotations
from grassroots.ballots.models import (
    Ballot,
    BallotBoxEntry,
    BallotStatus,
    ReceiptKeeper,
    RollEntry,
    UnsealedBallot,
)
from grassroots.organisation.models import RoleAssignment
from grassroots.organisation.permissions import OFFICER_ROLES
from grassroots.people.models import Member
from grassroots.rows import convert, converters_for, hot_cursor, quoted

# Statements made once per process, by database and shape.
_MADE: dict[tuple[str, ...], Any] = {}


# The poll is open


def poll_is_open(moment: datetime.datetime) -> Q:
    """The ORM's form of the rule: the ballot is open at ``moment``."""
    return Q(status=BallotStatus.OPEN, opens_at__lte=moment, closes_at__gt=moment)


def poll_is_open_sql(alias: str) -> str:
    """The rule as SQL on the ballot table (aliased ``alias``); its parameters are
    :func:`poll_is_open_params`."""
    col = quoted
    return (
        f"{alias}.{col(Ballot, 'status')} = %s AND {alias}.{col(Ballot, 'opens_at')} <= %s "
        f"AND {alias}.{col(Ballot, 'closes_at')} > %s"
    )


def poll_is_open_params(moment: datetime.datetime) -> list[Any]:
    return [BallotStatus.OPEN, moment, moment]


# A current officer role


def current_officer_role_sql(alias: str, member_column: str) -> str:
    """EXISTS a current officer role of the member in ``member_column``; parameters are
    :func:`current_officer_role_params`. The ORM's form: ``RoleAssignment.objects.current()
    .filter(member_id=..., role__in=OFFICER_ROLES)`` (``officer_mfa_annotations``)."""
    q = connection.ops.quote_name
    col = quoted
    marks = ", ".join(["%s"] * len(OFFICER_ROLES))
    return (
        f"EXISTS (SELECT 1 FROM {q(RoleAssignment._meta.db_table)} {alias} "  # noqa: S608  # nosec B608
        f"WHERE {alias}.{col(RoleAssignment, 'member')} = {member_column} "
        f"AND {alias}.{col(RoleAssignment, 'starts_on')} <= %s "
        f"AND ({alias}.{col(RoleAssignment, 'ends_on')} IS NULL "
        f"OR {alias}.{col(RoleAssignment, 'ends_on')} >= %s) "
        f"AND {alias}.{col(RoleAssignment, 'role')} IN ({marks}))"
    )


def current_officer_role_params(day: datetime.date) -> list[Any]:
    value = connection.ops.adapt_datefield_value(day)
    return [value, value, *sorted(OFFICER_ROLES)]


# The roll entry behind every cast

BALLOT_ATTNAMES = [f.attname for f in Ballot._meta.concrete_fields]


def ballot_to_vote_orm(user_id: int, ballot_id: int) -> RollEntry | None:
    """The ORM's form: the roll entry (with its ballot) of the member whose login is
    ``user_id``, with the officer-MFA flags ``mfa_is_officer`` and ``mfa_has_totp``."""
    member_id = Member.objects.filter(user_id=user_id).order_by().values("pk")[:1]
    return (
        RollEntry.objects.select_related("ballot")
        .filter(ballot_id=ballot_id, member_id=Subquery(member_id))
        .annotate(**officer_mfa_annotations("member_id", user_id))
        .first()
    )


def ballot_to_vote_row(
    user_id: int, ballot_id: int, today: datetime.date
) -> tuple[list[Any], tuple[Any, ...]] | None:
    """:func:`ballot_to_vote_orm` as one statement made once per process: the ballot's
    values (converted as the ORM converts them, in ``BALLOT_ATTNAMES`` order) and the roll
    entry's ``(id, member_id, group_id, has_voted, admitted_by, is_officer, has_totp)``; None
    when the member is not on the roll.

    The member is found by a scalar subquery, so the (ballot, member) index is used whatever
    the table statistics say.
    """
    key = ("vote", connection.vendor)
    made = _MADE.get(key)
    if made is None:
        converters = converters_for(Ballot, Ballot._meta.concrete_fields, connection.alias)
        made = (_ballot_to_vote_sql(), converters)
        _MADE[key] = made
    sql, converters = made
    params = [
        *current_officer_role_params(today),
        user_id,
        Authenticator.Type.TOTP,
        ballot_id,
        user_id,
    ]
    with hot_cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    count = len(BALLOT_ATTNAMES)
    return convert(row[:count], converters, connection.alias), tuple(row[count:])


def _ballot_to_vote_sql() -> str:
    q = connection.ops.quote_name
    col = quoted
    ballot_columns = ", ".join(f"b.{q(str(f.column))}" for f in Ballot._meta.concrete_fields)
    voter = f"r.{col(RollEntry, 'member')}"
    return (
        f"SELECT {ballot_columns}, r.{col(RollEntry, 'id')} AS roll_entry_id, "  # noqa: S608  # nosec B608
        f"r.{col(RollEntry, 'member')} AS roll_member_id, "
        f"r.{col(RollEntry, 'group')} AS roll_group_id, "
        f"r.{col(RollEntry, 'has_voted')} AS roll_has_voted, "
        f"r.{col(RollEntry, 'admitted_by')} AS roll_admitted_by, "
        f"{current_officer_role_sql('a', voter)} AS roll_mfa_is_officer, "
        f"EXISTS (SELECT 1 FROM {q(Authenticator._meta.db_table)} t "
        f"WHERE t.{col(Authenticator, 'user')} = %s "
        f"AND t.{col(Authenticator, 'type')} = %s) AS roll_mfa_has_totp "
        f"FROM {q(RollEntry._meta.db_table)} r "
        f"JOIN {q(str(Ballot._meta.db_table))} b "
        f"ON b.{col(Ballot, 'id')} = r.{col(RollEntry, 'ballot')} "
        f"WHERE r.{col(RollEntry, 'ballot')} = %s AND r.{col(RollEntry, 'member')} = "
        f"(SELECT m.{col(Member, 'id')} FROM {q(Member._meta.db_table)} m "
        f"WHERE m.{col(Member, 'user')} = %s LIMIT 1)"
    )


# The cast's writes


@contextmanager
def cast_transaction() -> Iterator[None]:
    """The transaction a cast runs in: durable, so the receipt is given only after the commit.

    On PostgreSQL, called outside any transaction, there is none of our own: the cast is one
    statement (:func:`cast`), and a statement in autocommit is its own transaction, committed
    and on disk when it returns, all or nothing. An explicit transaction around it added two
    round trips to each cast (BEGIN and COMMIT) and nothing else. Inside a transaction (a test's)
    or elsewhere, ``transaction.atomic(durable=True)``: it refuses to run inside another
    transaction, which could still roll the vote back after its receipt was given.
    """
    if (
        connection.vendor == "postgresql"
        and connection.get_autocommit()
        and not connection.in_atomic_block
    ):
        yield
        return
    with transaction.atomic(durable=True):
        yield


@dataclass(frozen=True)
class CastRows:
    """What a cast writes besides the roll mark: each paper as ``(ciphertext, tracker)`` for
    the unsealed box, and the receipt keeper's ``key_hash`` and ``receipt_sealed``. Plain
    values, not model instances: on PostgreSQL they go straight into the one statement's
    parameters (building three instances and preparing their fields through the ORM was 7%
    of a cast's Python calls; docs/benchmarks.md, 7 Dec 20:50)."""

    papers: Sequence[tuple[bytes, str]]
    key_hash: str
    receipt_sealed: bytes


def cast(ballot_id: int, member_id: int, moment: datetime.datetime, rows: CastRows) -> bool:
    """If the poll is open at ``moment``, set the member's roll mark unless it is set, and
    when this call set it store the papers and the receipt keeper (``rows``); True when it
    voted.

    Inside :func:`cast_transaction`. The conditional UPDATE takes the roll entry's
    row lock, so of concurrent casts by one member exactly one sees a row change. On
    PostgreSQL all of it is one statement (:func:`_cast_in_one_statement`), which reads the
    ballot under FOR KEY SHARE: a close (FOR UPDATE) waits for casts in flight, and a cast
    after it finds the ballot closed. Elsewhere (SQLite, where every transaction is serial) the
    ORM does the same steps (:func:`_cast_through_orm`); tests/ballots/test_sql.py holds the
    two equal.
    """
    if connection.vendor == "postgresql":
        return _cast_in_one_statement(ballot_id, member_id, moment, rows)
    return _cast_through_orm(ballot_id, member_id, moment, rows)


def _cast_through_orm(
    ballot_id: int, member_id: int, moment: datetime.datetime, rows: CastRows
) -> bool:
    if not Ballot.objects.filter(poll_is_open(moment), pk=ballot_id).exists():
        return False
    marked = RollEntry.objects.filter(
        ballot_id=ballot_id, member_id=member_id, has_voted=False
    ).update(has_voted=True)
    if marked != 1:
        return False
    UnsealedBallot.objects.bulk_create(
        UnsealedBallot(ballot_id=ballot_id, ciphertext=ciphertext, tracker=tracker)
        for ciphertext, tracker in rows.papers
    )
    ReceiptKeeper.objects.create(
        ballot_id=ballot_id, key_hash=rows.key_hash, receipt_sealed=rows.receipt_sealed
    )
    return True


def _cast_in_one_statement(
    ballot_id: int, member_id: int, moment: datetime.datetime, rows: CastRows
) -> bool:
    """PostgreSQL: the cast's lock, roll mark and writes as one statement (one round trip
    instead of four). The papers and the receipt keeper are inserted once per row the roll
    mark's UPDATE changed, so all or nothing is written."""
    key = ("cast", "postgresql", str(len(rows.papers)))
    sql = _MADE.get(key)
    if sql is None:
        sql = _one_statement_sql(len(rows.papers))
        _MADE[key] = sql
    params: list[Any] = [ballot_id, *poll_is_open_params(moment), member_id]
    for ciphertext, tracker in rows.papers:
        params += _in_column_order(
            UnsealedBallot,
            {
                "id": uuid.uuid4(),
                "ballot_id": ballot_id,
                "ciphertext": ciphertext,
                "tracker": tracker,
            },
        )
    params += _in_column_order(
        ReceiptKeeper,
        {
            "id": uuid.uuid4(),
            "ballot_id": ballot_id,
            "key_hash": rows.key_hash,
            "receipt_sealed": rows.receipt_sealed,
        },
    )
    with hot_cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return bool(row and row[0] == 1)


def _one_statement_sql(paper_count: int) -> str:
    q = connection.ops.quote_name
    col = quoted

    def insert(model: type[models.Model], rows: int) -> str:
        fields = model._meta.concrete_fields
        columns = ", ".join(q(str(f.column)) for f in fields)
        values = ", ".join(f"CAST(%s AS {f.db_type(connection)})" for f in fields)
        selects = " UNION ALL ".join([f"SELECT {values} FROM marked"] * rows)  # noqa: S608  # nosec B608
        return f"INSERT INTO {q(str(model._meta.db_table))} ({columns}) {selects}"  # nosec B608

    roll = q(str(RollEntry._meta.db_table))
    return (
        "WITH open_ballot AS ("  # noqa: S608  # nosec B608
        f"SELECT b.{col(Ballot, 'id')} FROM {q(str(Ballot._meta.db_table))} b "
        f"WHERE b.{col(Ballot, 'id')} = %s AND {poll_is_open_sql('b')} "
        "FOR KEY SHARE), "
        f"marked AS (UPDATE {roll} SET {col(RollEntry, 'has_voted')} = true "
        f"WHERE {col(RollEntry, 'ballot')} IN (SELECT {col(Ballot, 'id')} FROM open_ballot) "
        f"AND {col(RollEntry, 'member')} = %s AND NOT {col(RollEntry, 'has_voted')} "
        f"RETURNING {col(RollEntry, 'id')}), "
        f"papers AS ({insert(UnsealedBallot, paper_count)}), "
        f"keeper AS ({insert(ReceiptKeeper, 1)}) "
        "SELECT count(*) FROM marked"
    )


def _in_column_order(model: type[models.Model], values: dict[str, Any]) -> list[Any]:
    """A new row's values (by attribute name: every concrete field, no more) in the model's
    column order, as :func:`_one_statement_sql`'s INSERT lists the columns. The values are
    ones psycopg adapts to the columns' types as they are (UUID, int, str, bytes)."""
    key = ("columns", str(model._meta.label))
    names = _MADE.get(key)
    if names is None:
        names = [str(f.attname) for f in model._meta.concrete_fields]
        _MADE[key] = names
    if len(values) != len(names):
        raise ValueError(f"{model.__name__} takes {names}, not {sorted(values)}")
    return [values[name] for name in names]


# Freezing the roll

# What the eligibility query gives each roll entry (``eligibility.eligible_members``).
_ROLL_VALUES = ("pk", "home_group_id", "home_group__area__region_id", "admitted_by")


def freeze_roll(ballot: Ballot, eligible: QuerySet[Member]) -> int:
    """Put every member of ``eligible`` on the ballot's roll (with their home group and its
    region, which decides the sections they answer, and the rule that admitted them, the
    query's ``admitted_by``), in member id order; returns how many.
    Inside the caller's transaction.

    On PostgreSQL one ``INSERT ... SELECT`` over the ORM's own query, so no row leaves the
    database (500,000 members in seconds); elsewhere :func:`freeze_roll_orm`.
    tests/ballots/test_sql.py holds the two equal.
    """
    if connection.vendor != "postgresql":
        return freeze_roll_orm(ballot, eligible)
    inner, params = eligible.order_by("pk").values_list(*_ROLL_VALUES).query.sql_with_params()
    col = quoted
    roll = connection.ops.quote_name(str(RollEntry._meta.db_table))
    sql = (
        f"INSERT INTO {roll} ({col(RollEntry, 'ballot')}, {col(RollEntry, 'member')}, "  # noqa: S608  # nosec B608
        f"{col(RollEntry, 'group')}, {col(RollEntry, 'region')}, {col(RollEntry, 'has_voted')}, "
        f"{col(RollEntry, 'admitted_by')}) "
        f"SELECT %s, e.member_id, e.group_id, e.region_id, false, e.admitted_by "
        f"FROM ({inner}) AS e (member_id, group_id, region_id, admitted_by)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [ballot.pk, *params])
        return int(cursor.rowcount)


def freeze_roll_orm(ballot: Ballot, eligible: QuerySet[Member]) -> int:
    """The ORM's form of :func:`freeze_roll`: plain rows in batches, no member instance."""
    count = 0
    rows = eligible.order_by("pk").values_list(*_ROLL_VALUES)
    batch: list[RollEntry] = []
    for member_id, group_id, region_id, admitted_by in rows.iterator(chunk_size=5000):
        batch.append(
            RollEntry(
                ballot_id=ballot.pk,
                member_id=member_id,
                group_id=group_id,
                region_id=region_id,
                admitted_by=admitted_by,
            )
        )
        if len(batch) == 5000:
            RollEntry.objects.bulk_create(batch)
            count += len(batch)
            batch = []
    RollEntry.objects.bulk_create(batch)
    return count + len(batch)


# Sealing


def move_to_box(ballot_id: int, start: int, ids: Sequence[uuid.UUID]) -> int:
    """Move the unsealed ballots ``ids`` into the ballot's box at log positions ``start``,
    ``start + 1``, ... in the order given, each under a new random id, and delete them from the
    outbox; return how many moved. Inside the caller's transaction (the sealer's, holding the
    ballot's row lock).

    On PostgreSQL one statement: the outbox's ``DELETE ... RETURNING`` feeds the box's
    ``INSERT``, the ids and their order passed as one array, so no ciphertext leaves the
    database and nothing is built per row in Python (the ORM's instances, their parameters and
    the driver's splitting of a query with thousands of them cost 120 us a paper, issue 22);
    elsewhere :func:`move_to_box_orm`. tests/ballots/test_sql.py holds the two equal.
    """
    if not ids:
        return 0
    if connection.vendor != "postgresql":
        return move_to_box_orm(ballot_id, start, ids)
    statement = _MADE.get(("move_to_box", "postgresql"))
    if statement is None:
        col = quoted
        q = connection.ops.quote_name
        box, outbox = q(str(BallotBoxEntry._meta.db_table)), q(str(UnsealedBallot._meta.db_table))
        statement = (
            f"WITH moved AS (DELETE FROM {outbox} "  # noqa: S608  # nosec B608
            f"WHERE {col(UnsealedBallot, 'ballot')} = %s "
            f"AND {col(UnsealedBallot, 'id')} = ANY(CAST(%s AS uuid[])) "
            f"RETURNING {col(UnsealedBallot, 'id')} AS id, "
            f"{col(UnsealedBallot, 'ciphertext')} AS ciphertext, "
            f"{col(UnsealedBallot, 'tracker')} AS tracker) "
            f"INSERT INTO {box} ({col(BallotBoxEntry, 'id')}, {col(BallotBoxEntry, 'ballot')}, "
            f"{col(BallotBoxEntry, 'log_index')}, {col(BallotBoxEntry, 'ciphertext')}, "
            f"{col(BallotBoxEntry, 'tracker')}) "
            "SELECT gen_random_uuid(), %s, %s - 1 + row_number() OVER (ORDER BY o.position), "
            "m.ciphertext, m.tracker "
            "FROM unnest(CAST(%s AS uuid[])) WITH ORDINALITY AS o (id, position) "
            "JOIN moved m ON m.id = o.id ORDER BY o.position"
        )
        _MADE[("move_to_box", "postgresql")] = statement
    order = list(ids)
    with connection.cursor() as cursor:
        cursor.execute(statement, [ballot_id, order, ballot_id, start, order])
        return int(cursor.rowcount)


def move_to_box_orm(ballot_id: int, start: int, ids: Sequence[uuid.UUID]) -> int:
    """The ORM's form of :func:`move_to_box`."""
    waiting = UnsealedBallot.objects.filter(ballot_id=ballot_id, pk__in=ids)
    rows = {
        pk: (ciphertext, tracker)
        for pk, ciphertext, tracker in waiting.values_list("pk", "ciphertext", "tracker")
    }
    UnsealedBallot.objects.filter(ballot_id=ballot_id, pk__in=list(rows)).delete()
    BallotBoxEntry.objects.bulk_create(
        [
            BallotBoxEntry(
                ballot_id=ballot_id,
                log_index=start + position,
                ciphertext=bytes(rows[pk][0]),
                tracker=rows[pk][1],
            )
            for position, pk in enumerate(pk for pk in ids if pk in rows)
        ],
        batch_size=1000,
    )
    return len(rows)


# The count's decrypted papers


def store_plaintexts(ballot_id: int, papers: Sequence[tuple[int, bytes]]) -> int:
    """Store each ``(log_index, plaintext)`` on the ballot's box entry at that position, only
    where no plaintext is stored yet; return how many were stored.

    On PostgreSQL one ``UPDATE ... FROM (VALUES ...)`` made once per batch size (Django's
    ``bulk_update`` builds a CASE expression per row, which cost six times the decryption at
    290,000 papers); elsewhere :func:`store_plaintexts_orm`. tests/ballots/test_sql.py holds
    the two equal.
    """
    if not papers:
        return 0
    if connection.vendor != "postgresql":
        return store_plaintexts_orm(ballot_id, papers)
    key = ("plaintexts", "postgresql", str(len(papers)))
    statement = _MADE.get(key)
    if statement is None:
        col = quoted
        box = connection.ops.quote_name(str(BallotBoxEntry._meta.db_table))
        values = ", ".join(["(CAST(%s AS integer), CAST(%s AS bytea))"] * len(papers))
        statement = (
            f"UPDATE {box} b SET {col(BallotBoxEntry, 'plaintext')} = v.plaintext "  # noqa: S608  # nosec B608
            f"FROM (VALUES {values}) AS v (log_index, plaintext) "
            f"WHERE b.{col(BallotBoxEntry, 'ballot')} = %s "
            f"AND b.{col(BallotBoxEntry, 'log_index')} = v.log_index "
            f"AND b.{col(BallotBoxEntry, 'log_index')} BETWEEN %s AND %s "
            f"AND b.{col(BallotBoxEntry, 'plaintext')} IS NULL"
        )
        _MADE[key] = statement
    params: list[Any] = [value for paper in papers for value in paper]
    # The batch's own range of the log as well: whatever plan the statistics give (a hash join
    # would otherwise read every row of the ballot for each batch), only the batch is read.
    positions = [log_index for log_index, _ in papers]
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, ballot_id, min(positions), max(positions)])
        return int(cursor.rowcount)


def store_plaintexts_orm(ballot_id: int, papers: Sequence[tuple[int, bytes]]) -> int:
    """The ORM's form of :func:`store_plaintexts`."""
    stored = 0
    for log_index, plaintext in papers:
        stored += BallotBoxEntry.objects.filter(
            ballot_id=ballot_id, log_index=log_index, plaintext__isnull=True
        ).update(plaintext=plaintext)
    return stored


# After sealing


def vacuum_roll() -> None:
    """Reclaim the roll's old row versions after the close rewrote its marks (PostgreSQL;
    outside a transaction only), so no mark's casting transaction id stays on disk."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {connection.ops.quote_name(RollEntry._meta.db_table)}")


def vacuum_unsealed() -> None:
    """Reclaim the deleted unsealed rows now (PostgreSQL), so their transaction ids cannot be
    read back from the table's pages. Outside a transaction only; elsewhere nothing to do."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {connection.ops.quote_name(UnsealedBallot._meta.db_table)}")
