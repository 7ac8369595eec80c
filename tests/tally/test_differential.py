"""Differential tests against pyrankvote 2.0.6 where its rules and ours coincide.

Where they differ (so nothing is compared there):

* pyrankvote's STV quota is votes / (seats + 1) as a float, elected at ">= quota - 1e-6",
  fixed for the whole count; ERS97 takes it to two decimals plus 0.01 when not exact and
  lowers it for papers exhausted before anyone is elected (5.4.8), and also elects on the
  total active vote (5.3.13(b)); Meek recomputes it every iteration at 9 decimals.
* pyrankvote transfers a surplus from all the candidate's papers in floating point, elects and
  transfers every candidate over the quota at once, and never defers a surplus; ERS97 uses the
  last batch, two-decimal values and deferral; Meek uses keep factors.
* Ties: pyrankvote compares second-choice votes; our rules look at earlier stages, then lot.

So the comparisons are: IRV against its instant_runoff_voting; and ERS97 and Meek against
its single_transferable_vote with one seat (where every STV is the alternative vote: no
surplus is ever transferred), in both cases only for counts with no tie anywhere.
"""

from __future__ import annotations

import random

import pyrankvote
from pyrankvote import Ballot as PrvBallot
from pyrankvote import Candidate

from grassroots.tally.ers97 import count_ers97
from grassroots.tally.irv import count_irv
from grassroots.tally.meek import count_meek
from grassroots.tally.types import Action, Ballot, Election, Result


def random_election(rng: random.Random) -> Election:
    n = rng.randint(3, 7)
    strength = [rng.random() + 0.1 for _ in range(n)]
    ballots = []
    for _ in range(rng.randint(15, 60)):
        order = sorted(range(n), key=lambda c: -(rng.random() ** (1 / strength[c])))
        ballots.append(Ballot(tuple(order[: rng.randint(1, n)])))
    return Election(candidates=tuple(f"C{i}" for i in range(n)), seats=1, ballots=tuple(ballots))


def pyrankvote_winner(election: Election, *, stv: bool) -> int:
    people = [Candidate(name) for name in election.candidates]
    ballots = [
        PrvBallot(ranked_candidates=[people[c] for c in b.ranking])
        for b in election.ballots
        for _ in range(b.weight)
    ]
    if stv:
        result = pyrankvote.single_transferable_vote(people, ballots, number_of_seats=1)
    else:
        result = pyrankvote.instant_runoff_voting(people, ballots)
    (winner,) = result.get_winners()
    return people.index(winner)


def has_no_tie(result: Result) -> bool:
    """No stage needed a tie-break, and no two continuing candidates were ever level."""
    if any("tie" in s.note or "lot" in s.note for s in result.stages):
        return False
    out: set[int] = set()
    for stage in result.stages:
        out |= set(stage.candidates) if stage.action is Action.EXCLUDE else set()
        live = [stage.totals[c] for c in range(len(stage.totals)) if c not in out]
        if len(set(live)) != len(live):
            return False
    return True


def test_irv_matches_pyrankvote_instant_runoff_without_ties():
    rng = random.Random(1)
    compared = 0
    for _ in range(300):
        election = random_election(rng)
        ours = count_irv(election, seed=1)
        if not has_no_tie(ours):
            continue
        compared += 1
        assert ours.elected == (pyrankvote_winner(election, stv=False),), election
    assert compared >= 100


def test_single_seat_stv_matches_pyrankvote_without_ties():
    rng = random.Random(2)
    compared = 0
    for _ in range(300):
        election = random_election(rng)
        ers97 = count_ers97(election, seed=1)
        meek = count_meek(election, seed=1)
        if not (has_no_tie(ers97) and has_no_tie(meek)):
            continue
        compared += 1
        theirs = pyrankvote_winner(election, stv=True)
        assert ers97.elected == (theirs,), election
        assert meek.elected == (theirs,), election
        assert count_irv(election, seed=1).elected == (theirs,), election
    assert compared >= 100
