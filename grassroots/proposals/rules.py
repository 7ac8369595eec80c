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


def gettext_noop(message: str) -> str:
    """Marks a sentence for the translators (makemessages finds it by this name) in a module
    without Django: the caller says it in the reader's language (proposals.services, and
    ``Proposal.outcome_shown`` for an outcome)."""
    return message


# A sentence for the member, marked for translation, and the figures it names.
Problem = tuple[str, dict[str, int]]


@dataclass(frozen=True)
class Sentence:
    """An outcome in words, kept as its marked English sentence and the figures and labels it
    names, so each reader can be shown it in their own language (the proposal keeps both).
    Figures are given as "label: number" rather than "N members", so no sentence needs a plural
    form (Welsh has four, chosen by the number)."""

    msgid: str
    params: dict[str, int | str]

    @property
    def english(self) -> str:
        return self.msgid % self.params

    def as_json(self) -> dict[str, object]:
        return {"msgid": self.msgid, "params": dict(self.params)}


@dataclass(frozen=True)
class Outcome:
    result: Result
    sentence: Sentence
    counts: dict[str, int]
    chosen: int | None = None  # the winning option's key, for polls

    @property
    def words(self) -> str:
        """The sentence in English: the record kept with the proposal (``outcome_words``)."""
        return self.sentence.english

    @property
    def is_contested(self) -> bool:
        return self.result in CONTESTED


def _turnout(responded: int, eligible: int) -> dict[str, int | str]:
    return {"responded": responded, "eligible": eligible}


def consent_outcome(stances: Sequence[Stance], eligible: int) -> Outcome:
    counts = Counter(s.choice for s in stances)
    tally = {c: counts.get(c, 0) for c in CONSENT_CHOICES}
    params: dict[str, int | str] = {**tally, **_turnout(len(stances), eligible)}
    if tally["block"]:
        words = gettext_noop(
            "Blocked: at least one member blocked it (blocked: %(block)s, consented: "
            "%(consent)s, stood aside: %(stand_aside)s; took part: %(responded)s of "
            "%(eligible)s eligible)."
        )
        return Outcome(Result.BLOCKED, Sentence(words, params), tally)
    words = gettext_noop(
        "Passed by consent: nobody blocked it (consented: %(consent)s, stood aside: "
        "%(stand_aside)s; took part: %(responded)s of %(eligible)s eligible)."
    )
    return Outcome(Result.PASSED, Sentence(words, params), tally)


def consensus_outcome(stances: Sequence[Stance], eligible: int, rule: ConsensusRule) -> Outcome:
    counts = Counter(s.choice for s in stances)
    tally = {c: counts.get(c, 0) for c in CONSENSUS_CHOICES}
    sided = tally["agree"] + tally["disagree"] + tally["block"]
    params: dict[str, int | str] = {
        **tally,
        **_turnout(len(stances), eligible),
        "percent": rule.agree_percent,
        "max_blocks": rule.max_blocks,
    }
    if tally["block"] > rule.max_blocks:
        if rule.max_blocks == 0:
            words = gettext_noop(
                "Not passed: blocked, and the rule allows no block (agreed: %(agree)s, "
                "disagreed: %(disagree)s, abstained: %(abstain)s, blocked: %(block)s; took "
                "part: %(responded)s of %(eligible)s eligible)."
            )
        else:
            words = gettext_noop(
                "Not passed: more blocks than the rule allows, which is at most "
                "%(max_blocks)s (agreed: %(agree)s, disagreed: %(disagree)s, abstained: "
                "%(abstain)s, blocked: %(block)s; took part: %(responded)s of %(eligible)s "
                "eligible)."
            )
        return Outcome(Result.BLOCKED, Sentence(words, params), tally)
    if sided == 0 or tally["agree"] * 100 <= rule.agree_percent * sided:
        words = gettext_noop(
            "Not passed: agreement needed more than %(percent)s%% of those who took a side "
            "(agreed: %(agree)s, disagreed: %(disagree)s, abstained: %(abstain)s, blocked: "
            "%(block)s; took part: %(responded)s of %(eligible)s eligible)."
        )
        return Outcome(Result.NOT_PASSED, Sentence(words, params), tally)
    words = gettext_noop(
        "Passed by consensus: more than %(percent)s%% of those who took a side agreed "
        "(agreed: %(agree)s, disagreed: %(disagree)s, abstained: %(abstain)s, blocked: "
        "%(block)s; took part: %(responded)s of %(eligible)s eligible)."
    )
    return Outcome(Result.PASSED, Sentence(words, params), tally)


def _labelled(totals: Mapping[int, int], options: Sequence[Option]) -> dict[str, int]:
    return {option.label: totals.get(option.key, 0) for option in options}


