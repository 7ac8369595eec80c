"""A survey in Chromium: national office writes an anonymous survey on its pages (a choice, a
scale and a free-text question) and opens it; members answer (one through the page); after the
close the results page shows a server-drawn SVG bar chart per counted question with the numbers
in a table beside it, the officer reads the free text and a member does not."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from grassroots.surveys import services
from grassroots.surveys.models import Survey
from tests.browser.conftest import Login, log_in
from tests.factories import PASSWORD, MemberWithLoginFactory
from tests.sortition.helpers import national_officer
from tests.web.roles import TOTP_SECRET

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def add_question(
    page, text: str, kind: str, options: str = "", low: str = "", high: str = "", optional=False
):
    page.get_by_role("link", name="Add a question").click()
    page.get_by_label("Question", exact=True).fill(text)
    page.get_by_role("group", name="Kind of answer").get_by_label(kind).check()
    if options:
        page.get_by_label("Options").fill(options)
    if low:
        page.get_by_label("Label for the lowest point").fill(low)
        page.get_by_label("Label for the highest point").fill(high)
    if optional:
        page.get_by_label("Members must answer it").uncheck()
    page.get_by_role("button", name="Add the question").click()
    expect(page.get_by_role("status").first).to_contain_text("Question added.")


def test_a_surveys_results_page_shows_its_charts_after_members_answered(browser, live_server, page):
    cache.clear()
    officer = national_officer()
    log_in(page, Login(officer.email, PASSWORD, TOTP_SECRET))
    page.goto("/surveys/")
    page.get_by_role("link", name="Start a survey").click()
    page.get_by_label("Title").fill("How should we meet?")
    page.get_by_label("Who is asked").select_option("nation")
    page.get_by_role("button", name="Create the survey").click()
    page.wait_for_url(re.compile(r"/surveys/\d+/manage/$"))
    add_question(page, "How should meetings be held?", "Choose one", "In person\nOnline\nBoth")
    add_question(page, "How well informed do you feel?", "A scale", low="Not at all", high="Very")
    add_question(page, "Anything else?", "Free text", optional=True)
    page.get_by_role("button", name="Open the survey").click()
    survey = Survey.objects.get()

    member = MemberWithLoginFactory()
    member_page = page.context.browser.new_context(base_url=live_server.url).new_page()
    log_in(member_page, Login(member.email, PASSWORD, None))
    member_page.goto(f"/surveys/{survey.pk}/")
    member_page.get_by_role("button", name="Send my answers").click()  # nothing chosen
    expect(member_page.get_by_role("alert")).to_contain_text("Choose one option.")
    member_page.get_by_role("group", name="1. How should meetings be held?").get_by_label(
        "Online"
    ).check()
    member_page.get_by_role("group", name="2. How well informed").get_by_label("4").check()
    member_page.get_by_label("3. Anything else?").fill("Meet near the station")
    member_page.get_by_role("button", name="Send my answers").click()
    expect(member_page.get_by_role("status").first).to_contain_text("your answers are recorded")

    questions = list(survey.questions.order_by("position"))
    for single, scale in [(0, 5), (1, 4), (1, 2), (2, 4)]:
        services.answer_survey(
            actor=MemberWithLoginFactory().user,
            survey=survey,
            answers={questions[0].pk: [single], questions[1].pk: scale},
        )

    page.goto(f"/surveys/{survey.pk}/manage/")
    page.get_by_role("button", name="Close the survey").click()
    page.wait_for_url(f"**/surveys/{survey.pk}/results/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Results: How should we meet?")
    charts = page.locator("svg.chart")
    expect(charts).to_have_count(2)
    first = page.locator("section", has=page.get_by_role("heading", name="1. How should meetings"))
    expect(first.locator("svg.chart rect")).to_have_count(3)
    widths = [
        int(w)
        for w in first.locator("svg.chart rect").evaluate_all(
            "rects => rects.map(r => r.getAttribute('width'))"
        )
    ]
    assert widths == [120, 360, 120]  # In person 1, Online 3, Both 1: the longest fills the area
    expect(first.get_by_role("row", name=re.compile("^Online"))).to_contain_text("3")
    expect(first.get_by_role("row", name=re.compile("^Online"))).to_contain_text("60.0%")
    assert first.locator("svg.chart").bounding_box()["width"] > 100  # drawn, not blocked
    scale = page.locator("section", has=page.get_by_role("heading", name="2. How well informed"))
    expect(scale).to_contain_text("average 3.80")
    expect(page.get_by_text("Meet near the station")).to_be_visible()

    member_page.goto(f"/surveys/{survey.pk}/results/")
    expect(member_page.locator("svg.chart")).to_have_count(2)
    expect(member_page.get_by_text("Written answers are read only by the officers")).to_be_visible()
    assert "Meet near the station" not in member_page.content()
    member_page.context.close()
