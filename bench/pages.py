"""Benchmark: the member list and the dashboard with 100,000 members on PostgreSQL.

Run from the repository root (PostgreSQL on 127.0.0.1:5432, trust authentication)::

    .venv/bin/python bench/pages.py [--members 100000] [--requests 200] [--database-url URL]

It drops and re-creates the benchmark database (default
postgres://postgres@127.0.0.1:5432/grassroots_bench), migrates it, runs
``seed_demo --members 100000`` (timed), gives the demo officers an authenticator app (production
settings: officers must have one, and the check is part of every request), then requests each
page through Django's test Client (the whole stack: middleware, sessions, permission checks,
queries, the audit row each member list writes, template rendering; no network) ``--requests``
times after 20 warm-up requests, and reports p50/p95/max in milliseconds and the number of SQL
queries per request.

Target (issue 2): p95 <= 50 ms for the member list and the dashboard.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/grassroots_bench"
WARM_UP = 20


def fresh_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings.base")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--keep", action="store_true", help="reuse an already seeded database")
    args = parser.parse_args()

    if not args.keep:
        fresh_database(args.database_url)
    setup_django(args.database_url)
    from allauth.mfa.totp.internal.auth import TOTP
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from grassroots.accounts.models import User
    from grassroots.organisation.models import Group

    if not args.keep:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        call_command("seed_demo", "--members", str(args.members), stdout=io.StringIO())
        print(f"seed_demo --members {args.members}: {time.perf_counter() - started:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    users = {
        role: User.objects.get(email=f"{role}@demo.grassroots.example")
        for role in ("member", "datamanager", "coordinator", "national")
    }
    for role, user in users.items():
        if role != "member" and not user.authenticator_set.exists():
            TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    leeds = Group.objects.get(name="Leeds Central")
    members_url = reverse("member_list")
    scenarios = [
        ("member list", "datamanager", members_url, {}),
        ("member list", "coordinator", members_url, {}),
        ("member list", "national", members_url, {}),
        ("member list, search 'smi'", "datamanager", members_url, {"q": "smi"}),
        ("member list, search 'smi'", "coordinator", members_url, {"q": "smi"}),
        ("member list, search 'smi'", "national", members_url, {"q": "smi"}),
        ("member list, search 'ali'", "national", members_url, {"q": "ali"}),
        ("member list, page 40", "national", members_url, {"page": "40"}),
        ("member list, status+group", "national", members_url,
         {"status": "lapsed", "group": str(leeds.pk)}),
        ("dashboard", "member", reverse("home"), {}),
        ("dashboard", "datamanager", reverse("home"), {}),
        ("dashboard", "coordinator", reverse("home"), {}),
        ("dashboard", "national", reverse("home"), {}),
    ]  # fmt: skip
    print(
        f"{'page':<28} {'as':<12} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'queries':>7} "
        f"{'CPU ms':>7}"
    )
    for label, role, url, params in scenarios:
        client = Client()
        client.force_login(users[role])
        for _ in range(WARM_UP):
            response = client.get(url, params)
            assert response.status_code == 200, (label, role, response.status_code)
        executed: list[str] = []

        def count_query(run, sql, *rest, executed=executed):
            executed.append(sql)
            return run(sql, *rest)

        with connection.execute_wrapper(count_query):
            client.get(url, params)
        samples = []
        cpu = []
        for _ in range(args.requests):
            started, started_cpu = time.perf_counter(), time.thread_time()
            response = client.get(url, params)
            samples.append((time.perf_counter() - started) * 1000)
            cpu.append((time.thread_time() - started_cpu) * 1000)
            assert response.status_code == 200
        # CPU ms: this thread's CPU time per request (Django's whole stack, not PostgreSQL's
        # own), median: the figure a loaded machine disturbs least.
        print(
            f"{label:<28} {role:<12} {statistics.median(samples):7.1f} "
            f"{percentile(samples, 0.95):7.1f} {max(samples):7.1f} {len(executed):7d} "
            f"{statistics.median(cpu):7.2f}"
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM people_member")
        members = cursor.fetchone()[0]
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    cpu = subprocess.run(
        "lscpu | sed -n 's/^Model name: *//p'", shell=True, capture_output=True, text=True
    ).stdout.strip()
    print(f"members in database: {members:,}; {args.requests} timed requests per row")
    print(
        f"machine: {os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, "
        f"PostgreSQL {version}"
    )


if __name__ == "__main__":
    main()
