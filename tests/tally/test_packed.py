"""The packed (numpy) form of an election's ballots: built by the BLT reader, used by the rules.

The line-by-line reader attaches ``Election.packed`` so a count does not convert the ballot
tuples again. It is a cache: it must always describe ``Election.ballots`` exactly, take no part
in equality, and be ignored when it does not belong to the election's ballots. The scanner's
ballots are arrays themselves (``BallotArray``), so it attaches nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grassroots.tally import count
from grassroots.tally.blt import load_blt, read_blt
from grassroots.tally.packed import BallotArray, PackedBallots, pack, packed_ballots
from grassroots.tally.scottish import count_scottish
from grassroots.tally.types import Ballot, Election, TallyError

WARDS = Path(__file__).resolve().parent.parent / "data" / "stv" / "scotland-2017"


def assert_describes(packed: PackedBallots, ballots: Sequence[Ballot]) -> None:
    # Arrays packed from a tuple name it; arrays read from a file are the ballots themselves.
    assert packed.source is ballots or (
        isinstance(ballots, BallotArray) and ballots.packed is packed
    )
    assert packed.lengths.tolist() == [len(b.ranking) for b in ballots]
    assert packed.weights.tolist() == [b.weight for b in ballots]
    assert packed.rankings.tolist() == [c for b in ballots for c in b.ranking]
    # int16 from the BLT scanner (fewer than 2**15 candidates), to halve its memory.
    assert packed.rankings.dtype in (np.int16, np.int32)


def test_reader_attaches_arrays_that_describe_its_ballots() -> None:
    election = load_blt(WARDS / "aberdeen_2017_ward10.blt")
    assert isinstance(election.ballots, BallotArray)  # scanned: the ballots are the arrays
    assert_describes(packed_ballots(election), election.ballots)
    assert packed_ballots(election) is election.ballots.packed
    text = (WARDS / "aberdeen_2017_ward10.blt").read_bytes()
    slow = read_blt(text, scan=False)  # read line by line: the arrays are attached
    assert slow.packed is not None
    assert_describes(slow.packed, slow.ballots)
    assert packed_ballots(slow) is slow.packed


def test_packed_is_not_part_of_equality_or_repr() -> None:
    election = read_blt("2 1\n3 1 2 0\n1 2 0\n0\nA\nB\n", scan=False)
    bare = replace(election, packed=None)
    assert election.packed is not None
    assert election == bare
    assert repr(election) == repr(bare)
    assert "packed" not in repr(election)


def test_arrays_are_read_only() -> None:
    packed = pack((Ballot((0, 1), 3),))
    with pytest.raises(ValueError, match="read-only"):
        packed.weights[0] = 5


def test_stale_arrays_are_never_used() -> None:
    election = read_blt("2 1\n3 1 2 0\n1 2 0\n0\nA\nB\n", scan=False)
    other = (Ballot((1,), 9),)
    moved = replace(election, ballots=other)
    assert moved.packed is election.packed  # dataclasses.replace carries the cache along...
    packed = packed_ballots(moved)  # ...but it is not used for other ballots
    assert_describes(packed, other)
    assert count_scottish(moved).elected == (1,)
    # The same ballots kept (e.g. only the seats changed): the cache still applies.
    assert packed_ballots(replace(election, seats=2)) is election.packed


def test_lines_sharing_a_ranking_are_grouped_with_or_without_arrays() -> None:
    election = read_blt("3 1\n2 1 2 0\n1 1 2 0\n0 3 0\n1 3 0\n1 2 0\n1 3 0\n0\nA\nB\nC\n")
    assert election.ballots == (Ballot((0, 1), 3), Ballot((2,), 2), Ballot((1,), 1))
    assert_describes(packed_ballots(election), election.ballots)


def test_papers_of_no_weight_are_dropped_from_ballots_and_arrays() -> None:
    election = read_blt("3 1\n0 1 2 0\n4 3 0\n0 2 0\n1 2 1 0\n0\nA\nB\nC\n")
    assert election.ballots == (Ballot((2,), 4), Ballot((1, 0), 1))
    assert_describes(packed_ballots(election), election.ballots)


rankings = st.integers(1, 9).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.lists(
            st.tuples(
                st.integers(0, 3),
                st.permutations(range(n)).flatmap(
                    lambda p: st.integers(0, len(p)).map(lambda k: tuple(p[:k]))
                ),
            ),
            max_size=30,
        ),
    )
)


@settings(max_examples=300)
@given(rankings)
def test_read_arrays_match_the_ballots_and_count_alike(
    case: tuple[int, list[tuple[int, tuple[int, ...]]]],
) -> None:
    ncand, lines = case
    text = "".join(f"{w}{''.join(f' {c + 1}' for c in r)} 0\n" for w, r in lines)
    names = "".join(f"C{c}\n" for c in range(ncand))
    election = read_blt(f"{ncand} 1\n{text}0\n{names}")
    assert_describes(packed_ballots(election), election.ballots)
    bare = Election(election.candidates, election.seats, tuple(election.ballots))
    # Random ballots often tie in a way only a lot settles, which needs the published seed.
    if not any(b.weight and b.ranking for b in election.ballots):
        for counted in (election, bare):
            with pytest.raises(TallyError, match="no valid papers"):
                count_scottish(counted, seed=7)
        return
    assert count_scottish(election, seed=7) == count_scottish(bare, seed=7)
    # ERS97 and Meek too count the scanner's lines as read (a ranking may repeat on them).
    for rule in ("ers97", "meek"):
        assert count(election, rule=rule, seed=7) == count(bare, rule=rule, seed=7)


def test_a_real_ward_counts_the_same_from_arrays_and_from_tuples() -> None:
    election = load_blt(WARDS / "glasgow_2017_ward1.blt")
    as_tuples = replace(election, ballots=tuple(election.ballots), packed=None)
    assert isinstance(election.ballots, BallotArray)
    assert count_scottish(election) == count_scottish(as_tuples)
