from __future__ import annotations

import contextlib
import itertools
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from grassroots.tally.blt import load_blt, read_blt, write_blt
from grassroots.tally.types import Ballot, Election, EqualBallot, TallyError

WARD = Path(__file__).resolve().parent.parent / "data" / "stv" / "scotland-2017"

SMALL = """# a small election
3 2
-2
4 1 2 0
2 3 0   # trailing comment
4 1 2 0
1 2 3 1 0
0
"Ann ONE"
Bob TWO
"Cat THREE"
"Small test"
"""


def test_reads_header_withdrawn_ballots_names_and_title() -> None:
    election = read_blt(SMALL)
    assert election.candidates == ("Ann ONE", "Bob TWO", "Cat THREE")
    assert election.seats == 2
    assert election.withdrawn == frozenset({1})
    assert election.title == "Small test"
    assert dict((b.ranking, b.weight) for b in election.ballots) == {
        (0, 1): 8,
        (2,): 2,
        (1, 2, 0): 1,
    }


def test_identical_ballot_lines_are_grouped() -> None:
    text = "2 1\n" + "1 1 2 0\n" * 1000 + "3 2 0\n0\nA\nB\nT\n"
    election = read_blt(text)
    assert sorted((b.ranking, b.weight) for b in election.ballots) == [((0, 1), 1000), ((1,), 3)]


def test_a_line_of_no_weight_with_equal_preferences_is_ignored_like_any_other() -> None:
    # Found by hypothesis (test_damaged_real_files_only_ever_raise_tally_error): such a line
    # was left out of the list the other lines were matched against, and the reader raised
    # ValueError out of a zip instead of reading the file.
    election = read_blt("2 1\n10 1 0\n10 1=2 0\n0 2=1 0\n0\nA\nB\n")
    assert election.ballots == (Ballot((0,), 10),)
    assert [(b.ranks, b.weight) for b in election.equal_ballots] == [(((0, 1),), 10)]


def test_several_quoted_names_may_share_a_line() -> None:
    election = read_blt('2 1\n1 1 0\n0\n"A" "B"\n"Title"\n')
    assert election.candidates == ("A", "B")
    assert election.title == "Title"


def test_a_hash_inside_a_quoted_name_is_part_of_the_name() -> None:
    text = (
        '3 1\n1 1 0  # a comment\n0\n"Ann #1" # her comment\n"B#" "C \'#\' D"\n"Ward #4"  # title\n'
    )
    election = read_blt(text)
    assert election.candidates == ("Ann #1", "B#", "C '#' D")
    assert election.title == "Ward #4"
    assert read_blt(write_blt(election)) == election


def test_a_hash_outside_quotes_still_starts_a_comment_in_the_names() -> None:
    election = read_blt("2 1\n1 1 0\n0\nAnn # the first\n# a whole-line comment\nBob\nT\n")
    assert election.candidates == ("Ann", "Bob")
    assert election.title == "T"


def test_reads_a_real_ward() -> None:
    election = load_blt(WARD / "aberdeen_2017_ward10.blt")
    assert len(election.candidates) == 6
    assert election.seats == 4
    assert sum(b.weight for b in election.ballots) == 7508
    assert election.title == "Hazlehead/Queens Cross/Countesswells Ward"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "line 1: the file is empty"),
        ("   \n\n", "the file is empty"),
        ("3\n", "line 1: the first line must be 'candidates seats'"),
        ("x 2\n", "line 1: number of candidates 'x' is not a whole number"),
        ("2 0\n0\nA\nB\n", "line 1: there must be at least one seat"),
        ("2 1\n-3\n0\nA\nB\n", "line 2: withdrawn candidate -3 is not -1 to -2"),
        ("2 1\n1 1 2 0\n1 1=1 0\n0\nA\nB\n", "line 3: candidate 1 is ranked twice"),
        ("2 1\n1 2 1=2 0\n0\nA\nB\n", "line 2: candidate 2 is ranked twice"),
        ("2 1\n[nick a]\n1 a 0\n0\nA\nB\n", "line 2: [nick] must give each of the 2"),
        ("2 1\n[nick a b]\n1 c 0\n0\nA\nB\n", "line 3: unknown candidate 'c'"),
        ("2 1\n[tie 1]\n1 1 0\n0\nA\nB\n", "line 2: [tie] must list each candidate"),
        ("2 1\n[withdrawn 3]\n1 1 0\n0\nA\nB\n", "line 2: unknown candidate 3"),
        ("2 1\n[tie 1 2\n1 1 0\n0\nA\nB\n", "line 2: an option line must end with ']'"),
        ("2 1\n[undeclared 2]\n1 1 0\n0\nA\nB\n", "line 2: unknown option [undeclared]"),
        ("2 1\n1 3 0\n0\nA\nB\n", "line 2: unknown candidate 3 (candidates are 1 to 2)"),
        ("2 1\n1 1 1 0\n0\nA\nB\n", "line 2: candidate 1 is ranked twice"),
        ("2 1\n1 1 2\n0\nA\nB\n", "line 2: ballot line does not end with 0"),
        ("2 1\n1.5 1 0\n0\nA\nB\n", "line 2: weight '1.5' is not a whole number"),
        ("2 1\n1 1 0\n", "no '0' line ends the ballots"),
        ("2 1\n1 1 0\n0\nA\n", "line 4: 2 candidate names expected after the ballots, found 1"),
        ('2 1\n1 1 0\n0\nA\nB\nT\n"s"\n"c"\n"x"\n', "line 9: too many names"),
        ('2 1\n1 1 0\n0\n"A\nB\n', "line 4: a quoted name is not closed"),
        ("2 1\n1 a 0\n0\nA\nB\n", "line 2: unknown candidate 'a' (no [nick] line gives"),
        ("2 1\n-1 1 0\n0\nA\nB\n", "line 2"),
    ],
)
def test_bad_files_name_the_line_and_the_problem(text: str, message: str) -> None:
    with pytest.raises(TallyError, match=None) as caught:
        read_blt(text)
    assert message in str(caught.value)


