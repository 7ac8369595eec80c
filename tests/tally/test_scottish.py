"""Scottish STV on small elections worked by hand from SSI 2007/42 Sch. 1 rr.45-52."""

from __future__ import annotations

from decimal import Decimal

import pytest

from grassroots.tally.blt import read_blt
from grassroots.tally.scottish import count_scottish, units_to_decimal
from grassroots.tally.types import Action, Ballot, Election, TallyError


def _election(seats: int, *lines: tuple[int, str], ncand: int = 3) -> Election:
    ballots = tuple(Ballot(tuple("ABCDEF".index(c) for c in ranking), n) for n, ranking in lines)
    return Election(candidates=tuple("ABCDEF"[:ncand]), seats=seats, ballots=ballots)


def _totals(stage_totals: tuple[Decimal, ...]) -> list[str]:
    return [str(t) for t in stage_totals]


def test_surplus_goes_on_at_a_truncated_transfer_value() -> None:
    # Valid poll 13, 2 seats: quota floor(13/3) + 1 = 5. A has 9, surplus 4, so each of A's
    # papers goes on at 4 x 1 / 9 = 0.44444 (remainder ignored, r.48(3)).
    election = _election(2, (7, "AB"), (2, "A"), (1, "B"), (3, "C"))
    result = count_scottish(election)
    assert result.quota == 5
    assert result.valid_poll == 13
    first, surplus, exclusion = result.stages
    assert first.action is Action.FIRST and first.elected == (0,)
    assert surplus.action is Action.SURPLUS and surplus.candidates == (0,)
    assert surplus.transfer_value == Decimal("0.44444")
    assert _totals(surplus.totals) == ["5.00000", "4.11108", "3.00000"]
    assert surplus.exhausted == Decimal("0.88888")
    assert surplus.loss_by_rounding == Decimal("0.00004")
    assert exclusion.action is Action.EXCLUDE and exclusion.candidates == (2,)
    # r.52(1): one continuing candidate for one seat.
    assert exclusion.elected == (1,)
    assert result.elected == (0, 1)


def test_transferred_papers_carry_their_value_into_a_second_surplus() -> None:
    # r.48(4): a paper received by transfer goes on at surplus x its value / total.
    # Valid 20, 3 seats, quota 6. A: 12 papers (surplus 6, value 0.5 each) all to B, who then
    # holds 2 + 12 x 0.5 = 8, surplus 2: B's own papers go at 2 x 1 / 8 = 0.25 and the
    # transferred ones at 2 x 0.5 / 8 = 0.125.
    election = _election(3, (12, "ABC"), (2, "BC"), (1, "C"), (5, "D"), ncand=4)
    result = count_scottish(election)
    assert result.quota == 6
    stage2, stage3 = result.stages[1], result.stages[2]
    assert stage2.candidates == (0,) and _totals(stage2.totals)[:2] == ["6.00000", "8.00000"]
    assert stage3.candidates == (1,)
    assert stage3.totals[2] == Decimal("3.00000")  # 1 + 2 x 0.25 + 12 x 0.125


def test_largest_surplus_is_transferred_first() -> None:
    election = _election(3, (10, "AC"), (12, "BC"), (2, "C"), (1, "D"), ncand=4)
    result = count_scottish(election)
    surpluses = [s.candidates[0] for s in result.stages if s.action is Action.SURPLUS]
    assert surpluses[:2] == [1, 0]


def test_equal_lowest_are_split_by_the_most_recent_stage_where_they_differed() -> None:
    # 2 seats, valid 18, quota 7. Stage 2: A's surplus (non-transferable). Stage 3: D excluded,
    # B rises to 4 = C. At stage 2, B had 3 and C 4, so B is excluded (r.51(2)(a)).
    election = _election(2, (10, "A"), (4, "C"), (3, "B"), (1, "DB"), ncand=4)
    result = count_scottish(election)
    assert [s.action for s in result.stages] == [
        Action.FIRST,
        Action.SURPLUS,
        Action.EXCLUDE,
        Action.EXCLUDE,
    ]
    assert result.stages[2].totals[1] == result.stages[2].totals[2]
    assert result.stages[3].candidates == (1,)
    assert "earlier stage" in result.stages[3].note
    assert result.elected == (0, 2)
    assert result.seed is None


