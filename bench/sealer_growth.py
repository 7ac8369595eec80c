"""The sealer's pass time against the size of the log (issue 22): each pass appends its batch
to the log's stored frontier, so its time should not grow with the log.

Needs a migrated database with the bench's demo organisation and voters, as
bench/national_ballot.py leaves it (``--database``). It makes an open ballot (cast_load's
``seed_ballot``), then for each log size: grows the log to that size (unsealed ballots
written in bulk and sealed in passes that are not timed), writes ``--batch`` more unsealed
ballots (what the scheduler finds after one interval of casting: 10 s at 450/s is 4,500) and
times ``seal_pending`` on them, as the scheduler runs it. Beside each pass it times what the
sealer did before the frontier, a Merkle tree rebuilt from every leaf in the log, on the same
leaves.

    .venv/bin/python bench/sealer_growth.py --database gr_national_bench \\
        --sizes 0,50000,100000,200000,400000
"""

from __future__ import annotations

import argparse
import os
import resource
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import cast_load  # noqa: E402  (bench/ is not a package)

GROW_PASS = 50_000  # ballots sealed per untimed pass while the log grows


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--sizes", default="0,50000,100000,200000,400000")
    parser.add_argument("--batch", type=int, default=4500, help="ballots in each timed pass")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes at each size")
    parser.add_argument("--database", default="gr_national_bench")
    parser.add_argument("--pg-port", type=int, default=5432)
    args = parser.parse_args()
    args.secret_key = os.environ.get("SECRET_KEY", "sealer-growth-bench-" + "x" * 40)
    os.environ.update(cast_load.app_environment(args))
    import django

    django.setup()
    from grassroots.accounts.models import User
    from grassroots.ballots.models import Ballot, BallotBoxEntry, BallotStatus, UnsealedBallot
    from grassroots.ballots.services.sealing import seal_pending
    from grassroots.demo.people import NATIONAL_LOGIN
    from grassroots.ledger.crypto import tracker
    from grassroots.ledger.merkle import MerkleLog

    officer = User.objects.get(email=NATIONAL_LOGIN.email)
    users = list(User.objects.filter(email__startswith="voter").order_by("pk")[:3])
    ballot, _, _ = cast_load.seed_ballot(officer, users)
    Ballot.objects.filter(pk=ballot.pk).update(status=BallotStatus.OPEN)
    ballot.refresh_from_db()

    def unsealed(count: int) -> None:
        rows = []
        for _ in range(count):
            sealed = secrets.token_bytes(180)  # about a sealed two-question paper's size
            rows.append(
                UnsealedBallot(
                    ballot=ballot, ciphertext=sealed, tracker=tracker(ballot.election_id, sealed)
                )
            )
        UnsealedBallot.objects.bulk_create(rows, batch_size=5000)

    def log_size() -> int:
        return BallotBoxEntry.objects.filter(ballot=ballot).count()

    print(
        f"batch {args.batch} ballots a pass, best and median of {args.repeat}; "
        f"load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    for target in (int(n) for n in args.sizes.split(",")):
        while (size := log_size()) < target:
            unsealed(min(GROW_PASS, target - size))
            seal_pending(Ballot.objects.get(pk=ballot.pk), min_batch=0)
        walls, cpus = [], []
        for _ in range(args.repeat):
            UnsealedBallot.objects.filter(ballot=ballot).delete()
            unsealed(args.batch)
            load = os.getloadavg()[0]
            before_cpu, began = cpu(), time.monotonic()
            sealed = seal_pending(Ballot.objects.get(pk=ballot.pk), min_batch=0)
            walls.append(time.monotonic() - began)
            cpus.append(cpu() - before_cpu)
            assert sealed == args.batch, sealed
        leaves = [
            bytes.fromhex(t)
            for t in BallotBoxEntry.objects.filter(ballot=ballot)
            .order_by("log_index")
            .values_list("tracker", flat=True)
            .iterator()
        ]
        before_cpu, began = cpu(), time.monotonic()
        MerkleLog.from_leaves(leaves).root()
        rebuild_wall, rebuild_cpu = time.monotonic() - began, cpu() - before_cpu
        walls.sort()
        cpus.sort()
        print(
            f"log {target:>7} (then {len(leaves)}): pass of {args.batch}: wall best "
            f"{walls[0]:.3f} s, median {walls[len(walls) // 2]:.3f} s; CPU (this process) best "
            f"{cpus[0]:.3f} s, median {cpus[len(cpus) // 2]:.3f} s | a full rebuild of the "
            f"tree over {len(leaves)} leaves: {rebuild_wall:.3f} s wall, {rebuild_cpu:.3f} s "
            f"CPU | load average {load:.1f}",
            flush=True,
        )
    Ballot.objects.filter(pk=ballot.pk).update(status=BallotStatus.CLOSED)
    return 0


if __name__ == "__main__":
    sys.exit(main())
