"""Notes the counting rules write, from real and made-up elections: the STV rules on reference
and Scottish ward files, every rule on small random elections full of ties (so lots and
look-backs), constraints, yes/no questions with quorums and thresholds, apportionment and
electoral colleges. tests/tally/test_notes.py and tests/ballots/test_note_words.py read them."""

from __future__ import annotations

import functools
import random
from fractions import Fraction
from pathlib import Path

from grassroots import tally
from grassroots.tally.apportionment import apportion
from grassroots.tally.blt import load_blt
from grassroots.tally.colleges import College, CollegePaper, count_colleges
from grassroots.tally.types import Ballot, CategoryConstraint, Election, TallyError

DATA = Path(__file__).resolve().parents[1] / "data" / "stv"


def _notes(result: tally.Result) -> list[str]:
    return [s.note for s in result.stages if s.note] + list(result.notes)


def _random_election(rng: random.Random) -> Election:
    n = rng.randint(3, 6)
    ballots = tuple(
        Ballot(ranking=tuple(rng.sample(range(n), rng.randint(1, n))), weight=1)
        for _ in range(rng.randint(4, 14))
    )
    categories = {c: frozenset({"women"}) for c in range(n) if rng.random() < 0.4}
    return Election(
        candidates=tuple(f"Cand {chr(65 + k)}" for k in range(n)),
        ballots=ballots,
        seats=rng.randint(1, n - 1),
        categories=categories,
    )


@functools.cache
def sample_notes() -> tuple[str, ...]:
    found: list[str] = []
    files = sorted((DATA / "reference").glob("*.blt"))[:2]
    files += sorted((DATA / "scotland-2017").glob("*.blt"))[:3]
    for path in files:
        election = load_blt(path)
        for rule in ("scottish", "ers97", "meek"):
            found += _notes(tally.count(election, rule=rule, seed=7))
    rng = random.Random(21)
    for _ in range(150):
        election = _random_election(rng)
        constraints = (
            [CategoryConstraint("women", minimum=1, maximum=election.seats - 1 or None)]
            if election.categories and rng.random() < 0.5
            else []
        )
        for rule in ("scottish", "ers97", "meek", "irv", "plurality", "approval"):
            try:
                found += _notes(
                    tally.count(
                        election,
                        rule=rule,
                        seed=rng.randint(1, 99),
                        seats=1 if rule == "irv" else election.seats,
                        constraints=constraints if rule in ("scottish", "ers97", "meek") else (),
                    )
                )
            except TallyError:
                continue  # no valid papers, or constraints no count can meet
    motion = ("Yes", "No", "Abstain")
    for yes, no, abstain in [(5, 3, 1), (3, 5, 0), (4, 4, 2), (0, 0, 0), (7, 2, 0)]:
        ballots = tuple(
            Ballot(ranking=(c,), weight=w) for c, w in enumerate((yes, no, abstain)) if w
        )
        election = Election(candidates=motion, ballots=ballots, seats=1)
        for threshold in ("majority", "two-thirds", Fraction(3, 5)):
            for quorum in (None, 3, Fraction(1, 2)):
                try:
                    found += _notes(
                        tally.count(
                            election, rule="yesno", threshold=threshold, quorum=quorum, roll=20
                        )
                    )
                except TallyError:
                    continue
    for seed in (1, 2):
        result = apportion({"North": 10, "South": 10, "West": 5}, 2, seed=seed)
        found += [r.note for r in result.rounds if r.note]
    colleges = [College("Members", Fraction(1, 2)), College("Unions", Fraction(1, 2))]
    papers = [CollegePaper(0, (0, 1)), CollegePaper(0, (1,)), CollegePaper(1, (2, 0))]
    election = Election(candidates=("Ann", "Ben", "Cai"), ballots=(), seats=1)
    found += _notes(count_colleges(election, papers, colleges, rule="irv", seed=3))
    found += _notes(count_colleges(election, papers[:2], colleges, rule="irv", seed=3))
    return tuple(found)