def majority_outcome(
    stances: Sequence[Stance], options: Sequence[Option], eligible: int
) -> Outcome:
    keys = {str(o.key): o.key for o in options}
    votes = Counter(keys[s.choice] for s in stances if s.choice in keys)
    cast = sum(votes.values())
    counts = _labelled(votes, options)
    params: dict[str, int | str] = {"cast": cast, **_turnout(len(stances), eligible)}
    if cast == 0:
        words = gettext_noop(
            "Nothing decided: nobody voted (took part: %(responded)s of %(eligible)s eligible)."
        )
        return Outcome(Result.NO_RESPONSES, Sentence(words, params), counts)
    for option in options:
        if votes[option.key] * 2 > cast:
            words = gettext_noop(
                "“%(option)s” won a majority (votes for it: %(votes)s of %(cast)s; took part: "
                "%(responded)s of %(eligible)s eligible)."
            )
            params |= {"option": option.label, "votes": votes[option.key]}
            return Outcome(Result.CHOSEN, Sentence(words, params), counts, chosen=option.key)
    words = gettext_noop(
        "Nothing decided: no option won more than half of the votes (votes cast: %(cast)s; "
        "took part: %(responded)s of %(eligible)s eligible)."
    )
    return Outcome(Result.NO_MAJORITY, Sentence(words, params), counts)


# Dot and score votes' sentences: each its own (the unit is no word glued into a sentence).
_TOTALS_WORDS = {
    "dot": (
        gettext_noop(
            "Nothing decided: no dots were placed (took part: %(responded)s of %(eligible)s "
            "eligible)."
        ),
        gettext_noop(
            "Nothing decided: %(options)s tied at the top (dots each: %(total)s; took part: "
            "%(responded)s of %(eligible)s eligible)."
        ),
        gettext_noop(
            "“%(option)s” won with the most dots (dots: %(total)s; took part: %(responded)s "
            "of %(eligible)s eligible)."
        ),
    ),
    "point": (
        gettext_noop(
            "Nothing decided: no points were given (took part: %(responded)s of %(eligible)s "
            "eligible)."
        ),
        gettext_noop(
            "Nothing decided: %(options)s tied at the top (points each: %(total)s; took part: "
            "%(responded)s of %(eligible)s eligible)."
        ),
        gettext_noop(
            "“%(option)s” won with the most points (points: %(total)s; took part: "
            "%(responded)s of %(eligible)s eligible)."
        ),
    ),
}


def totals_outcome(
    stances: Sequence[Stance], options: Sequence[Option], eligible: int, *, unit: str
) -> Outcome:
    """Dot and score votes (``unit`` "dot" or "point"): the highest total wins; a tie at the
    top decides nothing."""
    nothing, tied, won = _TOTALS_WORDS[unit]
    totals = {o.key: sum(int(s.scores.get(o.key, 0)) for s in stances) for o in options}
    counts = _labelled(totals, options)
    best = max(totals.values(), default=0)
    params: dict[str, int | str] = {"total": best, **_turnout(len(stances), eligible)}
    if best == 0:
        return Outcome(Result.NO_RESPONSES, Sentence(nothing, params), counts)
    top = [o for o in options if totals[o.key] == best]
    if len(top) > 1:
        # The options' own labels, listed: no English joining word.
        params["options"] = ", ".join(f"“{o.label}”" for o in top)
        return Outcome(Result.TIED, Sentence(tied, params), counts)
    params["option"] = top[0].label
    return Outcome(Result.CHOSEN, Sentence(won, params), counts, chosen=top[0].key)


def time_outcome(stances: Sequence[Stance], options: Sequence[Option], eligible: int) -> Outcome:
    """Options in time order: most who can come, then most at a pinch, then the earliest."""
    can = {o.key: sum(1 for s in stances if s.scores.get(o.key) == TIME_YES) for o in options}
    pinch = {
        o.key: sum(1 for s in stances if s.scores.get(o.key) == TIME_IF_NEED_BE) for o in options
    }
    counts = _labelled(can, options)
    params: dict[str, int | str] = _turnout(len(stances), eligible)
    if not options or max(can[o.key] + pinch[o.key] for o in options) == 0:
        words = gettext_noop(
            "No time found: nobody can come to any (took part: %(responded)s of %(eligible)s "
            "eligible)."
        )
        return Outcome(Result.NO_RESPONSES, Sentence(words, params), counts)
    best = max(options, key=lambda o: (can[o.key], pinch[o.key], -options.index(o)))
    words = gettext_noop(
        "%(option)s suits most: %(can)s can come, %(pinch)s if need be (took part: "
        "%(responded)s of %(eligible)s eligible)."
    )
    params |= {"option": best.label, "can": can[best.key], "pinch": pinch[best.key]}
    return Outcome(Result.CHOSEN, Sentence(words, params), counts, chosen=best.key)


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
