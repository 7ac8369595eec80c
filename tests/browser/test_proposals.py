"""Decisions between meetings in Chromium, in the demo (issue 19's acceptance): a Leeds Central
member proposes a stall by consent; another member blocks it with a reason; they discuss it in
the debate thread beside it (a reply, an edit with its history); the proposer amends
and re-proposes; it passes at the close (the scheduler's tick) and appears in the group's
decision log and in the draft minutes of the next meeting; a time poll creates a meeting; a
contested proposal is sent to the next meeting's agenda.

The clock the services read (grassroots.clock.now) is moved forward in this process, which is
also the live server's. Screenshots of the proposal page at desktop width and 375 px are kept in
the test's tmp_path for a person to look at.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.ballots.scheduler import run_tick
from grassroots.demo import people as demo_people
from grassroots.meetings.models import AgendaItem, Meeting
from grassroots.proposals.models import Proposal, ProposalStatus
from tests.ballots.conftest import Clock
from tests.browser.conftest import Login, log_in
from tests.web.roles import TOTP_SECRET, give_authenticator_app

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
NARROW = {"width": 375, "height": 812}


@pytest.fixture
def moving_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    yield Clock(monkeypatch)


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def person(browser, live_server, login: Login, viewport=DESKTOP):
    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, login)
    return page


def test_a_stall_by_consent_blocked_amended_passed_minuted_and_more(
    browser, live_server, demo, moving_clock, tmp_path
):
    give_authenticator_app(User.objects.get(email=demo_people.CHAIR_LOGIN.email))
    chair_login = Login(demo_people.CHAIR_LOGIN.email, demo_people.DEMO_PASSWORD, TOTP_SECRET)

    # Sam, a member of Leeds Central, proposes a stall by consent from the group's page.
    sam = person(browser, live_server, demo.member)
    sam.get_by_role("link", name="Groups", exact=True).click()
    sam.get_by_role("link", name="Leeds Central", exact=True).first.click()
    sam.get_by_role("link", name="Proposals and the decision log").click()
    sam.get_by_role("link", name="Make a proposal").click()
    sam.get_by_label("Title").fill("Run a stall on Saturday")
    sam.get_by_label("The proposal").fill("A stall outside Kirkgate Market, 10 till 2.")
    sam.get_by_label("How the body decides").select_option(value="consent")
    sam.get_by_label("Closes").fill(_local(clock.now() - datetime.timedelta(hours=1)))
    sam.get_by_role("button", name="Open the proposal").click()
    expect(sam.get_by_text("The closing time has already passed").first).to_be_visible()
    sam.get_by_label("Closes").fill(_local(clock.now() + datetime.timedelta(days=1)))
    sam.get_by_role("button", name="Open the proposal").click()
    expect(sam.get_by_role("heading", level=1)).to_have_text("Run a stall on Saturday")
    first = Proposal.objects.get(title="Run a stall on Saturday")

    # Priya (another member of the group) finds it waiting on her home page and blocks it.
    priya = person(browser, live_server, demo.data_manager)
    priya.get_by_role("link", name=re.compile("Take your position on “Run a stall")).click()
    priya.get_by_label("Block: I have a serious objection (give your reason)").check()
    priya.get_by_role("button", name="Record my position").click()
    expect(priya.get_by_text("Write the reason.").first).to_be_visible()
    priya.get_by_label("Block: I have a serious objection (give your reason)").check()
    priya.get_by_label("Your reason", exact=True).fill("Saturday is the picket at the depot.")
    priya.get_by_role("button", name="Record my position").click()
    expect(priya.get_by_text("Saturday is the picket at the depot.").first).to_be_visible()

    # They talk it over in the discussion beside it (the meetings debate thread): Sam asks,
    # Priya replies from his comment, and Sam corrects his question; its first words stay in
    # its history.
    sam.goto(f"/proposals/{first.pk}/")
    sam.get_by_label("Add to the discussion").fill("Would Sunday work instead?")
    sam.get_by_role("button", name="Post your comment").click()
    thread = sam.locator("ol.thread")
    expect(thread.locator("li.comment").first).to_contain_text("Would Sunday work instead?")
    priya.goto(f"/proposals/{first.pk}/")
    priya.locator("ol.thread li.comment").first.get_by_role(
        "link", name="Reply", exact=True
    ).click()
    expect(priya.get_by_text("Replying to a comment.")).to_be_visible()
    priya.get_by_label("Add to the discussion").fill("Sunday is free: no picket.")
    priya.get_by_role("button", name="Post your comment").click()
    expect(priya.locator("ol.thread li.comment.depth-1")).to_contain_text("Sunday is free")
    sam.reload()
    sam.locator("ol.thread li.comment").first.get_by_role("link", name="Edit", exact=True).click()
    sam.get_by_label("Your comment").fill("Would Sunday, 10 till 2, work instead?")
    sam.get_by_role("button", name="Save", exact=True).click()
    first_comment = sam.locator("ol.thread li.comment").first
    expect(first_comment).to_contain_text("Would Sunday, 10 till 2, work instead?")
    first_comment.get_by_role("link", name="edited", exact=True).click()
    expect(sam.get_by_text("Would Sunday work instead?")).to_be_visible()
    sam.goto(f"/proposals/{first.pk}/")

    # Sam amends and re-proposes; Priya consents to the new version.
    sam.reload()
    expect(sam.get_by_text("If it closed now: Blocked")).to_be_visible()
    sam.get_by_role("link", name="Amend and re-propose").click()
    sam.get_by_label("Title").fill("Run a stall on Sunday")
    sam.get_by_label("Closes").fill(_local(clock.now() + datetime.timedelta(days=1)))
    sam.get_by_role("button", name="Re-propose").click()
    expect(sam.get_by_role("heading", level=1)).to_have_text("Run a stall on Sunday")
    second = Proposal.objects.get(title="Run a stall on Sunday")
    assert second.previous_id == first.pk
    priya.goto(f"/proposals/{second.pk}/")
    priya.get_by_label("Consent: it can go ahead").check()
    priya.get_by_role("button", name="Record my position").click()
    expect(priya.get_by_text("Your position is recorded")).to_be_visible()

    # Screenshots of the open proposal: desktop and a 375 px phone.
    sam.reload()
    sam.screenshot(path=str(tmp_path / "proposal-desktop.png"), full_page=True)
    phone = person(browser, live_server, demo.member, viewport=NARROW)
    phone.goto(f"/proposals/{second.pk}/")
    scroll, inner = phone.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert scroll <= inner, f"the proposal page is {scroll}px wide on a {inner}px screen"
    phone.screenshot(path=str(tmp_path / "proposal-375.png"), full_page=True)

    # The close comes from the scheduler's tick, not from a page.
    moving_clock.advance(days=1, minutes=2)
    assert any(line.startswith(f"closed proposal {second.pk}: Passed") for line in run_tick())
    sam.reload()
    expect(sam.get_by_text("Passed by consent: nobody blocked it")).to_be_visible()
    sam.get_by_role("link", name="Write the outcome statement").click()
    sam.get_by_label("Outcome statement").fill("Sam books the pitch; Priya brings the gazebo.")
    sam.get_by_role("button", name="Publish the statement").click()
    sam.get_by_role("link", name="All proposals and the decision log").click()
    log = sam.locator("ul.decision-log")
    expect(log).to_contain_text("Run a stall on Sunday")
    expect(log).to_contain_text("Sam books the pitch")
    expect(log).not_to_contain_text("Run a stall on Saturday")

    # A time poll finds a date, and the chair schedules the meeting at it in one action.
    chair = person(browser, live_server, chair_login)
    chair.goto(f"/proposals/body/group-{second.group.slug}/")
    chair.get_by_role("link", name="Make a proposal").click()
    chair.get_by_label("Title").fill("When shall we plan the spring campaign?")
    chair.get_by_label("The proposal").fill("Pick the evenings you can come.")
    chair.get_by_label("How the body decides").select_option(value="time")
    chair.get_by_label("Closes").fill(_local(clock.now() + datetime.timedelta(days=2)))
    first_time = (clock.now() + datetime.timedelta(days=20)).replace(hour=18, minute=30)
    second_time = first_time + datetime.timedelta(days=1)
    chair.get_by_label("Times to choose from").fill(
        f"{timezone.localtime(first_time):%Y-%m-%d %H:%M}\n"
        f"{timezone.localtime(second_time):%Y-%m-%d %H:%M}"
    )
    chair.get_by_role("button", name="Open the proposal").click()
    poll = Proposal.objects.get(process="time")
    sam.goto(f"/proposals/{poll.pk}/")
    groups = sam.locator("fieldset")
    groups.nth(0).get_by_label("I cannot").check()
    groups.nth(1).get_by_label("I can come").check()
    sam.get_by_role("button", name="Record my position").click()
    expect(sam.get_by_text("Your position is recorded")).to_be_visible()
    chair.goto(f"/proposals/{poll.pk}/")
    chair.get_by_role("button", name="Close it now").click()
    chair.get_by_role("button", name="Yes, close it now").click()
    chair.get_by_role("link", name="Schedule the meeting at the chosen time").click()
    chair.get_by_label("Where").select_option(value="online")
    chair.get_by_label("Link to join online").fill("https://meet.example.org/spring")
    chair.get_by_role("button", name="Schedule it").click()
    expect(chair.get_by_role("heading", level=1)).to_have_text(
        "When shall we plan the spring campaign?"
    )
    found = Meeting.objects.get(title="When shall we plan the spring campaign?")
    assert abs(found.starts_at - second_time) < datetime.timedelta(minutes=1)

    # A contested proposal goes to the next meeting's agenda with one action.
    chair.goto(f"/proposals/body/group-{second.group.slug}/")
    chair.get_by_role("link", name="Make a proposal").click()
    chair.get_by_label("Title").fill("Spend £200 on a new banner")
    chair.get_by_label("The proposal").fill("The old one is torn.")
    chair.get_by_label("How the body decides").select_option(value="consensus")
    chair.get_by_label("Closes").fill(_local(clock.now() + datetime.timedelta(days=2)))
    chair.get_by_role("button", name="Open the proposal").click()
    banner = Proposal.objects.get(title="Spend £200 on a new banner")
    sam.goto(f"/proposals/{banner.pk}/")
    sam.get_by_label("Disagree").check()
    sam.get_by_label("Your reason", exact=True).fill("Repair it; save the money for leaflets.")
    sam.get_by_role("button", name="Record my position").click()
    chair.reload()
    chair.get_by_role("button", name="Close it now").click()
    chair.get_by_role("button", name="Yes, close it now").click()
    expect(chair.get_by_text("Not passed")).to_be_visible()
    chair.get_by_role("link", name="Send to the next meeting or a ballot").click()
    chair.get_by_label("The next meeting's agenda").check()
    chair.get_by_role("button", name="Send it").click()
    expect(chair.get_by_text("Sent to the next meeting's agenda")).to_be_visible()
    item = AgendaItem.objects.get(title="Proposal: Spend £200 on a new banner")
    assert item.meeting.title == "Leeds Central branch meeting"

    # At the next branch meeting the chair drafts the minutes: decided between meetings.
    meeting = item.meeting
    moving_clock.advance(seconds=(meeting.starts_at - clock.now()).total_seconds() + 600)
    chair.goto(f"/meetings/{meeting.pk}/minutes/")
    chair.get_by_role("button", name="Draft the minutes").click()
    minutes = meeting.minutes
    assert "Decided between meetings" in minutes.text
    assert "Run a stall on Sunday" in minutes.text and "Passed by consent" in minutes.text
    assert "Sent to the next meeting's agenda" in minutes.text
    expect(chair.get_by_text("Decided between meetings").first).to_be_visible()
    assert Proposal.objects.get(pk=first.pk).status == ProposalStatus.SUPERSEDED
