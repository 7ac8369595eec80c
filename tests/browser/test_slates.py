"""A slate in Chromium (issue 16): the national office creates it from the navigation and names
a selection ballot; once the ballot is published, a visitor finds the slate from the
navigation and reads whom members chose, with the result one click away."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from grassroots.slates.models import Slate
from grassroots.slates.services import add_selection_ballot
from tests.ballots.conftest import (
    Clock,
    cast_orders,
    close_count_publish,
    make_ballot,
    open_with_voters,
)
from tests.browser.conftest import Login, log_in
from tests.factories import PASSWORD
from tests.web.roles import TOTP_SECRET, give_authenticator_app

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_national_office_creates_a_slate_and_visitors_read_whom_members_chose(
    browser, live_server, page, monkeypatch, settings, tmp_path
):
    from django.core.cache import cache

    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    setup = make_ballot()
    officer = setup.officer
    officer.user.set_password(PASSWORD)
    officer.user.save()
    give_authenticator_app(officer.user)
    log_in(page, Login(officer.user.email, PASSWORD, TOTP_SECRET))
    page.get_by_role("link", name="Slates").first.click()
    page.get_by_role("link", name="Create a slate").click()
    page.get_by_label("Name").fill("National executive slate 2027")
    page.get_by_label("What it is for").fill("the party's national executive")
    page.get_by_label("Seats on the slate").fill("2")
    page.get_by_label("Closing date").fill("2027-03-01")
    page.get_by_label("Rules").fill("Two seats; at least one woman.")
    page.get_by_role("button", name="Create the slate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("National executive slate 2027")
    slate = Slate.objects.get()

    add_selection_ballot(actor=officer.user, slate=slate, ballot=setup.ballot)
    voters = open_with_voters(setup, 5)
    cast_orders(setup, voters, [[0, 1], [0, 2], [1, 0], [1, 3], [2, 0]])
    setup.stv.candidates.filter(name="Aisha Khan").update(statement="I will organise.")
    close_count_publish(setup, Clock(monkeypatch))

    visitor = browser.new_context(base_url=live_server.url)
    try:
        public = visitor.new_page()
        public.goto("/")
        public.get_by_role("link", name="Slates").first.click()
        public.get_by_role("link", name="National executive slate 2027").click()
        chosen = public.locator("ol.slate-chosen li")
        expect(chosen).to_have_count(2)
        expect(chosen.filter(has_text="Aisha Khan")).to_contain_text("I will organise.")
        public.get_by_role("link", name="Result of Steering committee election").click()
        heading = public.get_by_role("heading", level=1)
        expect(heading).to_contain_text("Steering committee election")
    finally:
        visitor.close()
