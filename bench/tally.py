"""Benchmark: reading a 1,000,000-ballot BLT file and counting it by Scottish STV (and Meek).

Run from the repository root::

    python bench/tally.py [--ballots 1000000] [--seed 2017] [--pyrankvote-ballots 200000]

The ballots (20 candidates, 7 seats, fixed seed) come from a Plackett-Luce model with party
correlation: each candidate has a popularity weight (log-normal) and one of five parties; each
voter draws a party affinity (normal, sd 1.2 per party) and ranks candidates by
``log(popularity) + affinity[party] + Gumbel noise``, which is Plackett-Luce sampling with the
voter's party-shifted weights. Rankings are truncated at a length drawn from
``1 + Geometric(0.25)`` (capped at 20), so most voters rank a few candidates, as in real STV
elections. Each ballot is written as its own BLT line (weight 1), the hardest case for the
reader.

Figures: wall-clock seconds of the best of three runs (one run for pyrankvote), measured with
``time.perf_counter``. pyrankvote counts the first 200,000 of the same ballots (it is too slow
for a million); its time is scaled linearly to 1,000,000 for the ratio.
"""

from __future__ import annotations

import argparse
import importlib
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grassroots.tally.blt import load_blt
from grassroots.tally.scottish import count_scottish
from grassroots.tally.types import Election

CANDIDATES = 20
SEATS = 7
PARTIES = 5


def generate_rankings(ballots: int, seed: int) -> list[np.ndarray[Any, Any]]:
    rng = np.random.default_rng(seed)
    popularity = np.log(rng.lognormal(0.0, 0.6, CANDIDATES))
    party = rng.integers(0, PARTIES, CANDIDATES)
    rankings: list[np.ndarray[Any, Any]] = []
    chunk = 200_000
    for start in range(0, ballots, chunk):
        size = min(chunk, ballots - start)
        affinity = rng.normal(0.0, 1.2, (size, PARTIES))
        scores = popularity[None, :] + affinity[:, party] + rng.gumbel(size=(size, CANDIDATES))
        order = np.argsort(-scores, axis=1)
        lengths = np.minimum(1 + rng.geometric(0.25, size) - 1, CANDIDATES)
        lengths = np.maximum(lengths, 1)
        rankings.extend(order[i, : lengths[i]] for i in range(size))
    return rankings


def write_blt_lines(rankings: list[np.ndarray[Any, Any]], path: Path) -> None:
    lines = [f"{CANDIDATES} {SEATS}"]
    lines.extend("1 " + " ".join(map(str, (r + 1).tolist())) + " 0" for r in rankings)
    lines.append("0")
    lines.extend(f'"Candidate {c + 1}"' for c in range(CANDIDATES))
    lines.append('"Benchmark election"')
    path.write_text("\n".join(lines) + "\n")


def best_of(runs: int, action: Callable[[], object]) -> tuple[float, object]:
    best = float("inf")
    result: object = None
    for _ in range(runs):
        start = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - start)
    return best, result


def pyrankvote_seconds(rankings: list[np.ndarray[Any, Any]]) -> float | None:
    try:
        import pyrankvote  # type: ignore[import-not-found,import-untyped,unused-ignore]
    except ImportError:
        return None
    people = [pyrankvote.Candidate(f"Candidate {c + 1}") for c in range(CANDIDATES)]
    ballots = [
        pyrankvote.Ballot(ranked_candidates=[people[c] for c in r.tolist()]) for r in rankings
    ]
    start = time.perf_counter()
    pyrankvote.single_transferable_vote(people, ballots, number_of_seats=SEATS)
    return time.perf_counter() - start


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--pyrankvote-ballots", type=int, default=200_000)
    args = parser.parse_args()

    import os

    print(f"machine: {os.cpu_count()} CPUs, {cpu_model()}, Python {platform.python_version()}")
    t0 = time.perf_counter()
    rankings = generate_rankings(args.ballots, args.seed)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.blt"
        write_blt_lines(rankings, path)
        generated = time.perf_counter() - t0
        size_mb = path.stat().st_size / 1e6
        read_s, election = best_of(3, lambda: load_blt(path))
    assert isinstance(election, Election)
    groups = len(election.ballots)
    scottish_s, result = best_of(3, lambda: count_scottish(election))

    rows: list[tuple[str, str, str]] = [
        ("generate + write BLT (not a target)", f"{generated:.2f}", ""),
        (
            f"read BLT ({args.ballots:,} lines, {size_mb:.0f} MB, {groups:,} distinct)",
            f"{read_s:.3f}",
            "<= 2 s",
        ),
        ("Scottish STV count", f"{scottish_s:.3f}", "<= 0.5 s"),
    ]
    try:
        meek = importlib.import_module("grassroots.tally.meek")
        count_meek = getattr(meek, "count_meek", None)
        if count_meek is not None:
            meek_s, _ = best_of(1, lambda: count_meek(election))
            rows.append(("Meek STV count", f"{meek_s:.3f}", "<= 3 s"))
    except Exception as error:
        rows.append(("Meek STV count", f"not run ({error.__class__.__name__}: {error})", ""))
    sample = rankings[: args.pyrankvote_ballots]
    prv = pyrankvote_seconds(sample)
    if prv is None:
        rows.append(("pyrankvote STV", "not installed", ""))
    else:
        scaled = prv * args.ballots / max(len(sample), 1)
        rows.append((f"pyrankvote 2.0.6 STV ({len(sample):,} ballots)", f"{prv:.3f}", ""))
        rows.append(
            (
                "speed-up: pyrankvote scaled to 1M / Scottish",
                f"{scaled / scottish_s:.0f}x",
                ">= 20x",
            )
        )
    width = max(len(r[0]) for r in rows)
    print(f"{'what'.ljust(width)}  {'seconds':>10}  target")
    for what, seconds, target in rows:
        print(f"{what.ljust(width)}  {seconds:>10}  {target}")
    print("elected (1-based):", [c + 1 for c in result.elected])  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
