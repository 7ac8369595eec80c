"""BLT files as droop, OpenSTV and Wichmann write them, and equal preferences (issue 15, part 2).

Each of these files was refused before: a byte-order mark, droop's option lines, nicknames,
equal preferences, a source and comment (and a table) after the title.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grassroots.tally import count
from grassroots.tally.blt import read_blt, write_blt
from grassroots.tally.meek import count_meek
from grassroots.tally.types import Ballot, Election, EqualBallot, TallyError

CASTOR = '3 2\n4 1 2 0\n2 3 0\n0\n"Castor"\n"Pollux"\n"Helen"\n"Pollux and Helen should tie"\n'


def test_a_utf8_byte_order_mark_is_read_as_nothing() -> None:
    plain = read_blt(CASTOR)
    marked = read_blt(b"\xef\xbb\xbf" + CASTOR.encode())
    assert marked == plain
    assert marked.candidates[0] == "Castor"


def test_droop_options_nick_withdrawn_and_tie_are_read() -> None:
    election = read_blt(
        "3 1\n[nick a b c]\n[withdrawn b]\n[tie c b a]\n[droop meek]\n"
        "4 a b 0\n2 c 0\n1 2 3 0\n0\nA\nB\nC\nT\n"
    )
    assert election.withdrawn == frozenset({1})
    assert election.tie_order == (2, 1, 0)
    assert dict((b.ranking, b.weight) for b in election.ballots) == {
        (0, 1): 4,
        (2,): 2,
        (1, 2): 1,
    }


def test_the_tie_order_settles_what_a_lot_would_and_says_so() -> None:
    # A and B tie for exclusion all the way back; [tie 2 1 3] puts B first, so the tie picks
    # B (excluded) and A is elected, with no seed; [tie 1 2 3] the other way round.
    text = "3 1\n[tie 2 1 3]\n2 1 0\n2 2 0\n1 3 0\n0\nA\nB\nC\nT\n"
    for rule in ("scottish", "ers97", "meek", "irv"):
        result = count(read_blt(text), rule=rule)
        assert result.elected == (0,)
        assert result.seed is None
        notes = " ".join(s.note for s in result.stages)
        assert "tie between A and B settled by the file's tie-break order: B excluded" in notes
        other = count(read_blt(text.replace("[tie 2 1 3]", "[tie 1 2 3]")), rule=rule)
        assert other.elected == (1,)


def test_a_source_comment_and_a_table_after_the_title_are_not_names() -> None:
    # Wichmann's validation files (droop's M135.blt) end like this.
    text = (
        '2 1\n1 1 0\n0\n"A"\n"B"\n"M135: Gen v1.1"\n"Brian Wichmann"\n"The validation"\n'
        "First Prefs\n  0119 32\nQuota  84.88\n"
    )
    election = read_blt(text)
    assert election.candidates == ("A", "B")
    assert election.title == "M135: Gen v1.1"


def test_equal_preferences_are_read_apart_from_strict_rankings() -> None:
    election = read_blt("3 2\n[nick a b c]\n5 a b 0\n1 b=c 0\n3 c 0\n0\nA\nB\nC\nT\n")
    assert election.ballots == (Ballot((0, 1), 5), Ballot((2,), 3))
    assert election.equal_ballots == (EqualBallot(((1, 2),), 1),)


@pytest.mark.parametrize("rule", ["scottish", "ers97", "irv", "plurality", "approval", "yesno"])
def test_rules_without_equal_preferences_refuse_them_naming_the_rule(rule: str) -> None:
    election = read_blt("2 1\n3 1 0\n1 1=2 0\n0\nYes\nNo\nT\n")
    with pytest.raises(TallyError, match=f"the '{rule}' rule does not define how to count them"):
        count(election, rule=rule)


def test_meek_splits_an_equal_preference_between_the_candidates() -> None:
    # droop's meek/eq2.blt; droop's reference count: first stage A 5, B 2.5, C 2, D 1.5;
    # A and C elected.
    election = read_blt(
        "4 2\n[nick a b c d]\n5 a b=c d 0\n1 b=c a 0\n3 c=d b=a 0\n2 b a=d c 0\n0\nA\nB\nC\nD\nT\n"
    )
    result = count_meek(election)
    first = result.stages[0]
    assert [str(t) for t in first.totals] == [
        "5.000000000",
        "2.500000000",
        "2.000000000",
        "1.500000000",
    ]
    assert result.elected == (0, 2)
    assert result.valid_poll == 11


def test_an_equal_preference_whose_candidates_are_all_excluded_passes_to_the_next() -> None:
    # C excluded first; the paper "C=D then A" must not stop at C=D once both are gone.
    # (droop stops such a paper: see tests/data/stv/peers/README.md.)
    election = Election(
        candidates=("A", "B", "C", "D"),
        seats=1,
        ballots=(Ballot((0,), 4), Ballot((1,), 5)),
        equal_ballots=(EqualBallot(((2, 3), (0,)), 2),),
        withdrawn=frozenset({3}),
    )
    result = count_meek(election)
    assert result.elected == (0,)  # A: 4 + the 2 papers from C=D, against B's 5
    assert result.stages[-1].totals[0] == 6


def test_blank_papers_can_be_counted_in_the_valid_poll() -> None:
    election = read_blt("3 1\n4 1 0\n3 2 0\n2 3 2 0\n3 0\n0\nA\nB\nC\nT\n")
    for rule in ("scottish", "ers97", "meek"):
        usual = count(election, rule=rule)
        counted = count(election, rule=rule, blank_papers_valid=True)
        assert usual.valid_poll == 9
        assert counted.valid_poll == 12
        assert counted.stages[0].exhausted == 3
        for stage in counted.stages:
            assert sum(stage.totals) + stage.exhausted + stage.loss_by_rounding == 12
    assert count(election, rule="scottish", blank_papers_valid=True).quota == 7
    with pytest.raises(TallyError, match="does not take option"):
        count(election, rule="irv", blank_papers_valid=True)


@st.composite
def equal_elections(draw: st.DrawFn) -> Election:
    ncand = draw(st.integers(2, 6))
    lines = []
    for order in draw(st.lists(st.permutations(range(ncand)), min_size=1, max_size=12)):
        length = draw(st.integers(1, ncand))
        cuts = sorted(draw(st.sets(st.integers(1, length - 1)))) if length > 1 else []
        bounds = [0, *cuts, length]
        ranks = tuple(tuple(order[a:b]) for a, b in itertools.pairwise(bounds))
        lines.append(EqualBallot(ranks, draw(st.integers(1, 30))))
    return Election(
        candidates=tuple(f"C{c}" for c in range(ncand)),
        seats=draw(st.integers(1, ncand - 1)),
        ballots=(),
        equal_ballots=tuple(lines),
    )


@settings(max_examples=150, deadline=None)
@given(equal_elections())
def test_meek_with_equal_preferences_conserves_votes_and_fills_the_seats(
    election: Election,
) -> None:
    result = count_meek(election, seed=1)
    assert len(result.elected) == election.seats
    for stage in result.stages:
        # Loss by rounding may be a gain of a few 10^-9 (cl. 10 rounds each share up).
        assert sum(stage.totals) + stage.exhausted + stage.loss_by_rounding == result.valid_poll
        assert abs(stage.loss_by_rounding) < Decimal("0.001")


@settings(max_examples=100, deadline=None)
@given(equal_elections())
def test_an_equal_preference_of_one_candidate_counts_as_a_strict_ranking(
    election: Election,
) -> None:
    strict = Election(
        candidates=election.candidates,
        seats=election.seats,
        ballots=(),
        equal_ballots=tuple(
            EqualBallot(tuple((c,) for rank in b.ranks for c in rank), b.weight)
            for b in election.equal_ballots
        ),
    )
    as_ballots = Election(
        candidates=election.candidates,
        seats=election.seats,
        ballots=tuple(Ballot(tuple(c for (c,) in b.ranks), b.weight) for b in strict.equal_ballots),
    )
    a, b = count_meek(strict, seed=1), count_meek(as_ballots, seed=1)
    assert a.elected == b.elected
    assert [s.totals for s in a.stages] == [s.totals for s in b.stages]


@settings(max_examples=100, deadline=None)
@given(equal_elections())
def test_equal_preferences_survive_writing_and_reading(election: Election) -> None:
    again = read_blt(write_blt(election))
    assert count_meek(again, seed=1) == count_meek(election, seed=1)
