"""People-friendly data pages in Chromium (issue 21), on a desktop and a phone: the national
office downloads the import template and uploads a file with a wrong header, and is told the
file cannot be imported (not "1 of 0 rows have problems"); a member reads My data in words."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Login, log_in
from tests.factories import PASSWORD
from tests.meetings.builders import comment_on, group_meeting, motion_in
from tests.web.roles import TOTP_SECRET, build_movement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = [{"width": 1280, "height": 900}, {"width": 375, "height": 800}]


def _fits(page) -> None:
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert scroll <= inner, f"{page.url} is {scroll}px wide on a {inner}px screen"


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["desktop", "phone"])
def test_national_office_imports_from_the_template_and_reads_a_clear_refusal(
    browser, live_server, viewport, tmp_path
):
    m = build_movement()
    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    try:
        log_in(page, Login(m.national.email, PASSWORD, TOTP_SECRET))
        page.goto("/national/import/")
        with page.expect_download() as download:
            page.get_by_role("link", name="Download the CSV template").click()
        header = Path(download.value.path()).read_text().strip()
        assert header.startswith("membership_number,first_name,last_name,email")
        expect(page.get_by_text("DD/MM/YYYY (31/03/2024)").first).to_be_visible()

        wrong = tmp_path / "members.csv"
        wrong.write_text("name,email\nAnn,ann@example.org\n")
        page.get_by_label("CSV file").set_input_files(str(wrong))
        page.get_by_role("button", name="Upload and import").click()
        summary = page.locator(".error-summary")
        expect(summary).to_contain_text("The file cannot be imported as it is")
        expect(summary).to_contain_text("The header is missing the column(s)")
        assert "of 0 rows" not in page.locator("main").inner_text()
        _fits(page)
    finally:
        context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["desktop", "phone"])
def test_member_reads_my_data_in_words(browser, live_server, viewport):
    m = build_movement()
    meeting = group_meeting(m.member.home_group, m.data_manager_a)
    comment_on(motion_in(meeting, m.data_manager_a, m.member), m.member, "My point")
    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    try:
        log_in(page, Login(m.member.email, PASSWORD, None))
        page.goto("/my-data/")
        other = page.locator("#sa-other").locator("xpath=..")
        expect(other.get_by_text("Created at").first).to_be_visible()
        text = other.inner_text()
        assert "created_at" not in text and "@" not in text
        _fits(page)
    finally:
        context.close()
