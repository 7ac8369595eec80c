"""The outcome rules of decisions between meetings: plain data in, an outcome in words out.

No Django and no app is imported here (an import-linter contract holds it), so every rule can be
property-tested on its own and read by anyone who wants to check a result. The rules, in words
(docs/proposals.md says the same):

- **Consent**: the proposal passes unless at least one member blocks it when it closes. Silence
  is consent; standing aside records a concern without stopping it.
- **Consensus**: it passes when no more members block than the body allows (none, by default)
  and more than the body's percentage (half, by default) of those who took a side (agree,
  disagree or block: abstentions are not counted) agree.
- **Simple majority poll**: the option chosen by more than half of those who voted wins; without
  such an option, nothing is decided.
- **Dot vote** and **score vote**: the option with the highest total wins; a tie at the top
  decides nothing.
- **Time poll**: the time most members can come to wins (then the one most can come to at a
  pinch, then the earliest); a time nobody can come to decides nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class Process(StrEnum):
    CONSENT = "consent"
    CONSENSUS = "consensus"
    MAJORITY = "majority"
    DOT = "dot"
    SCORE = "score"
    TIME = "time"


# The positions a member may take, per process that takes a position rather than scores.
CONSENT_CHOICES = ("consent", "stand_aside", "block")
CONSENSUS_CHOICES = ("agree", "abstain", "disagree", "block")
# Time polls: a member marks each time they can come (2), could at a pinch (1) or cannot (0).
TIME_YES, TIME_IF_NEED_BE, TIME_NO = 2, 1, 0


class Result(StrEnum):
    PASSED = "passed"
    BLOCKED = "blocked"
    NOT_PASSED = "not_passed"
    CHOSEN = "chosen"
    NO_MAJORITY = "no_majority"
    TIED = "tied"
    NO_RESPONSES = "no_responses"


# Outcomes that leave the question open: such a proposal may go to a meeting or a ballot.
CONTESTED = frozenset(
    {Result.BLOCKED, Result.NOT_PASSED, Result.NO_MAJORITY, Result.TIED, Result.NO_RESPONSES}
)


@dataclass(frozen=True)
class Stance:
    """One member's position at the close: a choice, or scores per option key."""

    choice: str = ""
    scores: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Option:
    key: int
    label: str


@dataclass(frozen=True)
class ConsensusRule:
    max_blocks: int = 0
    agree_percent: int = 50  # agreeing must be MORE than this share of those taking a side


@dataclass(frozen=True)
class Outcome:
    result: Result
    words: str
    counts: dict[str, int]
    chosen: int | None = None  # the winning option's key, for polls

    @property
    def is_contested(self) -> bool:
        return self.result in CONTESTED


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _turnout(responded: int, eligible: int) -> str:
    return f"{responded} of {_plural(eligible, 'eligible member')} took part"


def consent_outcome(stances: Sequence[Stance], eligible: int) -> Outcome:
    counts = Counter(s.choice for s in stances)
    tally = {c: counts.get(c, 0) for c in CONSENT_CHOICES}
    turnout = _turnout(len(stances), eligible)
    if tally["block"]:
        return Outcome(
            Result.BLOCKED,
            f"Blocked: {_plural(tally['block'], 'member')} blocked it "
            f"({tally['consent']} consented, {tally['stand_aside']} stood aside; {turnout}).",
            tally,
        )
    return Outcome(
        Result.PASSED,
        f"Passed by consent: nobody blocked it ({tally['consent']} consented, "
        f"{tally['stand_aside']} stood aside; {turnout}).",
        tally,
    )


def consensus_outcome(stances: Sequence[Stance], eligible: int, rule: ConsensusRule) -> Outcome:
    counts = Counter(s.choice for s in stances)
    tally = {c: counts.get(c, 0) for c in CONSENSUS_CHOICES}
    sided = tally["agree"] + tally["disagree"] + tally["block"]
    figures = (
        f"{tally['agree']} agreed, {tally['disagree']} disagreed, {tally['abstain']} abstained, "
        f"{tally['block']} blocked; {_turnout(len(stances), eligible)}"
    )
    if tally["block"] > rule.max_blocks:
        allowed = "no block" if rule.max_blocks == 0 else f"at most {rule.max_blocks}"
        return Outcome(
            Result.BLOCKED, f"Not passed: blocked (the rule allows {allowed}; {figures}).", tally
        )
    if sided == 0 or tally["agree"] * 100 <= rule.agree_percent * sided:
        return Outcome(
            Result.NOT_PASSED,
            f"Not passed: agreement needed more than {rule.agree_percent}% of those who took a "
            f"side ({figures}).",
            tally,
        )
    return Outcome(
        Result.PASSED,
        f"Passed by consensus: more than {rule.agree_percent}% of those who took a side agreed "
        f"({figures}).",
        tally,
    )


def _labelled(totals: Mapping[int, int], options: Sequence[Option]) -> dict[str, int]:
    return {option.label: totals.get(option.key, 0) for option in options}


