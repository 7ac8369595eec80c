"""Benchmark: the home page and the inbox with 100,000 members and 1,000,000 notifications,
and the weekly digest for 100,000 members, on PostgreSQL (issue 21).

Run from the repository root (PostgreSQL on 127.0.0.1:5432, trust authentication)::

    .venv/bin/python bench/notifications.py [--members 100000] [--per-member 10] [--requests 200]

It drops and re-creates the benchmark database (default
postgres://postgres@127.0.0.1:5432/grassroots_bench_notify), migrates it, runs
``seed_demo --members N``, then writes ``--per-member`` notifications for every member with one
INSERT ... SELECT (a third unread; one unread of each member waiting for the weekly digest),
VACUUM ANALYZE, and:

1. requests the dashboard (with the header's unread count) and the inbox as the demo member,
   through Django's test Client (the whole stack), ``--requests`` times after 20 warm-up
   requests: p50/p95/max in ms and the queries per request. Target: p95 <= 50 ms.
2. runs the weekly digest (``notifications.services.send_digest``): every member with a
   notification waiting gets one personal digest, queued as one mailout with a delivery each
   (the worker sends them later). Wall time and the process's CPU time. Target: <= 60 s for
   100,000 members.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import WARM_UP, fresh_database, percentile, setup_django

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/grassroots_bench_notify"

FILL = """
INSERT INTO notifications_notification (member_id, kind, message, params, title, url,
                                        created_at, read_at, digest, mailed_at)
SELECT m.id, 'meeting', '', '{}', 'Group meeting number ' || n || ' on Thursday', '/meetings/',
       now() - (n || ' hours')::interval,
       CASE WHEN n %% 3 = 0 THEN NULL ELSE now() END,
       CASE WHEN n = 3 THEN 'weekly' ELSE '' END,
       NULL
FROM people_member m CROSS JOIN generate_series(1, %s) AS n
"""


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--per-member", type=int, default=10)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument(
        "--keep", action="store_true", help="reuse the seeded members; rewrite the notifications"
    )
    args = parser.parse_args()

    if not args.keep:
        fresh_database(args.database_url)
    setup_django(args.database_url)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from grassroots.accounts.models import User
    from grassroots.notifications.models import Delivery, Notification
    from grassroots.notifications.services import send_digest

    if not args.keep:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        call_command("seed_demo", "--members", str(args.members), stdout=io.StringIO())
        print(f"seed_demo --members {args.members}: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE notifications_notification, notifications_digestrun")
        cursor.execute(FILL, [args.per_member])
        cursor.execute("VACUUM ANALYZE")
    total = Notification.objects.count()
    print(f"notifications written: {total:,} in {time.perf_counter() - started:.1f} s")

    member = User.objects.get(email="member@demo.grassroots.example")
    print(f"{'page':<28} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'queries':>7}")
    for label, url in (("dashboard", reverse("home")), ("inbox", reverse("notifications:inbox"))):
        client = Client()
        client.force_login(member)
        for _ in range(WARM_UP):
            assert client.get(url).status_code == 200
        executed: list[str] = []

        def count_query(run, sql, *rest, executed=executed):
            executed.append(sql)
            return run(sql, *rest)

        with connection.execute_wrapper(count_query):
            client.get(url)
        samples = []
        for _ in range(args.requests):
            started = time.perf_counter()
            assert client.get(url).status_code == 200
            samples.append((time.perf_counter() - started) * 1000)
        print(
            f"{label:<28} {statistics.median(samples):7.1f} {percentile(samples, 0.95):7.1f} "
            f"{max(samples):7.1f} {len(executed):7d}"
        )

    waiting = Notification.objects.filter(digest=Delivery.WEEKLY).count()
    cpu, started = cpu_seconds(), time.perf_counter()
    run = send_digest(Delivery.WEEKLY, datetime.date.today())
    wall, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    assert run is not None
    print(
        f"weekly digest: {run.members:,} members, {run.notifications:,} notifications "
        f"({waiting:,} were waiting, read ones left out): {wall:.1f} s wall, {cpu:.1f} s CPU "
        f"in this process; peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB"
    )
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
