"""A visitor's front page: they find their local group from a postcode, on a phone, without
logging in."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.factories import AreaFactory, GroupFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_finds_their_group_by_postcode_on_a_phone(browser, live_server):
    area = AreaFactory(name="Leeds")
    GroupFactory(area=area, name="Headingley", slug="headingley", postcode_districts="LS6 LS16")
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, device_scale_factor=2, is_mobile=True
    )
    page = context.new_page()
    try:
        page.goto("/")
        expect(page.get_by_role("heading", name="Find your local group")).to_be_visible()
        page.get_by_label("Your postcode").fill("ls6 3ab")
        page.get_by_role("button", name="Find my group").click()
        result = page.get_by_role("status")
        expect(result).to_contain_text("Groups for LS6")
        result.get_by_role("link", name="Headingley").click()
        expect(page.get_by_role("heading", name="Headingley")).to_be_visible()

        page.goto("/groups/?postcode=nonsense")
        expect(page.get_by_role("alert")).to_contain_text("is not a UK postcode")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"]
    finally:
        context.close()
