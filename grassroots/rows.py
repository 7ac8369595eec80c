"""Whole rows read by plain SQL made once per process, for the few reads every request makes.

Building a query through the ORM costs more CPU than running it: for the session, the user and
the roll entry that every cast reads, that was most of a cast's cost (docs/benchmarks/
ballots.md). These helpers make the SQL once per model and database, and turn the row into a
model instance with the same converters the ORM applies, so callers get what the ORM would
give them. Only the models' own table and column names are formatted into SQL; every value is
a parameter.
"""

from __future__ import annotations

import datetime
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db import connections, models
from django.db.models import QuerySet
from django.db.models.query import get_related_populators

Model = TypeVar("Model", bound=models.Model)

# (model label, database alias, vendor) -> (SQL, field attnames, converters by column index)
_BY_PK: dict[tuple[str, str, str], tuple[str, list[str], list[tuple[int, list[Any], Any]]]] = {}


@contextmanager
def hot_cursor(using: str = "default") -> Iterator[Any]:
    """A cursor for the statements every request makes.

    On PostgreSQL it binds parameters on the server, so psycopg prepares each statement after
    its fifth use on a connection and the server parses and plans it once, not on every
    request. Django's own cursors bind on the client (its default), which a pooler in
    transaction mode needs: ``GRASSROOTS_PREPARED_STATEMENTS = False`` turns this off for
    PgBouncer older than 1.21 or without ``max_prepared_statements`` (docs/deploy.md). The
    cursor is Django's wrapper as ``connection.cursor()`` makes it (health check, error
    wrapping, query logging), around psycopg's server-binding cursor.
    """
    connection = connections[using]
    # While queries are being logged (DEBUG, or a test capturing them), plain cursors: psycopg
    # keeps no query text for a prepared statement's run, so the log would read None.
    if (
        connection.vendor != "postgresql"
        or not settings.GRASSROOTS_PREPARED_STATEMENTS
        or connection.queries_logged
    ):
        with connection.cursor() as cursor:
            yield cursor
        return
    from django.db.backends.postgresql.base import ServerBindingCursor

    # As BaseDatabaseWrapper._cursor, with the server-binding cursor class.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw = ServerBindingCursor(connection.connection)  # type: ignore[call-arg]
        cursor = connection._prepare_cursor(raw)  # type: ignore[attr-defined]
    with cursor:
        yield cursor


