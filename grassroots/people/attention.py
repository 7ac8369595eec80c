"""What needs a member's attention, gathered from every app for the home page.

People sits below the apps that know what waits for a member (an open ballot, a motion to
second, a survey, an initiative collecting signatures), so it cannot ask them. Each app
registers a *source* at start-up (``AppConfig.ready``), as it registers its erasure rules; the
home page calls :func:`attention_for`. A source answers for one person with plain items, in
one or two queries of its own.

Most sources have nothing for most people on most days, so each also gives a *probe*: the
querysets (or answers it already knows, as booleans) that say whether it may have anything,
a superset of what it lists. :func:`attention_for` asks every probe in one query (an
``EXISTS`` per queryset, selected on the person's own login row) and then asks only the
sources whose probe found something; a source registered without a probe is always asked.
The page's cost is then one query plus one per source with something to say, rather than a
query or two for every app (bench/pages.py, docs/benchmarks.md).

Building and compiling those querysets on every request cost more CPU than running them, so a
probe may answer with a :class:`Probe` instead: a function that builds its queryset from a few
named plain values (a member's id, the time now, a list of group ids) and this request's
values. The probes' statement is then compiled once per process for each shape (which probes,
and how long each list is), with stand-in values, and each request only puts its own values in
the parameters' places (:func:`_compiled`). ``probe_answers(..., compiled=False)`` answers the
same through the ORM; tests/people/test_attention_probes.py holds the two equal for every source.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Exists, QuerySet

from grassroots.accounts.models import User
from grassroots.people.models import Member


@dataclass(frozen=True)
class AttentionItem:
    """One thing waiting for the person: a sentence, the page that does it, and its deadline."""

    kind: str  # a short word for the template and tests: "vote", "teller", "second", ...
    text: str
    url: str
    due: datetime.datetime | None = None


# A source takes the logged-in person and their member record (None for a login without one).
AttentionSource = Callable[[Any, Member | None], Iterable[AttentionItem]]


@dataclass(frozen=True)
class Probe:
    """A probe's queryset as ``build(**inputs)``: ``build`` must make the same SQL for any
    values of the same kinds (ints, strings, dates, times, and lists of them), so that its SQL
    can be made once with stand-ins (see the module's docstring)."""

    build: Callable[..., QuerySet[Any]]
    inputs: Mapping[str, Any]

    def queryset(self) -> QuerySet[Any]:
        return self.build(**self.inputs)


# A probe takes the same two and answers with querysets that have a row whenever the source
# may have an item (a superset is fine), as a Probe or a queryset, or with what it already
# knows as True or False.
AttentionProbe = Callable[[Any, Member | None], Sequence["QuerySet[Any] | Probe | bool"]]


@dataclass(frozen=True)
class _Source:
    items: AttentionSource
    probe: AttentionProbe | None


_sources: dict[str, _Source] = {}


def register_attention_source(
    name: str, source: AttentionSource, *, probe: AttentionProbe | None = None
) -> None:
    """Called from an app's ``ready``; registering a name twice replaces (tests reload apps)."""
    _sources[name] = _Source(source, probe)


def attention_sources() -> list[str]:
    """The apps that registered a source (an app may register several parts, each with its
    own probe, named ``app:part``)."""
    return sorted({name.split(":")[0] for name in _sources})


def _probes(user: Any, member: Member | None) -> tuple[set[str], dict[str, list[Any]]]:
    """The sources known to have something (no probe, or a probe answering True), and the
    queries of the others whose probe must be asked, by source."""
    asked: set[str] = set()
    queries: dict[str, list[Any]] = {}
    for name in sorted(_sources):
        probe = _sources[name].probe
        if probe is None:
            asked.add(name)
            continue
        for answer in probe(user, member):
            if isinstance(answer, bool):
                if answer:
                    asked.add(name)
            elif name not in asked:
                queries.setdefault(name, []).append(answer)
    return asked, {name: found for name, found in queries.items() if name not in asked}


def probe_answers(user: Any, member: Member | None, *, compiled: bool = True) -> dict[str, bool]:
    """Each probed source's answer (has it anything?) for ``user``: through the statement made
    once per process, or (``compiled=False``) through the ORM, as tests compare them."""
    asked, queries = _probes(user, member)
    answers = dict.fromkeys(asked, True)
    keys = [(name, query) for name, found in queries.items() for query in found]
    if not keys:
        return answers
    if not (isinstance(user, User) and user.pk is not None):
        return answers | dict.fromkeys(queries, True)
    statement = _compiled([query for _, query in keys]) if compiled else None
    if statement is not None:
        sql, slots = statement
        values = [query.inputs for _, query in keys if isinstance(query, Probe)]
        params = [slot(user.pk, values) for slot in slots]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone() or ()
    else:
        exists = {
            f"probe_{index}": Exists(query.queryset() if isinstance(query, Probe) else query)
            for index, (_, query) in enumerate(keys)
        }
        found = User.objects.filter(pk=user.pk).values(**exists).first() or {}
        row = tuple(found.get(f"probe_{index}", False) for index in range(len(keys)))
    for (name, _), value in zip(keys, row, strict=False):
        answers[name] = answers.get(name, False) or bool(value)
    return answers


def _sources_to_ask(user: Any, member: Member | None) -> list[str]:
    """The sources whose probe found something (or that have no probe), in one query."""
    answers = probe_answers(user, member)
    return [name for name in sorted(_sources) if answers.get(name)]


# The stand-ins a Probe is compiled with: values no real row holds, within every column type's
# range (Django answers an out-of-range integer lookup as empty, without SQL).
_STAND_IN_INT = 1_987_654_000
_STAND_IN_TIME = datetime.datetime(1901, 2, 3, 4, 5, 6, tzinfo=datetime.UTC)
Slot = Callable[[int, list[Mapping[str, Any]]], Any]
# The statement for a shape of probes: (its SQL and a slot per parameter), or None when a shape
# cannot be compiled this way (then each request goes through the ORM).
_statements: dict[tuple[Any, ...], tuple[str, list[Slot]] | None] = {}


def _shape(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return (type(value).__name__, len(value), tuple(_shape(v) for v in value[:1]))
    return type(value).__name__


def _compiled(queries: list[Any]) -> tuple[str, list[Slot]] | None:
    """The probes' one statement and how to fill its parameters, made once per shape."""
    if not all(isinstance(query, Probe) for query in queries):
        return None
    key = (
        connection.vendor,
        tuple(
            (query.build, tuple(sorted((k, _shape(v)) for k, v in query.inputs.items())))
            for query in queries
        ),
    )
    if key not in _statements:
        _statements[key] = _compile(queries)
    return _statements[key]


def _probes_statement(querysets: list[QuerySet[Any]], login: int) -> QuerySet[Any]:
    exists = {f"probe_{index}": Exists(query) for index, query in enumerate(querysets)}
    return User.objects.filter(pk=login).values(**exists).order_by("pk")[:1]


def _compile(
    queries: list[Probe],
    statement: Callable[[list[QuerySet[Any]], int], QuerySet[Any]] = _probes_statement,
) -> tuple[str, list[Slot]] | None:
    """``statement`` (by default the probes' EXISTS row) built from ``queries`` with stand-ins,
    compiled, and a slot for each of its parameters."""
    counter = iter(range(1, 1_000_000))
    # Each stand-in, and how the ORM may have turned it into a parameter, to the real value's
    # place: (probe index or None for the login's id, input name, index in a list or None).
    places: dict[Any, tuple[int | None, str, int | None]] = {}
    ops = connection.ops

    def stand_in(value: Any, where: tuple[int | None, str, int | None]) -> Any:
        number = next(counter)
        if isinstance(value, bool) or value is None:
            raise _Uncompilable
        if isinstance(value, int):
            made: Any = _STAND_IN_INT + number
            places[made] = where
        elif isinstance(value, str):
            made = f"\x1fstand-in {number}"
            places[made] = where
        elif isinstance(value, datetime.datetime):
            made = _STAND_IN_TIME + datetime.timedelta(seconds=number, microseconds=number)
            places[made] = where
            places[("datetime", ops.adapt_datetimefield_value(made))] = where
        elif isinstance(value, datetime.date):
            made = datetime.date(1901, 1, 1) + datetime.timedelta(days=number)
            places[made] = where
            places[("date", ops.adapt_datefield_value(made))] = where
        else:
            raise _Uncompilable
        return made

    try:
        built = []
        for index, query in enumerate(queries):
            inputs = {}
            for name, value in query.inputs.items():
                if isinstance(value, list | tuple):
                    if not value:
                        raise _Uncompilable
                    inputs[name] = type(value)(
                        stand_in(item, (index, name, position))
                        for position, item in enumerate(value)
                    )
                else:
                    inputs[name] = stand_in(value, (index, name, None))
            built.append(query.build(**inputs))
        login = stand_in(0, (None, "pk", None))
        sql, params = statement(built, login).query.sql_with_params()
    except (_Uncompilable, EmptyResultSet):
        return None
    slots: list[Slot] = []
    for param in params:
        place = _place(places, param)
        if place is None:
            if _looks_made(param):
                return None
            slots.append(_constant(param))
            continue
        kind, (index, name, position) = place
        slots.append(_slot(kind, index, name, position))
    return sql, slots


class _Uncompilable(Exception):
    pass


def _constant(value: Any) -> Slot:
    def slot(pk: int, values: list[Mapping[str, Any]]) -> Any:
        return value

    return slot


def _looks_made(param: Any) -> bool:
    """A parameter the ORM derived from a stand-in rather than copied (a date from a time, a
    pattern around a string): such a shape is not compiled."""
    if isinstance(param, bool):
        return False
    if isinstance(param, datetime.date):
        return True
    if isinstance(param, int):
        return _STAND_IN_INT < param < _STAND_IN_INT + 1_000_000
    return isinstance(param, str) and ("\x1fstand-in" in param or param.startswith("1901-"))


def _place(places: dict[Any, Any], param: Any) -> tuple[str, Any] | None:
    if isinstance(param, bool):
        return None
    try:
        if param in places:
            return "same", places[param]
        for kind in ("datetime", "date"):
            if (kind, param) in places:
                return kind, places[(kind, param)]
    except TypeError:  # an unhashable parameter is a constant
        return None
    return None


def _slot(kind: str, index: int | None, name: str, position: int | None) -> Slot:
    adapt: Callable[[Any], Any]
    if kind == "datetime":
        adapt = connection.ops.adapt_datetimefield_value
    elif kind == "date":
        adapt = connection.ops.adapt_datefield_value
    else:
        adapt = _same

    def slot(pk: int, values: list[Mapping[str, Any]]) -> Any:
        if index is None:
            return pk
        value = values[index][name]
        return adapt(value if position is None else value[position])

    return slot


def _same(value: Any) -> Any:
    return value


# A listing's statement: its SQL, a slot per parameter, and the ORM's converters for its
# columns (SQLite gives times as text; the ORM makes them aware datetimes).
Listing = tuple[str, list[Slot], Any, Any]
_listings: dict[tuple[Any, ...], Listing | None] = {}


def listed(probe: Probe, *fields: str) -> list[tuple[Any, ...]]:
    """``probe``'s rows as tuples of ``fields`` (``values_list``), through a statement compiled
    once per process for its shape, as the probes' is: a source's items cost their query, not
    the building of it. ``listed_through_orm`` answers the same (tests hold them equal)."""
    key = (
        connection.vendor,
        probe.build,
        fields,
        tuple(sorted((k, _shape(v)) for k, v in probe.inputs.items())),
    )
    if key not in _listings:
        _listings[key] = _compile_listing(probe, fields)
    listing = _listings[key]
    if listing is None:
        return listed_through_orm(probe, *fields)
    sql, slots, compiler, converters = listing
    params = [slot(0, [probe.inputs]) for slot in slots]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if converters:
        rows = list(compiler.apply_converters(rows, converters))
    return [tuple(row) for row in rows]


def _compile_listing(probe: Probe, fields: tuple[str, ...]) -> Listing | None:
    made: list[QuerySet[Any]] = []

    def statement(querysets: list[QuerySet[Any]], login: int) -> QuerySet[Any]:
        made.append(querysets[0].values_list(*fields))
        return made[-1]

    compiled = _compile([probe], statement)
    if compiled is None:
        return None
    compiler = made[-1].query.get_compiler(connection=connection)
    compiler.setup_query()
    columns = [column for column, _, _ in compiler.select]
    return compiled[0], compiled[1], compiler, compiler.get_converters(columns)


def listed_through_orm(probe: Probe, *fields: str) -> list[tuple[Any, ...]]:
    return list(probe.queryset().values_list(*fields))


def attention_for(user: Any, member: Member | None) -> list[AttentionItem]:
    """Everything waiting for ``user``, soonest deadline first, then the undated ones."""
    items = [
        item
        for name in _sources_to_ask(user, member)
        for item in _sources[name].items(user, member)
    ]
    far = datetime.datetime.max.replace(tzinfo=datetime.UTC)
    return sorted(items, key=lambda item: (item.due or far, item.text))


@dataclass(frozen=True)
class RolePage:
    """A page an officer's role opens, offered on their home page when ``may_use`` allows."""

    label: str
    url_name: str
    may_use: Callable[[Any], bool]


_role_pages: dict[str, RolePage] = {}


def register_role_page(page: RolePage) -> None:
    """Called from an app's ``ready``: the app's pages that only some roles use (a mail-out,
    the import, the rules), so that each is one click from the home page of those who may."""
    _role_pages[page.url_name] = page


def role_pages_for(user: Any) -> list[RolePage]:
    return [page for page in _role_pages.values() if page.may_use(user)]


@dataclass(frozen=True)
class PublicPanel:
    """A section of the visitors' home page an app fills (published results, ...): a template
    and a function giving its context, asked only when a visitor opens the page."""

    owner: str
    template: str
    data: Callable[[], dict[str, Any]]


_public_panels: dict[str, PublicPanel] = {}


def register_public_panel(panel: PublicPanel) -> None:
    _public_panels[panel.owner] = panel


def public_panels() -> list[tuple[str, dict[str, Any]]]:
    """(template, context) for each registered panel, in the order of registration."""
    return [(panel.template, panel.data()) for panel in _public_panels.values()]