def test_missing_file_is_a_tally_error(tmp_path: Path) -> None:
    with pytest.raises(TallyError, match="cannot read"):
        load_blt(tmp_path / "missing.blt")


def test_write_blt_gives_the_format_back() -> None:
    election = Election(
        candidates=("A", "B", "C"),
        seats=1,
        ballots=(Ballot((0, 2), 3), Ballot((1,), 1)),
        withdrawn=frozenset({2}),
        title="T",
    )
    text = write_blt(election)
    assert text == '3 1\n-3\n3 1 3 0\n1 2 0\n0\n"A"\n"B"\n"C"\n"T"\n'
    assert read_blt(text) == election


def test_write_blt_refuses_names_it_cannot_quote() -> None:
    election = Election(candidates=('Say "hi"',), seats=1, ballots=())
    with pytest.raises(TallyError, match="cannot be written"):
        write_blt(election)


names = st.text(
    alphabet=st.characters(blacklist_characters='"\n\r', blacklist_categories=("Cs", "Zl", "Zp")),
    min_size=1,
    max_size=12,
).filter(lambda s: s.strip() == s and s != "" and not s.startswith("-"))


@st.composite
def elections(draw: st.DrawFn) -> Election:
    ncand = draw(st.integers(1, 8))
    candidates = tuple(draw(st.lists(names, min_size=ncand, max_size=ncand)))
    rankings = draw(
        st.lists(
            st.permutations(range(ncand)).flatmap(
                lambda p: st.integers(0, len(p)).map(lambda k: tuple(p[:k]))
            ),
            max_size=20,
            unique=True,
        )
    )
    ballots = tuple(Ballot(r, draw(st.integers(1, 50))) for r in rankings)
    withdrawn = frozenset(draw(st.sets(st.integers(0, ncand - 1), max_size=ncand)))
    # Papers with equal preferences: a permutation cut into groups, one group of two or more.
    equal: dict[tuple[tuple[int, ...], ...], int] = {}
    if ncand >= 2:
        for order in draw(st.lists(st.permutations(range(ncand)), max_size=4)):
            cuts = sorted(draw(st.sets(st.integers(1, ncand - 1), max_size=ncand - 1)))
            bounds = [0, *cuts, ncand]
            ranks = tuple(tuple(order[a:b]) for a, b in itertools.pairwise(bounds))
            if any(len(rank) > 1 for rank in ranks):
                equal[ranks] = draw(st.integers(1, 50))
    tie_order = draw(st.one_of(st.none(), st.permutations(range(ncand)).map(tuple)))
    return Election(
        candidates=candidates,
        seats=draw(st.integers(1, ncand)),
        ballots=ballots,
        withdrawn=withdrawn,
        title=draw(names),
        equal_ballots=tuple(EqualBallot(r, w) for r, w in equal.items()),
        tie_order=tie_order,
    )


@settings(max_examples=200)
@given(elections())
@example(Election(candidates=("#", "A #2 B"), seats=1, ballots=(Ballot((1,), 3),), title="#"))
def test_write_then_read_gives_the_same_election(election: Election) -> None:
    assert read_blt(write_blt(election)) == election


blt_pieces = st.lists(
    st.sampled_from([*'0123456789 -=\n"#abc\t.é', "\n0\n", " 0\n", "1 2 0\n", "-1"]),
    max_size=40,
).map("".join)


@settings(max_examples=500)
@given(st.one_of(blt_pieces, st.binary(max_size=80)))
def test_random_input_only_ever_raises_tally_error(text: str | bytes) -> None:
    with contextlib.suppress(TallyError):
        read_blt(text)


@settings(max_examples=300)
@given(elections(), st.data())
def test_damaged_real_files_only_ever_raise_tally_error(
    election: Election, data: st.DataObject
) -> None:
    text = write_blt(election)
    at = data.draw(st.integers(0, len(text)))
    insert = data.draw(blt_pieces)
    cut = data.draw(st.integers(0, 5))
    with contextlib.suppress(TallyError):
        read_blt(text[:at] + insert + text[at + cut :])
