"""Benchmark (issue 5): a 2,000-member group's member list and the recognition dashboard with
800 groups and 100,000 members, on PostgreSQL.

Run from the repository root (PostgreSQL on 127.0.0.1:5432, trust authentication)::

    .venv/bin/python bench/groups.py [--requests 300] [--database-url URL] [--keep]

It drops and re-creates the benchmark database (default
postgres://postgres@127.0.0.1:5432/gr_groups5_bench), migrates it and builds a movement of
10 regions, 80 areas and 800 groups holding 100,000 members: one group ("Big Town") has 2,000
members by home group, the rest about 122 each; about one member in ten also belongs to a
second group of the same area; every group has a Chair, Secretary and Data Manager (who
accepted the agreement). Recognition: 70% of groups recognised, 15% at risk (with the
criteria they fail), 5% suspended, 5% de-recognised, 5% provisional, each change with its
event. Then ``VACUUM ANALYZE``, and each page is requested through Django's test Client (the
whole stack: middleware, sessions, the MFA check, permissions, the audit row each member list
writes, templates; no network) ``--requests`` times after 20 warm-up requests. Reported:
p50/p95/max in milliseconds, SQL queries per request, and the mean CPU time per request of
the Django process ("app CPU") and of its PostgreSQL backend ("db CPU", read from /proc): the
cost that does not grow with other load on a shared machine, so their sum approximates the
latency on an idle one (disk waits, such as the audit row's commit, are not in it).

Target (issue 5): p95 <= 100 ms for the member list of a 2,000-member group and the national
dashboard with 100,000 members and 800 groups.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import fresh_database, percentile, setup_django

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/gr_groups5_bench"
WARM_UP = 20
REGIONS, AREAS_PER_REGION, GROUPS_PER_AREA = 10, 8, 10
MEMBERS, BIG_GROUP_MEMBERS = 100_000, 2_000
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
FIRST = "Aled Amara Bryn Chloe Dara Eilidh Fatima Gareth Hana Imran Jude Kwame Leila Maya Nia"
LAST = "Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Wright Khan Evans Thomas"


def build(rng: random.Random) -> dict[str, object]:
    """The movement, in bulk; returns the logins the pages are requested as."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from grassroots.accounts.models import User
    from grassroots.organisation.models import (
        AgreementAcceptance,
        Area,
        Group,
        GroupRecognition,
        GroupStatus,
        RecognitionEvent,
        Region,
        Role,
        RoleAssignment,
        ScopeLevel,
    )
    from grassroots.organisation.recognition import AGREEMENT_VERSION
    from grassroots.people.models import ConsentSource, Member, MembershipStatus, StatusCause
    from grassroots.people.standing import record_joined

    now = datetime.datetime.now(datetime.UTC)
    today = now.date()
    firsts, lasts = FIRST.split(), LAST.split()
    with transaction.atomic():
        regions = Region.objects.bulk_create(
            Region(name=f"Region {r:02d}", slug=f"region-{r:02d}") for r in range(REGIONS)
        )
        areas = Area.objects.bulk_create(
            Area(region=region, name=f"Area {r:02d}-{a}", slug=f"area-{r:02d}-{a}")
            for r, region in enumerate(regions)
            for a in range(AREAS_PER_REGION)
        )
        groups = Group.objects.bulk_create(
            Group(
                area=area,
                name="Big Town" if i == 0 and g == 0 else f"Group {i:02d}-{g}",
                slug="big-town" if i == 0 and g == 0 else f"group-{i:02d}-{g}",
            )
            for i, area in enumerate(areas)
            for g in range(GROUPS_PER_AREA)
        )
        big = groups[0]
        homes = [big] * BIG_GROUP_MEMBERS + [
            groups[1 + n % (len(groups) - 1)] for n in range(MEMBERS - BIG_GROUP_MEMBERS)
        ]
        statuses = [MembershipStatus.MEMBER] * 16 + [
            MembershipStatus.SUPPORTER,
            MembershipStatus.SUPPORTER,
            MembershipStatus.LAPSED,
            MembershipStatus.SUSPENDED,
        ]
        members = []
        for n, home in enumerate(homes):
            joined = today - datetime.timedelta(days=rng.randint(0, 3650))
            consent = rng.random() < 0.85
            members.append(
                Member(
                    membership_number=f"GR{n + 1:07d}",
                    first_name=rng.choice(firsts),
                    last_name=rng.choice(lasts) + ("" if rng.random() < 0.5 else f"-{n % 97}"),
                    email=f"member{n + 1}@bench.example",
                    postcode=f"LS{n % 30} {n % 9}AB",
                    status=rng.choice(statuses),
                    joined_on=joined,
                    renewal_due_on=today + datetime.timedelta(days=rng.randint(-90, 300)),
                    consent_to_contact=consent,
                    consent_recorded_at=now if consent else None,
                    consent_source=ConsentSource.IMPORT if consent else "",
                    home_group=home,
                )
            )
        Member.objects.bulk_create(members, batch_size=5_000)
        record_joined(members, cause=StatusCause.SEED)
        through = Member.other_groups.through
        by_area: dict[int, list[Group]] = {}
        for group in groups:
            by_area.setdefault(group.area_id, []).append(group)
        links = []
        for member in members:
            if rng.random() < 0.1:
                other = rng.choice(by_area[member.home_group.area_id])
                if other.pk != member.home_group_id:
                    links.append(through(member_id=member.pk, group_id=other.pk))
        through.objects.bulk_create(links, batch_size=5_000, ignore_conflicts=True)

        # Officers: the first three members of each group by home group.
        first_of: dict[int, list[Member]] = {}
        for member in members:
            first_of.setdefault(member.home_group_id, []).append(member)
        start = today - datetime.timedelta(days=400)
        roles = [
            RoleAssignment(
                member=first_of[g.pk][k], role=role, level=ScopeLevel.GROUP, group=g,
                starts_on=start,
            )
            for g in groups
            for k, role in enumerate((Role.CHAIR, Role.SECRETARY, Role.DATA_MANAGER))
        ]  # fmt: skip
        officer = {
            "area": first_of[groups[1].pk][3],
            "region": first_of[groups[2].pk][3],
            "national": first_of[groups[3].pk][3],
        }
        roles += [
            RoleAssignment(member=officer["area"], role=Role.AREA_COORDINATOR,
                           level=ScopeLevel.AREA, area=big.area, starts_on=start),
            RoleAssignment(member=officer["region"], role=Role.REGIONAL_COORDINATOR,
                           level=ScopeLevel.REGION, region=big.area.region, starts_on=start),
            RoleAssignment(member=officer["national"], role=Role.NATIONAL_OFFICE,
                           level=ScopeLevel.NATION, starts_on=start),
        ]  # fmt: skip
        RoleAssignment.objects.bulk_create(roles, batch_size=5_000)
        AgreementAcceptance.objects.bulk_create(
            AgreementAcceptance(assignment=r, version=AGREEMENT_VERSION, accepted_at=now)
            for r in roles
            if r.role == Role.DATA_MANAGER
        )
        officer["datamanager"] = first_of[big.pk][2]
        password = make_password("bench-password")
        logins = {}
        for name, member in officer.items():
            user = User.objects.create(email=f"{name}@bench.example", password=password)
            member.user = user
            member.save(update_fields=["user"])
            logins[name] = user

        recognition, events = [], []
        failing = [
            {"code": "data_manager", "label": "A Data Manager appointed",
             "detail": "The group has no Data Manager."},
            {"code": "agm", "label": "An AGM held in the last 13 months",
             "detail": "No AGM has been recorded."},
        ]  # fmt: skip
        for group in groups:
            roll = rng.random()
            if roll < 0.70:
                status, history = GroupStatus.RECOGNISED, [GroupStatus.RECOGNISED]
            elif roll < 0.85:
                status = GroupStatus.AT_RISK
                history = [GroupStatus.RECOGNISED, GroupStatus.AT_RISK]
            elif roll < 0.90:
                status = GroupStatus.SUSPENDED
                history = [GroupStatus.RECOGNISED, GroupStatus.AT_RISK, GroupStatus.SUSPENDED]
            elif roll < 0.95:
                status = GroupStatus.DERECOGNISED
                history = [GroupStatus.RECOGNISED, GroupStatus.AT_RISK, GroupStatus.SUSPENDED,
                           GroupStatus.DERECOGNISED]  # fmt: skip
            else:
                status, history = GroupStatus.PROVISIONAL, []
            fix_by = today + datetime.timedelta(days=rng.randint(1, 28))
            recognition.append(
                GroupRecognition(
                    group=group,
                    status=status,
                    fix_by=fix_by if status == GroupStatus.AT_RISK else None,
                )
            )
            previous = GroupStatus.PROVISIONAL
            for step, to in enumerate(history):
                bad = failing[: 1 + step % 2] if to != GroupStatus.RECOGNISED else []
                events.append(
                    RecognitionEvent(
                        group=group, from_status=previous, to_status=to,
                        reason="bench", failing=bad,
                        fix_by=fix_by if to == GroupStatus.AT_RISK else None,
                        decided_by_label="system",
                        at=now - datetime.timedelta(days=100 - 20 * step),
                    )
                )  # fmt: skip
                previous = to
        GroupRecognition.objects.bulk_create(recognition)
        RecognitionEvent.objects.bulk_create(events, batch_size=5_000)
    return logins


