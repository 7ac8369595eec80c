"""Benchmark: queueing mail to 50,000 members, and sending through a real SMTP server.

Run from the repository root (PostgreSQL on 127.0.0.1:5432, trust authentication)::

    .venv/bin/python bench/mailout.py [--members 50000] [--send 2000] [--database-url URL]

It creates the benchmark database if needed (default
postgres://postgres@127.0.0.1:5432/grassroots_bench_mail), migrates it and seeds the demo
organisation with ``--members`` members (``seed_demo``; left alone if already there). Then:

1. Queue: national office's ``send_mailout`` to every member nationally (campaign mail: only
   those who consented), and ``send_to_members`` of a ballot invitation to every member (no
   consent filter, a personal link each), each timed from the call to its commit with the
   task row written; that is what an officer waits for. Target (issue 5): <= 30 s for
   50,000. The queued mailouts are then deleted, so no worker sends them.
2. Send: a ballot invitation to ``--send`` members, delivered by a real ``manage.py db_worker
   --batch`` process to an aiosmtpd server in this process that accepts and counts each
   message; timed from the worker's start to the mailout being marked sent.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/grassroots_bench_mail"


def ensure_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "grassroots.settings.dev"
    os.environ["GRASSROOTS_MAILOUTS_PER_HOUR"] = "1000"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


class Sink:
    """Accepts every message and counts it; the SMTP server a test mail relay would be."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.count += 1
        return "250 OK"


def timed(label: str, action: Any) -> Any:
    started = time.perf_counter()
    result = action()
    elapsed = time.perf_counter() - started
    print(f"{label}: {elapsed:.2f} s")
    return result, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--members", type=int, default=50_000)
    parser.add_argument("--send", type=int, default=2_000)
    args = parser.parse_args()

    ensure_database(args.database_url)
    setup_django(args.database_url)

    from django.core.management import call_command
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from grassroots.demo.seed import seed_demo
    from grassroots.messaging.models import Mailout, MailoutState
    from grassroots.messaging.queries import NATION
    from grassroots.messaging.services import send_mailout, send_to_members
    from grassroots.organisation.models import Role
    from grassroots.people.models import Member, MembershipStatus

    call_command("migrate", verbosity=0, interactive=False)
    timed("seed_demo (skipped if already seeded)", lambda: seed_demo(members=args.members))
    members = Member.objects.count()
    national = Member.objects.filter(
        role_assignments__role=Role.NATIONAL_OFFICE, user__isnull=False
    ).first()
    assert national is not None
    print(f"members in database: {members:,}; PostgreSQL {connection.pg_version}")
    tasks_before = set(DBTaskResult.objects.values_list("id", flat=True))

    campaign, campaign_s = timed(
        "queue send_mailout (national, campaign, all statuses)",
        lambda: send_mailout(
            actor=national.user,
            scope=NATION,
            statuses=list(MembershipStatus.values),
            subject="Benchmark: national newsletter",
            body="A newsletter to every member who agreed to hear from us.",
            purpose="benchmark",
        ),
    )
    print(f"  recipients {campaign.recipients:,}, no consent {campaign.skipped_no_consent:,}")
    ids = list(Member.objects.values_list("pk", flat=True))
    personal = {pk: {"link": f"https://example.org/vote/{pk:08d}"} for pk in ids}
    ballot, ballot_s = timed(
        f"queue send_to_members ({len(ids):,} members, personal links)",
        lambda: send_to_members(
            actor=national.user,
            members=ids,
            subject="Benchmark: your ballot",
            body="Dear $first_name, vote here: $link",
            purpose="benchmark",
            personal=personal,
        ),
    )
    print(f"  recipients {ballot.recipients:,}")
    Mailout.objects.filter(pk__in=[campaign.pk, ballot.pk]).delete()
    DBTaskResult.objects.exclude(id__in=tasks_before).delete()

    from aiosmtpd.controller import Controller

    sink = Sink()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    few = ids[: args.send]
    mailout = send_to_members(
        actor=national.user,
        members=few,
        subject="Benchmark: your ballot",
        body="Dear $first_name, vote here: $link",
        purpose="benchmark",
        personal={pk: personal[pk] for pk in few},
    )
    env = {
        **os.environ,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
    }
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    elapsed = time.perf_counter() - started
    controller.stop()
    mailout.refresh_from_db()
    assert mailout.state == MailoutState.SENT, mailout.state
    print(
        f"send {mailout.sent:,} messages via db_worker to aiosmtpd: {elapsed:.2f} s "
        f"({mailout.sent / elapsed:.0f} messages/s; sink counted {sink.count:,})"
    )
    Mailout.objects.filter(pk=mailout.pk).delete()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    target_ok = campaign_s <= 30 and ballot_s <= 30
    print("target <= 30 s to queue:", "met" if target_ok else "NOT met")


if __name__ == "__main__":
    main()
