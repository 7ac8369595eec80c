"""Counting a live vote: each option's head count and weighted count, and the result under the
vote's method, with ``grassroots.tally`` (the counting engine the ballots use) for single,
approval and ranked votes. Weights are exact fractions; for the tally they are scaled to whole
numbers by the common denominator, which changes no result.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from grassroots.tally import Ballot, Election, TallyError, count
from grassroots.tally.declared import meets_threshold

YESNO_OPTIONS = ("For", "Against", "Abstain")


@dataclass(frozen=True)
class Paper:
    choice: tuple[int, ...]
    weight: Fraction = Fraction(1)


def show(value: Fraction) -> str:
    """A weighted figure for people: whole, or to two decimal places."""
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.2f}"


def _scaled(papers: Sequence[Paper]) -> tuple[list[Ballot], int]:
    scale = math.lcm(*(p.weight.denominator for p in papers)) if papers else 1
    ballots = [Ballot(ranking=p.choice, weight=int(p.weight * scale)) for p in papers if p.choice]
    return ballots, scale


def count_live_vote(
    *,
    method: str,
    options: Sequence[str],
    papers: Sequence[Paper],
    seats: int = 1,
    majority: str = "majority",
    is_weighted: bool = False,
    seed: int = 0,
) -> dict[str, Any]:
    """The result as stored on the vote (JSON): ``rows`` (option, heads, weighted), ``winners``,
    for a yes/no vote ``carried``, and ``notes``."""
    heads = [0] * len(options)
    weighted = [Fraction(0)] * len(options)
    for paper in papers:
        # A ranked paper's head count is its first preference; approval counts every mark.
        marks = paper.choice if method == "approval" else paper.choice[:1]
        for index in marks:
            heads[index] += 1
            weighted[index] += paper.weight
    rows = [
        {"option": name, "heads": heads[i], "weighted": show(weighted[i])}
        for i, name in enumerate(options)
    ]
    result: dict[str, Any] = {
        "rows": rows,
        "voters": len(papers),
        "weighted_voters": show(sum((p.weight for p in papers), Fraction(0))),
        "is_weighted": is_weighted,
        "winners": [],
        "notes": "",
    }
    if method == "yesno":
        votes_for, votes_against = (weighted[0], weighted[1])
        carried = meets_threshold(votes_for, votes_against, majority)
        result["carried"] = carried
        result["winners"] = ["Carried"] if carried else ["Not carried"]
        basis = "weighted votes" if is_weighted else "votes"
        needed = "more for than against" if majority == "majority" else "two thirds for"
        result["notes"] = (
            f"{show(votes_for)} for, {show(votes_against)} against, {show(weighted[2])} "
            f"abstaining ({basis}; {needed} of those voting for or against): "
            f"{'carried' if carried else 'not carried'}"
        )
        return result
    ballots, _ = _scaled(papers)
    if not ballots:
        result["notes"] = "No valid votes were cast."
        return result
    rule = {"single": "plurality", "approval": "approval"}.get(
        method, "irv" if seats == 1 else "scottish"
    )
    election = Election(candidates=tuple(options), seats=seats, ballots=ballots)
    try:
        counted = count(election, rule=rule, seed=seed)
    except TallyError as error:
        result["notes"] = f"The count could not decide: {error}"
        return result
    result["winners"] = [options[i] for i in counted.elected]
    result["notes"] = f"Counted by {rule}. " + "; ".join(counted.notes)
    return result
