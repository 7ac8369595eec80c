"""The acceptance journey: a group drops to "at risk" when its Data Manager resigns (through
the group's page, in their own browser), its officers are told by mail, and its members read
why on the group page."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import expect

from grassroots.organisation.models import (
    AgmRecord,
    AgreementAcceptance,
    GroupRecognition,
    GroupStatus,
    OfficerBasis,
    Role,
)
from grassroots.organisation.recognition import AGREEMENT_VERSION
from tests.browser.conftest import Login, log_in
from tests.factories import PASSWORD, RoleFactory
from tests.mail import Mailbox, mailbox
from tests.web.roles import TOTP_SECRET, build_movement

__all__ = ["mailbox"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_group_drops_to_at_risk_when_its_data_manager_goes_and_officers_are_told(
    page, mailbox: Mailbox
):
    from django.core.cache import cache

    cache.clear()
    movement = build_movement()
    group = movement.group_a
    secretary = RoleFactory(role=Role.SECRETARY, group=group, member__home_group=group).member
    chair = RoleFactory(role=Role.CHAIR, group=group, member__home_group=group).member
    dm_role = movement.data_manager_a.role_assignments.get()
    # The factory records a serving Data Manager's acceptance of the current agreement.
    assert AgreementAcceptance.objects.filter(assignment=dm_role, version=AGREEMENT_VERSION)
    AgmRecord.objects.create(
        group=group,
        held_on=datetime.date.today() - datetime.timedelta(days=60),
        recorded_by=None,
        recorded_by_label="test",
        recorded_at=datetime.datetime.now(datetime.UTC),
    )
    GroupRecognition.objects.create(group=group, status=GroupStatus.RECOGNISED)

    log_in(page, Login(movement.data_manager_a.email, PASSWORD, TOTP_SECRET))
    page.goto(f"/groups/{group.slug}/")
    assert "Recognised" in page.locator("main").inner_text()
    page.get_by_role("link", name=re.compile("End the role of Data Manager Dara Mansell")).click()
    expect(page.get_by_role("radio", name="The officer resigns")).to_be_checked()
    page.get_by_label("Why the role ends").fill("Resigned: moving away")
    page.get_by_role("button", name="End the role").click()
    # Issue 21: nothing ends until the officer confirms it cannot be undone.
    expect(page.get_by_text("Tick the box to confirm the role ends").first).to_be_visible()
    dm_role.refresh_from_db()
    assert dm_role.ends_on is None
    page.get_by_label("I understand that the role ends on that day").check()
    page.get_by_role("button", name="End the role").click()
    page.wait_for_url(f"**/groups/{group.slug}/")
    assert "At risk" in page.locator("main").inner_text()
    dm_role.refresh_from_db()
    assert dm_role.ends_on == datetime.date.today()
    assert dm_role.ended_basis == OfficerBasis.RESIGNATION

    fix_by = GroupRecognition.objects.get(group=group).fix_by
    assert fix_by is not None
    for officer in (movement.data_manager_a, secretary, chair):
        notice = mailbox.last_to(officer.email)
        assert notice.subject == (
            f"{group.name} is at risk of suspension: put it right by {fix_by:%-d %B %Y}"
        )
        assert "The group has no Data Manager." in notice.text
    assert not mailbox.to(movement.member.email)

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(lambda url: "/groups/" not in url)
    log_in(page, Login(movement.member.email, PASSWORD, None))
    page.goto(f"/groups/{group.slug}/")
    history = page.get_by_role("table", name=re.compile("Changes to Gateshead"))
    assert "Recognised to At risk" in history.inner_text()
    assert "The system, by the criteria" in history.inner_text()
