"""Issue 17's acceptance: a regional delegate meeting run end to end in the browser.

Delegates sign in (one in the room on a phone, one online with JavaScript off), two proxies are
given (one by the delegate on their page, one entered by the chair as a block), the speakers'
list alternates for and against with a running countdown, an amendment and then the motion are
voted live with weights, one attendee votes with a printed code at the kiosk, the projector shows
the results, and the minutes have the votes and the speakers. Bad input on the way: a vote while
inquorate, a proxy to someone absent, a code used twice, a vote after the close; each gets a clear
error and changes nothing.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from grassroots.assembly.models import LiveBallot, LiveVote, Proxy
from grassroots.assembly.services.speakers import ask_to_speak
from grassroots.meetings.models import Amendment, AmendmentStatus, MotionStatus
from tests.assembly.builders import build_session
from tests.browser.conftest import Login, log_in
from tests.factories import PASSWORD
from tests.web.roles import TOTP_SECRET

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow(seconds=40),
    pytest.mark.django_db(transaction=True),
]

SHOTS = Path(os.environ.get("GRASSROOTS_SCREENSHOTS", "var/screenshots"))


def _context(browser, live_server, **options):
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(15_000)
    return context, context.new_page()


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"live-{name}.png"), full_page=True)


def _sign_in_at_desk(chair, meeting_id: int, member, where: str) -> None:
    chair.goto(f"/meetings/{meeting_id}/attendance/")
    chair.get_by_label("Membership number").fill(member.membership_number)
    chair.get_by_label("Where").select_option(where)
    chair.get_by_role("button", name="Sign in").click()
    expect(chair.locator(".messages")).to_contain_text(f"{member.last_name} is in")


def test_a_regional_delegate_meeting_end_to_end(browser, live_server, page):
    cache.clear()
    session = build_session(balance="side", speaking_seconds=90)
    meeting = session.meeting
    m = meeting.pk
    leeds_a, leeds_b, leeds_c, harrogate_a, harrogate_b, skipton = session.delegates
    amendment = Amendment.objects.create(
        motion=session.motion,
        number=1,
        proposer=harrogate_a,
        kind="insert",
        paragraph=1,
        new_text="Starting with a tenants' union in every ward of Leeds.",
        base_text=session.motion.text,
        submitted_at=meeting.starts_at,
    )

    # The chair (the regional coordinator) on a desktop.
    chair = page
    log_in(chair, Login(session.chair_member.email, PASSWORD, TOTP_SECRET))
    chair.goto(f"/meetings/{m}/")
    chair.get_by_role("link", name=re.compile("The meeting in session")).click()
    chair.get_by_role("link", name="Chair's console").click()

    # Bad input: nobody is signed in yet, so the meeting is not quorate.
    chair.get_by_label("The vote is on").select_option("amendment")
    chair.get_by_label("Which motion or amendment").select_option(f"a{amendment.pk}")
    chair.get_by_role("button", name="Open the vote").click()
    expect(chair.get_by_role("alert")).to_contain_text("not quorate (0 signed in, 3 needed)")
    assert not LiveVote.objects.exists()

    # A Leeds delegate signs in on her phone, in the room; a Harrogate delegate online, with
    # JavaScript off (the pages work without it).
    phone_context, phone = _context(
        browser, live_server, viewport={"width": 375, "height": 812}, is_mobile=True
    )
    log_in(phone, Login(leeds_a.email, PASSWORD, None))
    phone.goto(f"/meetings/{m}/")
    phone.get_by_role("button", name="Sign in: I am in the room").click()
    expect(phone.get_by_text("You are signed in to this meeting")).to_be_visible()
    online_context, online = _context(browser, live_server, java_script_enabled=False)
    log_in(online, Login(harrogate_a.email, PASSWORD, None))
    online.goto(f"/meetings/{m}/")
    online.get_by_role("button", name="Sign in: I am online").click()

    # Two more at the desk; Skipton's delegate stays at home and Harrogate's second is late.
    _sign_in_at_desk(chair, m, leeds_b, "room")
    _sign_in_at_desk(chair, m, leeds_c, "room")
    expect(chair.get_by_role("cell", name="Online")).to_have_count(1)

    # Skipton's delegate, at home, gives her proxy: first to the late Harrogate delegate
    # (refused: absent), then to the Leeds delegate in the room.
    home_context, home = _context(browser, live_server)
    log_in(home, Login(skipton.email, PASSWORD, None))
    home.goto(f"/meetings/{m}/live/")
    home.get_by_label(re.compile("Membership number of the attendee")).fill(
        harrogate_b.membership_number
    )
    home.get_by_role("button", name="Give my proxy").click()
    expect(home.get_by_role("alert")).to_contain_text("not signed in as present")
    home.goto(f"/meetings/{m}/live/")
    home.get_by_label(re.compile("Membership number of the attendee")).fill(
        leeds_a.membership_number
    )
    home.get_by_role("button", name="Give my proxy").click()
    expect(home.get_by_text(re.compile("holds your proxy for this meeting"))).to_be_visible()
    home_context.close()

    # The chair enters a block of proxies from paper forms: Harrogate's late delegate to Leeds'
    # second. A block with a bad line records nothing.
    chair.goto(f"/meetings/{m}/live/proxies/")
    chair.get_by_label(re.compile("Proxies, one a line")).fill(
        f"{harrogate_b.membership_number} {leeds_b.membership_number}\nnonsense"
    )
    chair.get_by_role("button", name="Record the proxies").click()
    expect(chair.get_by_role("alert")).to_contain_text("Line 2: give two membership numbers")
    assert Proxy.objects.count() == 1
    chair.get_by_label(re.compile("Proxies, one a line")).fill(
        f"{harrogate_b.membership_number} {leeds_b.membership_number}"
    )
    chair.get_by_role("button", name="Record the proxies").click()
    expect(chair.get_by_text("1 proxy recorded.")).to_be_visible()
    assert Proxy.objects.filter(revoked_at__isnull=True).count() == 2

    # The speakers' list: Leeds' third delegate asks first, for; then the phone, for; then the
    # online delegate, against. After the first speaker (for), the list calls against.
    ask_to_speak(actor=leeds_c.user, meeting=meeting, side="for")
    phone.goto(f"/meetings/{m}/live/")
    phone.get_by_label("You speak").select_option("for")
    phone.get_by_role("button", name="Ask to speak").click()
    expect(phone.get_by_text("You are on the list.")).to_be_visible()
    online.goto(f"/meetings/{m}/live/")
    online.get_by_label("You speak").select_option("against")
    online.get_by_role("button", name="Ask to speak").click()
    chair.goto(f"/meetings/{m}/live/chair/")
    chair.get_by_role("button", name="Call the next speaker").click()
    expect(chair.locator(".speaker-now")).to_contain_text(leeds_c.last_name)
    queue = chair.locator("ol.queue li")
    expect(queue.first).to_contain_text(harrogate_a.last_name)  # against, though she asked last
    projector_context, projector = _context(browser, live_server)
    log_in(projector, Login(leeds_b.email, PASSWORD, None))
    projector.goto(f"/meetings/{m}/live/projector/")
    timer = projector.get_by_role("timer")
    expect(timer).to_have_text(re.compile(r"^1:[23]\d left$"))
    first_reading = timer.text_content()
    expect(timer).not_to_have_text(first_reading or "")  # it counts down
    chair.get_by_role("button", name="Call the next speaker").click()
    expect(chair.locator(".speaker-now")).to_contain_text(harrogate_a.last_name)
    chair.get_by_role("button", name="End this speech").click()
    # The projector follows without a reload.
    expect(projector.get_by_text("Nobody is speaking.")).to_be_visible(timeout=10_000)

    # The amendment is put to the vote.
    chair.get_by_label("The vote is on").select_option("amendment")
    chair.get_by_label("Which motion or amendment").select_option(f"a{amendment.pk}")
    chair.get_by_role("button", name="Open the vote").click()
    expect(chair.get_by_text("The vote is open.")).to_be_visible()
    expect(projector.get_by_text("Voting now: Amendment 1 to motion 1")).to_be_visible(
        timeout=10_000
    )
    expect(projector.locator("ins")).to_contain_text("in every ward of Leeds")

    # The phone votes for, and for Skipton's delegate by proxy; the update arrives by itself.
    expect(phone.get_by_text(re.compile("Your vote carries a weight of 10"))).to_be_visible(
        timeout=10_000
    )
    phone.locator(f"#ballot-{LiveVote.objects.get().pk}").get_by_label("For").check()
    phone.get_by_role("button", name="Cast my vote").click()
    expect(phone.get_by_text("Your vote is recorded.")).to_be_visible()
    proxy_form = phone.locator("form", has_text=f"By proxy for {skipton.first_name}")
    proxy_form.get_by_label("Against").check()
    proxy_form.get_by_role("button", name=re.compile("^Cast")).click()
    expect(phone.get_by_text(re.compile(f"Vote recorded for {skipton.first_name}"))).to_be_visible()
    _shot(phone, "phone-375")

    # Online, without JavaScript: against.
    online.goto(f"/meetings/{m}/live/")
    online.get_by_label("Against").check()
    online.get_by_role("button", name="Cast my vote").click()
    expect(online.get_by_text("Your vote is recorded.")).to_be_visible()

    # Leeds' third delegate has no phone: the chair prints her a code, she uses it at the kiosk.
    chair.goto(f"/meetings/{m}/live/codes/")
    # By her whole name and number: two generated delegates may share a surname.
    chair.get_by_label(
        f"{leeds_c.first_name} {leeds_c.last_name} ({leeds_c.membership_number})"
    ).check()
    chair.get_by_role("button", name="Make the cards").click()
    code = chair.locator(".code").first.text_content().strip()
    _shot(chair, "code-cards")
    chair.goto(f"/meetings/{m}/live/kiosk/")
    chair.get_by_label("Voting code").fill(code)
    chair.get_by_label("For").check()
    chair.get_by_role("button", name="Vote").click()
    expect(chair.get_by_text(re.compile("Vote recorded for"))).to_be_visible()
    chair.get_by_label("Voting code").fill(code)
    chair.get_by_label("Against").check()
    chair.get_by_role("button", name="Vote").click()
    expect(chair.get_by_role("alert")).to_contain_text("already been used")
    chair.set_viewport_size({"width": 375, "height": 812})
    _shot(chair, "kiosk-375")
    chair.set_viewport_size({"width": 1280, "height": 900})
    assert LiveBallot.objects.count() == 4

    # The chair closes: for 10 + 10 (Leeds), against 5 (Skipton by proxy) + 6 (Harrogate).
    chair.goto(f"/meetings/{m}/live/chair/")
    chair.get_by_role("button", name="Close the vote and count it").click()
    expect(chair.get_by_text("The vote is closed and counted.")).to_be_visible()
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.CARRIED
    result = projector.locator(".results").first
    expect(result).to_contain_text("Carried", timeout=10_000)
    expect(result.get_by_role("row", name=re.compile("^For"))).to_contain_text("20")
    expect(result.get_by_role("row", name=re.compile("^Against"))).to_contain_text("11")

    # The motion, as amended. The online delegate's page was drawn while it was open.
    chair.get_by_label("The vote is on").select_option("motion")
    chair.get_by_label("Which motion or amendment").select_option(f"m{session.motion.pk}")
    chair.get_by_role("button", name="Open the vote").click()
    expect(projector.get_by_text("in every ward of Leeds")).to_be_visible(timeout=10_000)
    online.goto(f"/meetings/{m}/live/")
    phone.goto(f"/meetings/{m}/live/")
    phone.locator("form", has_text="Cast my vote").get_by_label("For").check()
    phone.get_by_role("button", name="Cast my vote").click()
    expect(phone.get_by_text("Your vote is recorded.")).to_be_visible()
    chair.goto(f"/meetings/{m}/live/chair/")
    chair.get_by_role("button", name="Close the vote and count it").click()
    # Bad input: a vote after the close.
    online.get_by_label("Against").check()
    online.get_by_role("button", name="Cast my vote").click()
    expect(online.get_by_role("alert")).to_contain_text("closed: your vote was not counted")
    session.motion.refresh_from_db()
    assert session.motion.status == MotionStatus.CARRIED
    assert LiveBallot.objects.filter(vote__motion=session.motion, vote__amendment=None).count() == 1
    expect(projector.get_by_text("Result: Motion 1")).to_be_visible(timeout=10_000)
    projector.set_viewport_size({"width": 1280, "height": 900})
    _shot(projector, "projector-desktop")
    projector.set_viewport_size({"width": 375, "height": 812})
    _shot(projector, "projector-375")
    chair.goto(f"/meetings/{m}/live/chair/")
    _shot(chair, "chair-desktop")

    # The minutes have the votes, with weights and names, and the speakers.
    chair.goto(f"/meetings/{m}/minutes/")
    chair.get_by_role("button", name=re.compile("Draft the minutes")).click()
    minutes = chair.locator("body")
    expect(minutes).to_contain_text("Votes taken at the meeting")
    expect(minutes).to_contain_text("For: 2 voting, weight 20")
    expect(minutes).to_contain_text(f"{skipton.first_name} {skipton.last_name}: Against (by proxy)")
    expect(minutes).to_contain_text("Speakers")
    expect(minutes).to_contain_text(
        f"{harrogate_a.first_name} {harrogate_a.last_name}, against, online"
    )
    for context in (phone_context, online_context, projector_context):
        context.close()
