"""A group's Chair changes its quorum rule in Chromium: from the meeting page to the rule, a bad
value explained with nothing changed, the change made with a reason and shown in the history;
the meeting already under way keeps the rule it started with, the coming one gets the new one."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from grassroots.meetings.models import QuorumRule, QuorumRuleChange
from grassroots.organisation.models import Role
from tests.browser.conftest import Login, log_in
from tests.factories import PASSWORD, GroupFactory, MemberWithLoginFactory, RoleFactory
from tests.meetings.builders import group_meeting
from tests.web.roles import TOTP_SECRET, give_authenticator_app

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_chair_changes_the_quorum_rule_and_the_meeting_under_way_keeps_its_own(page):
    cache.clear()  # allauth remembers used TOTP codes in the cache
    group = GroupFactory(name="Leeds Central", slug="leeds-central")
    chair = MemberWithLoginFactory(home_group=group, first_name="Carys", last_name="Hale")
    RoleFactory(member=chair, role=Role.CHAIR, group=group)
    give_authenticator_app(chair.user)
    for n in range(4):
        MemberWithLoginFactory(home_group=group, first_name="Member", last_name=f"No{n}")
    under_way = group_meeting(
        group,
        chair,
        starts_in=datetime.timedelta(minutes=-30),
        deadline_in=None,
        title="Tonight's meeting",
    )
    coming = group_meeting(group, chair, title="Next month's meeting")

    log_in(page, Login(chair.email, PASSWORD, TOTP_SECRET))
    page.goto(f"/meetings/{coming.pk}/")
    page.get_by_role("link", name="Quorum rule").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Quorum rule: Leeds Central")
    expect(page.get_by_text("the default applies")).to_be_visible()

    page.get_by_label("Minimum number of members present").fill("-3")
    page.get_by_label("Percentage of members").fill("50")
    page.get_by_label("Why the rule is changing").fill("Agreed at the AGM, motion 4")
    page.get_by_role("button", name="Change the quorum rule").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("must be at least 1")
    expect(summary.get_by_role("link").first).to_have_attribute("href", "#id_minimum_present")
    assert not QuorumRule.objects.exists() and not QuorumRuleChange.objects.exists()

    page.get_by_label("Minimum number of members present").fill("6")
    page.get_by_role("button", name="Change the quorum rule").click()
    expect(page.get_by_text("It applies to meetings that have not started yet")).to_be_visible()
    expect(page.get_by_text(re.compile(r"At least 6 members present"))).to_be_visible()
    history = page.get_by_role("table", name=re.compile("Every change"))
    expect(history).to_contain_text("Carys Hale")
    expect(history).to_contain_text("Agreed at the AGM, motion 4")

    page.goto(f"/meetings/{under_way.pk}/attendance/")
    expect(page.get_by_role("main")).to_contain_text(re.compile(r"Quorum: 3\s*\("))
    expect(page.get_by_text("has changed since this meeting started")).to_be_visible()
    page.goto(f"/meetings/{coming.pk}/attendance/")
    # Five members in good standing: 50% is 3 (rounded up), less than the minimum of 6.
    expect(page.get_by_role("main")).to_contain_text(re.compile(r"Quorum: 6\s*\("))
