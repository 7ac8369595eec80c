"""Benchmark: the nightly lapse of 100,000 members and a dues import of 100,000 rows, on
PostgreSQL (issue 18).

Run from the repository root (PostgreSQL on 127.0.0.1:5432, trust authentication)::

    .venv/bin/python bench/lifecycle.py [--rows 100000] [--database-url URL]

It drops and re-creates the benchmark database (default
postgres://postgres@127.0.0.1:5432/gr_structure), migrates it, seeds the demo structure and
imports 100,000 members with bench/import_members.py's deterministic file (fixed seed). Then:

1. every member's renewal date is set 60 days back (past the 30-day grace period) and
   ``people.lifecycle.lapse_overdue`` is timed: one statement updates the members and writes
   their status history entries;
2. a GoCardless payments export of ``--rows`` paid payments, one per member (the provider's own
   column names), is timed through ``people.dues.import_dues`` as the dues page calls it:
   reading and checking each row, matching it to a member by email, writing the dues records.

Targets: the lapse <= 60 s, the dues import <= 10 s. The machine is shared: the figures are
printed with the load average, and with the Python process's CPU time beside the wall time
(the database server's CPU is not in it).
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/gr_structure"

from import_members import fresh_database, setup_django, write_csv  # noqa: E402

GOCARDLESS_HEADER = (
    "id,created_at,charge_date,amount,description,currency,status,amount_refunded,reference,"
    "transaction_fee,payout_date,app_fee,links.mandate,links.creditor,links.customer,"
    "links.payout,links.subscription,customers.id,customers.created_at,customers.email,"
    "customers.given_name,customers.family_name"
)


def gocardless_export(emails: list[str], rows: int) -> str:
    lines = [GOCARDLESS_HEADER]
    for index in range(rows):
        email = emails[index % len(emails)]
        lines.append(
            f"PM{index:08d},2026-02-01T09:00:00.000Z,2026-02-{index % 28 + 1:02d},5.00,"
            f"Membership,GBP,paid_out,0.00,GR{index:07d},0.20,2026-02-06,,MD{index},CR1,"
            f"CU{index},PO1,SB{index},CU{index},2025-01-01T00:00:00.000Z,{email},A,B"
        )
    return "\n".join(lines) + "\n"


def backend_cpu() -> float:
    """CPU seconds (user + system) of this connection's PostgreSQL backend process, read from
    /proc: the database server runs on this machine."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(label: str, work) -> object:
    started, cpu, db_cpu = time.perf_counter(), time.process_time(), backend_cpu()
    result = work()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    db_cpu = backend_cpu() - db_cpu
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"{label}: {elapsed:.2f} s wall; CPU: Python {cpu:.2f} s + PostgreSQL backend "
        f"{db_cpu:.2f} s = {cpu + db_cpu:.2f} s (load average {load})"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    args = parser.parse_args()

    fresh_database(args.database_url)
    setup_django(args.database_url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--members", "500", stdout=io.StringIO())
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "members.csv"
        path.write_bytes(write_csv(args.rows, 2026))
        call_command("import_members", str(path), stdout=io.StringIO())

    from django.db import transaction

    from grassroots import clock
    from grassroots.organisation.models import Role, RoleAssignment
    from grassroots.people import dues, lifecycle
    from grassroots.people.models import Member
    from grassroots.people.standing import record_status_changes

    today = clock.today()
    with transaction.atomic():
        # Every member in good standing and overdue: the supporters and lapsed members of the
        # imported file become members first, each with its history entry.
        others = list(Member.objects.exclude(status="member").values_list("pk", flat=True))
        Member.objects.filter(pk__in=others).update(status="member")
        record_status_changes(((pk, "member", today) for pk in others), cause="seed")
        Member.objects.update(renewal_due_on=today - datetime.timedelta(days=60))
    overdue = Member.objects.filter(status="member").count()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE people_member")
    print(f"members: {Member.objects.count():,}; in good standing and overdue: {overdue:,}")
    lapsed = timed("lapse (one nightly run)", lifecycle.lapse_overdue)
    print(f"    lapsed {lapsed:,}")

    emails = list(Member.objects.order_by("pk").values_list("email", flat=True))
    text = gocardless_export(emails, args.rows)
    officer = (
        RoleAssignment.objects.current().filter(role=Role.NATIONAL_OFFICE).select_related("member")
    ).first()
    assert officer is not None and officer.member.user is not None
    result = timed(
        f"dues import ({args.rows:,} GoCardless rows, {len(text) / 1e6:.1f} MB)",
        lambda: dues.import_dues(
            actor=officer.member.user, provider="gocardless", text=text, frequency="monthly"
        ),
    )
    print(
        f"    rows {result.rows:,}, applied {result.applied:,}, errors {result.error_count:,}, "
        f"members updated {result.members_updated:,}"
    )
    result = timed(
        "dues import again (every record exists: all updates)",
        lambda: dues.import_dues(
            actor=officer.member.user, provider="gocardless", text=text, frequency="monthly"
        ),
    )


if __name__ == "__main__":
    main()
