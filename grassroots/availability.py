"""Staying honest under failure: when PostgreSQL is down or overloaded every page answers
503 with Retry-After, and a request that waited too long in the queue is shed before it
touches the database.

Recovery needs no restart: connections are health-checked at the start of each request
(``CONN_HEALTH_CHECKS``) and a connection that failed is closed at the end of it, so the first
request after PostgreSQL is back opens a fresh one. A statement or lock wait cut short by
``statement_timeout`` or ``lock_timeout`` rolls its transaction back, so an overloaded database
sheds work without leaving half of it written.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError, ProgrammingError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.views import defaults

RETRY_AFTER_SECONDS = 30
# PostgreSQL's "undefined table": the schema is behind the code (a step of a deployment not yet
# run), which is an outage to the person asking, not a fault in what they sent.
UNDEFINED_TABLE = "42P01"

# Served without templates, context processors or the session, all of which may need the
# database that has just failed.
UNAVAILABLE_PAGE = """<!DOCTYPE html>
<html lang="en-GB">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Grassroots is busy · Grassroots</title></head>
<body>
<main>
<h1>Grassroots is busy or briefly unavailable</h1>
<p>Nothing you sent has been lost or half-saved. Please try again in a minute.</p>
<p>If you were voting: a vote counts only once you see its receipt. Without a receipt, vote
again; you cannot vote twice.</p>
</main>
</body>
</html>
"""


def service_unavailable(retry_after: int = RETRY_AFTER_SECONDS) -> HttpResponse:
    response = HttpResponse(UNAVAILABLE_PAGE, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


def is_unavailable(error: BaseException | None) -> bool:
    """A database that cannot be reached, cut a statement short, or lacks a table the code
    needs (SQLite says so with OperationalError, PostgreSQL with ProgrammingError)."""
    if isinstance(error, OperationalError | InterfaceError):
        return True
    cause = getattr(error, "__cause__", None)
    return isinstance(error, ProgrammingError) and (
        getattr(cause, "sqlstate", None) == UNDEFINED_TABLE
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: a database that cannot be reached (or cut a statement short, or misses
    a table) is a 503 with Retry-After; any other unhandled error is Django's plain 500.

    Django calls this inside its ``except`` block, so the exception is ``sys.exc_info()``.
    """
    if is_unavailable(sys.exc_info()[1]):
        return service_unavailable()
    return defaults.server_error(request)


class ShedStaleRequestsMiddleware:
    """Answer 503 at once to a request that waited in the queue longer than the client will.

    nginx stamps each request with ``X-Request-Start: t=<seconds since the epoch>`` (see
    deploy/nginx/grassroots.conf). When the app nodes fall behind, requests wait in gunicorn's
    backlog; answering the stale ones with 503 and Retry-After, before the session or the
    database is touched, lets the nodes catch up instead of working for clients that left.
    ``GRASSROOTS_SHED_AFTER_MS`` sets the limit; 0 turns shedding off.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.limit = settings.GRASSROOTS_SHED_AFTER_MS / 1000

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if self.limit > 0:
            waited = queued_seconds(request.headers.get("X-Request-Start", ""), time.time())
            if waited is not None and waited > self.limit:
                return service_unavailable(retry_after=5)
        return self.get_response(request)


def queued_seconds(header: str, now: float) -> float | None:
    """Seconds since the proxy stamped the request, or None for a missing or malformed stamp."""
    text = header.strip().removeprefix("t=")
    try:
        started = float(text)
    except ValueError:
        return None
    if started > 1e11:  # some proxies stamp milliseconds or microseconds
        started /= 1000 if started < 1e14 else 1_000_000
    waited = now - started
    return waited if 0 <= waited < 86400 else None
