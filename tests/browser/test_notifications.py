"""Notifications in Chromium: a meeting called in the demo member's group reaches their inbox;
the header shows the unread count (on a phone too, inside the menu); opening it goes to the
meeting and clears the count; the member chooses to hear of meetings by email at once, and the
next meeting called reaches them by mail."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import expect

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.meetings.services.scheduling import schedule_meeting
from grassroots.notifications.services import mark_all_read
from tests.browser.conftest import log_in
from tests.mail import Mailbox, mailbox

__all__ = ["mailbox"]

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _call_meeting(national_email: str, group, title: str) -> None:
    starts = clock.now() + datetime.timedelta(days=3)
    schedule_meeting(
        actor=User.objects.get(email=national_email),
        title=title,
        level="group",
        scope=group,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        address="Friends Meeting House, 188 Woodhouse Lane",
    )


def test_a_meeting_reaches_the_inbox_and_by_mail_once_asked(
    demo, page, phone_page, mailbox: Mailbox, tmp_path
):
    member = User.objects.get(email=demo.member.email).member
    # The demo's own meetings and surveys have told the member already; start from none unread.
    assert mark_all_read(member) >= 1
    _call_meeting(demo.national.email, member.home_group, "Stall planning")

    log_in(page, demo.member)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name=re.compile(r"^Notifications 1 unread$"))).to_be_visible()
    page.screenshot(path=tmp_path / "home-with-badge.png")
    nav.get_by_role("link", name=re.compile("^Notifications")).click()
    expect(page.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    item = page.get_by_role("button", name=re.compile(r"^Unread: Stall planning: "))
    expect(item).to_be_visible()
    page.screenshot(path=tmp_path / "inbox.png", full_page=True)
    item.click()
    page.wait_for_url(re.compile(r"/meetings/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Stall planning")
    expect(nav.get_by_role("link", name="Notifications", exact=True)).to_be_visible()

    # On a phone the count is in the collapsed menu.
    log_in(phone_page, demo.member)
    _call_meeting(demo.national.email, member.home_group, "Banner painting")
    phone_page.goto("/")
    phone_page.get_by_role("button", name="Menu").click()
    expect(
        phone_page.get_by_role("link", name=re.compile(r"^Notifications 1 unread$"))
    ).to_be_visible()
    phone_page.screenshot(path=tmp_path / "phone-menu.png")
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # Settings: meetings by email straight away.
    page.goto("/notifications/")
    page.get_by_role("link", name="Choose what we email you").click()
    group = page.get_by_role("group", name="Meetings and events called in your groups")
    group.get_by_label("By email straight away").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Your notification settings are saved.")
    expect(group.get_by_label("By email straight away")).to_be_checked()
    page.screenshot(path=tmp_path / "settings.png", full_page=True)

    _call_meeting(demo.national.email, member.home_group, "Emergency meeting on rents")
    message = mailbox.last_to(member.email)
    assert message.subject.startswith("Emergency meeting on rents: ")
    assert re.search(r"http\S+/meetings/\d+/", message.text)
    assert "Stop all notification email:" in message.text
