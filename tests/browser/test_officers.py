"""A group's Secretary records the group's vote appointing a new Data Manager: a mistyped
membership number is refused with a clear error, the appointment is then made, the officers
and the area coordinator are told, the history shows the vote, and the new Data Manager sees
no member until accepting the data protection agreement."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import expect

from grassroots.organisation.models import OfficerBasis, Role, RoleAssignment
from tests.browser.conftest import Login, log_in
from tests.factories import PASSWORD, MemberFactory, MemberWithLoginFactory, RoleFactory
from tests.mail import Mailbox, mailbox
from tests.web.roles import TOTP_SECRET, build_movement, give_authenticator_app

__all__ = ["mailbox"]

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_secretary_records_the_groups_vote_appointing_a_data_manager(page, mailbox: Mailbox):
    from django.core.cache import cache

    cache.clear()
    movement = build_movement()
    group = movement.group_a
    # The group voted to replace its Data Manager: the old one has gone.
    RoleAssignment.objects.filter(group=group, role=Role.DATA_MANAGER).update(
        ends_on=datetime.date.today() - datetime.timedelta(days=3)
    )
    chosen = MemberWithLoginFactory(home_group=group, first_name="Ilse", last_name="Varga")
    give_authenticator_app(chosen.user)
    elsewhere = MemberFactory(home_group=movement.group_b, last_name="Varga")
    RoleFactory(role=Role.CHAIR, group=group, member__home_group=group)

    log_in(page, Login(movement.secretary_a.email, PASSWORD, TOTP_SECRET))
    page.goto(f"/groups/{group.slug}/")
    page.get_by_role("link", name="Officers' appointments and history").click()
    page.get_by_role("link", name="Appoint an officer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Appoint an officer of {group}")
    expect(page.get_by_role("radio")).to_have_count(1)  # a Secretary records the group's vote

    page.get_by_label("Role", exact=True).select_option(label="Data Manager")
    page.get_by_label("Membership number of the new officer").fill(elsewhere.membership_number)
    page.get_by_label("Their surname").fill("Varga")
    page.get_by_label("Date of the group's vote").fill(
        (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
    )
    page.get_by_label("Reference of the decision, or the reason").fill("Members' meeting, minute 7")
    page.get_by_role("button", name="Appoint").click()
    expect(page.get_by_role("alert")).to_contain_text(
        f"No member of {group.name} has the membership number {elsewhere.membership_number}"
    )
    assert not RoleAssignment.objects.filter(member=elsewhere).exists()

    page.get_by_label("Membership number of the new officer").fill(chosen.membership_number)
    page.get_by_role("button", name="Appoint").click()
    expect(page.get_by_role("status")).to_contain_text("Ilse Varga is appointed Data Manager")
    history = page.get_by_role("table", name=re.compile("Every appointment"))
    row = history.get_by_role("row").filter(has_text="Ilse Varga")
    expect(row).to_contain_text("The group's vote on")
    expect(row).to_contain_text("Members' meeting, minute 7")
    # By name, not by login email (issue 21: officers' emails are not shown to others).
    secretary = movement.secretary_a
    expect(row).to_contain_text(f"recorded by {secretary.first_name} {secretary.last_name}")
    appointed = RoleAssignment.objects.get(member=chosen, role=Role.DATA_MANAGER)
    assert appointed.appointed_basis == OfficerBasis.GROUP_VOTE

    notice = mailbox.last_to(chosen.email)
    assert "/recognition/agreement/" in notice.text
    assert mailbox.last_to(movement.coordinator.email).subject == (
        f"Ilse Varga is appointed Data Manager of {group.name}"
    )

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(lambda url: "/groups/" not in url)
    log_in(page, Login(chosen.email, PASSWORD, TOTP_SECRET))
    response = page.goto("/members/")
    assert response is not None and response.status == 404
    page.goto("/recognition/agreement/")
    page.get_by_label("I have read the data protection agreement and accept it").check()
    page.get_by_role("button", name=re.compile("Accept")).click()
    response = page.goto("/members/")
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Members")
