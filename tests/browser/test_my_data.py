"""A member sees who viewed their record and downloads their data. Data: the demo
organisation at its smallest size; the Data Manager views the member's record in a browser of
their own first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from grassroots.audit.models import AuditEntry
from grassroots.people.models import Member
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_member_sees_the_data_manager_who_viewed_their_record_and_downloads_it(
    browser, live_server, page, demo
):
    member = Member.objects.get(email=demo.member.email)
    officer_context = browser.new_context(base_url=live_server.url)
    officer_page = officer_context.new_page()
    log_in(officer_page, demo.data_manager)
    officer_page.goto(f"/members/{member.membership_number}/")
    expect(officer_page.get_by_role("heading", level=1)).to_have_text(member.full_name)
    officer_context.close()

    log_in(page, demo.member)
    page.get_by_role("link", name="My profile").click()
    page.get_by_role("link", name="My data", exact=False).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My data")
    views = page.locator("table.record-views tbody tr")
    expect(views).to_have_count(1)
    expect(views.first).to_contain_text("Priya Shah")
    expect(views.first).to_contain_text("Data Manager, Leeds Central")
    expect(views.first).to_contain_text("member record page")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as JSON").click()
    download = download_info.value
    assert download.suggested_filename == f"my-data-{member.membership_number}.json"
    data = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert data["member"]["email"] == demo.member.email
    assert data["record_views"][0]["viewer"] == "Priya Shah"
    assert AuditEntry.objects.filter(
        action="subject_access_export", subject_id=member.membership_number
    ).exists()

    page.goto("/my-data/")
    page.get_by_role("link", name="Printable copy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your data: subject access copy")
    expect(page.locator("table.record-views tbody tr")).to_have_count(1)
