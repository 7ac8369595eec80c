"""Electoral colleges (issue 16): each college's papers share its published weight, counted
exactly; held to a brute-force count in fractions on small elections."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from grassroots.tally.colleges import College, CollegePaper, count_colleges, parse_weight
from grassroots.tally.types import Election, TallyError


def reference_irv(
    papers: list[CollegePaper], weights: list[Fraction], candidates: int
) -> tuple[int, dict[int, Fraction]] | None:
    """The alternative vote in fractions, each paper worth its college's weight shared among
    the college's valid papers; None when a tie would need the rule's tie-break."""
    valid = [0] * len(weights)
    for paper in papers:
        if paper.ranking:
            valid[paper.college] += 1
    value = [w / n if n else Fraction(0) for w, n in zip(weights, valid, strict=True)]
    continuing = set(range(candidates))
    first: dict[int, Fraction] | None = None
    while True:
        totals = dict.fromkeys(continuing, Fraction(0))
        for paper in papers:
            top = next((c for c in paper.ranking if c in continuing), None)
            if top is not None:
                totals[top] += value[paper.college]
        first = first or dict(totals)
        held = sum(totals.values(), Fraction(0))
        best = max(totals.values())
        leaders = [c for c in continuing if totals[c] == best]
        if len(continuing) == 1 or 2 * best > held:
            return (leaders[0], first) if len(leaders) == 1 else None
        fewest = min(totals.values())
        tied = [c for c in continuing if totals[c] == fewest]
        if len(tied) > 1:
            return None
        continuing.remove(tied[0])


WEIGHTS = st.sampled_from(
    [
        [Fraction(1, 3), Fraction(2, 3)],
        [Fraction(1, 2), Fraction(1, 2)],
        [Fraction(1, 3), Fraction(1, 3), Fraction(1, 3)],
        [Fraction(1, 10), Fraction(3, 10), Fraction(3, 5)],
    ]
)


@st.composite
def elections(draw: st.DrawFn) -> tuple[int, list[Fraction], list[CollegePaper]]:
    weights = draw(WEIGHTS)
    candidates = draw(st.integers(min_value=2, max_value=4))
    papers = draw(
        st.lists(
            st.builds(
                CollegePaper,
                college=st.integers(min_value=0, max_value=len(weights) - 1),
                ranking=st.permutations(range(candidates)).flatmap(
                    lambda order: st.integers(0, len(order)).map(lambda k: tuple(order[:k]))
                ),
            ),
            min_size=1,
            max_size=14,
        )
    )
    return candidates, weights, papers


def _election(candidates: int) -> Election:
    return Election(candidates=tuple("ABCD"[:candidates]), seats=1, ballots=())


@settings(max_examples=200, deadline=None)
@given(elections())
def test_a_weighted_college_count_elects_whom_a_count_in_fractions_elects(
    case: tuple[int, list[Fraction], list[CollegePaper]],
):
    candidates, weights, papers = case
    expected = reference_irv(papers, weights, candidates)
    assume(expected is not None)
    assume(any(p.ranking for p in papers))
    assert expected is not None
    colleges = [College(name=f"College {i}", weight=w) for i, w in enumerate(weights)]
    result = count_colleges(_election(candidates), papers, colleges, rule="irv", seed=1)
    winner, first = expected
    assert result.elected == (winner,)
    # Every figure is the exact fraction in units of 1/scale of the whole college.
    scale = int(result.notes[0].split("1/")[1].split(" ")[0])
    assert [Fraction(t) for t in result.stages[0].totals] == [
        first[c] * scale for c in range(candidates)
    ]


@settings(max_examples=100, deadline=None)
@given(elections(), st.integers(min_value=2, max_value=5))
def test_a_colleges_weight_does_not_grow_with_its_turnout(
    case: tuple[int, list[Fraction], list[CollegePaper]], copies: int
):
    """The same papers cast by several times as many voters of one college change nothing."""
    candidates, weights, papers = case
    assume(reference_irv(papers, weights, candidates) is not None)
    assume(any(p.ranking for p in papers))
    colleges = [College(name=f"College {i}", weight=w) for i, w in enumerate(weights)]
    more = [p for p in papers for _ in range(copies if p.college == 0 else 1)]
    once = count_colleges(_election(candidates), papers, colleges, rule="irv", seed=1)
    again = count_colleges(_election(candidates), more, colleges, rule="irv", seed=1)
    assert once.elected == again.elected


def test_two_office_holders_outweigh_six_members_at_two_thirds_to_one_third():
    papers = [CollegePaper(0, (0,))] * 6 + [CollegePaper(1, (1,))] * 2
    colleges = [
        College("Elected members", Fraction(1, 3)),
        College("Public office holders", Fraction(2, 3)),
    ]
    result = count_colleges(_election(2), papers, colleges, rule="irv")
    assert result.elected == (1,)
    assert [str(t) for t in result.stages[0].totals] == ["6", "12"]  # 1/18 each, 1/6 each
    assert result.notes[0].startswith("Electoral college: every figure is in units of 1/18")
    plurality = count_colleges(_election(2), papers, colleges, rule="plurality")
    assert plurality.elected == (1,)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (["1/3", "1/3"], "add up to 2/3, not 1"),
        (["1/2"], "at least two colleges"),
    ],
)
def test_colleges_whose_weights_do_not_add_up_are_refused(weights: list[str], message: str):
    colleges = [College(f"C{i}", parse_weight(w)) for i, w in enumerate(weights)]
    with pytest.raises(TallyError, match=message):
        count_colleges(_election(2), [CollegePaper(0, (0,))], colleges, rule="irv")


@pytest.mark.parametrize("text", ["a third", "0", "3/2", "1/0", "-1/3"])
def test_a_weight_that_is_not_a_fraction_of_the_whole_is_refused(text: str):
    with pytest.raises(TallyError, match="weight"):
        parse_weight(text)


def test_an_stv_rule_is_refused_for_colleges():
    colleges = [College("A", Fraction(1, 2)), College("B", Fraction(1, 2))]
    with pytest.raises(TallyError, match="alternative vote or first past the post"):
        count_colleges(_election(2), [CollegePaper(0, (0,))], colleges, rule="scottish")
