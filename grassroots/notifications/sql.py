"""The notifications app's hand-written SQL, beside the ORM code it mirrors.

- **One notification for each member of a query** (:func:`write_for_members`): one
  ``INSERT ... SELECT`` over the members' query as the ORM builds it, each member's delivery
  chosen in the statement from their preference for the kind, or else the kind's default,
  as :func:`grassroots.notifications.services.notify` chooses it for a list of ids in Python
  batches. A national notice or a national ballot's "the ballot is open" is 430,000-500,000
  rows: as model instances written by ``bulk_create`` that took a task worker 2-3 minutes
  inside one transaction while the voters were casting (docs/benchmarks.md, issue 22).
  tests/notifications/test_sql.py holds the rows and the mail at once equal to the batches'.

The statement is the same on PostgreSQL and SQLite (a ``WITH`` with column names, ``COALESCE``,
``CASE``). Only the models' own table and column names are formatted in; every value is a
query parameter (bandit B608 is silenced line by line for that reason).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, models
from django.db.models import QuerySet

from grassroots.notifications.models import Notification, Preference
from grassroots.people.models import Member
from grassroots.rows import quoted


def _prepared(name: str, value: object) -> Any:
    """``value`` as the ORM would send it for ``Notification.<name>`` (JSON, a timestamp)."""
    field = Notification._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise TypeError(f"Notification.{name} is not a column")
    return field.get_db_prep_value(value, connection)


def _chosen(members: QuerySet[Member]) -> tuple[str, list[Any]]:
    """``chosen(member_id, delivery)``: each member once, with the delivery their preference
    (or the caller's default, the first parameter after the members' own) asks for."""
    ids_sql, ids_params = members.order_by().values("pk").distinct().query.sql_with_params()
    pref = connection.ops.quote_name(Preference._meta.db_table)
    member, kind, delivery = (quoted(Preference, n) for n in ("member", "kind", "delivery"))
    sql = (
        f"WITH ids(member_id) AS ({ids_sql}), "  # noqa: S608  # nosec B608
        f"chosen(member_id, delivery) AS ("
        f"SELECT ids.member_id, COALESCE(p.{delivery}, %s) FROM ids "
        f"LEFT JOIN {pref} p ON p.{member} = ids.member_id AND p.{kind} = %s) "
    )
    return sql, list(ids_params)


def write_for_members(
    members: QuerySet[Member],
    *,
    kind: str,
    default: str,
    message: str,
    params: Mapping[str, object],
    title: str,
    url: str,
    at: datetime.datetime,
    digests: Sequence[str],
    immediate: str,
) -> tuple[int, list[int]]:
    """Write the notification for every member of ``members``; how many were written, and the
    ids of the members who asked to be mailed at once (in id order)."""
    table = connection.ops.quote_name(Notification._meta.db_table)
    names = [
        *("member", "kind", "message", "params", "title", "url"),
        *("created_at", "digest", "mailed_at"),
    ]
    columns = ", ".join(quoted(Notification, n) for n in names)
    stored = _prepared("params", dict(params))
    moment = _prepared("created_at", at)
    try:
        chosen, chosen_params = _chosen(members)
    except EmptyResultSet:  # the ORM's word for a query that can match nothing (``pk__in=[]``)
        return 0, []
    if len(digests) != 2:
        raise ValueError("two digests, daily and weekly")
    insert = (
        # INSERT first, the WITH inside it: Python's sqlite3 counts the rows written only of
        # a statement that starts with INSERT.
        f"INSERT INTO {table} ({columns}) {chosen}"  # noqa: S608  # nosec B608
        "SELECT member_id, %s, %s, %s, %s, %s, %s, "
        "CASE WHEN delivery IN (%s, %s) THEN delivery ELSE '' END, "
        "CASE WHEN delivery = %s THEN %s ELSE NULL END FROM chosen"
    )
    values = [kind, message, stored, title, url, moment, *digests, immediate, moment]
    at_once = (
        f"{chosen}SELECT member_id FROM chosen WHERE delivery = %s "  # noqa: S608  # nosec B608
        "ORDER BY member_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(insert, [*chosen_params, default, kind, *values])
        written = cursor.rowcount
        cursor.execute(at_once, [*chosen_params, default, kind, immediate])
        mailed = [row[0] for row in cursor.fetchall()]
    return written, mailed
