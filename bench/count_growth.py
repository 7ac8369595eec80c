"""The count's growth with the number of papers (issue 22): the same ballot shape counted at
several sizes on PostgreSQL, each in this process (``run_count``, as the worker runs it),
with wall and CPU time, so linear growth can be read off whatever the machine's load.

Needs a migrated database with the bench's demo organisation and voters, as
bench/national_ballot.py leaves it (``--database``). For each size it makes a closed ballot
(cast_load's ``seed_ballot``), fills its box with that many sealed papers (random STV
rankings and yes/no answers, sealed to the tellers' key, two papers a voter), enters two
shares and times the count: wall time, and the CPU time of this process and of its
PostgreSQL backend (read from /proc, so the database must run on this machine); with
``--profile N``, the N functions with the most own time.

    .venv/bin/python bench/count_growth.py --sizes 10000,20000,40000
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import cast_load  # noqa: E402  (bench/ is not a package)


def backend_cpu(pid: int) -> float:
    """User + system CPU seconds of a process on this machine (the PostgreSQL backend)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--sizes", default="10000,20000,40000", help="papers, comma-separated")
    parser.add_argument("--database", default="gr_national")
    parser.add_argument("--pg-port", type=int, default=5432)
    parser.add_argument("--profile", type=int, default=0, help="print the N costliest functions")
    args = parser.parse_args()
    args.secret_key = os.environ.get("SECRET_KEY", "count-growth-bench-" + "x" * 40)
    os.environ.update(cast_load.app_environment(args))
    import django

    django.setup()
    from django.db import connection, transaction

    from grassroots.accounts.models import User
    from grassroots.ballots.models import Ballot, BallotBoxEntry, BallotStatus
    from grassroots.ballots.publication import election_parameters
    from grassroots.ballots.services import counting
    from grassroots.ballots.services.tellers import reveal_share
    from grassroots.demo.people import NATIONAL_LOGIN
    from grassroots.ledger.crypto import seal_ballot, tracker
    from grassroots.ledger.recount import ballot_plaintext

    officer = User.objects.get(email=NATIONAL_LOGIN.email)
    users = list(User.objects.filter(email__startswith="voter").order_by("pk")[:3])
    rng = random.Random(22)
    for size in (int(n) for n in args.sizes.split(",")):
        ballot, tellers, shares = cast_load.seed_ballot(officer, users)
        stv, motion = election_parameters(ballot).questions
        key = bytes(ballot.tellers_public_key)
        began = time.monotonic()
        rows = []
        for index in range(size):
            if index % 2 == 0:
                marks = rng.sample(range(len(stv.candidates)), rng.randint(1, 5))
                plaintext = ballot_plaintext(stv, marks)
            else:
                plaintext = ballot_plaintext(motion, [rng.randrange(3)])
            sealed = seal_ballot(plaintext, key)
            rows.append(
                BallotBoxEntry(
                    ballot=ballot,
                    log_index=index,
                    ciphertext=sealed,
                    tracker=tracker(ballot.election_id, sealed),
                )
            )
        with transaction.atomic():
            BallotBoxEntry.objects.bulk_create(rows, batch_size=5000)
            Ballot.objects.filter(pk=ballot.pk).update(
                status=BallotStatus.CLOSED, roll_size=size, voted_count=size // 2
            )
        ballot.refresh_from_db()
        for teller, share in list(zip(tellers, shares, strict=True))[:2]:
            reveal_share(
                actor=teller.user, teller=ballot.tellers.get(member=teller), share_text=share
            )
        print(f"{size} papers sealed and stored in {time.monotonic() - began:.1f} s", flush=True)
        with transaction.atomic(durable=True):
            ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
            ballot.count_requested_at = ballot.closed_at
            ballot.count_total = size
            ballot.save(update_fields=["count_requested_at", "count_total"])
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")  # the papers' own writes are not the count's
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        load = os.getloadavg()[0]
        cpu = resource.getrusage(resource.RUSAGE_SELF)
        backend_before = backend_cpu(backend)
        profile = cProfile.Profile() if args.profile else None
        began = time.monotonic()
        if profile is not None:
            profile.enable()
        counting.run_count(ballot_id=ballot.pk)
        if profile is not None:
            profile.disable()
        wall = time.monotonic() - began
        after = resource.getrusage(resource.RUSAGE_SELF)
        used = (after.ru_utime + after.ru_stime) - (cpu.ru_utime + cpu.ru_stime)
        in_database = backend_cpu(backend) - backend_before
        ballot.refresh_from_db()
        print(
            f"count of {size} papers: {wall:.2f} s wall, CPU {used:.2f} s this process + "
            f"{in_database:.2f} s its PostgreSQL backend = {used + in_database:.2f} s, "
            f"status {ballot.status}, error {ballot.count_error or 'none'}, "
            f"load average {load:.1f} -> {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        if profile is not None:
            pstats.Stats(profile).sort_stats("tottime").print_stats(args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
