"""The auditor reads the audit log from the dashboard, filters it, and downloads it; on a phone
the page does not scroll sideways."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from grassroots.audit.models import AuditEntry
from grassroots.audit.services import record
from tests.browser.conftest import PHONE, Login, log_in
from tests.factories import PASSWORD
from tests.web.roles import TOTP_SECRET, build_movement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _seed_log(movement) -> None:
    record(
        actor=movement.data_manager_a.user,
        action="view_member",
        subject_type="member",
        subject_id=movement.in_group_a.membership_number,
        scope="group:gateshead",
    )
    record(
        actor=movement.national.user,
        action="export_members",
        subject_type="member_list",
        scope="nation",
        purpose="Annual conference mailing with a very long purpose " + "x" * 120,
    )


def test_auditor_filters_the_log_and_downloads_it(page):
    from django.core.cache import cache

    cache.clear()
    movement = build_movement()
    _seed_log(movement)
    log_in(page, Login(movement.auditor.email, PASSWORD, TOTP_SECRET))
    page.goto("/")
    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    rows = page.locator("table.audit-log tbody tr")
    expect(rows.filter(has_text="export_members")).to_have_count(1)

    page.get_by_label("Action").select_option("view_member")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(movement.data_manager_a.email)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download these entries as CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert "view_member" in text and "export_members" not in text
    assert AuditEntry.objects.filter(action="export_audit_log", actor=movement.auditor.user)

    page.get_by_label("From").fill("2026-12-05")
    page.get_by_label("To").fill("2026-12-01")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "The end date must not be before the start date."
    )
    assert page.title().startswith("Error:")


def test_audit_log_fits_a_phone(browser, live_server):
    from django.core.cache import cache

    cache.clear()
    movement = build_movement()
    _seed_log(movement)
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, device_scale_factor=2, is_mobile=True
    )
    page = context.new_page()
    try:
        log_in(page, Login(movement.auditor.email, PASSWORD, TOTP_SECRET))
        page.goto("/audit/")
        expect(page.locator("table.audit-log tbody tr")).to_have_count(2)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        width = PHONE["width"]
        assert scroll <= width, f"the page is {scroll}px wide on a {width}px phone"
    finally:
        context.close()
