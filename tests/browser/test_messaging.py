"""The messaging journey in a browser: a group's Secretary writes to the group and sees how many
members it reaches but never who; the mail goes out through a real local SMTP server (test
settings run tasks with the ImmediateBackend, so sending finishes within the request); the
report shows it sent; and a member stops these messages from the link in the mail, without
logging in."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from grassroots.audit.models import AuditEntry
from grassroots.messaging.models import Mailout, MailoutState, Unsubscribe
from tests.browser.conftest import Login, log_in
from tests.factories import PASSWORD
from tests.mail import Mailbox, mailbox
from tests.messaging.helpers import build_town
from tests.web.roles import TOTP_SECRET

__all__ = ["mailbox"]

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_secretary_writes_to_the_group_and_a_member_unsubscribes_without_logging_in(
    browser, live_server, page, mailbox: Mailbox
):
    from django.core.cache import cache

    # allauth remembers used TOTP codes in the cache: an earlier test's code is not a replay.
    cache.clear()
    town = build_town()
    group = town.group_a
    # Group A's consenting members with the status "member": three plain members and the
    # Secretary, Data Manager and Treasurer (officers' home group is A). Not the one without
    # consent, nor the lapsed member, nor group B's member.
    reached = [*town.consenting_a, town.secretary_a, town.data_manager_a, town.treasurer_a]
    not_reached = [town.not_consenting_a, town.lapsed_a, town.consenting_b]
    everyone = reached + not_reached

    log_in(page, Login(town.secretary_a.email, PASSWORD, TOTP_SECRET))
    page.goto("/messages/")
    page.get_by_role("link", name="Write a message").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Write to members")
    scope = page.get_by_label("Send to")
    expect(scope.locator("option")).to_have_count(1)  # the Secretary's own group, nothing else
    scope.select_option(f"group:{group.pk}")
    page.get_by_label("Subject").fill("Leafleting on Saturday")
    page.get_by_label("Message").fill("Meet at the library at 10.")
    page.get_by_label("Purpose").fill("organising a leaflet round")
    page.get_by_role("button", name="Preview").click()

    expect(page.get_by_role("status")).to_contain_text(f"{len(reached)} members")
    expect(page.get_by_role("status")).to_contain_text("will receive this message")
    html = page.content()
    for person in everyone:
        if person != town.secretary_a:  # the Secretary's own address is in the page header
            assert person.email not in html, "a recipient's address reached the sender"
            # As a whole word: a generated "Ball" is inside the menu's "Ballots".
            named = re.search(rf"\b{re.escape(person.last_name)}\b", html)
            assert not named, "a recipient's name reached the sender"
    assert not Mailout.objects.exists(), "a preview sends nothing"

    page.get_by_role("button", name=f"Send to {len(reached)} members").click()
    page.wait_for_url(re.compile(r"/messages/\d+/$"))
    mailout = Mailout.objects.get()
    expect(page.get_by_role("heading", level=1)).to_have_text("Leafleting on Saturday")
    expect(page.locator("#progress [role=status]")).to_have_text("Sent.")
    progress = page.locator("#progress progress")
    expect(progress).to_have_attribute("value", "100")
    report = page.locator("#progress table")
    expect(report.get_by_role("row", name=re.compile("^Sent"))).to_contain_text(str(len(reached)))
    expect(report.get_by_role("row", name=re.compile("^Failed"))).to_contain_text("0")
    expect(report.get_by_role("row", name=re.compile("no consent"))).to_contain_text("1")
    html = page.content()
    for person in everyone:
        if person != town.secretary_a:
            assert person.email not in html
            # As a whole word, as above: "Ball" is inside the menu's "Ballots".
            assert not re.search(rf"\b{re.escape(person.last_name)}\b", html)

    mailout.refresh_from_db()
    assert (mailout.state, mailout.sent, mailout.failed) == (MailoutState.SENT, len(reached), 0)
    assert sorted(a for d in mailout_deliveries(mailbox) for a in d) == sorted(
        p.email for p in reached
    )
    assert AuditEntry.objects.filter(action="queue_mailout", subject_id=str(mailout.pk)).exists()

    # The member follows the link at the foot of the mail, in a browser that is not logged in,
    # and stops officers' messages from everywhere.
    member = town.consenting_a[0]
    member_page = fresh_page(browser, live_server)
    member_page.goto(unsubscribe_path(mailbox, member.email))
    expect(member_page.get_by_role("heading", level=1)).to_have_text(
        f"Stop messages from {group.name}"
    )
    member_page.get_by_label(re.compile("Also stop messages from every other group")).check()
    member_page.get_by_role("button", name="Stop these messages").click()
    expect(member_page.get_by_role("heading", level=1)).to_have_text("Messages stopped")
    expect(member_page.get_by_role("status")).to_contain_text("from any group, area or region")
    assert "/accounts/login/" not in member_page.url
    member_page.context.close()

    assert Unsubscribe.objects.filter(member=member, scope_key="all", via="page").exists()
    assert not Unsubscribe.objects.exclude(member=member).exists()


def test_member_stops_this_groups_messages_from_the_page_without_logging_in(
    browser, live_server, mailbox: Mailbox
):
    from grassroots.messaging.queries import Scope
    from grassroots.messaging.services import send_mailout

    town = build_town()
    group = town.group_a
    send_mailout(
        actor=town.secretary_a.user,
        scope=Scope(level="group", group=group),
        statuses=["member"],
        subject="Meeting",
        body="See you there.",
        purpose="meeting notice",
    )  # delivered on commit, by the ImmediateBackend
    member = town.consenting_a[0]
    member_page = fresh_page(browser, live_server)
    member_page.goto(unsubscribe_path(mailbox, member.email))
    member_page.get_by_role("button", name="Stop these messages").click()
    try:
        expect(member_page.get_by_role("heading", level=1)).to_have_text(
            "Messages stopped", timeout=3_000
        )
        expect(member_page.get_by_role("status")).to_contain_text(group.name)
    finally:
        member_page.context.close()
    assert Unsubscribe.objects.filter(
        member=member, scope_key=f"group:{group.pk}", via="page"
    ).exists()


def fresh_page(browser, live_server):
    """A page in a browser context of its own: no session, no cookies."""
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    return context.new_page()


def unsubscribe_path(mailbox: Mailbox, address: str) -> str:
    """The path of the one-click link the mail carries, in its header and at its foot."""
    delivered = mailbox.last_to(address)
    header = " ".join(str(delivered.message["List-Unsubscribe"]).split())
    link = re.fullmatch(r"<(\S+)>", header)
    assert link, header
    assert link.group(1) in delivered.text
    return urlsplit(link.group(1)).path


def mailout_deliveries(mailbox: Mailbox) -> list[list[str]]:
    return [d.recipients for d in mailbox.delivered]
