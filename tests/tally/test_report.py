from __future__ import annotations

import json
import re
from decimal import Decimal

from grassroots.tally.report import render_html, render_json, render_text, result_json
from grassroots.tally.scottish import count_scottish
from grassroots.tally.types import Action, Ballot, Election, Result, Stage


def _result() -> Result:
    election = Election(
        candidates=("Ann <b>&", "Bob", "Cat"),
        seats=2,
        ballots=(Ballot((0, 1), 7), Ballot((0,), 2), Ballot((1,), 1), Ballot((2,), 3)),
    )
    return count_scottish(election)


def test_json_keeps_the_issue_keys_and_exact_decimals() -> None:
    data = result_json(_result())
    assert data["rule"] == "scottish"
    assert data["seats"] == 2
    assert data["quota"] == "5"
    assert data["elected"] == [1, 2]
    stage = data["stages"][1]
    assert stage["action"] == "transfer surplus"
    assert stage["candidates"] == [1]
    assert stage["totals"] == ["5.00000", "4.11108", "3.00000"]
    assert stage["transfer_value"] == "0.44444"
    assert json.loads(render_json(_result())) == data


def test_text_report_has_a_row_per_candidate_and_a_column_per_stage() -> None:
    text = render_text(_result())
    assert "Quota: 5" in text
    assert "Stage 2: Surplus of Ann <b>&" in text
    assert re.search(r"2\. Bob\s+1\.00000\s+4\.11108\s+4\.11108\s+elected at stage 3", text)
    assert "Non-transferable" in text and "Loss by rounding" in text


def test_html_escapes_names_and_is_accessible() -> None:
    html = render_html(_result())
    assert "Ann <b>&" not in html
    assert "Ann &lt;b&gt;&amp;" in html
    assert "<caption>" in html
    assert '<th scope="col">' in html and '<th scope="row">' in html
    assert 'role="img"' in html and "<title" in html and "<desc" in html
    # The numbers are in the table beside the chart.
    assert "<td>4.11108</td>" in html
    assert html.count("<polyline") == 3


def test_reports_show_zero_as_plain_decimals() -> None:
    stage = Stage(1, Action.FIRST, (), (Decimal("0E-9"), Decimal("2")), exhausted=Decimal("0E-9"))
    result = Result("meek", 1, ("A", "B"), (1,), Decimal(2), None, (stage,))
    assert "0E" not in render_text(result)
    assert "0E" not in render_html(result)
    assert result_json(result)["quota"] is None
    assert result_json(result)["stages"][0]["totals"] == ["0.000000000", "2"]
