"""Electoral colleges: a seat elected by colleges whose votes count with published weights.

Each college has a weight (a fraction, e.g. 1/3 and 2/3, adding up to 1), and its valid papers
share it equally: a paper of college ``c`` is worth ``weight_c / n_c``, where ``n_c`` is the
number of the college's papers that mark a candidate who is not withdrawn. So a college of 40
office holders weighs twice as much as one of 4,000 members when their weights are 2/3 and
1/3, whatever the turnout in each. (The Labour Party elected its leader this way from 1981 to
2014, by the alternative vote.) A college with no valid paper gives its weight to nobody.

Exact arithmetic without changing any rule: every paper's value is a fraction, so all of them
are whole multiples of ``1 / scale``, where ``scale`` is the least common multiple of their
denominators; each paper is counted as ``value * scale`` whole votes (the engine's ``Ballot.
weight``), and every total, transfer and comparison the rule makes is then the exact fraction
times ``scale``. The result's figures are in those units: the whole college is ``scale`` votes
(when every college has a valid paper), which its notes say.

Only rules that fill one seat with whole votes and no rounding take colleges: the alternative
vote (``irv``) and first past the post (``plurality``). An STV rule's rounding and quota would
read the scaled figures differently from the fractions, so it is refused.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from grassroots.tally.types import Ballot, Election, Result, TallyError

__all__ = ["COLLEGE_RULES", "College", "CollegePaper", "count_colleges", "parse_weight", "weigh"]

COLLEGE_RULES = frozenset({"irv", "plurality"})


@dataclass(frozen=True, slots=True)
class College:
    name: str
    weight: Fraction


@dataclass(frozen=True, slots=True)
class CollegePaper:
    """One paper: the index of its voter's college and its marks (most preferred first)."""

    college: int
    ranking: tuple[int, ...]


def parse_weight(text: str) -> Fraction:
    """A college's weight as published: ``1/3``, ``2/3``, ``1`` or ``0.25``; between 0 and 1."""
    try:
        weight = Fraction(text.strip())
    except (ValueError, ZeroDivisionError) as error:
        raise TallyError(f"a college's weight is a fraction such as 1/3, not {text!r}") from error
    if not 0 < weight <= 1:
        raise TallyError(f"a college's weight is more than 0 and at most 1, not {text!r}")
    return weight


def check_colleges(colleges: Sequence[College]) -> None:
    if len(colleges) < 2:
        raise TallyError("an electoral college has at least two colleges")
    names = [c.name for c in colleges]
    if any(not n.strip() for n in names) or len(set(names)) != len(names):
        raise TallyError("each college has a name of its own")
    total = sum((c.weight for c in colleges), Fraction(0))
    if total != 1:
        raise TallyError(
            f"the colleges' weights add up to {total}, not 1: "
            + ", ".join(f"{c.name} {c.weight}" for c in colleges)
        )


def weigh(
    papers: Sequence[CollegePaper], colleges: Sequence[College], withdrawn: frozenset[int]
) -> tuple[tuple[Fraction, ...], int]:
    """Each college's value of one paper (``weight / valid papers``; 0 for a college with
    none) and the scale that makes every value a whole number."""
    check_colleges(colleges)
    valid = [0] * len(colleges)
    for paper in papers:
        if not 0 <= paper.college < len(colleges):
            raise TallyError(f"a paper names college {paper.college}, which does not exist")
        if any(c not in withdrawn for c in paper.ranking):
            valid[paper.college] += 1
    values = tuple(c.weight / n if n else Fraction(0) for c, n in zip(colleges, valid, strict=True))
    scale = math.lcm(*(v.denominator for v in values))
    return values, scale


def count_colleges(
    election: Election,
    papers: Sequence[CollegePaper],
    colleges: Sequence[College],
    *,
    rule: str,
    seed: int | None = None,
) -> Result:
    """Count ``papers`` for ``election``'s candidates (its own ``ballots`` are ignored) with
    each paper weighted by its college, exactly; see the module's docstring."""
    from grassroots import tally

    if rule not in COLLEGE_RULES:
        raise TallyError(
            f"electoral colleges are counted by the alternative vote or first past the post, "
            f"not {rule!r}"
        )
    values, scale = weigh(papers, colleges, election.withdrawn)
    weighted = tuple(
        Ballot(ranking=p.ranking, weight=int(values[p.college] * scale)) for p in papers
    )
    result = tally.count(replace(election, ballots=weighted), rule=rule, seed=seed)
    counted = [
        f"{c.name}: weight {c.weight}, each valid paper worth {v} of the electoral college"
        if v
        else f"{c.name}: weight {c.weight}, no valid paper, so its weight goes to nobody"
        for c, v in zip(colleges, values, strict=True)
    ]
    notes = (
        f"Electoral college: every figure is in units of 1/{scale} of the whole college "
        f"(the whole college is {scale} votes).",
        *counted,
    )
    return replace(result, notes=(*notes, *result.notes))
