"""Sections and electoral colleges as the verifier recounts them (issue 16): papers made and
read in their canonical form, every voter leaving one paper per question (blank where they
do not answer it), each question counted from its own voters' papers only, held to a
brute-force count on small elections."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from grassroots.ledger.record import CollegeWeight, Question
from grassroots.ledger.recount import (
    BallotPaperError,
    ballot_plaintext,
    count_question,
    parse_plaintext,
)
from grassroots.tally.colleges import CollegePaper
from tests.tally.test_colleges import reference_irv

REGIONS = ("Midlands", "South West", "North")


def _section(number: int, region: str, candidates: int) -> Question:
    return Question(
        id=f"q{number}",
        title=region,
        rule="scottish",
        seats=1,
        candidates=tuple(f"{region} {c}" for c in "ABCD"[:candidates]),
        seed=7,
        section=region,
    )


@st.composite
def sectioned(draw: st.DrawFn) -> tuple[list[Question], list[tuple[str, list[tuple[int, ...]]]]]:
    regions = REGIONS[: draw(st.integers(min_value=2, max_value=3))]
    questions = [
        _section(i, region, draw(st.integers(min_value=2, max_value=4)))
        for i, region in enumerate(regions, start=1)
    ]
    voters = []
    for _ in range(draw(st.integers(min_value=1, max_value=16))):
        region = draw(st.sampled_from(regions))
        rankings = []
        for question in questions:
            if question.section == region:
                order = draw(st.permutations(range(len(question.candidates))))
                rankings.append(tuple(order[: draw(st.integers(0, len(order)))]))
            else:
                rankings.append(())
        voters.append((region, rankings))
    return questions, voters


@settings(max_examples=150, deadline=None)
@given(sectioned())
def test_each_section_is_counted_from_its_own_regions_papers_only(case):
    questions, voters = case
    by_id = {q.id: q for q in questions}
    papers = [
        parse_plaintext(ballot_plaintext(question, ranking), by_id)
        for _, rankings in voters
        for question, ranking in zip(questions, rankings, strict=True)
    ]
    # Every voter leaves a paper for every question; other regions' are blank.
    assert len(papers) == len(voters) * len(questions)
    for question in questions:
        own = [
            CollegePaper(0, rankings[questions.index(question)])
            for region, rankings in voters
            if region == question.section
        ]
        if not any(p.ranking for p in own):
            continue
        expected = reference_irv(own, [Fraction(1)], len(question.candidates))
        assume(expected is not None)
        assert expected is not None
        result = count_question(question, papers, roll_size=len(voters))
        assert result.elected == (expected[0],)
        assert result.valid_poll == sum(1 for p in own if p.ranking)


def _college_question() -> Question:
    return Question(
        id="q1",
        title="National chair",
        rule="irv",
        seats=1,
        candidates=("Gita Rao", "Harry Lane", "Iris Moss"),
        colleges=(
            CollegeWeight("Elected members", "1/3"),
            CollegeWeight("Public office holders", "2/3"),
        ),
    )


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([0, 1, None]),
            st.permutations(range(3)).flatmap(
                lambda o: st.integers(0, 3).map(lambda k: tuple(o[:k]))
            ),
        ),
        min_size=1,
        max_size=14,
    )
)
def test_a_college_question_recounted_from_its_papers_weighs_each_college_exactly(voters):
    question = _college_question()
    # A voter in no college answers no paper for it: theirs is blank, without a college.
    voters = [(c, r if c is not None else ()) for c, r in voters]
    papers = [
        parse_plaintext(ballot_plaintext(question, ranking, college=college), {"q1": question})
        for college, ranking in voters
    ]
    assert [p.college for p in papers] == [c for c, _ in voters]
    own = [CollegePaper(c, r) for c, r in voters if c is not None]
    assume(any(p.ranking for p in own))
    expected = reference_irv(own, [Fraction(1, 3), Fraction(2, 3)], 3)
    assume(expected is not None)
    assert expected is not None
    result = count_question(question, papers, roll_size=len(voters))
    assert result.elected == (expected[0],)


def test_a_college_paper_must_name_a_college_of_its_question_in_canonical_form():
    question = _college_question()
    questions = {"q1": question}
    assert ballot_plaintext(question, [1, 0], college=1) == (
        b'{"college":1,"question":"q1","ranking":[1,0]}'
    )
    for forged, message in [
        (b'{"college":2,"question":"q1","ranking":[1]}', "no college 2"),
        (b'{"college":true,"question":"q1","ranking":[1]}', "names its college"),
        (b'{"question":"q1","ranking":[1]}', "a marked paper names its college"),
        (b'{"question":"q1","ranking":[1],"college":0}', "canonical form"),
    ]:
        with pytest.raises(BallotPaperError, match=message):
            parse_plaintext(forged, questions)
    blank = parse_plaintext(b'{"question":"q1","ranking":[]}', questions)
    assert blank.college is None and blank.marks == ()
