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
        "error: line 2: equal rankings ('=') are not supported; "
        "give each candidate its own preference"
    )


def test_other_rules_go_through_the_package_count(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "count", str(WARD), "--rule", "irv", "--format", "json")
    assert code in (0, 2)
    if code == 0:
        assert json.loads(out)["rule"] == "irv"
    else:
        assert err.startswith("error: ")
