"""The officer who runs a ballot closes its poll (issue 21: confirmation before irreversible
actions), on a desktop and a phone: the button leads to a page that says what cannot be undone,
"No, go back" changes nothing, "Yes, close the poll" closes it; then "Decrypt and count" is
not offered until enough tellers have entered their shares."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from grassroots.ballots.models import Ballot, BallotStatus
from tests.ballots.conftest import Clock, make_ballot, open_with_voters
from tests.browser.conftest import Login, log_in
from tests.factories import PASSWORD
from tests.web.roles import TOTP_SECRET, give_authenticator_app

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = [{"width": 1280, "height": 900}, {"width": 375, "height": 800}]


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["desktop", "phone"])
def test_officer_confirms_before_closing_the_poll(
    browser, live_server, monkeypatch, viewport, tmp_path
):
    setup = make_ballot()
    open_with_voters(setup, 1)
    Clock(monkeypatch).advance(hours=2)
    give_authenticator_app(setup.officer.user)
    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    try:
        log_in(page, Login(setup.officer.email, PASSWORD, TOTP_SECRET))
        page.goto(f"/ballots/{setup.ballot.pk}/")
        page.get_by_role("button", name="Record the close (after the closing time)").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Close the poll: Steering committee election?"
        )
        expect(page.get_by_text("it cannot be reopened")).to_be_visible()
        page.screenshot(path=str(tmp_path / "confirm.png"), full_page=True)
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert scroll <= inner
        page.get_by_role("link", name="No, go back").click()
        page.wait_for_url(f"**/ballots/{setup.ballot.pk}/")
        assert Ballot.objects.get(pk=setup.ballot.pk).status == BallotStatus.OPEN

        page.get_by_role("button", name="Record the close (after the closing time)").click()
        page.get_by_role("button", name="Yes, close the poll").click()
        page.wait_for_url(f"**/ballots/{setup.ballot.pk}/")
        assert Ballot.objects.get(pk=setup.ballot.pk).status == BallotStatus.CLOSED
        expect(page.locator("#count-waits-for-shares")).to_contain_text("0 so far")
        expect(page.get_by_role("button", name="Decrypt and count")).to_have_count(0)
    finally:
        context.close()
