"""The demo organisation for tests: seeded once per test process, copied into each test.

Seeding the demo (``seed_demo``) takes 15-40 s of CPU, and about twenty tests start from it.
``restore_demo(members)`` gives a test the same database ``seed_demo(members=members)`` would,
without seeding again: the first call in a process seeds for real, in a savepoint of the test's
own transaction (so as a test always saw it: ``on_commit`` work does not run), reads every row
the seed wrote, and rolls the seed back; that call and every later one then write those rows
into the test's database in one pass (SQLite: ``executemany`` with the tables' triggers
dropped and put back in the same transaction; PostgreSQL: ``COPY ... FROM STDIN`` with
``session_replication_role = replica``, the sequences then set past the copied keys). The rows
are the seed's own, made by this run's code, so a test reads what the seed makes; a test that
checks the seed is idempotent still calls ``seed_demo`` again, for real, on top of the copy.

Files the seed stored (a published ballot's record) are kept too and written again under the
``MEDIA_ROOT`` of the test that restores, if it has another.

A restore must come first in a test, into a database holding only what the migrations put
there: the copied keys would otherwise collide with the test's own rows.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from psycopg import sql

ALIAS = "default"


@dataclass
class _Table:
    name: str
    columns: int
    count: int
    rows: list[tuple[Any, ...]] = field(default_factory=list)  # SQLite
    copy: bytes = b""  # PostgreSQL, COPY's binary format
    sequence: tuple[str, int] | None = None  # PostgreSQL: the key's sequence and its highest


@dataclass
class Snapshot:
    members: int
    tables: list[_Table]
    files: dict[str, bytes]

    @property
    def row_count(self) -> int:
        return sum(table.count for table in self.tables)


_SNAPSHOTS: dict[tuple[str, int], Snapshot] = {}


class _Discard(Exception):
    """Raised inside the seed's savepoint to roll it back once its rows are read."""


def restore_demo(members: int | None = None) -> Snapshot:
    """Make the test's database hold the demo at ``members`` members (smallest size by default)."""
    from grassroots.accounts.models import User
    from grassroots.demo.people import MINIMUM_MEMBERS

    members = MINIMUM_MEMBERS if members is None else members
    connection = connections[ALIAS]
    if User.objects.exists():
        raise RuntimeError("restore_demo() comes first, into a database with no users yet")
    key = (connection.vendor, members)
    snapshot = _SNAPSHOTS.get(key)
    if snapshot is None:
        snapshot = _SNAPSHOTS[key] = _take(members)
    with transaction.atomic(using=ALIAS):
        if connection.vendor == "sqlite":
            _write_sqlite(snapshot)
        else:
            _write_postgres(snapshot)
    _write_files(snapshot)
    return snapshot


def _media_files() -> dict[str, float]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return {}
    return {
        str(path.relative_to(root)): path.stat().st_mtime
        for path in root.rglob("*")
        if path.is_file()
    }


def _write_files(snapshot: Snapshot) -> None:
    root = Path(settings.MEDIA_ROOT)
    for name, data in snapshot.files.items():
        target = root / name
        if not target.is_file() or target.read_bytes() != data:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)


def _take(members: int) -> Snapshot:
    from grassroots.demo.seed import seed_demo

    connection = connections[ALIAS]
    with connection.cursor() as cursor:
        tables = [
            name
            for name in connection.introspection.table_names(cursor)
            if name != "django_migrations"
        ]
        keys = {
            name: connection.introspection.get_primary_key_column(cursor, name) for name in tables
        }
        before = {name: _rows(cursor, name, keys[name]) for name in tables}
    files_before = _media_files()
    root = Path(settings.MEDIA_ROOT)
    # As Django's TestCase marks its own block, so the seed's durable use cases may run inside.
    seeding = transaction.atomic(using=ALIAS)
    seeding._from_testcase = True  # type: ignore[attr-defined]
    snapshot: Snapshot | None = None
    try:
        with seeding:
            seed_demo(members=members)
            files = {
                name: (root / name).read_bytes()
                for name, mtime in _media_files().items()
                if files_before.get(name) != mtime
            }
            with connection.cursor() as cursor:
                dumped = [
                    _dump(connection, cursor, name, keys[name], before[name]) for name in tables
                ]
            snapshot = Snapshot(members, [t for t in dumped if t is not None], files)
            raise _Discard
    except _Discard:
        pass
    assert snapshot is not None
    return snapshot


