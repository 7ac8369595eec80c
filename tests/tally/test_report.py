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


def _meek() -> Result:
    from grassroots.tally.meek import count_meek

    election = Election(
        candidates=("A", "B", "C"),
        seats=2,
        ballots=(Ballot((0, 1), 6), Ballot((1,), 2), Ballot((2,), 3)),
        withdrawn=frozenset(),
    )
    return count_meek(election)


def _ers97() -> Result:
    from grassroots.tally.ers97 import count_ers97

    # Quota 5.00: A's surplus of 2.00 goes to B at 0.28; then E is excluded and C elected.
    election = Election(
        candidates=("A", "B", "C", "D", "E"),
        seats=2,
        ballots=(
            Ballot((0, 1), 7),
            Ballot((1,), 2),
            Ballot((2,), 3),
            Ballot((4, 2), 2),
            Ballot((3, 1), 1),
        ),
        withdrawn=frozenset({3}),
    )
    return count_ers97(election)


def test_json_has_meek_keep_factors_in_candidate_order_at_every_stage() -> None:
    result = _meek()
    data = result_json(result)
    for stage, shown in zip(result.stages, data["stages"], strict=True):
        assert stage.keep_factors is not None
        assert shown["keep_factors"] == [format(k, "f") for k in stage.keep_factors]
        assert "parcels" not in shown
    assert data["stages"][0]["keep_factors"] == ["1.000000000"] * 3
    # A is elected and keeps less than all of each vote once the count has iterated.
    assert any(Decimal(s["keep_factors"][0]) < 1 for s in data["stages"])


def test_json_has_ers97_parcels_withdrawn_candidates_and_notes() -> None:
    result = _ers97()
    data = result_json(result)
    assert data["withdrawn"] == [4]
    surplus = next(s for s in data["stages"] if s["action"] == "transfer surplus")
    assert surplus["parcels"] == list(result.stages[surplus["number"] - 1].parcels)
    assert surplus["parcels"] == [
        "surplus 2.00 of A from all papers (7 papers at 1.00): 7 transferable at 0.28, "
        "0 non-transferable"
    ]
    exclusion = data["stages"][2]
    assert exclusion["parcels"] == ["batch at 1.00: 2 papers, 2 transferred, 0 non-transferable"]
    assert all("keep_factors" not in s for s in data["stages"])
    assert data["notes"] == []
    plurality = Result(
        "plurality", 1, ("A", "B"), (0,), Decimal(3), None, (), notes=("2 void papers",)
    )
    assert result_json(plurality)["notes"] == ["2 void papers"]
    # The issue's keys are all there, unchanged.
    assert {"rule", "seats", "quota", "elected", "stages"} <= set(data)
    assert {"action", "candidates", "totals"} <= set(data["stages"][0])


def test_text_report_shows_keep_factors_and_parcels() -> None:
    meek = render_text(_meek())
    assert "Keep factors after each stage" in meek
    assert re.search(r"3\. C\s+1\.000000000", meek)
    ers97 = render_text(_ers97())
    assert "  parcel: surplus 2.00 of A from all papers" in ers97
    # The parcel line sits under its stage's description.
    lines = ers97.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("Stage 2: Surplus of A"))
    assert lines[at + 1].startswith("  parcel: ")
    assert "Withdrawn: D" in ers97
    assert "Keep factors" not in ers97


def test_html_shows_keep_factors_parcels_and_notes() -> None:
    meek = render_html(_meek())
    assert '<table class="tally-keep-factors">' in meek
    assert "<caption>Keep factors after each stage (meek)</caption>" in meek
    assert "<td>1.000000000</td>" in meek
    ers97 = render_html(_ers97())
    assert '<dl class="tally-parcels">' in ers97
    assert "<dt>Stage 2: parcels transferred</dt>" in ers97
    assert "<dd>surplus 2.00 of A from all papers" in ers97
    assert "Withdrawn: D" in ers97
    plurality = Result(
        "plurality", 1, ("A", "B"), (0,), Decimal(3), None, (), notes=("2 void <papers>",)
    )
    assert "<li>2 void &lt;papers&gt;</li>" in render_html(plurality)
