"""Benchmark (issue 17): what one request of the live meeting costs the server, by kind, in
CPU time and queries, measured in one process so that other sessions' load on the machine
does not blur it (``bench/live_meeting.py`` measures the whole hall through gunicorn, where
wall times follow the machine's load).

Run from the repository root (PostgreSQL on 127.0.0.1:5432, trust authentication)::

    .venv/bin/python bench/live_meeting_cost.py [--fresh] [--repeat 40] [--root PATH]

``--fresh`` drops and re-creates the database ``gr_live_cost`` and seeds the benchmark's
meeting (``tests/assembly/builders.py``: 500 delegates signed in, a vote open); without it the
seeded database is reused. ``--root`` measures another checkout's code against the same
database (one with the pulse, grassroots/assembly/pulse.py). For each kind (the first page
load; the same page again, once the session holds the member's language; the pulse's 204
when the worker reads the fingerprint and when it answers from memory; the pulse's shared
part after a change, drawn cold as a worker's first request for that state and then warm;
the viewer's own part; a vote) it reports the median and p95 CPU time
(``time.process_time``) and wall time per request, and the queries made. Django's test client
stands in for gunicorn (its own cost, about a millisecond, is included). Not in ``make test``.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

DATABASE = "gr_live_cost"
GROUPS = (("Leeds Central", 3000, 250), ("Harrogate", 1500, 150), ("Skipton", 500, 100))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--root", default=str(Path(__file__).resolve().parent.parent))
    args = parser.parse_args()
    root = Path(args.root).resolve()
    sys.path.insert(0, str(root))
    os.chdir(root)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "grassroots.settings.prod",
            "SECRET_KEY": "bench-live-cost-" + "x" * 40,
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
    )
    if args.fresh:
        psql = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc"]
        subprocess.run([*psql, f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'], check=True)
        subprocess.run([*psql, f'CREATE DATABASE "{DATABASE}"'], check=True)
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], check=True)
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from grassroots.assembly.models import LiveVote
    from grassroots.delegation.models import Delegate

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if args.fresh:
        from grassroots.assembly.services.votes import open_vote
        from tests.assembly.builders import build_session, sign_in

        session = build_session(groups=GROUPS, extra_members=0)
        sign_in(session, session.delegates)
        open_vote(
            actor=session.chair, meeting=session.meeting, subject="motion", motion=session.motion
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    vote = LiveVote.objects.filter(closed_at__isnull=True).select_related("meeting").get()
    meeting = vote.meeting
    voted = set(vote.marks.values_list("member_id", flat=True))
    members = [
        d.member
        for d in Delegate.objects.filter(meeting=meeting)
        .exclude(member_id__in=voted)
        .select_related("member__user")
        .order_by("pk")[: args.repeat]
    ]
    clients = []
    for member in members:
        client = Client(HTTP_X_FORWARDED_PROTO="https", secure=True)
        client.force_login(member.user)
        clients.append(client)
    url = f"/meetings/{meeting.pk}/live/"
    pages: dict[int, str] = {}

    def measure(kind: str, request: Callable[[int], object], before: Callable[[], None]) -> None:
        cpu, wall, queries = [], [], []
        status = 0
        for i in range(len(clients)):
            before()
            with CaptureQueriesContext(connection) as captured:
                started, started_cpu = time.perf_counter(), time.process_time()
                response = request(i)
                wall.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
            queries.append(len(captured.captured_queries))
            status = response.status_code  # type: ignore[attr-defined]
        cpu.sort()
        wall.sort()
        p95 = max(0, int(len(cpu) * 0.95) - 1)
        print(
            f"{kind:42} {status:>4} {statistics.median(queries):>7.0f} "
            f"{statistics.median(cpu) * 1000:>8.1f} {cpu[p95] * 1000:>8.1f} "
            f"{statistics.median(wall) * 1000:>8.1f} {wall[p95] * 1000:>8.1f}"
        )

    def cold() -> None:
        # A worker's first request for a state: nothing of it cached in the process yet.
        from grassroots.assembly import pulse

        pulse.clear()

    def fresh_fingerprint() -> None:
        # The worker's fingerprint is older than FINGERPRINT_SECONDS: the pulse reads it.
        from grassroots.assembly import pulse

        pulse.forget(meeting.pk)

    def page(i: int) -> object:
        response = clients[i].get(url)
        pages[i] = response.content.decode()
        return response

    def address(i: int, element: str) -> str:
        found = re.search(rf'<div id="{element}" hx-get="([^"]+)"', pages[i])
        assert found
        return found.group(1).replace("&amp;", "&")

    def pulse_address(i: int, version: str | None = None) -> str:
        token = re.search(r'id="live-token" name="t" value="([^"]*)"', pages[i])
        assert token
        found = f"{address(i, 'live-state')}&t={token.group(1)}"
        return found if version is None else re.sub(r"v=[^&]+", f"v={version}", found)

    def shared(i: int) -> object:
        return clients[i].get(pulse_address(i, "changed"), HTTP_HX_REQUEST="true")

    def unchanged(i: int) -> object:
        return clients[i].get(pulse_address(i), HTTP_HX_REQUEST="true")

    def own(i: int) -> object:
        return clients[i].get(address(i, "live-mine"), HTTP_HX_REQUEST="true")

    def cast(i: int) -> object:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', pages[i])
        assert token
        return clients[i].post(
            f"{url}vote/",
            {"csrfmiddlewaretoken": token.group(1), "vote": vote.pk, "choice": i % 3},
        )

    def nothing() -> None:
        pass

    load = os.getloadavg()[0]
    print(f"{len(clients)} attendees of {meeting.title}, code from {root}; load average {load:.2f}")
    print(
        f"{'request':42} {'code':>4} {'queries':>7} {'cpu p50':>8} {'cpu p95':>8} "
        f"{'wall p50':>8} {'wall p95':>8}  (ms)"
    )
    measure("first page load", page, nothing)
    # The same browsers again: their sessions now hold the member's language, as a login
    # through the site's form leaves it (force_login above bypasses that, so each first load
    # here also reads the language, stores it on a member who never chose one, and saves the
    # session: grassroots.people.languages).
    measure("page load again (session has its language)", page, nothing)
    measure("pulse, unchanged (204), fingerprint read", unchanged, fresh_fingerprint)
    measure("pulse, unchanged (204), from memory", unchanged, nothing)
    measure("pulse, shared part (cold)", shared, cold)
    measure("pulse, shared part (warm)", shared, nothing)
    measure("own part (after a change)", own, nothing)
    measure("vote", cast, nothing)
    print(f"load average after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
