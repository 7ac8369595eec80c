"""The results page's reading of a count (issue 21, readable results): who was elected first,
whole votes as whole numbers, the rule in words, a chart with a legend and readable text."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grassroots.ballots.result_display import (
    CHART_INK,
    FRACTIONAL_RULES,
    PALETTE,
    RULE_NAMES,
    figure,
    show_result_json,
)
from grassroots.ledger.recount import result_to_json
from grassroots.tally import RULES, Ballot, Election, count

NAMES = ("Aisha Khan", "Ben Carter", "Carys Evans", "Dev Patel")
PAPERS = (
    Ballot((0, 1), 40),
    Ballot((0, 2), 7),
    Ballot((1, 0, 2), 25),
    Ballot((2, 3), 17),
    Ballot((3, 2, 1), 11),
    Ballot((2, 0), 8),
)


def _counted(rule: str, seats: int = 2) -> dict:
    if rule == "yesno":
        election = Election(("Yes", "No", "Abstain"), 1, (Ballot((0,), 12), Ballot((1,), 5)))
        return result_to_json(count(election, rule="yesno", threshold="majority"))
    seats = 1 if rule == "irv" else seats
    if rule == "plurality":
        return result_to_json(
            count(Election(NAMES, seats, PAPERS), rule=rule, seed=7, first_preferences=True)
        )
    return result_to_json(count(Election(NAMES, seats, PAPERS), rule=rule, seed=7))


def _luminance(colour: str) -> float:
    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_on_white(colour: str) -> float:
    return 1.05 / (_luminance(colour) + 0.05)


def test_headline_names_the_elected_in_the_order_they_were_elected():
    result = _counted("scottish")
    shown = show_result_json(result)
    in_order = [NAMES[i] for i in result["elected"]]
    assert shown.headline == "Elected: " + ", ".join(in_order)
    assert shown.elected == tuple(in_order)


def test_a_motion_says_carried_with_its_figures():
    shown = show_result_json(_counted("yesno"))
    assert shown.headline == "Carried: Yes 12, No 5, Abstain 0."
    assert shown.is_carried and shown.is_yes_no


@pytest.mark.parametrize("rule", RULES)
def test_every_counting_rule_is_named_in_words(rule):
    shown = show_result_json(_counted(rule))
    assert shown.rule_name == RULE_NAMES[shown.rule] and " " in shown.rule_name
    assert shown.rule.startswith(rule) or rule == "plurality"


@pytest.mark.parametrize("rule", sorted(set(RULES) - FRACTIONAL_RULES))
def test_rules_without_transfers_show_only_whole_numbers(rule):
    shown = show_result_json(_counted(rule))
    figures = [value for row in shown.rows for _, value in row.cells]
    assert figures and all(re.fullmatch(r"[\d,]+", f) for f in figures), figures


def test_stv_shows_whole_votes_whole_and_fractions_as_counted():
    shown = show_result_json(_counted("scottish"))
    first_stage = [row.cells[0][1] for row in shown.rows]
    assert first_stage == ["47", "25", "25", "11"]
    later = [value for row in shown.rows for _, value in row.cells[1:]]
    fractions = [f for f in later if "." in f]
    assert fractions and all(re.fullmatch(r"\d+\.\d{5}", f) for f in fractions), later


@given(st.integers(min_value=0, max_value=10**9))
def test_a_whole_figure_has_no_decimals_whatever_the_places(whole):
    for text in (f"{whole}.00000", f"{whole}.000000000", str(whole)):
        assert figure(text, fractional=True) == f"{whole:,}"


@given(st.decimals(min_value=0, max_value=10**6, places=5, allow_nan=False))
def test_a_fraction_keeps_every_counted_place(value):
    text = format(value.quantize(Decimal("0.00001")), "f")
    shown = figure(text, fractional=True)
    assert Decimal(shown.replace(",", "")) == Decimal(text)


def test_chart_has_a_legend_of_every_name_and_no_names_on_the_plot():
    shown = show_result_json(_counted("scottish"), chart_id="chart-q1")
    assert [entry.name for entry in shown.legend] == list(NAMES)
    # Text on the plot is only the axes' numbers, "Stage" and the quota's label, each at its
    # own place, so none can overlap another.
    texts = re.findall(r'<text x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)</text>', shown.chart)
    assert texts and not any(name in label for _, _, label in texts for name in NAMES)
    positions = [(x, y) for x, y, _ in texts]
    assert len(positions) == len(set(positions))
    assert 'role="img"' in shown.chart and 'aria-labelledby="chart-q1-title chart-q1-desc"' in (
        shown.chart
    )


def test_chart_colours_and_text_meet_the_contrast_for_text():
    assert contrast_on_white(CHART_INK) >= 4.5
    for colour in PALETTE:
        assert contrast_on_white(colour) >= 4.5, colour
    shown = show_result_json(_counted("meek"))
    fills = set(re.findall(r'<text[^>]* fill="(#[0-9a-f]{6})"', shown.chart))
    assert fills == {CHART_INK}


def test_one_stage_results_have_a_table_and_no_chart():
    shown = show_result_json(_counted("plurality", seats=1))
    assert shown.rule_name.startswith("First past the post")
    assert not shown.chart and not shown.legend
    assert [label for label, _ in shown.rows[0].cells] == ["Votes"]
    assert shown.rows[0].outcome == "Elected"