def backend_cpu_seconds(connection) -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend process (same machine:
    /proc/<pid>/stat fields 14 and 15, user and system time in clock ticks)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--keep", action="store_true", help="reuse an already built database")
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
    from grassroots.people.models import Member

    if not args.keep:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        build(random.Random(2026))
        print(f"built the movement: {time.perf_counter() - started:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    users = {
        name: User.objects.get(email=f"{name}@bench.example")
        for name in ("datamanager", "area", "region", "national")
    }
    for user in users.values():
        if not user.authenticator_set.exists():
            TOTP.activate(user, SECRET)
    big = Group.objects.get(slug="big-town")
    in_big = Member.objects.filter(home_group=big).count()
    members_url = reverse("member_list")
    dashboard = reverse("recognition_dashboard")
    scenarios = [
        ("member list", "datamanager", members_url, {}),
        ("member list, new joiners", "datamanager", members_url, {"show": "new"}),
        ("member list, lapsed", "datamanager", members_url, {"show": "lapsed"}),
        ("member list, search 'smi'", "datamanager", members_url, {"q": "smi"}),
        ("member list, last page", "datamanager", members_url, {"page": "last"}),
        ("member list, Big Town", "area", members_url, {"group": str(big.pk)}),
        ("member list, Big Town", "national", members_url, {"group": str(big.pk)}),
        ("recognition dashboard", "national", dashboard, {}),
        ("recognition dashboard", "region", dashboard, {}),
        ("recognition dashboard", "area", dashboard, {}),
        ("national overview", "national", reverse("national_overview"), {}),
        ("group page, Big Town", "datamanager", reverse("group_detail", args=[big.slug]), {}),
        ("officers, Big Town", "datamanager", reverse("group_officers", args=[big.slug]), {}),
    ]
    print(
        f"{'page':<28} {'as':<12} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'queries':>7} "
        f"{'app CPU':>7} {'db CPU':>7}"
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
        samples, cpu = [], []
        db_cpu_started = backend_cpu_seconds(connection)
        for _ in range(args.requests):
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(url, params)
            samples.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
            assert response.status_code == 200
        db_cpu = (backend_cpu_seconds(connection) - db_cpu_started) * 1000 / args.requests
        print(
            f"{label:<28} {role:<12} {statistics.median(samples):7.1f} "
            f"{percentile(samples, 0.95):7.1f} {max(samples):7.1f} {len(executed):7d} "
            f"{statistics.mean(cpu):7.1f} {db_cpu:7.1f}",
            flush=True,
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM people_member")
        members = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM organisation_group")
        groups = cursor.fetchone()[0]
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    cpu = subprocess.run(
        "lscpu | sed -n 's/^Model name: *//p'", shell=True, capture_output=True, text=True
    ).stdout.strip()
    print(
        f"members: {members:,}; groups: {groups}; Big Town by home group: {in_big:,}; "
        f"{args.requests} timed requests per row; load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"machine: {os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, "
        f"PostgreSQL {version}"
    )


if __name__ == "__main__":
    main()
