"""Counting a selection ballot by sections (issue 16): 5 regions, 12 seats, 100,000 members.

Each region's section is counted on its own (its own seats, candidates and quota rules), as a
selection ballot with sections will count them: one ``grassroots.tally.count`` per section, with
the category constraints of the section's rules ("women: at least half the seats", "bame: at
least 1"; a candidate may be in both). Only the counts are timed
(papers are made beforehand); wall time and CPU time (user+sys of this process) are printed.

    PYTHONPATH=. .venv/bin/python bench/slate_sections.py [--members N] [--rule R] [--repeat N]

Target (issue 16's acceptance): the 5 sections together in at most 2 s.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from grassroots.tally import count
from grassroots.tally.types import Ballot, CategoryConstraint, Election

# (region, seats): 12 seats in all.
SECTIONS = (("North", 4), ("Midlands", 2), ("London", 2), ("Wales", 2), ("South West", 2))
CANDIDATES = 10


def section_election(name: str, seats: int, voters: int, rng: np.random.Generator) -> Election:
    candidates = tuple(f"{name} candidate {i + 1}" for i in range(CANDIDATES))
    # A candidate is a woman when even-numbered, BAME every third: overlapping categories.
    categories = {
        i: frozenset(
            label for label, member in (("women", i % 2 == 1), ("bame", i % 3 == 2)) if member
        )
        for i in range(CANDIDATES)
    }
    popularity = rng.dirichlet(np.full(CANDIDATES, 0.8))
    lengths = rng.integers(1, 7, size=voters)
    ballots = []
    for length in lengths:
        ranking = rng.choice(CANDIDATES, size=int(length), replace=False, p=popularity)
        ballots.append(Ballot(tuple(int(c) for c in ranking)))
    return Election(
        candidates=candidates,
        seats=seats,
        ballots=tuple(ballots),
        categories=categories,
        title=f"{name} section",
    )


def section_rules(seats: int) -> list[CategoryConstraint]:
    rules = [CategoryConstraint("women", minimum=seats // 2), CategoryConstraint("bame", minimum=1)]
    return [rule for rule in rules if rule.minimum]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--rule", default="scottish", choices=["scottish", "ers97", "meek"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    per_section = args.members // len(SECTIONS)
    elections = [section_election(name, seats, per_section, rng) for name, seats in SECTIONS]
    best_wall = best_cpu = float("inf")
    for _ in range(args.repeat):
        wall0, cpu0 = time.perf_counter(), os.times()
        for election in elections:
            result = count(
                election, rule=args.rule, constraints=section_rules(election.seats), seed=7
            )
            assert len(result.elected) == election.seats
        wall = time.perf_counter() - wall0
        cpu1 = os.times()
        cpu = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
        best_wall, best_cpu = min(best_wall, wall), min(best_cpu, cpu)
    print(
        f"{len(SECTIONS)} sections, {sum(s for _, s in SECTIONS)} seats, "
        f"{per_section * len(SECTIONS):,} papers, rule {args.rule}: "
        f"best of {args.repeat}: wall {best_wall:.3f} s, CPU {best_cpu:.3f} s "
        f"(load average {os.getloadavg()[0]:.2f})"
    )


if __name__ == "__main__":
    main()
