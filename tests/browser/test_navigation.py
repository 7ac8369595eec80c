"""The main navigation: the page shown is marked for screen readers (aria-current), and on a
phone the links fold into a Menu button that opens and closes them, with every link still there
when JavaScript is off."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, Login, log_in
from tests.factories import PASSWORD, MemberWithLoginFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_section_shown_is_marked_current(page):
    member = MemberWithLoginFactory()
    log_in(page, Login(member.email, PASSWORD, None))
    page.goto("/ballots/")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Ballots")).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name="Meetings")).not_to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("button", name="Menu")).to_be_hidden()  # a wide screen lists them


def test_on_a_phone_the_links_fold_into_a_menu(browser, live_server):
    member = MemberWithLoginFactory()
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, device_scale_factor=2, is_mobile=True
    )
    page = context.new_page()
    try:
        log_in(page, Login(member.email, PASSWORD, None))
        page.goto("/meetings/")
        nav = page.get_by_role("navigation", name="Main")
        menu = nav.get_by_role("button", name="Menu")
        expect(menu).to_have_attribute("aria-expanded", "false")
        expect(nav.get_by_role("link", name="Ballots")).to_be_hidden()
        menu.click()
        expect(menu).to_have_attribute("aria-expanded", "true")
        expect(nav.get_by_role("link", name="Ballots")).to_be_visible()
        page.keyboard.press("Escape")
        expect(menu).to_have_attribute("aria-expanded", "false")
        expect(menu).to_be_focused()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width}px wide on a phone"
    finally:
        context.close()


def test_without_javascript_every_link_is_listed_on_a_phone(browser, live_server):
    member = MemberWithLoginFactory()
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, java_script_enabled=False
    )
    page = context.new_page()
    try:
        log_in(page, Login(member.email, PASSWORD, None))
        nav = page.get_by_role("navigation", name="Main")
        expect(nav.get_by_role("link", name="Ballots")).to_be_visible()
        expect(nav.get_by_role("button", name="Menu")).to_be_hidden()
    finally:
        context.close()
