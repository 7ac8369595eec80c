"""Benchmark: the whole count, file to JSON, against pyrankvote and droop on the same files.

Run from the repository root::

    .venv/bin/python bench/tally.py [--ballots 1000000] [--droop DIR] [--skip-peers]

It writes two ballot files to a temporary directory (outside the repository):

* ``diverse.blt``: 1,000,000 ballots, 20 candidates, 7 seats, one BLT line per ballot,
  Plackett-Luce rankings (log-normal popularity, a per-voter affinity to five parties, Gumbel
  noise) truncated at a length drawn from Geometric(0.06) (at least 1), so most are long: about
  800,000 distinct rankings.
* ``distinct.blt``: 1,000,000 full rankings of 20 candidates, all different (uniform random
  permutations, duplicates redrawn).

Then, each in its own process, timed from start to exit (wall clock) with its peak resident
memory and its CPU time.

Each runs under ``/usr/bin/time`` (peak memory and CPU seconds, user + system), so that a
figure is the process's own:

* ours: ``python -m grassroots.tally count F --rule R --format json`` for Scottish STV,
  ERS97 and Meek, output to /dev/null;
* pyrankvote (installed in the venv): a process that reads the same BLT file into
  pyrankvote's ``Candidate`` and ``Ballot`` objects, runs ``single_transferable_vote`` and
  prints the winners as JSON (on ``diverse.blt``; ``--peers-distinct`` adds ``distinct.blt``);
* droop (``--droop DIR``, a clone of github.com/jklundell/droop outside the repository):
  ``python DIR/Droop.py scotland F`` (and ``meek``), under ``--droop-timeout`` seconds.

And count-only, in this process, after reading: ``count(election, rule=R)`` on the election
our reader made, and pyrankvote's ``single_transferable_vote`` on its objects (built outside
the timer). Ratios are the peer's time over ours, end to end and count-only side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CANDIDATES = 20
SEATS = 7
PARTIES = 5
RULES = ("scottish", "ers97", "meek")

PYRANKVOTE = r"""
import json, sys
from pyrankvote import Ballot, Candidate, single_transferable_vote
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
ncand, seats = map(int, lines[0].split())
end = lines.index("0", 1)
names = [line.strip().strip('"') for line in lines[end + 1 : end + 1 + ncand]]
candidates = [Candidate(name) for name in names]
ballots = []
for line in lines[1:end]:
    numbers = line.split()
    ranked = [candidates[int(c) - 1] for c in numbers[1:-1]]
    ballots.extend(Ballot(ranked_candidates=ranked) for _ in range(int(numbers[0])))
