from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from grassroots.tally.cli import main

WARD = (
    Path(__file__).resolve().parent.parent
    / "data"
    / "stv"
    / "scotland-2017"
    / "aberdeen_2017_ward10.blt"
)
ROOT = Path(__file__).resolve().parent.parent.parent


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_output_has_the_issue_keys_and_one_based_numbers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = _run(capsys, "count", str(WARD), "--rule", "scottish", "--format", "json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert {"rule", "seats", "quota", "elected", "stages"} <= set(data)
    assert data["rule"] == "scottish" and data["seats"] == 4 and data["quota"] == "1502"
    assert sorted(data["elected"]) == [1, 2, 3, 6]
    assert data["stages"][1]["action"] == "transfer surplus"
    assert data["stages"][1]["candidates"] == [6]
    assert data["stages"][1]["totals"][0] == "1239.99064"


def test_text_output_is_the_stage_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "count", str(WARD), "--rule", "scottish")
    assert code == 0
    assert "Quota: 1502" in out
    assert "Stage 2: Surplus of Jennifer STEWART (LD)" in out
    assert "1239.99064" in out


def test_html_output_is_a_fragment_with_table_and_chart(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = _run(capsys, "count", str(WARD), "--rule", "scottish", "--format", "html")
    assert code == 0
    assert out.startswith("<section") and "<table>" in out and "<svg" in out


def test_seats_can_be_overridden(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys, "count", str(WARD), "--rule", "scottish", "--seats", "1", "--format", "json"
    )
    assert code == 0
    assert json.loads(out)["seats"] == 1
    assert len(json.loads(out)["elected"]) == 1


def test_category_constraints_from_a_category_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    categories = tmp_path / "categories.csv"
    categories.write_text("# candidate,category\n4,labour\n5, conservative-b\n")
    code, out, err = _run(
        capsys,
        "count",
        str(WARD),
        "--rule",
        "scottish",
        "--min-category",
        "labour=1",
        "--category-file",
        str(categories),
        "--format",
        "json",
    )
    assert code == 0, err
    data = json.loads(out)
    assert 4 in data["elected"]
    # McLeod (4) has the fewest votes at stage 3 but is the only Labour candidate, so Cooke
    # (1) is excluded instead and the stage says why.
    assert data["stages"][3]["candidates"] == [1]
    assert "4 kept: a category constraint needs them" in data["stages"][3]["note"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["count", "missing.blt", "--rule", "scottish"], "cannot read the file"),
        (["count", str(WARD), "--rule", "borda"], "invalid choice"),
        (["count", str(WARD)], "--rule"),
        (["count", str(WARD), "--rule", "scottish", "--seats", "0"], "at least 1"),
        (["count", str(WARD), "--rule", "scottish", "--min-category", "w=1"], "--category-file"),
        (["count", str(WARD), "--rule", "scottish", "--min-category", "women"], "CATEGORY=NUMBER"),
    ],
)
def test_errors_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = _run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and message in err


def test_infeasible_constraint_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    categories = tmp_path / "c.csv"
    categories.write_text("1,women\n")
    code, _, err = _run(
        capsys,
        "count",
        str(WARD),
        "--rule",
        "scottish",
        "--min-category",
        "women=2",
        "--category-file",
        str(categories),
    )
    assert code == 2 and "women: at least 2" in err


def test_bad_category_file_names_the_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    categories = tmp_path / "c.csv"
    categories.write_text("1,women\n9,women\n")
    code, _, err = _run(
        capsys,
        "count",
        str(WARD),
        "--rule",
        "scottish",
        "--min-category",
        "women=1",
        "--category-file",
        str(categories),
    )
    assert code == 2 and "line 2" in err


def test_bad_blt_file_exits_2_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.blt"
    bad.write_text("2 1\n1 1=2 0\n0\nA\nB\nT\n")
    done = subprocess.run(
        [sys.executable, "-m", "grassroots.tally", "count", str(bad), "--rule", "scottish"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip() == (
        "error: 1 ballot line(s) give candidates equal preferences (e.g. A=B); the 'scottish' "
        "rule does not define how to count them: only 'meek' does (the paper's value is split "
        "equally between them)"
    )


def test_irv_on_a_multi_seat_file_needs_seats_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "count", str(WARD), "--rule", "irv", "--format", "json")
    assert code == 2
    assert err == "error: the alternative vote fills one seat, not 4\n"


@pytest.mark.parametrize("rule", ["scottish", "ers97", "meek", "irv", "plurality", "approval"])
@pytest.mark.parametrize("seats", ["1", "2"])
def test_every_rule_takes_seats_and_every_format(
    capsys: pytest.CaptureFixture[str], rule: str, seats: str
) -> None:
    if rule == "irv" and seats != "1":
        return
    argv = ["count", str(WARD), "--rule", rule, "--seats", seats, "--seed", "5"]
    code, out, err = _run(capsys, *argv, "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    expected_rule = "bloc plurality" if rule == "plurality" and seats == "2" else rule
    assert data["rule"] == expected_rule and data["seats"] == int(seats)
    assert len(data["elected"]) == int(seats)
    code, text, _ = _run(capsys, *argv)
    assert code == 0 and "Elected, in order: " in text
    code, html, _ = _run(capsys, *argv, "--format", "html")
    assert code == 0 and html.startswith('<section class="tally-result">') and "<svg" in html


def test_seats_above_the_candidates_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "count", str(WARD), "--rule", "meek", "--seats", "7")
    assert code == 2 and out == ""
    assert err == "error: seats must be from 1 to the number of candidates (6), not 7\n"


def test_plurality_counts_first_preferences_of_a_ranked_file(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = _run(capsys, "count", str(WARD), "--rule", "plurality", "--seats", "1")
    assert code == 0
    code, data_out, _ = _run(
        capsys, "count", str(WARD), "--rule", "plurality", "--seats", "1", "--format", "json"
    )
    data = json.loads(data_out)
    # The first preferences of Scottish STV's first stage, as whole votes: every paper counts.
    assert data["stages"][0]["totals"] == ["1210", "1592", "1326", "441", "1214", "1725"]
    assert data["valid_poll"] == "7508"
    assert data["elected"] == [6]
    assert "void" not in out


def test_plurality_marks_treats_each_line_as_a_set_of_marks(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = _run(capsys, "count", str(WARD), "--rule", "plurality", "--marks")
    assert code == 0
    assert "1290 void or blank paper(s) not counted" in out
    code, _, err = _run(capsys, "count", str(WARD), "--rule", "scottish", "--marks")
    assert code == 2 and err == "error: --marks applies to --rule plurality only\n"


def test_a_tie_without_a_seed_stops_every_rule_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    level = tmp_path / "level.blt"
    level.write_text('2 1\n3 1 0\n3 2 0\n0\n"A #1"\n"B"\n"Tie"\n')
    for rule in ("scottish", "ers97", "meek", "irv", "plurality", "approval"):
        code, _, err = _run(capsys, "count", str(level), "--rule", rule)
        assert code == 2
        assert (
            err == "error: a tie between A #1, B must be broken by lot: give the published seed\n"
        )
        code, out, _ = _run(capsys, "count", str(level), "--rule", rule, "--seed", "8")
        assert code == 0 and "Lots were drawn with the published seed 8." in out
