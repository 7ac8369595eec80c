"""Each demo role logs in through the real forms and sees what that role may see, and nothing
more. Data: the demo organisation (grassroots.demo.people) at its smallest size."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from grassroots.audit.models import AuditEntry
from grassroots.demo.people import DEMO_DOMAIN
from grassroots.people.models import Member
from tests.browser.conftest import log_in_through_the_form as log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

GROUP_A = "Leeds Central"  # the demo Data Manager's group
GROUP_B = "Bristol Central"  # another region's group, with its own Data Manager
COORDINATOR_AREA = ("Leeds Central", "Headingley", "Chapeltown", "Armley")


def someone_only_in(group_name: str) -> Member:
    """A member of ``group_name`` only, not a demo login, whose full name nobody else in the demo
    shares, so a search by name can only ever find them."""
    others = Member.objects.filter(home_group__name=group_name).exclude(
        email__endswith=f"@{DEMO_DOMAIN}"
    )
    for member in others:
        namesakes = Member.objects.filter(
            first_name=member.first_name, last_name=member.last_name
        ).count()
        if namesakes == 1 and not member.other_groups.exists():
            return member
    raise AssertionError(f"the demo has no member with a unique name in {group_name}")


def search(page) -> None:
    """Submit the search form and wait for the new page to load. (htmx may be updating the
    results at the same moment and pushes the URL, which Playwright would count as the
    navigation; only a real page load fires "load".)"""
    with page.expect_event("load"):
        page.get_by_role("button", name="Search").click()


def home_groups_listed(page) -> set[str]:
    return set(page.locator("#results tbody tr td:nth-child(4)").all_inner_texts())


def numbers_listed(page) -> set[str]:
    return set(page.locator("#results tbody tr td:nth-child(2)").all_inner_texts())


def members_of(group_name: str) -> set[str]:
    """Membership numbers of everyone in the group, as home group or as a second group."""
    home = Member.objects.filter(home_group__name=group_name)
    associates = Member.objects.filter(other_groups__name=group_name)
    return set((home | associates).values_list("membership_number", flat=True))


def test_member_sees_dashboard_and_own_profile_and_no_member_list(page, demo):
    log_in(page, demo.member)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Sam")
    expect(page.get_by_role("link", name="Member list")).to_have_count(0)

    page.get_by_role("link", name="My profile").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My profile")
    expect(page.get_by_text(demo.member.email)).to_be_visible()

    page.get_by_role("link", name="Edit my profile").click()
    page.get_by_label("Postcode").fill("LS1 ZZZ")
    page.get_by_role("button", name="Save").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("Enter a real UK postcode")
    summary.get_by_role("link", name=re.compile("Postcode")).click()
    expect(page.get_by_label("Postcode")).to_be_focused()

    page.get_by_label("Postcode").fill("ls1 4ap")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Your profile has been saved.")
    expect(page.get_by_text("LS1 4AP")).to_be_visible()

    response = page.goto("/members/")
    assert response is not None and response.status == 404


def test_data_manager_sees_only_own_group_and_is_refused_another_groups_member(page, demo):
    in_a = someone_only_in(GROUP_A)
    in_b = someone_only_in(GROUP_B)
    log_in(page, demo.data_manager)

    page.get_by_role("link", name="Member list").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Members")
    in_group_a = members_of(GROUP_A)
    expect(page.locator("#results")).to_contain_text(f"{len(in_group_a)} members found.")
    assert numbers_listed(page) <= in_group_a
    assert GROUP_A in home_groups_listed(page)

    page.get_by_label("Search").fill(in_a.last_name)
    search(page)
    page.get_by_role("link", name=f"{in_a.last_name}, {in_a.first_name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(in_a.full_name)
    assert AuditEntry.objects.filter(
        action="view_member",
        subject_id=in_a.membership_number,
        actor__email=demo.data_manager.email,
    ).exists()

    response = page.goto(f"/members/{in_b.membership_number}/")
    assert response is not None and response.status == 404
    expect(page.get_by_text(in_b.last_name)).to_have_count(0)

    page.goto("/members/")
    page.get_by_label("Search").fill(in_b.full_name)
    search(page)
    expect(page.locator("#results")).to_contain_text("0 members found.")


def test_area_coordinator_sees_every_group_in_their_area_and_no_other_area(page, demo):
    elsewhere = someone_only_in("Sheffield Central")  # same region, another area
    log_in(page, demo.coordinator)
    page.get_by_role("link", name="Member list").click()
    # expect() waits for the member list to load; reading the options at once raced it.
    expect(page.get_by_label("Home group").locator("option")).to_have_text(
        ["Any group", *sorted(COORDINATOR_AREA)]
    )

    seen: set[str] = set()
    for group in COORDINATOR_AREA:
        page.get_by_label("Home group").select_option(label=group)
        search(page)
        seen |= home_groups_listed(page)
    assert seen == set(COORDINATOR_AREA)

    page.goto("/members/")
    page.get_by_label("Search").fill(elsewhere.full_name)
    search(page)
    expect(page.locator("#results")).to_contain_text("0 members found.")
    response = page.goto(f"/members/{elsewhere.membership_number}/")
    assert response is not None and response.status == 404


def test_national_office_sees_the_national_overview_with_member_counts(page, demo):
    log_in(page, demo.national)
    page.get_by_role("link", name="National overview").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("National overview")
    total = Member.objects.count()
    expect(page.get_by_text(f"{total:,} members and supporters")).to_be_visible()
    leeds = Member.objects.filter(home_group__name=GROUP_A).count()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=GROUP_A))
    expect(row.locator("td.num")).to_have_text(str(leeds))
    expect(page.get_by_role("heading", level=2)).to_have_count(6)
