from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from django.db import connections, router
from django.http import HttpRequest

from grassroots.notifications.models import Notification
from grassroots.people.models import Member
from grassroots.rows import hot_cursor, quoted

NO_COUNT = "_grassroots_no_unread_count"


P = ParamSpec("P")
R = TypeVar("R")


def without_unread_count(view: Callable[P, R]) -> Callable[P, R]:
    """For the pages on a hot path (the ballot paper and its receipt, read once per vote by
    every voter at the close of a national ballot): their header leaves out the unread count,
    and the query it costs."""

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        setattr(args[0], NO_COUNT, True)  # the request
        return view(*args, **kwargs)

    return wrapped


def unread_notifications(request: HttpRequest) -> dict[str, int]:
    """The header's unread count: one indexed count for a logged-in member, none otherwise."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(request, NO_COUNT, False):
        return {}
    return {"unread_notifications": unread_count_of(user.pk)}


# The count's SQL by (database alias, vendor), made once per process: building the ORM's count
# for every page cost about as much CPU as the rest of a member list's header (bench/pages.py).
_COUNT_SQL: dict[tuple[str, str], str] = {}


def unread_count_of(user_id: int) -> int:
    """The unread notifications of the member whose login is ``user_id``: the ORM's
    ``Notification.objects.filter(member__user_id=user_id, read_at__isnull=True).count()``,
    in SQL made once (tests/notifications/test_unread_count.py holds the two equal)."""
    using = router.db_for_read(Notification)
    connection = connections[using]
    key = (using, connection.vendor)
    sql = _COUNT_SQL.get(key)
    if sql is None:
        quote = connection.ops.quote_name
        notifications = quote(str(Notification._meta.db_table))
        members = quote(str(Member._meta.db_table))
        member_id, read_at = (quoted(Notification, name, using) for name in ("member", "read_at"))
        pk, user = (quoted(Member, name, using) for name in ("id", "user"))
        # Only the models' own table and column names are formatted in (bandit B608).
        sql = (
            f"SELECT COUNT(*) FROM {notifications} INNER JOIN {members} "  # noqa: S608  # nosec B608
            f"ON ({notifications}.{member_id} = {members}.{pk}) "
            f"WHERE {members}.{user} = %s AND {notifications}.{read_at} IS NULL"
        )
        _COUNT_SQL[key] = sql
    with hot_cursor(using) as cursor:
        cursor.execute(sql, [user_id])
        (count,) = cursor.fetchone()
    return int(count)
