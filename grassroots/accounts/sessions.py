"""Django's database sessions, read with SQL made once per process (grassroots.rows).

Every logged-in request reads its session row; through the ORM that read cost more CPU than
the query itself. Same table, same rows, same expiry rule (``expire_date`` after now), same
answer for a missing or expired session (the key is dropped and the session starts empty).
Settings: ``SESSION_ENGINE = "grassroots.accounts.sessions"``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

from grassroots.rows import hot_cursor, quoted

_SQL: dict[tuple[str, str], str] = {}


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Any:
        model = self.model
        using = router.db_for_read(model)
        connection = connections[using]
        key = (using, connection.vendor)
        sql = _SQL.get(key)
        if sql is None:
            table = connection.ops.quote_name(str(model._meta.db_table))
            names = ("session_data", "session_key", "expire_date")
            data, session_key, expires = (quoted(model, name, using) for name in names)
            # Only the model's own table and column names are formatted in (bandit B608).
            sql = f"SELECT {data} FROM {table} WHERE {session_key} = %s AND {expires} > %s"  # noqa: S608  # nosec B608
            _SQL[key] = sql
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with hot_cursor(using) as cursor:
            cursor.execute(sql, [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return model.from_db(using, ["session_key", "session_data"], [self.session_key, row[0]])
