"""Running the organisation from the web (issue 18), as the people who do it: national office
merges two groups with their meetings and officers; a regional coordinator creates a group in
their region; a new member joins, verifies, appears in the new-joiner list, lapses and rejoins;
a member is suspended with the disciplinary steps and wins an appeal."""

from __future__ import annotations

import datetime
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, Login, log_in
from tests.factories import PASSWORD, MemberWithLoginFactory, RoleFactory
from tests.mail import Mailbox, link_in, mailbox
from tests.web.roles import TOTP_SECRET, build_movement, give_authenticator_app

__all__ = ["mailbox"]

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def shoot(page, tmp_path, name: str) -> None:
    """A desktop and a 375 px screenshot of the page as it is, for a person to look at."""
    page.screenshot(path=str(tmp_path / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 375, "height": PHONE["height"]})
    page.screenshot(path=str(tmp_path / f"{name}-375.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{name} scrolls sideways at 375 px ({width} px wide)"
    page.set_viewport_size({"width": 1280, "height": 900})


def said(page):
    """The page's messages (the site also has an empty live region with the status role)."""
    return page.locator(".messages")


@pytest.fixture
def fresh_cache():
    from django.core.cache import cache

    cache.clear()


def test_national_office_merges_two_groups_keeping_meetings_officers_and_audit(
    page, mailbox: Mailbox, fresh_cache, tmp_path
) -> None:
    from grassroots.audit.models import AuditEntry
    from grassroots.meetings.models import Meeting
    from grassroots.organisation.models import Group, Role, RoleAssignment
    from tests.meetings.builders import group_meeting

    movement = build_movement()
    source, into = movement.group_a_sibling, movement.group_a
    chair = RoleFactory(role=Role.CHAIR, group=source, member__home_group=source)
    treasurer = RoleFactory(role=Role.TREASURER, group=source, member__home_group=source)
    meeting = group_meeting(source, chair.member, title="Sibling branch meeting")
    roles_before = set(RoleAssignment.objects.values_list("pk", flat=True))

    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, Login(movement.national.email, PASSWORD, TOTP_SECRET))
    page.get_by_role("link", name="Regions, areas and groups").click()
    shoot(page, tmp_path, "structure-home")
    page.get_by_role("link", name=source.name, exact=True).click()
    merge = page.get_by_role("region", name="Merge into another group")
    merge.get_by_label("Merge into the group").select_option(label=into.name)
    merge.get_by_role("button", name="Merge").click()
    # No reason, no merge: the error summary links to the empty field.
    expect(
        merge.get_by_role("link", name=re.compile("Reason for the change: This field"))
    ).to_be_visible()
    assert Group.objects.get(pk=source.pk).closed_on is None
    merge = page.get_by_role("region", name="Merge into another group")
    merge.get_by_label("Merge into the group").select_option(label=into.name)
    merge.get_by_label("Reason for the change").fill("Both groups voted to merge at a joint AGM")
    merge.get_by_role("button", name="Merge").click()
    expect(said(page)).to_contain_text(f"{source.name} is merged into {into.name}")
    # The surviving group's page lists the merger among its changes.
    expect(
        page.get_by_role("listitem").filter(has_text=f"{source.name} merged into")
    ).to_contain_text("Both groups voted to merge")
    shoot(page, tmp_path, "structure-merged")

    assert Meeting.objects.get(pk=meeting.pk).group_id == into.pk
    assert roles_before <= set(RoleAssignment.objects.values_list("pk", flat=True))
    carried = RoleAssignment.objects.current().filter(group=into, member=treasurer.member)
    assert carried.filter(role=Role.TREASURER).exists()
    assert AuditEntry.objects.filter(action="change_structure", detail__kind="merge").exists()
    assert "merged into" in mailbox.last_to(chair.member.email).subject

    page.goto("/groups/")
    page.get_by_role("link", name=re.compile("Changes to the movement's regions")).click()
    row = page.get_by_role("row").filter(has_text=f"{source.name} merged into {into.name}")
    expect(row).to_contain_text("Both groups voted to merge at a joint AGM")
    expect(row).to_contain_text("National office")
    shoot(page, tmp_path, "structure-changes")


def test_regional_coordinator_creates_a_group_in_their_region_only(
    page, fresh_cache, tmp_path
) -> None:
    from grassroots.organisation.models import Group

    movement = build_movement()
    log_in(page, Login(movement.regional.email, PASSWORD, TOTP_SECRET))
    page.get_by_role("link", name="Regions, areas and groups").click()
    expect(page.get_by_role("heading", name="North")).to_be_visible()
    expect(page.get_by_role("heading", name="South")).to_have_count(0)
    expect(page.get_by_role("link", name="New region")).to_have_count(0)
    page.get_by_role("link", name="New group").click()
    page.get_by_label("Name of the new group").fill("Hexham")
    page.get_by_label("In the area").select_option(label="North-East (North)")
    page.get_by_label("Postcode districts").fill("ne46 NE47")
    page.get_by_label("Reason for the change").fill("Twelve members in Tynedale asked for one")
    page.get_by_role("button", name="Create").click()
    expect(said(page)).to_contain_text("Hexham is created")
    assert Group.objects.get(name="Hexham").postcode_districts == "NE46 NE47"
    shoot(page, tmp_path, "structure-group")
    page.goto("/structure/changes/")
    expect(page.get_by_role("row").filter(has_text="Group Hexham created")).to_contain_text(
        "Regional coordinator, North"
    )

    # The area's members elected a second coordinator: the regional coordinator records the vote.
    chosen = movement.in_group_a
    page.goto("/")
    page.get_by_role("link", name="Coordinators and national roles").click()
    page.get_by_role("link", name="Appoint").click()
    expect(page.get_by_label("Role", exact=True)).not_to_contain_text("National office")
    page.get_by_label("Role", exact=True).select_option(label="Area Coordinator, North-East")
    page.get_by_label("Membership number of the person appointed").fill(chosen.membership_number)
    page.get_by_label("Their surname").fill(chosen.last_name)
    page.get_by_label("The body voted for it").check()
    page.get_by_label("Date of the body's vote").fill(
        (datetime.date.today() - datetime.timedelta(days=2)).isoformat()
    )
    page.get_by_label("Reference of the decision, or the reason").fill("Area meeting, minute 3")
    page.get_by_role("button", name="Appoint").click()
    expect(said(page)).to_contain_text(
        f"{chosen.full_name} is appointed Area Coordinator, North-East"
    )
    now = page.get_by_role("table", name="Roles held now")
    expect(now.get_by_role("row").filter(has_text=chosen.full_name)).to_contain_text("North-East")
    shoot(page, tmp_path, "roles-above")


def test_a_new_member_joins_verifies_appears_lapses_and_rejoins(
    page, live_server, mailbox: Mailbox, fresh_cache, monkeypatch, tmp_path
) -> None:
    from grassroots.organisation import join_views
    from grassroots.people import lifecycle
    from grassroots.people.models import Member

    monkeypatch.setattr(join_views, "MIN_FILL_SECONDS", 0)
    movement = build_movement()
    group = movement.group_a
    group.postcode_districts = "NE8 NE9"
    group.save()

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/groups/")
    page.get_by_role("link", name="Join the movement").click()
    page.get_by_label("Your postcode").fill("ne8 1ab")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("First name").fill("Wanjiru")
    page.get_by_label("Last name").fill("Kamau")
    page.get_by_label("Email address").fill("wanjiru@example.org")
    expect(page.get_by_label("Your local group")).to_have_value(group.slug)
    page.get_by_label(re.compile("I agree that the movement may contact me")).check()
    shoot(page, tmp_path, "join-form")
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert not Member.objects.filter(email="wanjiru@example.org").exists()

    page.goto(urlsplit(link_in(mailbox.last_to("wanjiru@example.org").text)).path)
    page.get_by_role("button", name="Confirm and join").click()
    expect(said(page)).to_contain_text("Welcome! You are a member of")
    member = Member.objects.get(email="wanjiru@example.org")
    assert member.home_group == group and member.consent_to_contact

    # The Data Manager sees the new joiner in the group's list.
    dm = page.context.browser.new_context(base_url=live_server.url)
    dm_page = dm.new_page()
    log_in(dm_page, Login(movement.data_manager_a.email, PASSWORD, TOTP_SECRET))
    dm_page.goto("/members/?show=new")
    expect(dm_page.get_by_role("row").filter(has_text=re.compile(r"\bKamau\b"))).to_have_count(1)
    dm.close()

    # A year and a grace period later the nightly run lapses the membership; they rejoin.
    Member.objects.filter(pk=member.pk).update(
        renewal_due_on=datetime.date.today() - datetime.timedelta(days=40)
    )
    assert lifecycle.lapse_overdue() >= 1
    page.goto("/")
    page.get_by_role("link", name="Your membership has lapsed: rejoin").click()
    expect(page.get_by_text("Your membership has lapsed.")).to_be_visible()
    page.get_by_role("button", name="Rejoin").click()
    expect(said(page)).to_contain_text("your membership is renewed")
    member.refresh_from_db()
    assert member.status == "member"
    shoot(page, tmp_path, "my-membership")


def test_suspension_with_notice_response_decision_and_appeal(
    page, mailbox: Mailbox, fresh_cache, tmp_path
) -> None:
    from grassroots.people.models import Member

    movement = build_movement()
    committee = MemberWithLoginFactory(first_name="Noor", last_name="Haddad")
    RoleFactory(role="national_committee", member=committee)
    give_authenticator_app(committee.user)
    member = movement.member

    # National office gives notice, from the member's record.
    log_in(page, Login(movement.national.email, PASSWORD, TOTP_SECRET))
    page.goto(f"/members/{member.membership_number}/")
    page.get_by_role("link", name="Membership: renewal, discipline and dues").click()
    notice = page.get_by_role("region", name="Give disciplinary notice")
    notice.get_by_label("Proposed sanction").select_option(label="Suspension")
    notice.get_by_label("Reason").fill("Repeated abuse of other members at meetings")
    notice.get_by_role("button", name="Give notice").click()
    expect(said(page)).to_contain_text("Notice is given")
    shoot(page, tmp_path, "member-membership")
    page.get_by_role("button", name="Log out").click()

    # The member reads the reason and responds.
    log_in(page, Login(member.email, PASSWORD, None))
    page.get_by_role("link", name=re.compile("Respond to the notice")).click()
    expect(page.get_by_text("Repeated abuse of other members at meetings")).to_be_visible()
    page.get_by_label("Your response").fill("I accept I was rude once and have apologised.")
    page.get_by_role("button", name="Send my response").click()
    expect(said(page)).to_contain_text("Your response is recorded")
    page.get_by_role("button", name="Log out").click()

    # The national committee decides.
    log_in(page, Login(committee.email, PASSWORD, TOTP_SECRET))
    page.get_by_role("link", name=re.compile("Decide the disciplinary case")).click()
    expect(page.get_by_text("I accept I was rude once")).to_be_visible()
    page.get_by_label("Impose the sanction").check()
    page.get_by_label("Reasons").fill("Proven by three complaints; suspended for two months")
    page.get_by_role("button", name="Record the decision").click()
    expect(said(page)).to_contain_text("The decision is recorded")
    page.get_by_role("button", name="Log out").click()
    assert Member.objects.get(pk=member.pk).status == "suspended"

    # The suspended member sees why, cannot vote, and appeals.
    log_in(page, Login(member.email, PASSWORD, None))
    page.get_by_role("link", name=re.compile("Your membership is suspended")).click()
    expect(page.get_by_text("Proven by three complaints").first).to_be_visible()
    expect(page.get_by_text("you cannot vote in ballots or sign initiatives")).to_be_visible()
    shoot(page, tmp_path, "suspended")
    page.get_by_label("Why you appeal").fill("Two months is out of proportion to one remark.")
    page.get_by_role("button", name="Lodge my appeal").click()
    expect(said(page)).to_contain_text("Your appeal is lodged")
    page.get_by_role("button", name="Log out").click()

    # The appeal goes to the other body, national office, which upholds it. (allauth refuses a
    # code used twice within its 30 seconds: the test's clock is faster than a person's.)
    from django.core.cache import cache

    cache.clear()
    log_in(page, Login(movement.national.email, PASSWORD, TOTP_SECRET))
    page.get_by_role("link", name=re.compile("Decide the disciplinary case")).click()
    page.get_by_label("Uphold the appeal").check()
    page.get_by_label("Reasons").fill("A warning is enough")
    page.get_by_role("button", name="Record the appeal's decision").click()
    expect(said(page)).to_contain_text("The appeal's decision is recorded")
    assert Member.objects.get(pk=member.pk).status == "member"
    assert "Decision on your appeal" in mailbox.last_to(member.email).subject
