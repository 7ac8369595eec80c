"""A call-in, in Chromium: a member finds a recorded decision in the register and calls it in;
three other members sign; the threshold (4 signatures here) is reached and an all-member
yes/no ballot on reversing the decision is created and opened, which a signer then sees and
opens. A second signature by the same member is refused on the page, and nobody's page names
who signed."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from grassroots.ballots.models import Ballot, BallotStatus
from grassroots.oversight.models import Initiative, InitiativeStatus
from tests.browser.conftest import Login, log_in
from tests.factories import PASSWORD
from tests.oversight.conftest import build_world, published_decision, set_rules

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_call_in_reaches_its_threshold_and_a_yes_no_ballot_opens(
    browser, live_server, page, settings, tmp_path
):
    from django.core.cache import cache

    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    world = build_world()
    # 14 members may sign; 25% of them, rounded up, is 4: the starter and three more.
    set_rules(world.national, tellers=world.tellers, signature_percent=Decimal("25"))
    decision = published_decision(world, title="Close the Leeds office")
    starter, *signers = world.members[:4]

    log_in(page, Login(starter.email, PASSWORD, None))
    page.get_by_role("link", name="Oversight").click()
    page.get_by_role("link", name="Decisions register").click()
    page.get_by_label("Search decisions and minutes").fill("Leeds office")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Close the Leeds office").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(decision.reference)
    page.get_by_role("link", name="Call in this decision").click()
    expect(page.get_by_label("Decision number (for a call-in)")).to_have_value(str(decision.pk))
    page.get_by_label("Title").fill("Keep the Leeds office open")
    page.get_by_label("What it proposes, and why").fill("Three groups meet there every week.")
    page.get_by_role("button", name="Start the initiative").click()
    # Issue 21: starting cannot be undone, so it is confirmed first; nothing is started before.
    expect(page.get_by_text("Tick the box to confirm you want to start it").first).to_be_visible()
    assert not Initiative.objects.exists()
    page.get_by_label("I understand that the initiative starts collecting signatures").check()
    page.get_by_role("button", name="Start the initiative").click()
    expect(page.get_by_role("heading", name="Keep the Leeds office open")).to_be_visible()
    expect(page.locator("#signature-count")).to_have_text("1")
    initiative = Initiative.objects.get()
    url = f"/oversight/initiatives/{initiative.pk}/"

    for number, signer in enumerate(signers, start=2):
        context = browser.new_context(base_url=live_server.url)
        tab = context.new_page()
        log_in(tab, Login(signer.email, PASSWORD, None))
        tab.goto(url)
        tab.get_by_role("button", name="Sign this initiative").click()
        expect(tab.get_by_text("Only you can see that you signed").first).to_be_visible()
        expect(tab.locator("#signature-count")).to_have_text(str(number))
        if number == 2:
            # Signing again (a second tab, a replayed form) is refused and counts nothing.
            again = tab.request.post(url + "sign/", headers={"X-CSRFToken": _csrf(context)})
            assert again.status == 400
            assert "You have already signed this initiative." in again.text()
            tab.goto(url)
            expect(tab.locator("#signature-count")).to_have_text("2")
        if number == 4:
            expect(tab.locator("#initiative-status")).to_have_text("Put to an all-member ballot")
            expect(
                tab.get_by_text(re.compile("Threshold reached with 4 signatures"))
            ).to_be_visible()
            expect(tab.get_by_text(re.compile("All-member ballot opened"))).to_be_visible()
            tab.get_by_role("link", name=re.compile("Vote in the ballot")).click()
            expect(
                tab.get_by_text(re.compile("decision “Close the Leeds office” be reversed"))
            ).to_be_visible()
            expect(tab.get_by_label("Yes")).to_be_visible()
            expect(tab.get_by_label("No", exact=True)).to_be_visible()
        context.close()

    initiative.refresh_from_db()
    assert initiative.status == InitiativeStatus.BALLOT
    assert initiative.signature_count == 4
    ballot = Ballot.objects.get()
    assert ballot.status == BallotStatus.OPEN and ballot.is_open
    assert initiative.ballot_id == ballot.pk
    assert ballot.questions.get().kind == "yesno"

    # The starter's page: the count and the timeline, and no signer's name.
    page.goto(url)
    expect(page.locator("#signature-count")).to_have_text("4")
    body = page.locator("main").inner_text()
    for signer in signers:
        # As a whole word: a generated "Lee" is inside "Leeds" without naming anyone.
        assert not re.search(rf"\b{re.escape(signer.last_name)}\b", body)


def _csrf(context) -> str:
    return next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")