def test_ties_at_every_stage_are_decided_by_a_recorded_seeded_lot() -> None:
    election = _election(1, (2, "A"), (2, "B"), (1, "C"))
    outcomes = set()
    for seed in range(12):
        result = count_scottish(election, seed=seed)
        assert result.seed == seed
        lot_stage = next(s for s in result.stages if "lot" in s.note)
        assert f"seed {seed}" in lot_stage.note
        assert count_scottish(election, seed=seed).elected == result.elected
        outcomes.add(result.elected)
    assert outcomes == {(0,), (1,)}


def test_a_lot_without_a_seed_stops_the_count_as_every_rule_does() -> None:
    with pytest.raises(TallyError, match="A, B must be broken by lot: give the published seed"):
        count_scottish(_election(1, (2, "A"), (2, "B")))
    result = count_scottish(_election(1, (2, "A"), (2, "B")), seed=0)
    assert result.seed == 0
    assert "lot (seed 0) drawn between A and B: " in "; ".join(s.note for s in result.stages)


def test_a_seed_is_recorded_only_when_a_lot_was_drawn() -> None:
    result = count_scottish(_election(1, (3, "A"), (2, "B")), seed=99)
    assert result.seed is None
    assert result.notes == ()


def test_equal_votes_elected_together_are_ordered_by_look_back_then_lot() -> None:
    # 3 seats, 8 papers, quota 3. B (6) is elected and their surplus of 3 goes on at 0.5:
    # C 2, D 1, A keeps 2. D is excluded (no further preference), and A and C, level on 2, fill
    # the last two seats (r.52). At stage 1 A had 2 and C none, so A is elected first.
    election = _election(3, (4, "BC"), (2, "BD"), (2, "AB"), ncand=4)
    result = count_scottish(election)
    last = result.stages[-1]
    assert last.elected == (0, 2)
    assert last.totals[0] == last.totals[2]
    assert "highest at an earlier stage" in last.note
    # Only the lowest is looked for when excluding: A and C, level above D, are not compared.
    assert "lowest at an earlier stage" not in last.note
    assert result.seed is None
    # Equal at every stage: the order of election is drawn by lot, which needs the seed.
    level = _election(2, (4, "A"), (4, "B"), (1, "C"))
    with pytest.raises(TallyError, match="published seed"):
        count_scottish(level)
    assert count_scottish(level, seed=3).seed == 3


def test_withdrawn_candidates_papers_count_for_the_next_preference() -> None:
    election = read_blt("3 1\n-1\n5 1 2 0\n3 3 0\n2 1 0\n0\nA\nB\nC\nT\n")
    result = count_scottish(election)
    assert result.valid_poll == 8  # the two papers for A alone have no standing candidate
    assert _totals(result.stages[0].totals) == ["0.00000", "5.00000", "3.00000"]
    assert result.elected == (1,)


def test_fewer_candidates_than_seats_are_all_elected() -> None:
    result = count_scottish(_election(5, (3, "A"), (1, "BC")))
    assert sorted(result.elected) == [0, 1, 2]
    assert len(result.stages) == 1


def test_a_real_ward_runs_to_its_declared_winners() -> None:
    from pathlib import Path

    ward = Path(__file__).resolve().parent.parent / "data" / "stv" / "scotland-2017"
    text = (ward / "aberdeen_2017_ward10.blt").read_text()
    result = count_scottish(read_blt(text))
    assert sorted(c + 1 for c in result.elected) == [1, 2, 3, 6]
    assert str(result.stages[1].totals[0]) == "1239.99064"


def test_units_are_shown_with_five_places() -> None:
    assert str(units_to_decimal(123)) == "0.00123"
    assert str(units_to_decimal(-100001)) == "-1.00001"


def test_zero_seats_is_refused() -> None:
    with pytest.raises(TallyError):
        count_scottish(_election(0, (1, "A")))
