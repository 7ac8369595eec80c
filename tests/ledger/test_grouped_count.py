"""Counting grouped papers (issue 16's speed): equal papers handed to the engine as one line
of their number give the same published result, figure for figure, as the papers one by one,
in any order, for every rule; and the reader's shortcut for common papers accepts only what
the full reader accepts, as the same paper."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from grassroots.ledger.record import CollegeWeight, Constraint, Question
from grassroots.ledger.recount import (
    BallotPaper,
    BallotPaperError,
    _parse_plain,
    ballot_plaintext,
    count_question,
    group_papers,
    parse_plaintext,
    result_to_json,
)
from grassroots.tally.types import TallyError

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
STV_RULES = ("scottish", "ers97", "meek")


@st.composite
def counts(draw: st.DrawFn) -> tuple[Question, list[BallotPaper]]:
    """A question of any rule and a box of its papers, with many repeats (few candidates,
    short rankings) and blank papers, as a section's box has."""
    rule = draw(st.sampled_from(("plurality", "approval", "yesno", "irv", *STV_RULES)))
    n = 3 if rule == "yesno" else draw(st.integers(min_value=2, max_value=5))
    seats = 1 if rule in ("yesno", "irv") else draw(st.integers(1, n - 1))
    women = draw(st.sets(st.integers(0, n - 1)))
    constraints: tuple[Constraint, ...] = ()
    if rule in STV_RULES and women and draw(st.booleans()):
        constraints = (Constraint("women", minimum=min(len(women), seats)),)
    question = Question(
        id="q1",
        title="Section",
        rule=rule,
        seats=seats,
        candidates=tuple(f"C{i}" for i in range(n)),
        categories={c: ("women",) for c in women},
        constraints=constraints,
        withdrawn=tuple(draw(st.sets(st.integers(0, n - 1), max_size=1))),
        seed=11,
        equal_preferences=rule == "meek",
    )
    if len(question.withdrawn) + seats > n:
        question = Question(**{**_fields(question), "withdrawn": ()})
    marks = st.permutations(range(n)).flatmap(lambda p: st.integers(0, 3).map(lambda k: p[:k]))
    papers = []
    for ranking in draw(st.lists(marks, min_size=1, max_size=40)):
        if rule == "meek" and len(ranking) >= 2 and draw(st.booleans()):
            ranks = [[ranking[0], ranking[1]], *([c] for c in ranking[2:])]
            plaintext = ballot_plaintext(question, (), ranks=ranks)
        else:
            plaintext = ballot_plaintext(question, ranking)
        papers.append(parse_plaintext(plaintext, {"q1": question}))
    return question, papers


def _fields(question: Question) -> dict[str, object]:
    return {name: getattr(question, name) for name in Question.__dataclass_fields__}


def _published(question: Question, papers: object) -> object:
    try:
        return result_to_json(count_question(question, papers, roll_size=50))  # type: ignore[arg-type]
    except TallyError as error:  # refused alike either way, with the same message
        return str(error)


@SETTINGS
@given(counts(), st.randoms(use_true_random=False))
def test_grouped_papers_count_exactly_as_the_papers_one_by_one(case, rng):
    question, papers = case
    one_by_one = _published(question, papers)
    shuffled = list(papers)
    rng.shuffle(shuffled)
    assert _published(question, group_papers(papers)) == one_by_one
    assert _published(question, group_papers(shuffled)) == one_by_one


def test_a_large_box_of_repeated_papers_counts_the_same_grouped():
    # A section's box as the benchmark makes it: most papers blank, rankings skewed.
    rng = random.Random(16)
    for rule in STV_RULES:
        question = Question(
            id="north",
            title="North",
            rule=rule,
            seats=3,
            candidates=tuple(f"N{i}" for i in range(8)),
            categories={i: ("women",) for i in range(1, 8, 2)},
            constraints=(Constraint("women", minimum=2),),
            seed=3,
        )
        papers = []
        for _ in range(3000):
            if rng.random() < 0.7:
                marks: list[int] = []
            else:
                marks = sorted(range(8), key=lambda c: rng.random() * (c + 1))[: rng.randint(1, 5)]
            papers.append(parse_plaintext(ballot_plaintext(question, marks), {"north": question}))
        grouped = group_papers(papers)
        assert len(grouped) < len(papers) / 2
        assert _published(question, grouped) == _published(question, papers)


