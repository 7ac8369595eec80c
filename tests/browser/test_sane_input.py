"""Sane input in Chromium (issue 21), on a desktop and a phone: the Secretary reorders, edits
and removes agenda items before the meeting; a member names their seconder by name and, where
two members share it, chooses between them; a visitor to an unpublished ballot's results is
told the result is not yet published."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from grassroots.meetings.models import Motion
from grassroots.organisation.models import Role
from tests.ballots.conftest import make_ballot, open_with_voters
from tests.browser.conftest import Login, log_in
from tests.factories import PASSWORD, GroupFactory, MemberWithLoginFactory, RoleFactory
from tests.meetings.builders import group_meeting
from tests.web.roles import TOTP_SECRET, give_authenticator_app

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = [{"width": 1280, "height": 900}, {"width": 375, "height": 800}]


def _fits(page) -> None:
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert scroll <= inner, f"{page.url} is {scroll}px wide on a {inner}px screen"


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["desktop", "phone"])
def test_secretary_changes_the_agenda_and_a_member_names_a_seconder(browser, live_server, viewport):
    group = GroupFactory(name="Leeds Central")
    secretary = RoleFactory(
        role=Role.SECRETARY, group=group, member__home_group=group, member__first_name="Seren"
    ).member
    give_authenticator_app(secretary.user)
    mover = MemberWithLoginFactory(home_group=group, first_name="Maya", last_name="Okafor")
    MemberWithLoginFactory(home_group=group, first_name="Sam", last_name="Reid")
    MemberWithLoginFactory(home_group=group, first_name="Sam", last_name="Reid")
    meeting = group_meeting(group, secretary)

    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    try:
        log_in(page, Login(secretary.email, PASSWORD, TOTP_SECRET))
        page.goto(f"/meetings/{meeting.pk}/agenda/")
        items = page.locator("ol.agenda-items > li .agenda-title")
        expect(items).to_have_text(["Officers' reports", "Motions"])
        page.get_by_role("button", name="Move down: Officers' reports").click()
        expect(items).to_have_text(["Motions", "Officers' reports"])
        page.get_by_role("link", name="Edit: Officers' reports").click()
        page.locator("#id_edit-title").fill("Treasurer's report")
        page.get_by_role("button", name="Save the item").click()
        expect(items).to_have_text(["Motions", "Treasurer's report"])
        _fits(page)
        page.get_by_role("button", name="Remove: Treasurer's report").click()
        expect(items).to_have_text(["Motions"])
        context.clear_cookies()

        log_in(page, Login(mover.email, PASSWORD, None))
        page.goto(f"/meetings/{meeting.pk}/motions/new/")
        page.get_by_label("Title").fill("Rent caps")
        page.get_by_label("Text of the motion").fill("This branch resolves to campaign.")
        page.get_by_label("Seconder's name").fill("sam reid")
        page.get_by_role("button", name="Submit the motion").click()
        expect(page.locator(".error-summary")).to_contain_text("choose which one you mean")
        choices = page.get_by_role("radio")
        expect(choices).to_have_count(2)
        _fits(page)
        choices.nth(1).check()
        page.get_by_role("button", name="Submit the motion").click()
        expect(page.get_by_text("Awaiting a seconder")).to_be_visible()
        chosen = Motion.objects.get(title="Rent caps").seconder
        assert chosen is not None and chosen.last_name == "Reid"
    finally:
        context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["desktop", "phone"])
def test_a_member_is_told_a_result_is_not_yet_published(browser, live_server, viewport):
    setup = make_ballot()
    (voter,) = open_with_voters(setup, 1)
    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    try:
        log_in(page, Login(voter.email, PASSWORD, None))
        response = page.goto(f"/ballots/{setup.ballot.pk}/results/")
        assert response is not None and response.status == 200
        expect(page.get_by_role("heading", level=1)).to_contain_text(
            "the result is not yet published"
        )
        expect(page.get_by_text("Voting is open until")).to_be_visible()
        page.get_by_role("link", name="the ballot's signed log").click()
        page.wait_for_url(f"**/ballots/{setup.ballot.pk}/log/")
        _fits(page)
    finally:
        context.close()