def majority_outcome(
    stances: Sequence[Stance], options: Sequence[Option], eligible: int
) -> Outcome:
    keys = {str(o.key): o.key for o in options}
    votes = Counter(keys[s.choice] for s in stances if s.choice in keys)
    cast = sum(votes.values())
    counts = _labelled(votes, options)
    turnout = _turnout(len(stances), eligible)
    if cast == 0:
        return Outcome(Result.NO_RESPONSES, f"Nothing decided: nobody voted ({turnout}).", counts)
    for option in options:
        if votes[option.key] * 2 > cast:
            return Outcome(
                Result.CHOSEN,
                f"“{option.label}” won a majority: {votes[option.key]} of {_plural(cast, 'vote')} "
                f"({turnout}).",
                counts,
                chosen=option.key,
            )
    return Outcome(
        Result.NO_MAJORITY,
        f"Nothing decided: no option won more than half of the {_plural(cast, 'vote')} "
        f"({turnout}).",
        counts,
    )


def totals_outcome(
    stances: Sequence[Stance], options: Sequence[Option], eligible: int, *, unit: str
) -> Outcome:
    """Dot and score votes: the highest total wins; a tie at the top decides nothing."""
    totals = {o.key: sum(int(s.scores.get(o.key, 0)) for s in stances) for o in options}
    counts = _labelled(totals, options)
    turnout = _turnout(len(stances), eligible)
    best = max(totals.values(), default=0)
    if best == 0:
        return Outcome(
            Result.NO_RESPONSES, f"Nothing decided: no {unit}s given ({turnout}).", counts
        )
    top = [o for o in options if totals[o.key] == best]
    if len(top) > 1:
        names = " and ".join(f"“{o.label}”" for o in top)
        return Outcome(
            Result.TIED,
            f"Nothing decided: {names} tied with {_plural(best, unit)} ({turnout}).",
            counts,
        )
    return Outcome(
        Result.CHOSEN,
        f"“{top[0].label}” won with {_plural(best, unit)} ({turnout}).",
        counts,
        chosen=top[0].key,
    )


def time_outcome(stances: Sequence[Stance], options: Sequence[Option], eligible: int) -> Outcome:
    """Options in time order: most who can come, then most at a pinch, then the earliest."""
    can = {o.key: sum(1 for s in stances if s.scores.get(o.key) == TIME_YES) for o in options}
    pinch = {
        o.key: sum(1 for s in stances if s.scores.get(o.key) == TIME_IF_NEED_BE) for o in options
    }
    counts = _labelled(can, options)
    turnout = _turnout(len(stances), eligible)
    if not options or max(can[o.key] + pinch[o.key] for o in options) == 0:
        return Outcome(
            Result.NO_RESPONSES, f"No time found: nobody can come to any ({turnout}).", counts
        )
    best = max(options, key=lambda o: (can[o.key], pinch[o.key], -options.index(o)))
    return Outcome(
        Result.CHOSEN,
        f"{best.label} suits most: {can[best.key]} can come, {pinch[best.key]} if need be "
        f"({turnout}).",
        counts,
        chosen=best.key,
    )


def outcome(
    process: str,
    stances: Sequence[Stance],
    *,
    eligible: int,
    options: Sequence[Option] = (),
    rule: ConsensusRule = ConsensusRule(),
) -> Outcome:
    """The outcome of a proposal under its process: the one entry point the services call."""
    if process == Process.CONSENT:
        return consent_outcome(stances, eligible)
    if process == Process.CONSENSUS:
        return consensus_outcome(stances, eligible, rule)
    if process == Process.MAJORITY:
        return majority_outcome(stances, options, eligible)
    if process == Process.DOT:
        return totals_outcome(stances, options, eligible, unit="dot")
    if process == Process.SCORE:
        return totals_outcome(stances, options, eligible, unit="point")
    if process == Process.TIME:
        return time_outcome(stances, options, eligible)
    raise ValueError(f"no such process: {process!r}")


def gettext_noop(message: str) -> str:
    """Marks a sentence for the translators (makemessages finds it by this name) in a module
    without Django: the caller says it in the reader's language (proposals.services)."""
    return message


# A sentence for the member, marked for translation, and the figures it names.
Problem = tuple[str, dict[str, int]]


def check_scores(
    process: str, scores: Mapping[int, int], option_keys: Sequence[int], *, budget: int
) -> Problem | None:
    """Why ``scores`` is not a valid position for the process (None when it is). ``budget``:
    the dots a member may spread (dot vote), or the top score (score vote)."""
    if set(scores) - set(option_keys):
        return gettext_noop("Give scores only to the proposal's options."), {}
    values = list(scores.values())
    if any(v < 0 for v in values):
        return gettext_noop("Scores cannot be negative."), {}
    if process == Process.DOT:
        if sum(values) == 0:
            return gettext_noop("Place at least one dot."), {}
        if sum(values) > budget:
            figures = {"budget": budget, "placed": sum(values)}
            if budget == 1:
                return gettext_noop(
                    "You have %(budget)s dot to place; you placed %(placed)s."
                ), figures
            return gettext_noop(
                "You have %(budget)s dots to place; you placed %(placed)s."
            ), figures
    elif process == Process.SCORE:
        if any(v > budget for v in values):
            return gettext_noop("Scores go from 0 to %(budget)s."), {"budget": budget}
    elif process == Process.TIME:
        if any(v not in (TIME_YES, TIME_IF_NEED_BE, TIME_NO) for v in values):
            return gettext_noop(
                "Say for each time whether you can come, could if need be, or cannot."
            ), {}
    else:
        return gettext_noop("This proposal takes a position, not scores."), {}
    return None
