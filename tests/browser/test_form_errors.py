"""Screen readers and keyboards in Chromium (issue 21), on a desktop and a phone: after a
rejected form the error summary has the focus, the title starts with "Error:", and each field
with an error is marked invalid and described by its message; a search's result count is
announced through the page's one persistent live region."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Login, log_in
from tests.factories import PASSWORD
from tests.web.roles import TOTP_SECRET, build_movement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = [{"width": 1280, "height": 900}, {"width": 375, "height": 800}]


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["desktop", "phone"])
def test_a_rejected_form_focuses_its_error_summary(browser, live_server, viewport):
    m = build_movement()
    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    try:
        log_in(page, Login(m.member.email, PASSWORD, None))
        page.goto("/oversight/initiatives/new/")
        page.get_by_role("button", name="Start the initiative").click()
        summary = page.locator(".error-summary")
        expect(summary).to_be_focused()
        assert page.title().startswith("Error: Start an initiative")
        title = page.locator("#id_title")
        expect(title).to_have_attribute("aria-invalid", "true")
        described = (title.get_attribute("aria-describedby") or "").split()
        assert "id_title_error" in described
        expect(page.locator("#id_title_error")).to_contain_text("This field is required")
        # Tab from the summary reaches its first link, which leads to the field.
        page.keyboard.press("Tab")
        expect(summary.get_by_role("link").first).to_be_focused()
    finally:
        context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["desktop", "phone"])
def test_search_results_are_announced_in_the_one_live_region(browser, live_server, viewport):
    m = build_movement()
    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    try:
        log_in(page, Login(m.data_manager_a.email, PASSWORD, TOTP_SECRET))
        page.goto("/members/")
        live = page.locator("#live-status")
        expect(live).to_have_attribute("aria-live", "polite")
        page.get_by_label("Search").fill(m.in_group_a.last_name)
        expect(live).to_contain_text("found", timeout=10_000)
        assert page.locator("[aria-live]").count() == 1
    finally:
        context.close()
