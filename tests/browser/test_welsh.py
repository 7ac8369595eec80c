"""Welsh in Chromium: a visitor picks Cymraeg in the footer of the front page (on a phone and a
desktop), the page and the member's home after logging in read in Welsh, and English is one
click back."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_welsh_is_chosen_in_the_footer_and_kept_after_logging_in(
    demo, page, phone_page, viewport, tmp_path
):
    tab = page if viewport == "desktop" else phone_page
    tab.goto("/")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Where the movement's members decide")
    tab.get_by_role("button", name="Cymraeg").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text(
        "Lle mae aelodau'r mudiad yn penderfynu"
    )
    assert tab.evaluate("document.documentElement.lang") == "cy"
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    tab.screenshot(path=tmp_path / f"welcome-cy-{viewport}.png", full_page=True)

    # The login form is allauth's, in allauth's own Welsh: fill it by field name.
    tab.goto("/accounts/login/")
    tab.locator("input[name=login]").fill(demo.member.email)
    tab.locator("input[name=password]").fill(demo.member.password)
    tab.locator("form.login button[type=submit], form button[type=submit]").first.click()
    tab.wait_for_url(lambda url: "/accounts/" not in url)
    expect(tab.get_by_role("heading", name="Angen fy sylw")).to_be_visible()
    expect(tab.get_by_role("link", name="Pleidleisiwch yn", exact=False).first).to_be_visible()
    tab.screenshot(path=tmp_path / f"home-cy-{viewport}.png", full_page=True)
    tab.get_by_role("button", name="British English").click()
    expect(tab.get_by_role("heading", name="Needs my attention")).to_be_visible()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_member_votes_and_reads_meetings_and_my_data_in_welsh(
    browser, live_server, demo, viewport
):
    """The member's journeys in Welsh at 1280 and 375 px: the ballot paper, its review step and
    the receipt, the meetings list and My data, each in Cymraeg, none wider than the screen,
    and axe finds no WCAG 2.2 A/AA violation on them (tests/browser/test_accessibility.py)."""
    from grassroots.ballots.models import Ballot
    from grassroots.demo import ballots as demo_ballots
    from tests.browser.conftest import log_in
    from tests.browser.test_accessibility import VIEWPORTS, check_here

    size = VIEWPORTS[0] if viewport == "desktop" else VIEWPORTS[1]
    context = browser.new_context(base_url=live_server.url, viewport=size, bypass_csp=True)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    problems: list[str] = []
    try:
        log_in(tab, demo.member)
        tab.get_by_role("button", name="Cymraeg").click()
        expect(tab.get_by_role("heading", name="Angen fy sylw")).to_be_visible()

        ballot = Ballot.objects.get(title=demo_ballots.OPEN_TITLE)
        tab.goto(f"/ballots/{ballot.pk}/vote/")
        expect(tab.get_by_role("heading", name="Eich marc ar y gofrestr")).to_be_visible()
        boxes = tab.locator("input.preference")
        boxes.nth(0).fill("1")
        boxes.nth(1).fill("1")
        tab.get_by_role("button", name="Adolygu fy mhleidlais").click()
        expect(tab).to_have_title(re.compile(r"^Gwall: "))
        expect(tab.locator(".error-summary")).to_be_focused()
        expect(tab.locator(".error-summary li")).to_contain_text("Rhoesoch y rhif 1")
        problems += check_here(tab, "rejected paper (cy)")
        boxes.nth(1).fill("2")
        tab.get_by_role("button", name="Adolygu fy mhleidlais").click()
        expect(
            tab.get_by_role("heading", name="Gwiriwch eich pleidlais cyn i chi ei bwrw")
        ).to_be_visible()
        problems += check_here(tab, "review (cy)")
        tab.get_by_role("button", name="Bwrw fy mhleidlais").click()
        expect(
            tab.get_by_role("heading", name="Mae eich pleidlais wedi'i chofnodi")
        ).to_be_visible()
        problems += check_here(tab, "receipt (cy)")

        tab.goto("/meetings/")
        expect(tab.get_by_role("heading", level=1)).to_have_text("Cyfarfodydd a digwyddiadau")
        problems += check_here(tab, "meetings (cy)")
        tab.goto("/my-data/")
        expect(tab.get_by_role("heading", level=1)).to_have_text("Fy nata")
        expect(tab.get_by_role("heading", name="Eich cofnod aelod")).to_be_visible()
        problems += check_here(tab, "my data (cy)")
    finally:
        context.close()
    assert not problems, "\n".join(problems)
