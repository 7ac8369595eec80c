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


def gettext_noop(message: str) -> str:
    """Marks words for the translators (makemessages finds this name) in a module without
    Django: the result keeps the msgid and its figures (``said``), and the pages say them in
    the reader's language (``LiveVote.notes_shown``); ``notes`` keeps the English."""
    return message


YESNO_OPTIONS = (gettext_noop("For"), gettext_noop("Against"), gettext_noop("Abstain"))
CARRIED, NOT_CARRIED = gettext_noop("Carried"), gettext_noop("Not carried")
# (weighted, two thirds needed, carried): a yes/no result as one whole sentence each.
YESNO_SENTENCES = {
    (False, False, True): gettext_noop(
        "%(for)s for, %(against)s against, %(abstain)s abstaining (votes; more for than "
        "against of those voting for or against): carried."
    ),
    (False, False, False): gettext_noop(
        "%(for)s for, %(against)s against, %(abstain)s abstaining (votes; more for than "
        "against of those voting for or against): not carried."
    ),
    (False, True, True): gettext_noop(
        "%(for)s for, %(against)s against, %(abstain)s abstaining (votes; two thirds for of "
        "those voting for or against): carried."
    ),
    (False, True, False): gettext_noop(
        "%(for)s for, %(against)s against, %(abstain)s abstaining (votes; two thirds for of "
        "those voting for or against): not carried."
    ),
    (True, False, True): gettext_noop(
        "%(for)s for, %(against)s against, %(abstain)s abstaining (weighted votes; more for "
        "than against of those voting for or against): carried."
    ),
    (True, False, False): gettext_noop(
        "%(for)s for, %(against)s against, %(abstain)s abstaining (weighted votes; more for "
        "than against of those voting for or against): not carried."
    ),
    (True, True, True): gettext_noop(
        "%(for)s for, %(against)s against, %(abstain)s abstaining (weighted votes; two thirds "
        "for of those voting for or against): carried."
    ),
    (True, True, False): gettext_noop(
        "%(for)s for, %(against)s against, %(abstain)s abstaining (weighted votes; two thirds "
        "for of those voting for or against): not carried."
    ),
}
NO_VALID_VOTES = gettext_noop("No valid votes were cast.")
UNDECIDED = gettext_noop("The count could not decide: %(error)s.")
COUNTED_BY = gettext_noop("Counted by %(rule)s.")
RULE_WORDS = {
    "plurality": gettext_noop("plurality"),
    "approval": gettext_noop("approval"),
    "irv": gettext_noop("the alternative vote"),
    "scottish": gettext_noop("single transferable vote (Scottish rules)"),
}


def _say(result: dict[str, Any], words: str, **figures: str) -> None:
    """The result's sentence: its msgid and figures kept, its English in ``notes``."""
    result["said"] = {"words": words, "figures": figures}
    english = dict(figures)
    if "rule" in english:
        english["rule"] = RULE_WORDS.get(english["rule"], english["rule"])
    result["notes"] = words % english


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
        result["winners"] = [CARRIED] if carried else [NOT_CARRIED]
        words = YESNO_SENTENCES[(is_weighted, majority != "majority", carried)]
        _say(
            result,
            words,
            **{
                "for": show(votes_for),
                "against": show(votes_against),
                "abstain": show(weighted[2]),
            },
        )
        return result
    ballots, _ = _scaled(papers)
    if not ballots:
        _say(result, NO_VALID_VOTES)
        return result
    rule = {"single": "plurality", "approval": "approval"}.get(
        method, "irv" if seats == 1 else "scottish"
    )
    election = Election(candidates=tuple(options), seats=seats, ballots=ballots)
    try:
        counted = count(election, rule=rule, seed=seed)
    except TallyError as error:
        _say(result, UNDECIDED, error=str(error))
        return result
    result["winners"] = [options[i] for i in counted.elected]
    _say(result, COUNTED_BY, rule=rule)
    # The engine's own notes (rounds, ties broken) stay in its words, after the sentence.
    result["engine_notes"] = "; ".join(counted.notes)
    result["notes"] = f"{result['notes']} {result['engine_notes']}".strip()
    return result
