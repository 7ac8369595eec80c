"""Property tests for every outcome rule (grassroots.proposals.rules, no Django)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from grassroots.proposals.rules import (
    CONSENSUS_CHOICES,
    CONSENT_CHOICES,
    TIME_IF_NEED_BE,
    TIME_NO,
    TIME_YES,
    ConsensusRule,
    Option,
    Result,
    Stance,
    check_scores,
    consensus_outcome,
    consent_outcome,
    majority_outcome,
    outcome,
    time_outcome,
    totals_outcome,
)

OPTIONS = [Option(key=k, label=f"Option {k}") for k in (11, 12, 13)]


def stances(choices: tuple[str, ...]) -> st.SearchStrategy[list[Stance]]:
    return st.lists(st.sampled_from(choices).map(lambda c: Stance(choice=c)), max_size=60)


@given(stances(CONSENT_CHOICES), st.integers(0, 40))
def test_consent_passes_exactly_when_nobody_blocks(found, extra):
    result = consent_outcome(found, len(found) + extra)
    blocks = sum(s.choice == "block" for s in found)
    assert (result.result == Result.PASSED) == (blocks == 0)
    assert result.result in (Result.PASSED, Result.BLOCKED)
    assert sum(result.counts.values()) == len(found)
    assert result.is_contested == (blocks > 0)
    assert f"{len(found)} of" in result.words


@given(stances(CONSENT_CHOICES))
def test_consent_silence_is_consent_and_one_block_stops_it(found):
    assert consent_outcome([], 10).result == Result.PASSED
    assert consent_outcome([*found, Stance("block")], 100).result == Result.BLOCKED


@given(stances(CONSENSUS_CHOICES), st.integers(0, 3), st.integers(0, 99))
def test_consensus_follows_the_bodys_rule(found, max_blocks, percent):
    rule = ConsensusRule(max_blocks=max_blocks, agree_percent=percent)
    result = consensus_outcome(found, len(found), rule)
    counts = {c: sum(s.choice == c for s in found) for c in CONSENSUS_CHOICES}
    sided = counts["agree"] + counts["disagree"] + counts["block"]
    should_pass = (
        counts["block"] <= max_blocks and sided > 0 and counts["agree"] * 100 > percent * sided
    )
    assert (result.result == Result.PASSED) == should_pass
    assert result.counts == counts
    if counts["block"] > max_blocks:
        assert result.result == Result.BLOCKED


@given(stances(CONSENSUS_CHOICES), st.integers(1, 20))
def test_consensus_abstentions_never_change_the_outcome(found, abstentions):
    rule = ConsensusRule()
    more = [*found, *[Stance("abstain")] * abstentions]
    assert consensus_outcome(found, 100, rule).result == consensus_outcome(more, 100, rule).result


def test_consensus_default_is_no_blocks_and_a_majority_agreeing():
    rule = ConsensusRule()
    two_one = [Stance("agree"), Stance("agree"), Stance("disagree")]
    assert consensus_outcome(two_one, 3, rule).result == Result.PASSED
    assert consensus_outcome(two_one[1:], 3, rule).result == Result.NOT_PASSED  # 1 of 2: not more
    assert consensus_outcome([*two_one, Stance("block", {})], 4, rule).result == Result.BLOCKED


@given(st.lists(st.sampled_from(["11", "12", "13", "99", ""]), max_size=60))
def test_majority_poll_chooses_only_an_option_with_more_than_half(choices):
    found = [Stance(choice=c) for c in choices]
    result = majority_outcome(found, OPTIONS, len(found))
    votes = {o.key: choices.count(str(o.key)) for o in OPTIONS}
    cast = sum(votes.values())
    winners = [k for k, v in votes.items() if v * 2 > cast]
    if winners:
        assert result.result == Result.CHOSEN and result.chosen == winners[0]
    else:
        assert result.chosen is None
        assert result.result == (Result.NO_RESPONSES if cast == 0 else Result.NO_MAJORITY)
    assert sum(result.counts.values()) == cast  # a choice of no option counts for nothing


scores = st.dictionaries(st.sampled_from([11, 12, 13]), st.integers(0, 5))


@given(
    st.lists(scores.map(lambda s: Stance(scores=s)), max_size=40), st.sampled_from(["dot", "point"])
)
def test_dot_and_score_votes_choose_the_unique_highest_total(found, unit):
    result = totals_outcome(found, OPTIONS, len(found), unit=unit)
    totals = {o.key: sum(s.scores.get(o.key, 0) for s in found) for o in OPTIONS}
    best = max(totals.values())
    top = [k for k, v in totals.items() if v == best]
    if best == 0:
        assert result.result == Result.NO_RESPONSES
    elif len(top) > 1:
        assert result.result == Result.TIED and result.chosen is None
    else:
        assert result.result == Result.CHOSEN and result.chosen == top[0]
    assert sum(result.counts.values()) == sum(totals.values())


@given(st.lists(st.permutations([11, 12, 13]), max_size=30))
def test_score_totals_do_not_depend_on_the_order_of_positions(orders):
    found = [Stance(scores={k: i for i, k in enumerate(order)}) for order in orders]
    forward = totals_outcome(found, OPTIONS, 30, unit="point")
    backward = totals_outcome(list(reversed(found)), OPTIONS, 30, unit="point")
    assert forward == backward


marks = st.dictionaries(
    st.sampled_from([11, 12, 13]), st.sampled_from([TIME_YES, TIME_IF_NEED_BE, TIME_NO])
)


@given(st.lists(marks.map(lambda m: Stance(scores=m)), max_size=40))
def test_time_poll_picks_most_can_come_then_if_need_be_then_earliest(found):
    result = time_outcome(found, OPTIONS, len(found))
    can = {o.key: sum(s.scores.get(o.key) == TIME_YES for s in found) for o in OPTIONS}
    pinch = {o.key: sum(s.scores.get(o.key) == TIME_IF_NEED_BE for s in found) for o in OPTIONS}
    if all(can[k] + pinch[k] == 0 for k in can):
        assert result.result == Result.NO_RESPONSES and result.chosen is None
        return
    expected = sorted(OPTIONS, key=lambda o: (-can[o.key], -pinch[o.key], OPTIONS.index(o)))[0]
    assert result.result == Result.CHOSEN and result.chosen == expected.key


@given(st.dictionaries(st.integers(0, 20), st.integers(-3, 30)), st.integers(1, 20))
def test_a_dot_vote_never_accepts_more_dots_than_the_budget(given_scores, budget):
    keys = list(range(10))
    problem = check_scores("dot", given_scores, keys, budget=budget)
    valid = (
        set(given_scores) <= set(keys)
        and all(v >= 0 for v in given_scores.values())
        and 0 < sum(given_scores.values()) <= budget
    )
    assert (problem is None) == valid


def test_every_process_has_a_rule_and_an_unknown_one_is_refused():
    for process in ("consent", "consensus", "majority", "dot", "score", "time"):
        assert outcome(process, [], eligible=0, options=OPTIONS).words
    try:
        outcome("sortition", [], eligible=0)
    except ValueError as error:
        assert "sortition" in str(error)
    else:
        raise AssertionError("an unknown process was accepted")
