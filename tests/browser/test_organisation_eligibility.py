"""Membership of another organisation as an eligibility rule, in Chromium (issue 16): the
national office adds the organisation, a member declares their membership on their profile, the
national office imports the organisation's list (a bad file first: its rows are named and
nothing is stored), the returning officer makes the ballot require it, opens voting, and reads
how many each rule admitted; the member reads on their ballot paper which rule admitted them."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from grassroots.ballots.models import RollEntry
from grassroots.people.models import DeclaredMembership, OrganisationList
from tests.ballots.conftest import make_ballot
from tests.browser.conftest import Login, log_in
from tests.factories import PASSWORD, MemberWithLoginFactory
from tests.web.roles import TOTP_SECRET, give_authenticator_app

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_declare_import_rule_and_roll_journey(browser, live_server, page, settings, tmp_path):
    from django.core.cache import cache

    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    setup = make_ballot()
    officer = setup.officer
    officer.user.set_password(PASSWORD)
    officer.user.save()
    give_authenticator_app(officer.user)
    ruth = MemberWithLoginFactory(home_group=setup.group, first_name="Ruth", email="ruth@ex.org")
    ruth.user.set_password(PASSWORD)
    ruth.user.save()

    # The national office adds the organisation from its home page.
    log_in(page, Login(officer.user.email, PASSWORD, TOTP_SECRET))
    page.goto("/")
    page.get_by_role("link", name="Other organisations' lists").click()
    page.get_by_label("The organisation's name").fill("Unite the Union")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_text("Unite the Union is added.")).to_be_visible()

    # Ruth declares her membership from her profile.
    member = browser.new_context(base_url=live_server.url)
    try:
        own = member.new_page()
        log_in(own, Login(ruth.user.email, PASSWORD, None))
        own.get_by_role("link", name="My profile").first.click()
        own.get_by_role("link", name="My membership of other organisations").click()
        own.get_by_label("Organisation").select_option(label="Unite the Union")
        own.get_by_label("Your membership number there").fill("U-4477")
        own.get_by_role("button", name="Declare").click()
        expect(own.get_by_text("Your membership of Unite the Union is recorded.")).to_be_visible()
        expect(own.locator("table")).to_contain_text("Not yet")

        # The national office imports the list: a bad file is refused row by row.
        form = page.get_by_role("region", name="Import a membership list")
        form.get_by_label("Organisation", exact=True).select_option(label="Unite the Union")
        form.get_by_label("Its membership list (CSV)").set_input_files(
            files=[
                {
                    "name": "unite.csv",
                    "mimeType": "text/csv",
                    "buffer": b"membership_number,email\nU-4477,ruth@ex.org\nU 9!,\nU-4477,\n",
                }
            ]
        )
        form.get_by_role("button", name="Import the list").click()
        expect(page.get_by_text("nothing was stored").first).to_be_visible()
        errors = page.get_by_role("status")
        expect(errors).to_contain_text("Row 3: the membership number “U 9!” has characters")
        expect(errors).to_contain_text("Row 4: the membership number U-4477 is also on row 2.")
        assert not OrganisationList.objects.exists()
        form = page.get_by_role("region", name="Import a membership list")
        form.get_by_label("Organisation", exact=True).select_option(label="Unite the Union")
        form.get_by_label("Its membership list (CSV)").set_input_files(
            files=[
                {
                    "name": "unite.csv",
                    "mimeType": "text/csv",
                    "buffer": b"membership_number,email\nU-4477,ruth@ex.org\nU-5000,\n",
                }
            ]
        )
        form.get_by_role("button", name="Import the list").click()
        expect(page.get_by_role("status")).to_contain_text(
            "2 members on the list; 1 of the 1 members' declarations are confirmed by it."
        )
        assert DeclaredMembership.objects.get().is_confirmed

        # The returning officer makes the ballot require it, and opens voting.
        page.get_by_role("link", name="Ballots").first.click()
        page.get_by_role("link", name="Steering committee election").click()
        page.get_by_role("link", name="set the rule on membership of another organisation").click()
        page.get_by_label("Membership of which organisation").select_option(label="Unite the Union")
        page.get_by_label("Declared by the member and confirmed by the organisation's list").check()
        page.get_by_label("Required of every voter").check()
        page.get_by_role("button", name="Save the rule").click()
        expect(page.locator("#organisation-rule")).to_contain_text(
            "membership of Unite the Union, declared and confirmed by its imported list"
        )
        # The open's POST and its redirect finish before the reload (a reload during the
        # navigation found no page attached under load).
        with page.expect_navigation():
            page.get_by_role("button", name="Freeze the roll and open voting").click()
        page.reload()
        expect(page.locator("#roll-admissions")).to_contain_text(
            "Membership status and membership of Unite the Union: 1"
        )
        assert list(RollEntry.objects.values_list("member_id", "admitted_by")) == [
            (ruth.pk, "status_org")
        ]

        # Ruth finds the ballot and reads why she is on its roll.
        own.get_by_role("link", name="Ballots").first.click()
        own.get_by_role("link", name="Vote").click()
        expect(own.locator("#roll-admission")).to_have_text(
            "You are on the roll by your membership status and your membership of Unite the "
            "Union (declared, and confirmed by its list)."
        )
    finally:
        member.close()