def _rows(cursor: Any, table: str, key: str | None) -> list[tuple[Any, ...]]:
    quote = cursor.db.ops.quote_name
    order = f" ORDER BY {quote(key)}" if key else ""
    cursor.execute(f"SELECT * FROM {quote(table)}{order}")
    return [tuple(row) for row in cursor.fetchall()]


def _dump(
    connection: Any, cursor: Any, table: str, key: str | None, before: list[tuple[Any, ...]]
) -> _Table | None:
    """The rows the seed added to ``table``; refuses if it changed or removed one it found."""
    quote = connection.ops.quote_name
    cursor.execute(f"SELECT * FROM {quote(table)} WHERE 1 = 0")
    width = len(cursor.description)
    if before and key is None:
        raise RuntimeError(f"{table} has rows before the seed and no key to tell them apart")
    if connection.vendor == "sqlite":
        rows = _rows(cursor, table, key)
        if before:
            index = [d[0] for d in cursor.description].index(key)
            old = {row[index] for row in before}
            kept = [row for row in rows if row[index] in old]
            rows = [row for row in rows if row[index] not in old]
            if kept != before:
                raise RuntimeError(f"the seed changed rows of {table} it did not make")
        return _Table(table, width, len(rows), rows=rows) if rows else None
    where = sql.SQL("")
    if before:
        index = [d[0] for d in cursor.description].index(key)
        old_keys = [row[index] for row in before]
        cursor.execute(
            sql.SQL("SELECT * FROM {} WHERE {} = ANY(%s) ORDER BY {}")
            .format(sql.Identifier(table), sql.Identifier(key), sql.Identifier(key))
            .as_string(connection.connection),
            [old_keys],
        )
        if [tuple(row) for row in cursor.fetchall()] != before:
            raise RuntimeError(f"the seed changed rows of {table} it did not make")
        where = sql.SQL(" WHERE NOT ({} = ANY({}))").format(
            sql.Identifier(key), sql.Literal(old_keys)
        )
    statement = sql.SQL("COPY (SELECT * FROM {}{}) TO STDOUT (FORMAT binary)").format(
        sql.Identifier(table), where
    )
    data = bytearray()
    with cursor.cursor.copy(statement) as copy:
        for chunk in copy:
            data += chunk
    cursor.execute(
        sql.SQL("SELECT count(*) FROM {}{}")
        .format(sql.Identifier(table), where)
        .as_string(connection.connection)
    )
    (count,) = cursor.fetchone()
    if not count:
        return None
    sequence = None
    if key is not None:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [quote(table), key])
        (name,) = cursor.fetchone()
        if name is not None:
            cursor.execute(
                sql.SQL("SELECT max({}) FROM {}")
                .format(sql.Identifier(key), sql.Identifier(table))
                .as_string(connection.connection)
            )
            sequence = (name, cursor.fetchone()[0])
    return _Table(table, width, count, copy=bytes(data), sequence=sequence)


def _write_sqlite(snapshot: Snapshot) -> None:
    raw = connections[ALIAS].connection
    names = [table.name for table in snapshot.tables]
    marks = ",".join("?" * len(names))
    triggers = raw.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({marks})",
        names,
    ).fetchall()
    for name, _ in triggers:
        raw.execute(f'DROP TRIGGER "{name}"')
    for table in snapshot.tables:
        values = ",".join("?" * table.columns)
        raw.executemany(f'INSERT INTO "{table.name}" VALUES ({values})', table.rows)
    for _, statement in triggers:
        raw.execute(statement)


def _write_postgres(snapshot: Snapshot) -> None:
    connection = connections[ALIAS]
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            for table in snapshot.tables:
                statement = sql.SQL("COPY {} FROM STDIN (FORMAT binary)").format(
                    sql.Identifier(table.name)
                )
                with cursor.cursor.copy(statement) as copy:
                    copy.write(table.copy)
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")
        for table in snapshot.tables:
            if table.sequence is not None:
                cursor.execute("SELECT setval(%s, %s)", list(table.sequence))


if os.environ.get("GRASSROOTS_SEED_DEMO_IN_TESTS") == "1":  # pragma: no cover - a check by hand

    def restore_demo(members: int | None = None) -> Snapshot:  # type: ignore[no-redef]
        from grassroots.demo.people import MINIMUM_MEMBERS
        from grassroots.demo.seed import seed_demo

        seed_demo(members=MINIMUM_MEMBERS if members is None else members)
        return Snapshot(members or MINIMUM_MEMBERS, [], {})
