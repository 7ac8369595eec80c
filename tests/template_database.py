"""One migrated template database per run, copied for each test process.

Migrating the schema takes 15-40 s on this machine, and pytest-django did it again in every
xdist worker. Here the first worker to arrive migrates a *template* while the others wait on a
file lock, and each worker then copies it: on SQLite through the backup API into the worker's
own in-memory database (as Django's parallel runner does), on PostgreSQL with
``CREATE DATABASE ... TEMPLATE``. The test database a test sees is the same as before: a
migrated, otherwise empty database per worker.

The template is named by a hash of what decides its contents: every migration under
grassroots/, the settings modules and the apps, caches and user model they give, the pinned
requirements (third-party apps' migrations) and the Python, SQLite and Django versions. A local
run whose migrations have not changed therefore reuses the previous run's template (as
``--reuse-db`` would, but a new or edited migration always gives a new name, so it is always
applied); an older template is deleted when a new one is built. Under ``CI=true`` the run's own
id is part of the hash, so CI migrates from scratch, once per run.

pytest-django's ``--reuse-db``, ``--create-db`` and ``--no-migrations`` do not apply: the
template replaces them.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / "var" / "test-databases"
ALIAS = "default"


def template_key(run_id: str | None) -> str:
    """The template's name: changes whenever anything that shapes the migrated schema does."""
    digest = hashlib.sha256()
    paths = [
        *sorted((ROOT / "grassroots").glob("**/migrations/*.py")),
        *sorted((ROOT / "grassroots" / "settings").glob("*.py")),
        ROOT / "requirements.txt",
    ]
    for path in paths:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    facts: list[Any] = [
        sys.version,
        sqlite3.sqlite_version,
        django.__version__,
        settings.INSTALLED_APPS,
        settings.CACHES,
        settings.AUTH_USER_MODEL,
        settings.MIGRATION_MODULES,
        run_id,
    ]
    digest.update(repr(facts).encode())
    return digest.hexdigest()[:16]


@contextlib.contextmanager
def _locked(name: str) -> Iterator[None]:
    STATE.mkdir(parents=True, exist_ok=True)
    with (STATE / name).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _use(connection: BaseDatabaseWrapper, name: str) -> None:
    connection.close()
    connection.settings_dict["NAME"] = name
    settings.DATABASES[connection.alias]["NAME"] = name


def _migrate(connection: BaseDatabaseWrapper, name: str) -> None:
    """Migrate database ``name`` as Django's own test-database creation does."""
    _use(connection, name)
    call_command(
        "migrate", verbosity=0, interactive=False, database=connection.alias, run_syncdb=True
    )
    call_command("createcachetable", database=connection.alias)
    connection.close()


def setup_test_database(run_id: str | None) -> str:
    """Give this process its migrated test database; return the name it had before."""
    connection = connections[ALIAS]
    original = connection.settings_dict["NAME"]
    key = template_key(run_id)
    if connection.vendor == "sqlite":
        _sqlite(connection, key)
    elif connection.vendor == "postgresql":
        _postgres(connection, original, key)
    else:
        raise RuntimeError(f"no template database support for {connection.vendor}")
    connection.ensure_connection()
    return original


def teardown_test_database(original: str) -> None:
    connection = connections[ALIAS]
    connection.creation.destroy_test_db(original, verbosity=0)


def _sqlite(connection: BaseDatabaseWrapper, key: str) -> None:
    test_name = connection.creation._get_test_db_name()
    if not connection.creation.is_in_memory_db(test_name):
        raise RuntimeError("the SQLite test database is expected in memory (TEST NAME unset)")
    template = STATE / f"sqlite-{key}.sqlite3"
    with _locked("sqlite.lock"):
        if not template.exists():
            # Migrated in memory (a file's fsyncs made it minutes on a busy disk), then saved.
            _migrate(connection, test_name)
            for stale in STATE.glob("sqlite-*.sqlite3"):
                stale.unlink()
            building = STATE / f"building-{key}.sqlite3"
            building.unlink(missing_ok=True)
            connection.ensure_connection()
            with closing(sqlite3.connect(building)) as saved:
                connection.connection.backup(saved)
            building.replace(template)
            return
    _use(connection, test_name)
    connection.ensure_connection()
    with closing(sqlite3.connect(template)) as source:
        source.backup(connection.connection)


def _postgres(connection: BaseDatabaseWrapper, base: str, key: str) -> None:
    quote = connection.ops.quote_name
    prefix = f"test_{base}_template_"
    template = f"{prefix}{key}"
    building = f"test_{base}_building_{key}"
    target = connection.creation._get_test_db_name()
    if len(template) > 63 or len(building) > 63:
        raise RuntimeError(f"database name {base!r} is too long for a template name")
    with _locked(f"postgresql-{base}.lock"):
        _use(connection, base)
        with connection.creation._nodb_cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
            ready = cursor.fetchone() is not None
            if not ready:
                cursor.execute(
                    "SELECT datname FROM pg_database WHERE starts_with(datname, %s)", [prefix]
                )
                for (stale,) in cursor.fetchall():
                    cursor.execute(f"DROP DATABASE {quote(stale)} WITH (FORCE)")
                cursor.execute(f"DROP DATABASE IF EXISTS {quote(building)} WITH (FORCE)")
                cursor.execute(f"CREATE DATABASE {quote(building)}")
        if not ready:
            _migrate(connection, building)
            _use(connection, base)
            with connection.creation._nodb_cursor() as cursor:
                cursor.execute(f"ALTER DATABASE {quote(building)} RENAME TO {quote(template)}")
        with connection.creation._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(target)} WITH (FORCE)")
            cursor.execute(f"CREATE DATABASE {quote(target)} TEMPLATE {quote(template)}")
    _use(connection, target)


def run_id_of(config: Any) -> str | None:
    """Under CI, this run's id (shared by its xdist workers), so CI never reuses a template."""
    if os.environ.get("CI") != "true":
        return None
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        return str(workerinput["testrunuid"])
    return str(os.getpid())