@SETTINGS
@given(
    st.lists(
        st.tuples(
            st.sampled_from([0, 1, None]),
            st.permutations(range(3)).flatmap(lambda o: st.integers(0, 3).map(lambda k: o[:k])),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_grouped_college_papers_weigh_as_the_papers_one_by_one(voters):
    question = Question(
        id="q1",
        title="Chair",
        rule="irv",
        seats=1,
        candidates=("A", "B", "C"),
        colleges=(CollegeWeight("Members", "1/3"), CollegeWeight("Office holders", "2/3")),
    )
    papers = [
        parse_plaintext(
            ballot_plaintext(question, r if c is not None else (), college=c), {"q1": question}
        )
        for c, r in voters
    ]
    assert _published(question, group_papers(papers)) == _published(question, papers)


QUESTIONS = {
    "ncm": Question(id="ncm", title="NC", rule="scottish", seats=2, candidates=tuple("ABCDE")),
    "v": Question(id="v", title="Venue", rule="approval", seats=1, candidates=tuple("XYZ")),
    "c": Question(
        id="c",
        title="Chair",
        rule="irv",
        seats=1,
        candidates=("A", "B"),
        colleges=(CollegeWeight("M", "1/2"), CollegeWeight("O", "1/2")),
    ),
    "m": Question(
        id="m", title="M", rule="meek", seats=1, candidates=tuple("ABC"), equal_preferences=True
    ),
}
_PIECES = [
    b'{"question":"ncm","ranking":[',
    b'{"question":"v","ranking":[',
    b'{"choices":[',
    b'],"question":"v"}',
    b'],"question":"ncm"}',
    b'{"college":0,"question":"c","ranking":[',
    b'{"question":"c","ranking":[',
    b'{"question":"m","ranking":[',
    b"]}",
    b"0",
    b"1",
    b"4",
    b"5",
    b"01",
    b"-1",
    b",",
    b" ",
    b"[0,1]",
    b"\n",
    b'"',
    b"true",
]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=9))
@example([b'{"question":"ncm","ranking":[', b"4", b",", b"0", b"]}"])
@example([b'{"choices":[', b"0", b",", b"1", b'],"question":"v"}'])
@example([b'{"question":"ncm","ranking":[', b"]}"])
def test_the_shortcut_reads_only_what_the_full_reader_reads_the_same(pieces):
    plaintext = b"".join(pieces)
    quick = _parse_plain(plaintext, QUESTIONS)
    if quick is None:
        return
    slow = _full_parse(plaintext)
    assert slow == quick


def _full_parse(plaintext: bytes) -> BallotPaper | BallotPaperError:
    import grassroots.ledger.recount as recount

    original = recount._parse_plain
    recount._parse_plain = lambda *_: None  # type: ignore[assignment]
    try:
        return parse_plaintext(plaintext, QUESTIONS)
    except BallotPaperError as error:
        return error
    finally:
        recount._parse_plain = original


def test_the_shortcut_takes_the_common_papers_and_leaves_the_rest_to_the_full_reader():
    assert _parse_plain(b'{"question":"ncm","ranking":[4,0]}', QUESTIONS) == BallotPaper(
        "ncm", (4, 0)
    )
    assert _parse_plain(b'{"question":"ncm","ranking":[]}', QUESTIONS) == BallotPaper("ncm", ())
    assert _parse_plain(b'{"choices":[0,2],"question":"v"}', QUESTIONS) == BallotPaper("v", (0, 2))
    for other in [
        b'{"college":0,"question":"c","ranking":[1]}',  # a college's paper
        b'{"question":"c","ranking":[]}',  # any paper of a college's question
        b'{"question":"m","ranking":[[0,1]]}',  # equal preferences
        b'{"question":"ncm","ranking":[5]}',  # no such candidate: the full reader says so
        b'{"question":"ncm","ranking":[1,1]}',
        b'{"choices":[2,0],"question":"v"}',
        b'{"question":"v","ranking":[0]}',
        b'{"question":"nope","ranking":[0]}',
        b'{"question":"ncm","ranking":[0]}\n',
    ]:
        assert _parse_plain(other, QUESTIONS) is None
