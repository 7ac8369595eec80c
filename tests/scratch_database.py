"""A scratch database for a data migration's test, migrated forward only as far as it needs.

A test of a data migration used to migrate the test's own database back to the migration before
it and forward again, which unapplies and reapplies every later migration of every app that
depends on it: about a minute for ballots 0009, most of it Django rendering the models' states.
``scratch_database(target)`` gives the test a second, empty database of the same kind as its
own (SQLite in memory; on PostgreSQL a database of its own beside the test's), migrated forward
from nothing to ``target`` by ``MigrationExecutor`` as ``migrate`` would; the test writes its
rows there with the historical models and then migrates on through the migration under test.

Inside the block the scratch database *is* the default database (``connections["default"]``),
as the one ``migrate`` works on is in a deployment: data migrations query through the default
alias, not the schema editor's. The test's own database comes back when the block ends, so the
test need not be transactional; it must not use its own database inside the block.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.state import StateApps
from django.db.models import Model
from django.db.utils import load_backend

Target = tuple[str, str]


@dataclass
class ScratchDatabase:
    apps: StateApps  # the historical models of the state the database is migrated to

    def migrate(self, *targets: Target) -> None:
        """Migrate to ``targets``, as ``manage.py migrate app name`` would."""
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        self.apps = executor.migrate(list(targets)).apps

    def model(self, app_label: str, model_name: str) -> type[Model]:
        return self.apps.get_model(app_label, model_name)


@contextlib.contextmanager
def scratch_database(*targets: Target) -> Iterator[ScratchDatabase]:
    """An empty database in place of the test's, migrated forward to ``targets``; dropped after."""
    own = connections[DEFAULT_DB_ALIAS]
    settings_dict = copy.deepcopy(own.settings_dict)
    postgres = own.vendor == "postgresql"
    if postgres:
        settings_dict["NAME"] = f"{own.settings_dict['NAME']}_scratch"[:63]
        _create_postgres(own, settings_dict["NAME"])
    elif own.vendor == "sqlite":
        settings_dict["NAME"] = ":memory:"
    else:
        raise RuntimeError(f"no scratch database for {own.vendor}")
    scratch = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, DEFAULT_DB_ALIAS)
    connections[DEFAULT_DB_ALIAS] = scratch
    try:
        yield ScratchDatabase(MigrationExecutor(scratch).migrate(list(targets)).apps)
    finally:
        # Django's SQLite backend ignores close() on an in-memory database; this one is done with.
        BaseDatabaseWrapper.close(scratch)
        connections[DEFAULT_DB_ALIAS] = own
        if postgres:
            _drop_postgres(own, settings_dict["NAME"])


def _create_postgres(own: BaseDatabaseWrapper, name: str) -> None:
    quoted = own.ops.quote_name(name)
    with own.creation._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {quoted}")


def _drop_postgres(own: BaseDatabaseWrapper, name: str) -> None:
    with own.creation._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {own.ops.quote_name(name)} WITH (FORCE)")
