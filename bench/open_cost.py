"""Where opening a national ballot spends its time (issue 22): the open's task run in this
process on PostgreSQL, split into its phases (the roll frozen by one INSERT ... SELECT, the
first head, the invitations' batches), with the wall time, this process's CPU and its
PostgreSQL backend's CPU for each, so the cost can be read whatever the machine's load.

``--seed N`` first recreates ``--database`` and fills it with the demo organisation and N
members (cast_load's ``seed_voters``); without it the database must hold them already (as
bench/national_ballot.py or an earlier ``--seed`` leaves it). Each ``--repeat`` makes a new
national ballot (cast_load's ``seed_ballot``) and opens it with ``run_open``, as the worker does.
With ``--explain`` the freeze's statement is also shown with EXPLAIN (ANALYZE, BUFFERS) (in a
transaction rolled back); with ``--profile N`` the N functions with the most own time.

    .venv/bin/python bench/open_cost.py --database gr_national --seed 100000
    .venv/bin/python bench/open_cost.py --database gr_national --repeat 2 --explain
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import resource
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import cast_load  # noqa: E402  (bench/ is not a package)
from count_growth import backend_cpu  # noqa: E402


class Phases:
    """Wall, process CPU and backend CPU accumulated by phase name."""

    def __init__(self, backend: int) -> None:
        self.backend = backend
        self.totals: dict[str, list[float]] = {}
        self.wrapped: list[tuple[Any, str, Any]] = []

    def mark(self) -> tuple[float, float, float]:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return time.monotonic(), usage.ru_utime + usage.ru_stime, backend_cpu(self.backend)

    def add(self, name: str, before: tuple[float, float, float]) -> None:
        after = self.mark()
        row = self.totals.setdefault(name, [0.0, 0.0, 0.0, 0])
        for i in range(3):
            row[i] += after[i] - before[i]
        row[3] += 1

    def wrap(self, module: Any, attribute: str, name: str) -> None:
        original = getattr(module, attribute)

        def timed(*args: Any, **kwargs: Any) -> Any:
            before = self.mark()
            try:
                return original(*args, **kwargs)
            finally:
                self.add(name, before)

        self.wrapped.append((module, attribute, original))
        setattr(module, attribute, timed)

    def unwrap(self) -> None:
        for module, attribute, original in self.wrapped:
            setattr(module, attribute, original)

    def print(self) -> None:
        for name, (wall, own, db, calls) in self.totals.items():
            print(
                f"  {name:<34} {int(calls):>4} calls  wall {wall:7.2f} s  CPU {own:6.2f} s "
                f"this process + {db:6.2f} s PostgreSQL = {own + db:6.2f} s"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--database", default="gr_national")
    parser.add_argument("--pg-port", type=int, default=5432)
    parser.add_argument("--seed", type=int, default=0, help="recreate and seed N members")
    parser.add_argument("--repeat", type=int, default=1, help="ballots opened, one after another")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the freeze")
    parser.add_argument("--profile", type=int, default=0, help="print the N costliest functions")
    args = parser.parse_args()
    args.secret_key = os.environ.get("SECRET_KEY", "open-cost-bench-" + "x" * 40)
    if args.seed:
        cast_load.recreate_database(args.pg_port, args.database)
    env = cast_load.app_environment(args)
    os.environ.update(env)
    if args.seed:
        cast_load.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env)
    import django

    django.setup()
    from django.db import connection, transaction
    from django_tasks_db.models import DBTaskResult

    from grassroots.accounts.models import User
    from grassroots.ballots import sql
    from grassroots.ballots.eligibility import eligible_members
    from grassroots.ballots.models import Ballot, RollEntry
    from grassroots.ballots.services import lifecycle, reminders
    from grassroots.demo.people import NATIONAL_LOGIN
    from grassroots.messaging import batched

    if args.seed:
        began = time.monotonic()
        cast_load.seed_voters(10, demo_members=args.seed - 10)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        DBTaskResult.objects.all().delete()
        print(f"seeded {args.seed} members in {time.monotonic() - began:.1f} s", flush=True)
    officer = User.objects.get(email=NATIONAL_LOGIN.email)
    users = list(User.objects.filter(email__startswith="voter").order_by("pk")[:3])
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    for _ in range(args.repeat):
        ballot, _, _ = cast_load.seed_ballot(officer, users)
        if args.explain:
            inner, params = (
                eligible_members(ballot)
                .order_by("pk")
                .values_list("pk", "home_group_id", "home_group__area__region_id")
                .query.sql_with_params()
            )
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {inner}", params)  # nosec B608
                print("\n".join(row[0] for row in cursor.fetchall()))
                transaction.set_rollback(True)
        with transaction.atomic(durable=True):
            lifecycle._record_open(Ballot.objects.select_for_update().get(pk=ballot.pk))
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")  # the seed's own writes are not the open's
        phases = Phases(backend)
        phases.wrap(sql, "freeze_roll", "freeze roll (INSERT ... SELECT)")
        phases.wrap(lifecycle, "seal_locked", "first head")
        phases.wrap(reminders, "roll_batch", "read a batch of the roll")
        phases.wrap(batched, "_copy_deliveries", "links + COPY deliveries")
        phases.wrap(batched, "release_system_mail", "release the mail")
        load = os.getloadavg()[0]
        profile = cProfile.Profile() if args.profile else None
        before = phases.mark()
        if profile is not None:
            profile.enable()
        lifecycle.run_open(ballot_id=ballot.pk, actor_id=officer.pk)
        if profile is not None:
            profile.disable()
        phases.add("the whole open", before)
        phases.unwrap()
        ballot.refresh_from_db()
        roll = RollEntry.objects.filter(ballot=ballot).count()
        print(
            f"opened ballot {ballot.pk}: roll {roll}, invited {ballot.background_done}, "
            f"error {ballot.background_error or 'none'}, "
            f"load average {load:.1f} -> {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        phases.print()
        if profile is not None:
            pstats.Stats(profile).sort_stats("tottime").print_stats(args.profile)
        DBTaskResult.objects.all().delete()  # the delivery and notice tasks the open queued
    return 0


if __name__ == "__main__":
    sys.exit(main())
