"""A member reads a published STV result (issue 21, readable results), on a desktop and a
375 px phone: the elected are named first, in order; whole votes are whole numbers; the rule
is named in words; the chart has a legend of names; nothing scrolls sideways; and the receipt
check shows a paper as candidates' names in preference order."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from grassroots.ballots.models import Ballot, BallotBoxEntry, BallotStatus
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

VIEWPORTS = [{"width": 1280, "height": 900}, {"width": 375, "height": 800}]


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["desktop", "phone"])
def test_member_reads_a_published_result_and_checks_a_receipt(
    browser, live_server, demo, viewport, tmp_path
):
    ballot = Ballot.objects.filter(status=BallotStatus.PUBLISHED, questions__kind="stv").first()
    assert ballot is not None, "the demo publishes an STV election"
    question = ballot.questions.get(kind="stv")
    names = [c.name for c in question.candidates.all()]
    elected = [names[i] for i in question.result["elected"]]
    entry = BallotBoxEntry.objects.filter(ballot=ballot).order_by("log_index").first()
    assert entry is not None
    ranking = json.loads(bytes(entry.plaintext))["ranking"]

    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    try:
        log_in(page, demo.member)
        page.goto(f"/ballots/{ballot.pk}/results/")
        expect(page.locator(".result-headline")).to_have_text("Elected: " + ", ".join(elected))
        expect(
            page.get_by_text("Single transferable vote, counted by the Scottish")
        ).to_be_visible()
        first_stage = page.locator("table.result-table tbody tr td:nth-of-type(1)")
        figures = first_stage.all_inner_texts()
        assert figures and all(re.fullmatch(r"[\d,]+", f.strip()) for f in figures[:6]), figures
        assert ".00000" not in page.locator("table.result-table").inner_text()
        legend = page.locator("ul.chart-legend li")
        assert [t.strip() for t in legend.all_inner_texts()] == names
        expect(page.locator("svg.tally-chart")).to_be_visible()
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert scroll <= inner, f"the results page is {scroll}px wide on a {inner}px screen"
        page.screenshot(path=str(tmp_path / "results.png"), full_page=True)

        page.goto(f"/ballots/{ballot.pk}/check/")
        page.get_by_label(re.compile("tracker", re.IGNORECASE)).fill(entry.tracker)
        page.get_by_role("button", name="Check").click()
        paper = page.locator("ol.decrypted-paper li")
        # expect() waits for the answer page; all_inner_texts() read it before it came (flaky).
        expect(paper).to_have_text([names[i] for i in ranking])
        expect(page.get_by_text('{"question"')).to_be_hidden()
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert scroll <= inner, f"the receipt check is {scroll}px wide on a {inner}px screen"
    finally:
        context.close()
