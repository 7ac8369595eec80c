"""The gaps found when counting side by side with droop and OpenSTV (issue 15, part 1).

Weights past int64, lots whose notes did not say what they decided, and counts that should
be refused. Each test failed before the fix it names.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grassroots.tally import count
from grassroots.tally.blt import read_blt
from grassroots.tally.cli import main
from grassroots.tally.report import render_html, render_json, render_text
from grassroots.tally.types import Ballot, Election, TallyError

STV = ("scottish", "ers97", "meek")
EVERY_RULE = (*STV, "irv", "plurality", "approval")


def _blt(header: str, *lines: str, names: str = '"A"\n"B"\n"C"\n') -> str:
    return header + "\n" + "\n".join(lines) + "\n0\n" + names + '"t"\n'


# -- weights past int64 ---------------------------------------------------------------------


@pytest.mark.parametrize("rule", (*STV, "irv"))
def test_weights_from_two_to_the_63_count_exactly(rule: str) -> None:
    # Crashed Scottish and Meek with an OverflowError traceback.
    text = _blt("3 1", f"{2**63} 1 0", f"{2**63 - 1} 2 0", "1 3 0")
    result = count(read_blt(text), rule=rule)
    assert result.elected == (0,)
    assert result.valid_poll == 2**64


@pytest.mark.parametrize("rule", STV)
@pytest.mark.parametrize("seed", [None, 1, 2, 3])
def test_weights_that_fit_int64_but_sum_past_it_elect_the_right_candidate(
    rule: str, seed: int | None
) -> None:
    # Each weight fits int64; their sum (10^19 + 1) does not. Scottish added them in float64,
    # lost the 1 that puts B ahead of C, then drew a lot between them: with some seeds C was
    # kept and A elected. The count needs no lot: C is excluded and B reaches the quota.
    text = _blt(
        "3 1",
        "4000000000000000000 1 0",
        "3000000000000000001 2 0",
        "3000000000000000000 3 2 0",
    )
    result = count(read_blt(text), rule=rule, seed=seed)
    assert result.elected == (1,)
    assert result.valid_poll == 10**19 + 1
    assert result.seed is None


def test_big_weights_in_a_hand_built_election_count_exactly() -> None:
    election = Election(
        candidates=("A", "B"),
        seats=1,
        ballots=(Ballot((0,), 2**80), Ballot((1,), 2**80 + 1)),
    )
    for rule in STV:
        result = count(election, rule=rule)
        assert result.elected == (1,)
        assert result.valid_poll == 2**81 + 1


# -- every lot says what it decided -----------------------------------------------------------

TIE = _blt("3 1", "2 1 0", "2 2 0", "1 3 0")


@pytest.mark.parametrize("rule", ["scottish", "ers97", "meek", "irv"])
def test_a_lot_for_exclusion_is_named_in_its_stage_with_the_candidate_excluded(rule: str) -> None:
    # ERS97's last-seat tie had no note at all; the others said "A, B: A" without saying
    # whether A was excluded or elected.
    result = count(read_blt(TIE), rule=rule, seed=1)
    notes = [s.note for s in result.stages if "lot" in s.note]
    assert len(notes) == 1
    drawn = "lot (seed 1) drawn between A and B: "
    assert drawn in notes[0]
    loser = notes[0].split(drawn)[1].split(" excluded")[0]
    assert loser in ("A", "B")
    assert result.candidates[result.elected[0]] != loser
    assert result.seed == 1


def test_a_lot_for_plurality_says_who_was_elected() -> None:
    result = count(read_blt(_blt("3 1", "2 1 0", "2 2 0", "1 3 0")), rule="plurality", seed=1)
    winner = result.candidates[result.elected[0]]
    assert result.stages[-1].note == f"lot (seed 1) drawn between A and B: {winner} elected"


def test_the_lot_note_is_in_the_text_html_and_json_reports() -> None:
    result = count(read_blt(TIE), rule="ers97", seed=1)
    note = next(s.note for s in result.stages if "lot" in s.note)
    assert "excluded" in note
    assert note in render_text(result)
    assert note in render_html(result).replace("&#x27;", "'")
    assert note in [s["note"] for s in json.loads(render_json(result))["stages"]]


def test_a_lot_for_the_order_of_election_says_who_was_elected_first() -> None:
    election = read_blt(_blt("3 2", "3 1 0", "3 2 0", "1 3 0"))
    result = count(election, rule="meek", seed=4)
    first = result.candidates[result.elected[0]]
    assert any(f"{first} elected first" in s.note for s in result.stages)


# -- counts that are refused ------------------------------------------------------------------


@pytest.mark.parametrize("rule", EVERY_RULE)
def test_no_valid_papers_is_refused(rule: str) -> None:
    # Every weight 0: the count used to "elect" by lot.
    election = read_blt(_blt("3 1", "0 1 0", "0 2 0"))
    with pytest.raises(TallyError, match="no valid papers"):
        count(election, rule=rule, seed=1)


@pytest.mark.parametrize("rule", EVERY_RULE)
def test_every_candidate_withdrawn_is_refused(rule: str) -> None:
    election = read_blt(_blt("3 1\n-1 -2 -3", "3 1 0", "2 2 0"))
    with pytest.raises(TallyError, match="every candidate is withdrawn"):
        count(election, rule=rule, seed=1)


@pytest.mark.parametrize("rule", EVERY_RULE)
def test_more_seats_in_the_header_than_candidates_is_refused_like_seats(rule: str) -> None:
    election = read_blt(_blt("3 4", "3 1 0", "2 2 0"))
    with pytest.raises(TallyError, match=r"from 1 to the number of candidates \(3\), not 4"):
        count(election, rule=rule)
    with pytest.raises(TallyError, match=r"from 1 to the number of candidates \(3\), not 4"):
        count(election, rule=rule, seats=4)


def test_the_cli_refuses_a_header_with_too_many_seats(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "seats.blt"
    path.write_text(_blt("3 4", "3 1 0", "2 2 0"))
    assert main(["count", str(path), "--rule", "scottish"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "error: the number of seats in the file's header must be from 1 to the number of "
        "candidates (3), not 4\n"
    )


def test_meek_and_ers97_report_totals_past_28_digits_exactly() -> None:
    # Decimal(v).scaleb(-9) rounded to the default context's 28 significant digits: stv-rs's
    # ballot_sum_overflows.blt showed 18446744073709551616.00000000 for ...616.000000000.
    two = '"A"\n"B"\n'
    election = read_blt(
        _blt("2 1", f"{2**63 - 1} 1 0", f"{2**63 - 1} 1 0", "2 1 0", "1 2 0", names=two)
    )
    meek = count(election, rule="meek")
    assert format(meek.stages[0].totals[0], "f") == "18446744073709551616.000000000"
    ers97 = count(election, rule="ers97")
    assert format(ers97.stages[0].totals[0], "f") == "18446744073709551616.00"
    big = count(read_blt(_blt("2 1", f"{10**40 + 1} 1 0", "1 2 0", names=two)), rule="ers97")
    assert format(big.stages[0].totals[0], "f") == f"{10**40 + 1}.00"
