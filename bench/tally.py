"""Benchmark: reading a 1,000,000-ballot BLT file and counting it by Scottish STV (and Meek).

Run from the repository root::

    .venv/bin/python bench/tally.py [--ballots 1000000] [--seed 2017] [--pyrankvote-ballots 200000]

The ballots (20 candidates, 7 seats, fixed seed) come from a Plackett-Luce model with party
correlation: each candidate has a popularity weight (log-normal) and one of five parties; each
voter draws a party affinity (normal, sd 1.2 per party) and ranks candidates by
``log(popularity) + affinity[party] + Gumbel noise``, which is Plackett-Luce sampling with the
voter's party-shifted weights. Rankings are truncated at a length drawn from
``1 + Geometric(0.25)`` (capped at 20), so most voters rank a few candidates, as in real STV
elections. Each ballot is written as its own BLT line (weight 1), the hardest case for the
reader.

What is timed (``time.perf_counter`` wall clock, after the ballots are generated and written):

* ``read``: ``load_blt(path)``, file bytes to ``Election``. The reader groups identical lines
  and attaches the ballots as numpy arrays (``Election.packed``); that work is in this time.
* ``count``: ``count_scottish(election)`` on the reader's ``Election``: everything after reading
  that depends on the ballots (the padded preference matrix built from the arrays, every
  stage, the ``Result``). Nothing is cached between runs: each run builds its matrix afresh.
* ``count, no arrays``: the same count on ``replace(election, packed=None)``, as for an
  ``Election`` built by hand; it includes converting the ``Ballot`` tuples to arrays.
* ``read + count``: the two above back to back, file to ``Result``.
* pyrankvote: ``single_transferable_vote`` on its own ``Ballot`` objects (built outside the
  timer, as our ``Election`` is), on all the ballots and on the first 200,000. One run each.

Our figures are the best of three runs with the worst in brackets; Meek and pyrankvote run once.
The speed-up is pyrankvote's measured time on the same ballots divided by our count's time.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grassroots.tally.blt import load_blt
from grassroots.tally.scottish import count_scottish
from grassroots.tally.types import Election, Result

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


def timed(runs: int, action: Callable[[], object]) -> tuple[float, float, object]:
    """Best and worst wall-clock seconds of ``runs`` calls, and the last result."""
    times: list[float] = []
    result: object = None
    for _ in range(runs):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return min(times), max(times), result


def pyrankvote_run(rankings: list[np.ndarray[Any, Any]]) -> tuple[float, float, list[int]] | None:
    """(seconds to build pyrankvote's ballots, seconds to count, winners 1-based)."""
    try:
        import pyrankvote  # type: ignore[import-not-found,import-untyped,unused-ignore]
    except ImportError:
        return None
    people = [pyrankvote.Candidate(f"Candidate {c + 1}") for c in range(CANDIDATES)]
    start = time.perf_counter()
    ballots = [
        pyrankvote.Ballot(ranked_candidates=[people[c] for c in r.tolist()]) for r in rankings
    ]
    built = time.perf_counter() - start
    start = time.perf_counter()
    outcome = pyrankvote.single_transferable_vote(people, ballots, number_of_seats=SEATS)
    counted = time.perf_counter() - start
    winners = [people.index(c) + 1 for c in outcome.get_winners()]
    return built, counted, winners


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def seconds(best: float, worst: float) -> str:
    return f"{best:.3f} ({worst:.3f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--pyrankvote-ballots", type=int, default=200_000)
    args = parser.parse_args()

    print(
        f"machine: nproc {os.cpu_count()}, {cpu_model()}, Python {platform.python_version()}, "
        f"numpy {np.__version__}"
    )
    t0 = time.perf_counter()
    rankings = generate_rankings(args.ballots, args.seed)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.blt"
        write_blt_lines(rankings, path)
        generated = time.perf_counter() - t0
        size_mb = path.stat().st_size / 1e6
        read_best, read_worst, election = timed(3, lambda: load_blt(path))
        assert isinstance(election, Election)
        both_best, both_worst, _ = timed(3, lambda: count_scottish(load_blt(path)))
    groups = len(election.ballots)
    count_best, count_worst, result = timed(3, lambda: count_scottish(election))
    assert isinstance(result, Result)
    bare = replace(election, packed=None)
    bare_best, bare_worst, bare_result = timed(3, lambda: count_scottish(bare))
    assert bare_result == result

    rows: list[tuple[str, str, str]] = [
        ("generate + write BLT (not timed against a target)", f"{generated:.2f}", ""),
        (
            f"read BLT ({args.ballots:,} lines, {size_mb:.0f} MB, {groups:,} distinct)",
            seconds(read_best, read_worst),
            "<= 2 s",
        ),
        (
            "Scottish STV count (reader's Election, arrays attached)",
            seconds(count_best, count_worst),
            "<= 0.5 s",
        ),
        (
            "Scottish STV count, no arrays (converts Ballot tuples)",
            seconds(bare_best, bare_worst),
            "",
        ),
        ("read BLT + Scottish STV count, file to Result", seconds(both_best, both_worst), ""),
    ]
    try:
        meek = importlib.import_module("grassroots.tally.meek")
        count_meek = getattr(meek, "count_meek", None)
        if count_meek is not None:
            meek_s, _, _ = timed(1, lambda: count_meek(election))
            rows.append(("Meek STV count (one run)", f"{meek_s:.3f}", "<= 3 s"))
    except Exception as error:
        rows.append(("Meek STV count", f"not run ({error.__class__.__name__}: {error})", ""))
    winners: dict[str, list[int]] = {}
    for sample in dict.fromkeys([len(rankings), min(args.pyrankvote_ballots, len(rankings))]):
        run = pyrankvote_run(rankings[:sample])
        if run is None:
            rows.append(("pyrankvote STV", "not installed", ""))
            break
        built, counted, winners[f"pyrankvote, {sample:,}"] = run
        rows.append(
            (f"pyrankvote 2.0.6 STV count, {sample:,} ballots (one run)", f"{counted:.3f}", "")
        )
        rows.append((f"  (building its {sample:,} Ballot objects, untimed)", f"{built:.3f}", ""))
        if sample == len(rankings):
            rows.append(
                (
                    f"speed-up: pyrankvote {sample:,} / Scottish count",
                    f"{counted / count_best:.1f}x ({counted / count_worst:.1f}x)",
                    ">= 20x",
                )
            )
            rows.append(
                (
                    f"speed-up: pyrankvote {sample:,} / Scottish count, no arrays",
                    f"{counted / bare_best:.1f}x ({counted / bare_worst:.1f}x)",
                    "",
                )
            )
    width = max(len(r[0]) for r in rows)
    print(
        "seconds: best of 3 (worst of 3) unless marked one run; see the docstring for what is timed"
    )
    print(f"{'what'.ljust(width)}  {'seconds':>16}  target")
    for what, value, target in rows:
        print(f"{what.ljust(width)}  {value:>16}  {target}")
    print("elected (1-based), Scottish:", [c + 1 for c in result.elected])
    for label, elected in winners.items():
        print(f"elected (1-based), {label}:", elected)


if __name__ == "__main__":
    main()
