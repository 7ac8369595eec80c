"""The national overview with a fresh and a stale visibility map (issue 22): its p95 must not
depend on when autovacuum last ran.

Needs a database with the movement seeded, as bench/national_ballot.py leaves it
(``--database``, 500,000 members). Three states, each timed over ``--requests`` requests of
the page (Django's test client in this process, the National Office logged in, after 10
warm-up requests): after ``VACUUM ANALYZE``; after an ``UPDATE`` of every member without a
VACUUM (every page of the member table dirty, its visibility map cleared, as after a bulk
import or the nightly lapse); and again after ``VACUUM ANALYZE``. Wall time, the Python CPU
time of the request, and the CPU time of the PostgreSQL backend, per request.

    .venv/bin/python bench/national_overview.py --database gr_national_bench
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import cast_load  # noqa: E402  (bench/ is not a package)

WARM_UP = 10


def backend_cpu(connection) -> float:  # type: ignore[no-untyped-def]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--database", default="gr_national_bench")
    parser.add_argument("--pg-port", type=int, default=5432)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    args.secret_key = os.environ.get("SECRET_KEY", "overview-bench-" + "x" * 40)
    os.environ.update(cast_load.app_environment(args))
    os.environ["ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from grassroots.accounts.models import User
    from grassroots.demo.people import NATIONAL_LOGIN

    user = User.objects.get(email=NATIONAL_LOGIN.email)
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, "JBSWY3DPEHPK3PXP")
    client = Client(secure=True)
    client.force_login(user)
    url = reverse("national_overview")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM people_member")
        members = cursor.fetchone()[0]
    print(f"{members:,} members; {args.requests} requests a state", flush=True)

    def measure(state: str) -> None:
        for _ in range(WARM_UP):
            assert client.get(url).status_code == 200
        walls, cpus = [], []
        load = os.getloadavg()[0]
        db_before = backend_cpu(connection)
        for _ in range(args.requests):
            began, cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            walls.append((time.perf_counter() - began) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
            assert response.status_code == 200
        db = (backend_cpu(connection) - db_before) * 1000 / args.requests
        walls.sort()
        print(
            f"{state:<44} p50 {statistics.median(walls):7.1f} ms  "
            f"p95 {walls[int(0.95 * (len(walls) - 1))]:7.1f} ms  max {walls[-1]:7.1f} ms  "
            f"CPU {statistics.mean(cpus):5.1f} ms app + {db:5.1f} ms database  "
            f"load {load:.1f}",
            flush=True,
        )

    def run(sql: str) -> float:
        began = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")  # maintenance, not a page's query
            cursor.execute(sql)
            cursor.execute("RESET statement_timeout")
        return time.monotonic() - began

    took = run("VACUUM ANALYZE people_member")
    measure(f"after VACUUM ANALYZE ({took:.0f} s)")
    took = run("UPDATE people_member SET updated_at = updated_at")
    measure(f"after UPDATE of every member ({took:.0f} s), no VACUUM")
    took = run("VACUUM ANALYZE people_member")
    measure(f"after VACUUM ANALYZE again ({took:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
