"""Steps that a larger use case runs inside its own transaction.

Every top-level use case runs in one ``transaction.atomic(durable=True)`` (docs/decisions.md),
so a use case cannot call another app's service to do part of its work and stay all or
nothing. Such a service offers a ``*_within`` step as well: the same checks and writes, run in
the caller's transaction, which must be open (a step called outside one would commit each
write on its own, so it refuses instead).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import connection, transaction

P = ParamSpec("P")
R = TypeVar("R")


def require_transaction() -> None:
    if not connection.in_atomic_block:
        raise RuntimeError("this step runs inside the caller's transaction.atomic block")


def durable(step: Callable[P, R]) -> Callable[P, R]:
    """The use case of a ``*_within`` step: the same step in a durable transaction of its own,
    so the pair is written once (``create_ballot = durable(create_ballot_within)``)."""

    @functools.wraps(step)
    def use_case(*args: P.args, **kwargs: P.kwargs) -> R:
        with transaction.atomic(durable=True):
            return step(*args, **kwargs)

    use_case.__name__ = use_case.__qualname__ = step.__name__.removesuffix("_within")
    return use_case


def lift_statement_timeout() -> None:
    """For a job an operator runs from the command line (the import of a whole register, the
    demo's seeding): its long statements, such as a COPY of hundreds of thousands of members,
    run to their end instead of being cut at the statement timeout every connection gets for
    a web request (``DB_STATEMENT_TIMEOUT_MS``, settings/base.py). ``SET LOCAL``: it lasts
    until the caller's transaction ends. Nothing to do on SQLite."""
    require_transaction()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 0")
