"""Benchmark (issue 19): a group's page with 50 open proposals and 2,000 members, on PostgreSQL.

Run from the repository root (PostgreSQL on 127.0.0.1:5432, trust authentication)::

    .venv/bin/python bench/proposals.py [--requests 200] [--database-url URL]

It drops and re-creates the benchmark database (default
postgres://postgres@127.0.0.1:5432/gr_proposals_bench), migrates it, builds one group of 2,000
members (in bulk, with their status history), a Secretary with an authenticator app, and 50
open proposals of every process made through the services (each enrols the 2,000 members:
100,000 participant rows), with positions from a third of the members on each (written in
bulk: 33,000 positions). Then ``VACUUM ANALYZE``, and the group's page is requested through
Django's test Client (the whole stack: middleware, sessions, the MFA check, the panels of
every app, templates; no network) ``--requests`` times after 20 warm-up requests, as a member
of the group (who sees the proposals) and as a visitor; the body's proposals page and one
proposal's page as the member, for comparison. Reported: p50/p95/max in milliseconds, SQL
queries per request, the benchmark process's CPU time per request (user+sys; p50/p95) and its
PostgreSQL backend's mean CPU per request (read from /proc, as bench/groups.py does): costs the
machine's load does not inflate as it does wall time.

Target (issue 19): p95 <= 50 ms for the group page.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from groups import backend_cpu_seconds
from pages import fresh_database, percentile, setup_django

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/gr_proposals_bench"
WARM_UP = 20
MEMBERS = 2_000
PROPOSALS = 50
TARGET_P95_MS = 50.0
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def build() -> dict[str, object]:
    from allauth.mfa.totp.internal.auth import TOTP
    from django.db import transaction

    from grassroots import clock
    from grassroots.organisation.models import Area, Group, Region, Role, RoleAssignment
    from grassroots.proposals.models import Participant, Position, PositionChange
    from grassroots.proposals.services.proposing import make_proposal
    from tests.proposals.builders import bulk_members

    with transaction.atomic():
        region = Region.objects.create(name="Yorkshire", slug="yorkshire")
        area = Area.objects.create(name="Leeds", slug="leeds", region=region)
        group = Group.objects.create(name="Leeds Central", slug="leeds-central", area=area)
        members = bulk_members(group, MEMBERS, prefix="member")
        secretary = members[0]
        RoleAssignment.objects.create(
            member=secretary,
            role=Role.SECRETARY,
            level="group",
            group=group,
            starts_on=datetime.date(2024, 1, 1),
        )
        TOTP.activate(secretary.user, SECRET)
    processes = ["consent", "consensus", "majority", "dot", "score", "time"]
    moment = clock.now()
    for n in range(PROPOSALS):
        process = processes[n % len(processes)]
        extra: dict[str, object] = {}
        if process in ("majority", "dot", "score"):
            extra["options"] = ["Market", "Station", "Park"]
        if process == "time":
            extra["option_times"] = [
                moment + datetime.timedelta(days=20, hours=h) for h in (0, 24, 48)
            ]
        make_proposal(
            actor=members[1 + n].user,
            level="group",
            scope=group,
            title=f"Proposal {n + 1}: a stall on day {n + 1}",
            text="Outside the market, 10 till 2.",
            process=process,
            closes_at=moment + datetime.timedelta(days=3 + n % 7),
            **extra,  # type: ignore[arg-type]
        )
    from grassroots.proposals.models import Proposal

    with transaction.atomic():
        rows = []
        history = []
        for proposal in Proposal.objects.all():
            choice = {"consent": "consent", "consensus": "agree"}.get(proposal.process, "")
            option = proposal.options.first()
            if proposal.process == "majority" and option is not None:
                choice = str(option.pk)
            scores = (
                {str(option.pk): 1}
                if option is not None and proposal.process in ("dot", "score", "time")
                else {}
            )
            for member in members[::3]:
                rows.append(
                    Position(
                        proposal=proposal,
                        member=member,
                        choice=choice,
                        scores=scores,
                        first_taken_at=moment,
                        updated_at=moment,
                    )
                )
                history.append(
                    PositionChange(
                        proposal=proposal, member=member, choice=choice, scores=scores, at=moment
                    )
                )
        Position.objects.bulk_create(rows, batch_size=5_000)
        PositionChange.objects.bulk_create(history, batch_size=5_000)
    return {
        "group": group,
        "member": members[5].user,
        "secretary": secretary.user,
        "participants": Participant.objects.count(),
        "positions": len(rows),
    }


def vacuum() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def measure(client, url: str, requests: int) -> dict[str, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARM_UP):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    wall: list[float] = []
    cpu: list[float] = []
    queries = 0
    db_before = backend_cpu_seconds(connection)
    for _ in range(requests):
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        queries = len(captured.captured_queries)
        assert response.status_code == 200
    db_cpu = (backend_cpu_seconds(connection) - db_before) * 1000 / requests
    return {
        "db_cpu": db_cpu,
        "p50": statistics.median(wall),
        "p95": percentile(wall, 0.95),
        "max": max(wall),
        "cpu_p50": statistics.median(cpu),
        "cpu_p95": percentile(cpu, 0.95),
        "queries": queries,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    fresh_database(args.database_url)
    setup_django(args.database_url)
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    built = build()
    vacuum()
    print(
        f"built {MEMBERS} members, {PROPOSALS} open proposals, {built['participants']} "
        f"participants, {built['positions']} positions in {time.perf_counter() - started:.1f} s"
    )
    group = built["group"]
    member = Client()
    member.force_login(built["member"])
    visitor = Client()
    from grassroots.proposals.models import Proposal

    one = Proposal.objects.order_by("pk").first()
    assert one is not None
    pages = [
        ("group page, member", member, f"/groups/{group.slug}/"),  # type: ignore[attr-defined]
        ("group page, visitor", visitor, f"/groups/{group.slug}/"),  # type: ignore[attr-defined]
        ("body's proposals, member", member, "/proposals/body/group-leeds-central/"),
        ("one proposal (667 positions), member", member, f"/proposals/{one.pk}/"),
    ]
    load = os.getloadavg()
    print(
        f"{platform.node()}: {os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} "
        f"{load[2]:.2f}, PostgreSQL "
        + subprocess.run(
            ["psql", args.database_url, "-Atc", "show server_version"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    )
    for label, client, url in pages:
        figures = measure(client, url, args.requests)
        verdict = (
            ("meets" if figures["p95"] <= TARGET_P95_MS else "MISSES")
            if label.startswith("group page")
            else ""
        )
        print(
            f"{label:40} p50 {figures['p50']:6.1f} ms  p95 {figures['p95']:6.1f} ms  "
            f"max {figures['max']:6.1f} ms  CPU p50 {figures['cpu_p50']:5.1f} ms "
            f"p95 {figures['cpu_p95']:5.1f} ms  db CPU mean {figures['db_cpu']:4.1f} ms  "
            f"{figures['queries']} queries  {verdict}"
        )
    # The same page with the proposals panel taken out: what the panel itself costs.
    from grassroots.organisation import group_page

    panel = group_page._panels.pop("proposals")
    figures = measure(member, f"/groups/{group.slug}/", args.requests)  # type: ignore[attr-defined]
    group_page._panels["proposals"] = panel
    print(
        f"{'group page, member, no proposals panel':40} p50 {figures['p50']:6.1f} ms  "
        f"p95 {figures['p95']:6.1f} ms  max {figures['max']:6.1f} ms  CPU p50 "
        f"{figures['cpu_p50']:5.1f} ms p95 {figures['cpu_p95']:5.1f} ms  db CPU mean "
        f"{figures['db_cpu']:4.1f} ms  {figures['queries']} queries"
    )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