result = single_transferable_vote(candidates, ballots, number_of_seats=seats)
print(json.dumps([c.name for c in result.get_winners()]))
"""


def diverse_rankings(ballots: int, seed: int) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    rng = np.random.default_rng(seed)
    popularity = np.log(rng.lognormal(0.0, 0.6, CANDIDATES))
    party = rng.integers(0, PARTIES, CANDIDATES)
    affinity = rng.normal(0.0, 1.2, (ballots, PARTIES))
    scores = popularity[None, :] + affinity[:, party] + rng.gumbel(size=(ballots, CANDIDATES))
    order = np.argsort(-scores, axis=1).astype(np.int8)
    lengths = np.minimum(rng.geometric(0.06, ballots), CANDIDATES)
    return order, lengths


def distinct_rankings(ballots: int, seed: int) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    rng = np.random.default_rng(seed)
    order = np.argsort(rng.random((ballots, CANDIDATES)), axis=1).astype(np.int8)
    while True:
        _, first = np.unique(order, axis=0, return_index=True)
        repeated = np.setdiff1d(np.arange(ballots), first)
        if not repeated.size:
            break
        order[repeated] = np.argsort(rng.random((repeated.size, CANDIDATES)), axis=1)
    return order, np.full(ballots, CANDIDATES)


def write_blt(order: np.ndarray[Any, Any], lengths: np.ndarray[Any, Any], path: Path) -> int:
    """One line per ballot; returns the number of distinct rankings."""
    rows = (order + 1).tolist()
    with path.open("w", encoding="utf-8") as out:
        out.write(f"{CANDIDATES} {SEATS}\n")
        out.writelines(
            "1 " + " ".join(map(str, row[:n])) + " 0\n"
            for row, n in zip(rows, lengths.tolist(), strict=True)
        )
        out.write("0\n")
        out.writelines(f'"Candidate {c + 1}"\n' for c in range(CANDIDATES))
        out.write('"Benchmark election"\n')
    masked = np.where(np.arange(CANDIDATES)[None, :] < lengths[:, None], order, -1)
    return int(np.unique(masked, axis=0).shape[0])


CPU: dict[str, float] = {}  # CPU seconds (user + system) of the last process run


def run(command: list[str], timeout: float | None = None) -> tuple[float, float, int, str]:
    """Wall seconds, peak RSS (MB), exit status and standard output of one process (its CPU
    seconds in ``CPU["last"]``: on a loaded machine, the figure that load inflates least).

    The process runs under ``/usr/bin/time``, whose own small process is what forks it: the
    peak memory of a child forked straight from this (large) process would start from ours.
    """
    timed = ["/usr/bin/time", "-f", "TIMED %M %U %S", *command]
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(timed, stdout=out, stderr=err, cwd=ROOT, start_new_session=True)
        try:
            status = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            # Its own process group (below), so the timed process goes with /usr/bin/time.
            os.killpg(process.pid, signal.SIGKILL)
            status = -9
            process.wait()
        elapsed = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        text = out.read().decode("utf-8", "replace")
        errors = err.read().decode("utf-8", "replace")
    peak, cpu = 0.0, 0.0
    for line in errors.splitlines():
        if line.startswith("TIMED "):
            kb, user, system = line.split()[1:]
            peak, cpu = int(kb) / 1024, float(user) + float(system)
    CPU["last"] = cpu
    if status not in (0, -9):
        sys.stderr.write(errors[-2000:])
    return (timeout or 0.0) if status == -9 else elapsed, peak, status, text


def ours(path: Path, rule: str, repeat: int) -> tuple[float, float, float]:
    """Best and worst wall time of ``repeat`` whole processes, and their peak RSS (MB)."""
    command = [sys.executable, "-m", "grassroots.tally", "count", str(path), "--rule", rule]
    times, peaks, cpus = [], [], []
    for _ in range(repeat):
        elapsed, peak, status, _ = run([*command, "--format", "json"])
        if status != 0:
            raise SystemExit(f"our count failed on {path.name} ({rule})")
        times.append(elapsed)
        peaks.append(peak)
        cpus.append(CPU["last"])
    CPU["best"] = min(cpus)
    return min(times), max(times), max(peaks)


def count_only(path: Path, rule: str) -> float:
    from grassroots.tally import count
    from grassroots.tally.blt import load_blt

    election = load_blt(path)
    started = time.perf_counter()
    count(election, rule=rule)
    return time.perf_counter() - started


def pyrankvote_count_only(path: Path) -> float:
    from pyrankvote import Ballot, Candidate, single_transferable_vote

    lines = path.read_text(encoding="utf-8").split("\n")
    end = lines.index("0", 1)
    candidates = [Candidate(f"Candidate {c + 1}") for c in range(CANDIDATES)]
    ballots = [
        Ballot(ranked_candidates=[candidates[int(c) - 1] for c in line.split()[1:-1]])
        for line in lines[1:end]
    ]
    del lines
    started = time.perf_counter()
    single_transferable_vote(candidates, ballots, number_of_seats=SEATS)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--droop", type=Path, help="a clone of jklundell/droop (outside the repo)")
    parser.add_argument("--droop-timeout", type=float, default=900)
    parser.add_argument("--skip-peers", action="store_true")
    parser.add_argument("--peers-distinct", action="store_true")
    args = parser.parse_args()

    print(f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} CPUs")
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="tally-bench-") as tmp:
        files = {}
        for name, make in (("diverse", diverse_rankings), ("distinct", distinct_rankings)):
            path = Path(tmp) / f"{name}.blt"
            distinct = write_blt(*make(args.ballots, args.seed), path)
            size = path.stat().st_size / 1e6
            print(f"{name}.blt: {args.ballots:,} ballots, {distinct:,} distinct, {size:.0f} MB")
            files[name] = path

        rows: list[dict[str, object]] = []
        for name, path in files.items():
            for rule in RULES:
                best, worst, peak = ours(path, rule, args.repeat)
                alone = count_only(path, rule)
                rows.append(
                    {
                        "file": name,
                        "who": "ours",
                        "rule": rule,
                        "wall": best,
                        "worst": worst,
                        "rss": peak,
                        "count": alone,
                        "cpu": CPU["best"],
                    }
                )
                print(
                    f"ours      {name:8} {rule:8} whole {best:6.2f} s (worst {worst:.2f}; "
                    f"cpu {CPU['best']:.2f} s) peak {peak:5.0f} MB | count only {alone:.3f} s"
                )
        if not args.skip_peers:
            peer_files = ["diverse", "distinct"] if args.peers_distinct else ["diverse"]
            script = Path(tmp) / "pyrankvote_count.py"
            script.write_text(PYRANKVOTE, encoding="utf-8")
            for name in peer_files:
                wall, peak, status, out = run([sys.executable, str(script), str(files[name])])
                theirs_cpu = CPU["last"]
                alone = pyrankvote_count_only(files[name])
                mine = next(r for r in rows if r["file"] == name and r["rule"] == "scottish")
                print(
                    f"pyrankvote {name:8} stv      whole {wall:6.2f} s (cpu {theirs_cpu:.2f} s) "
                    f"peak {peak:5.0f} MB "
                    f"(exit {status}) | count only {alone:.2f} s | vs ours (scottish): "
                    f"{wall / float(mine['wall']):.1f}x whole by wall, "  # type: ignore[arg-type]
                    f"{theirs_cpu / float(mine['cpu']):.1f}x whole by cpu, "  # type: ignore[arg-type]
                    f"{alone / float(mine['count']):.1f}x count only"  # type: ignore[arg-type]
                )
                rows.append(
                    {
                        "file": name,
                        "who": "pyrankvote",
                        "wall": wall,
                        "rss": peak,
                        "count": alone,
                        "winners": json.loads(out) if out else None,
                    }
                )
            if args.droop is not None:
                droop = args.droop / "Droop.py"
                for name in peer_files:
                    for rule, theirs in (("scottish", "scotland"), ("meek", "meek")):
                        wall, peak, status, _ = run(
                            [sys.executable, str(droop), theirs, str(files[name])],
                            timeout=args.droop_timeout,
                        )
                        mine = next(r for r in rows if r["file"] == name and r["rule"] == rule)
                        ratio = wall / float(mine["wall"])  # type: ignore[arg-type]
                        by_cpu = CPU.get("last", 0.0) / float(mine["cpu"])  # type: ignore[arg-type]
                        stopped = " (stopped at the timeout)" if status == -9 else ""
                        print(
                            f"droop     {name:8} {rule:8} whole {wall:6.2f} s "
                            f"(cpu {CPU.get('last', 0.0):.2f} s) peak {peak:5.0f} MB"
                            f"{stopped} | vs ours: {ratio:.1f}x whole by wall, "
                            f"{by_cpu:.1f}x by cpu"
                        )
        print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
