"""Benchmark (issue 19): enrolling a national proposal's participants among 500,000 members.

Run from the repository root (PostgreSQL on 127.0.0.1:5432, trust authentication)::

    .venv/bin/python bench/proposal_enrolment.py [--members 500000] [--runs 3] [--database-url URL]

It drops and re-creates the benchmark database (default
postgres://postgres@127.0.0.1:5432/gr_enrol_bench), migrates it and seeds, by SQL, 200 groups
and ``--members`` members with their status history: 1 in 20 lapsed last month, 1 in 25 with
a renewal overdue, 1 in 50 joining tomorrow, the rest members in good standing. Then, on a
proposal to the nation, each way of writing the participants is timed ``--runs`` times, each in
a transaction rolled back afterwards:

* ``insert-select``: ``proposals.services.proposing._enrol``, one ``INSERT ... SELECT`` from the
  standing rule's own query (what the service does);
* ``per-member``: the code it replaced, the same query's ids read into Python and written back
  with ``bulk_create`` in batches of 5,000.

Reported per run: wall time, this process's CPU (user+sys) and its PostgreSQL backend's CPU
(from /proc, as bench/groups.py reads it), and the rows written; both ways must write the same
number, and the participants must be the rule's members.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from groups import backend_cpu_seconds
from pages import fresh_database, setup_django

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/gr_enrol_bench"
GROUPS = 200

MEMBERS_SQL = """
INSERT INTO people_member (membership_number, first_name, last_name, email, phone, postcode,
    status, joined_on, renewal_due_on, consent_to_contact, consent_source, home_group_id,
    created_at, updated_at)
SELECT 'BN' || lpad(n::text, 8, '0'), 'Member', 'Bench' || n, 'bench' || n || '@example.org', '',
    'LS1 1AA', CASE WHEN n %% 20 = 0 AND n %% 50 <> 0 THEN 'lapsed' ELSE 'member' END,
    CASE WHEN n %% 50 = 0 THEN current_date + 1 ELSE date '2021-03-01' + (n %% 1000) END,
    CASE WHEN n %% 25 = 0 THEN current_date - 10 ELSE NULL END, false, '',
    (%s::bigint[])[1 + n %% %s], now(), now()
FROM generate_series(1, %s) AS n
"""
HISTORY_SQL = """
INSERT INTO people_memberstatuschange (member_id, status, effective_on, cause, recorded_at)
SELECT id, 'member', joined_on, 'seed', now() FROM people_member
UNION ALL
SELECT id, 'lapsed', current_date - 30, 'seed', now() FROM people_member WHERE status = 'lapsed'
"""


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def seed(members: int) -> None:
    from django.db import connection, transaction

    from grassroots.organisation.models import Area, Group, Region

    with transaction.atomic():
        region = Region.objects.create(name="Yorkshire", slug="yorkshire")
        area = Area.objects.create(name="Leeds", slug="leeds", region=region)
        groups = Group.objects.bulk_create(
            Group(name=f"Group {i}", slug=f"group-{i}", area=area) for i in range(GROUPS)
        )
        with connection.cursor() as cursor:
            # Seeding only; the enrolment runs under the settings' statement timeout, as a
            # request does.
            cursor.execute("SET LOCAL statement_timeout = 0")
            cursor.execute(MEMBERS_SQL, [[g.pk for g in groups], GROUPS, members])
            cursor.execute(HISTORY_SQL)
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("RESET statement_timeout")


def per_member(proposal) -> int:
    """The enrolment this benchmark compares against: the rule's ids through Python."""
    from grassroots import clock
    from grassroots.organisation.permissions import group_ids_in
    from grassroots.people.standing import members_in_good_standing_on
    from grassroots.proposals.models import Participant

    ids = members_in_good_standing_on(clock.today(), home_group_ids=group_ids_in(proposal))
    rows: list[Participant] = []
    count = 0
    for member_id in ids.order_by().values_list("pk", flat=True).iterator(chunk_size=5_000):
        rows.append(Participant(proposal=proposal, member_id=member_id))
        if len(rows) == 5_000:
            Participant.objects.bulk_create(rows)
            count += len(rows)
            rows = []
    Participant.objects.bulk_create(rows)
    return count + len(rows)


def timed(way, proposal) -> tuple[float, float, float, int]:
    from django.db import connection, transaction

    with transaction.atomic():
        backend = backend_cpu_seconds(connection)
        cpu, wall = cpu_seconds(), time.perf_counter()
        rows = way(proposal)
        wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
        backend = backend_cpu_seconds(connection) - backend
        transaction.set_rollback(True)
    return wall, cpu, backend, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=500_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    args = parser.parse_args()
    fresh_database(args.database_url)
    setup_django(args.database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    seed(args.members)
    print(f"seeded {args.members:,} members in {time.perf_counter() - began:.1f} s")

    from grassroots import clock
    from grassroots.organisation.models import ScopeLevel
    from grassroots.people.models import Member
    from grassroots.people.standing import members_in_good_standing_on
    from grassroots.proposals.models import Proposal
    from grassroots.proposals.services.proposing import _enrol

    moment = clock.now()
    proposal = Proposal.objects.create(
        level=ScopeLevel.NATION,
        title="Adopt the national campaign plan",
        text="As circulated.",
        process="consent",
        proposer=Member.objects.order_by("pk").first(),
        opened_at=moment,
        closes_at=moment + datetime.timedelta(days=7),
    )
    expected = members_in_good_standing_on(clock.today()).count()
    print(f"members in good standing: {expected:,}")
    load = os.getloadavg()
    print(
        f"machine: {platform.node()}, {os.cpu_count()} CPUs, load average "
        f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f} at the start"
    )
    for name, way in (("insert-select", _enrol), ("per-member", per_member)):
        runs = [timed(way, proposal) for _ in range(args.runs)]
        for *_, rows in runs:
            assert rows == expected, f"{name} wrote {rows} rows, not {expected}"
        print(
            f"{name:14} wall median {statistics.median(r[0] for r in runs):6.2f} s "
            f"(min {min(r[0] for r in runs):.2f}), process CPU median "
            f"{statistics.median(r[1] for r in runs):6.2f} s, PostgreSQL backend CPU median "
            f"{statistics.median(r[2] for r in runs):6.2f} s, rows {runs[0][3]:,}"
        )
    load = os.getloadavg()
    print(f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} at the end")


if __name__ == "__main__":
    main()