def quoted(model: type[models.Model], name: str, using: str = "default") -> str:
    """The quoted column of ``model``'s field ``name`` (a concrete field) in database ``using``."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return connections[using].ops.quote_name(str(field.column))


def converters_for(
    model: type[models.Model], fields: Sequence[models.Field[Any, Any]], using: str
) -> list[tuple[int, list[Any], Any]]:
    """The ORM's converters for these columns of ``model``, by position (only those that have
    any), as its compiler applies them to rows it reads."""
    compiler = model._default_manager.using(using).none().query.get_compiler(using)
    found = compiler.get_converters([f.get_col(str(model._meta.db_table)) for f in fields])
    return [(index, list(funcs), expression) for index, (funcs, expression) in found.items()]


def convert(
    row: Sequence[Any], converters: list[tuple[int, list[Callable[..., Any]], Any]], using: str
) -> list[Any]:
    values = list(row)
    connection = connections[using]
    for index, funcs, expression in converters:
        value = values[index]
        for func in funcs:
            value = func(value, expression, connection)
        values[index] = value
    return values


def get_by_pk(model: type[Model], pk: Any, using: str = "default") -> Model:
    """``model._default_manager.get(pk=pk)``: the whole row, or ``model.DoesNotExist``."""
    connection = connections[using]
    key = (model._meta.label, using, connection.vendor)
    kept = _BY_PK.get(key)
    if kept is None:
        q = connection.ops.quote_name
        fields = list(model._meta.concrete_fields)
        pk_column = q(str(model._meta.pk.column)) if model._meta.pk else "id"
        columns = ", ".join(q(str(f.column)) for f in fields)
        sql = f"SELECT {columns} FROM {q(str(model._meta.db_table))} WHERE {pk_column} = %s"  # noqa: S608  # nosec B608
        kept = (sql, [f.attname for f in fields], converters_for(model, fields, using))
        _BY_PK[key] = kept
    sql, attnames, converters = kept
    pk_field = model._meta.pk
    if pk_field is None:
        raise TypeError(f"{model.__name__} has no primary key")
    value = pk_field.get_db_prep_value(pk_field.to_python(pk), connection)
    with hot_cursor(using) as cursor:
        cursor.execute(sql, [value])
        row = cursor.fetchone()
    if row is None:
        raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")  # type: ignore[attr-defined]
    return model.from_db(using, attnames, convert(row, converters, using))


def breaks_constraint(error: Exception, model: type[models.Model], name: str) -> bool:
    """Whether ``error`` (an IntegrityError) is ``model``'s unique constraint ``name``, and not
    some other failure that must not be mistaken for it (a lost vote told "already voted").

    PostgreSQL names the constraint; SQLite names the columns it failed on.
    """
    cause = error.__cause__
    diag = getattr(cause, "diag", None)
    if diag is not None:
        return bool(diag.constraint_name == name)
    constraint = next(
        (c for c in model._meta.constraints if getattr(c, "name", None) == name), None
    )
    fields = getattr(constraint, "fields", ())
    if not fields:
        return False
    table = model._meta.db_table
    columns = ", ".join(
        f"{table}.{field.column}"
        for field in (model._meta.get_field(f) for f in fields)
        if isinstance(field, models.Field)
    )
    return f"UNIQUE constraint failed: {columns}" in str(error)


@dataclass(frozen=True)
class _Compiled:
    """A :class:`Prepared` query as compiled for one connection."""

    sql: str
    params: list[Any]
    compiler: Any
    populators: list[Any]
    converters: dict[int, Any]
    model: Any
    start: int
    end: int
    init_list: list[str]
    annotations: list[tuple[str, int]]


class Prepared(Generic[Model]):
    """A queryset whose SQL the ORM compiles once per process and database connection, run
    with new values at each call: for the reads every page makes (the person's roles, their
    member record), where compiling the query cost more CPU than running it.

    ``build`` makes the queryset from its values; it is called once, with ``placeholders``
    (values no real row holds: a negative id, a date long gone), and each of them in the
    compiled parameters is replaced by the value given to :meth:`fetch` in its place. Rows
    become model instances as the ORM's own iterator makes them (``select_related`` and
    annotations included), through the compiler that made the SQL.
    """

    def __init__(self, build: Callable[..., QuerySet[Model]], *placeholders: Any) -> None:
        self.build = build
        self.placeholders = placeholders
        self._compiled: weakref.WeakKeyDictionary[Any, _Compiled] = weakref.WeakKeyDictionary()

    def _compile(self, using: str) -> _Compiled:
        connection = connections[using]
        kept = self._compiled.get(connection)
        if kept is None:
            queryset = self.build(*self.placeholders).using(using)
            compiler = queryset.query.get_compiler(using=using)
            sql, params = compiler.as_sql()
            populators = get_related_populators(compiler.klass_info, compiler.select, using)  # type: ignore[call-arg]
            # What the compiler's results_iter works out again for every result: the columns'
            # converters (a tenth of a session read's CPU), made once here for this connection.
            columns = [column[0] for column in compiler.select[0 : compiler.col_count]]
            converters = compiler.get_converters(columns)
            select_fields = compiler.klass_info["select_fields"]
            start, end = select_fields[0], select_fields[-1] + 1
            kept = _Compiled(
                sql=sql,
                params=list(params),
                compiler=compiler,
                populators=populators,
                converters=converters,
                model=compiler.klass_info["model"],
                start=start,
                end=end,
                init_list=[f[0].target.attname for f in compiler.select[start:end]],
                annotations=list(compiler.annotation_col_map.items()),
            )
            self._compiled[connection] = kept
        return kept

    def fetch(self, *values: Any, using: str = "default") -> list[Model]:
        if len(values) != len(self.placeholders):
            raise TypeError("one value for each placeholder")
        kept = self._compile(using)
        adapt = _adapter(connections[using])
        swap = {adapt(p): adapt(v) for p, v in zip(self.placeholders, values, strict=True)}
        params = [swap.get(p, p) if _hashable(p) else p for p in kept.params]
        with hot_cursor(using) as cursor:
            cursor.execute(kept.sql, params)
            rows: Iterable[Sequence[Any]] = cursor.fetchall()
        if kept.converters:
            rows = kept.compiler.apply_converters(rows, kept.converters)
        model_cls, start, end, init_list = kept.model, kept.start, kept.end, kept.init_list
        found: list[Model] = []
        for row in rows:
            obj = model_cls.from_db(using, init_list, row[start:end])
            for populator in kept.populators:
                populator.populate(row, obj)
            for name, position in kept.annotations:
                setattr(obj, name, row[position])
            found.append(obj)
        return found


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _adapter(connection: Any) -> Callable[[Any], Any]:
    """A placeholder as the compiled parameters hold it (dates and times as the backend
    adapts them)."""

    def adapt(value: Any) -> Any:
        if isinstance(value, datetime.datetime):
            return connection.ops.adapt_datetimefield_value(value)
        if isinstance(value, datetime.date):
            return connection.ops.adapt_datefield_value(value)
        return value

    return adapt
