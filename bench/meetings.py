"""Benchmark: a motion's page with 300 comments, and its meeting's page, on PostgreSQL and SQLite.

Run from the repository root (PostgreSQL on 127.0.0.1:5432, trust authentication)::

    .venv/bin/python bench/meetings.py [--comments 300] [--requests 200] [--database both]

For each database (``postgres``: drops and re-creates postgres://postgres@127.0.0.1:5432/
gr_meetings_bench; ``sqlite``: a fresh file var/bench_meetings.sqlite3) it migrates, then builds
one group of 400 members, a Secretary (with an authenticator app, as production requires of
officers), a meeting with an agenda, one motion with 3 amendments, and ``--comments`` comments
by 120 different members: a third are replies (threads up to 6 deep), one in ten edited (with
their earlier text kept), five hidden by the Secretary with a reason, ten reported. Then it
requests each page through Django's test Client (the whole stack: middleware, sessions,
permission checks, queries, template rendering of every comment; no network) ``--requests``
times after 20 warm-up requests, and reports p50/p95/max in milliseconds and SQL queries per
request, and the benchmark process's own CPU time per request (p50/p95: the application's
work, which the machine's load does not inflate; PostgreSQL's own CPU is not in it). Each
database runs in its own process (Django is set up once per process).

``--profile N`` then profiles N more requests of the motion page for each role with cProfile
counting CPU time (not wall time, which the machine's load inflates) and prints where it went.

Target (issue 6): p95 <= 100 ms for a meeting's pages with 300 comments.
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
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/gr_meetings_bench"
SQLITE_PATH = ROOT / "var" / "bench_meetings.sqlite3"
WARM_UP = 20
TARGET_P95_MS = 100.0


def fresh_postgres(url: str) -> None:
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


def build(comments: int) -> dict[str, object]:
    """The group, its people, the meeting, the motion and its debate, written directly."""
    import random

    from allauth.mfa.totp.internal.auth import TOTP
    from django.db import transaction

    from grassroots import clock
    from grassroots.accounts.models import User
    from grassroots.meetings.models import (
        AgendaItem,
        Amendment,
        Comment,
        CommentReport,
        CommentRevision,
        Meeting,
        Motion,
        MotionRevision,
    )
    from grassroots.organisation.models import Area, Group, Region, RoleAssignment
    from grassroots.people.models import Member, StatusCause
    from grassroots.people.standing import record_joined

    rng = random.Random(6)
    now = clock.now()
    region = Region.objects.create(name="Yorkshire", slug="yorkshire")
    area = Area.objects.create(region=region, name="Leeds", slug="leeds")
    group = Group.objects.create(area=area, name="Leeds Central", slug="leeds-central")
    # Members and their status history in one transaction (the PostgreSQL trigger's check).
    with transaction.atomic():
        members = Member.objects.bulk_create(
            Member(
                membership_number=f"GR{n:07d}",
                first_name=f"First{n}",
                last_name=f"Last{n}",
                email=f"member{n}@bench.example",
                status="member",
                joined_on=datetime.date(2022, 1, 1),
                home_group=group,
            )
            for n in range(400)
        )
        record_joined(members, cause=StatusCause.SEED)
    users = {}
    for key, member in (("member", members[0]), ("secretary", members[1])):
        user = User.objects.create_user(email=member.email, password="bench-password-1")
        member.user = user
        member.save(update_fields=["user"])
        users[key] = user
    RoleAssignment.objects.create(
        member=members[1],
        role="secretary",
        level="group",
        group=group,
        starts_on=datetime.date(2024, 1, 1),
    )
    TOTP.activate(users["secretary"], "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    meeting = Meeting.objects.create(
        title="December branch meeting",
        level="group",
        group=group,
        format="hybrid",
        starts_at=now + datetime.timedelta(days=14),
        ends_at=now + datetime.timedelta(days=14, hours=2),
        address="Leeds Trades Club",
        online_link="https://meet.example.org/leeds",
        motions_deadline=now + datetime.timedelta(days=7),
        created_by=members[1],
        created_at=now,
        updated_at=now,
    )
    for position, (kind, title) in enumerate(
        [("report", "Reports"), ("motions", "Motions"), ("aob", "Any other business")], start=1
    ):
        AgendaItem.objects.create(meeting=meeting, position=position, kind=kind, title=title)
    text = "\n\n".join(
        ["This meeting notes:", "Rents rose 11% last year.", "This meeting believes:"]
        + [f"Point {i}: a secure home is a right, not a privilege." for i in range(6)]
        + ["This meeting resolves:", "To start a tenants' union campaign."]
    )
    motion = Motion.objects.create(
        meeting=meeting,
        number=1,
        title="Tenants' union",
        original_text=text,
        text=text,
        proposer=members[2],
        seconder=members[3],
        seconded_at=now,
        submitted_at=now,
        status="submitted",
    )
    MotionRevision.objects.create(motion=motion, text=text, note="Submitted", created_at=now)
    for number, (kind, paragraph, new) in enumerate(
        [("replace", 11, "To start a tenants' union campaign with the trades council."),
         ("insert", 3, "That half of members rent privately."),
         ("delete", 5, "")], start=1
    ):  # fmt: skip
        Amendment.objects.create(
            motion=motion,
            number=number,
            proposer=members[4 + number],
            kind=kind,
            paragraph=paragraph,
            new_text=new,
            base_text=text,
            submitted_at=now,
        )
    authors = members[10:130]
    made: list[Comment] = []
    for n in range(comments):
        parent = None
        if made and n % 3 == 2:
            parent = made[rng.randrange(len(made))]
        made.append(
            Comment.objects.create(
                motion=motion,
                parent=parent,
                author=authors[n % len(authors)],
                body=f"Comment {n}. " + "I think we should organise street by street. " * 4,
                created_at=now + datetime.timedelta(seconds=n),
            )
        )
    for comment in made[::10]:
        CommentRevision.objects.create(comment=comment, body="Earlier text.", written_at=now)
        comment.edited_at = now
        comment.save(update_fields=["edited_at"])
    for comment in made[5:55:10]:
        comment.status = "hidden"
        comment.moderation_reason = "Personal remarks"
        comment.moderated_by = members[1]
        comment.moderated_at = now
        comment.save()
    for i, comment in enumerate(made[7:107:10]):
        CommentReport.objects.create(
            comment=comment, reporter=members[200 + i], reason="Off topic", reported_at=now
        )
    return {"users": users, "meeting": meeting, "motion": motion}


def profile_page(client: object, url_path: str, requests: int, label: str) -> None:
    """Where the process's CPU time goes over ``requests`` requests, most first."""
    import cProfile
    import pstats

    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(requests):
        client.get(url_path)  # type: ignore[attr-defined]
    profiler.disable()
    print(f"\n--- CPU profile: {label}, {requests} requests ---")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def run(
    database: str, comments: int, requests: int, profile: int = 0
) -> list[tuple[str, str, float, float]]:
    if database == "postgres":
        url = os.environ.get("BENCH_DATABASE_URL", POSTGRES_URL)
        fresh_postgres(url)
    else:
        SQLITE_PATH.parent.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{SQLITE_PATH}"
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    call_command("migrate", verbosity=0)
    world = build(comments)
    if database == "postgres":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    meeting, motion, users = world["meeting"], world["motion"], world["users"]
    motion_url = reverse("meetings:motion_detail", args=[meeting.pk, motion.pk])  # type: ignore[attr-defined]
    meeting_url = reverse("meetings:detail", args=[meeting.pk])  # type: ignore[attr-defined]
    scenarios = [
        ("motion page, 300 comments", "member", motion_url),
        ("motion page, 300 comments", "secretary", motion_url),
        ("meeting page", "member", meeting_url),
        ("meeting page", "secretary", meeting_url),
    ]
    results = []
    print(f"\n[{database}] {connection.vendor}, {comments} comments")
    print(
        f"{'page':<28} {'as':<10} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'queries':>7} "
        f"{'cpu p50':>7} {'cpu p95':>7}"
    )
    for label, role, url_path in scenarios:
        client = Client()
        client.force_login(users[role])  # type: ignore[index]
        for _ in range(WARM_UP):
            response = client.get(url_path)
            assert response.status_code == 200, (label, role, response.status_code)
        if url_path == motion_url:
            drawn = response.content.count(b'class="comment ')
            assert drawn == comments, f"{drawn} of {comments} comments drawn"
        executed: list[str] = []

        def count_query(execute, sql, *rest, executed=executed):
            executed.append(sql)
            return execute(sql, *rest)

        with connection.execute_wrapper(count_query):
            client.get(url_path)
        samples, cpu = [], []
        for _ in range(requests):
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url_path)
            samples.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            assert response.status_code == 200
        p50, p95 = statistics.median(samples), percentile(samples, 0.95)
        print(
            f"{label:<28} {role:<10} {p50:7.1f} {p95:7.1f} {max(samples):7.1f} "
            f"{len(executed):7d} {statistics.median(cpu):7.1f} {percentile(cpu, 0.95):7.1f}"
        )
        results.append((label, role, p50, p95))
        if profile and url_path == motion_url:
            profile_page(client, url_path, profile, f"{label}, {role}, {database}")
    if database == "postgres":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            print(f"PostgreSQL {cursor.fetchone()[0]}")
    else:
        import sqlite3

        print(f"SQLite {sqlite3.sqlite_version}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--comments", type=int, default=300)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database", choices=["both", "postgres", "sqlite"], default="both")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="profile N more motion-page requests per role (CPU time)")  # fmt: skip
    args = parser.parse_args()
    if args.database == "both":
        status = 0
        for database in ("postgres", "sqlite"):
            status |= subprocess.run(
                [sys.executable, __file__, "--database", database,
                 "--comments", str(args.comments), "--requests", str(args.requests),
                 "--profile", str(args.profile)],
                check=False,
            ).returncode  # fmt: skip
        load = os.getloadavg()
        print(
            f"\nmachine: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
        )
        sys.exit(status)
    results = run(args.database, args.comments, args.requests, args.profile)
    worst = max(p95 for *_, p95 in results)
    print(f"worst p95 {worst:.1f} ms; target {TARGET_P95_MS:.0f} ms: "
          f"{'met' if worst <= TARGET_P95_MS else 'NOT met'}")  # fmt: skip
    sys.exit(0 if worst <= TARGET_P95_MS else 1)


if __name__ == "__main__":
    main()
