"""Django's PostgreSQL backend, with a connection health check that needs no round trip.

With ``CONN_HEALTH_CHECKS`` Django checks a reused connection at the start of each request by
running ``SELECT 1`` on it: one more round trip for every request, a fifth of a cast's queries
(docs/benchmarks.md, issue 22). A connection the server has closed (a restart, an idle
timeout, ``pg_terminate_backend``) has something waiting on its socket: the server's last
message, or the end of the stream. So an idle connection with nothing to read is usable as it
stands; one with something to read, or in a transaction, gets Django's own check, which reads
it and decides.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        if connection.info.transaction_status != pq.TransactionStatus.IDLE:
            return bool(super().is_usable())
        try:
            waiting = select.poll()
            waiting.register(connection.fileno(), select.POLLIN)
            nothing_to_read = not waiting.poll(0)
        except (OSError, ValueError):
            return False
        return nothing_to_read or bool(super().is_usable())
