"""The end of issue 6's journey: a motion carried by a group is forwarded to the area meeting
whose delegates were allocated by membership, and the delegate list shows the allocation."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from grassroots.delegation.models import Delegate, DelegateAllocation, ForwardStatus, MotionForward
from grassroots.meetings.models import Motion, MotionStatus
from grassroots.meetings.services.decisions import record_motion_outcome
from grassroots.meetings.services.motions import rule_motion, second_motion, submit_motion
from grassroots.meetings.services.scheduling import schedule_meeting
from grassroots.organisation.models import ScopeLevel
from grassroots.people.models import Member
from tests.browser.conftest import Login, log_in
from tests.delegation.builders import build_area, held_meeting
from tests.factories import PASSWORD
from tests.web.roles import TOTP_SECRET

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def officer_login(user) -> Login:
    return Login(user.email, PASSWORD, TOTP_SECRET)


def log_out(page) -> None:
    from django.core.cache import cache

    page.get_by_role("button", name="Log out").click()
    page.context.clear_cookies()
    # allauth refuses a TOTP code used once already; a person logging in again within the
    # same 30 seconds would wait for the next code, the test forgets the used one instead.
    cache.clear()


def carried_through_the_meetings_app(area, monkeypatch) -> Motion:
    """Gateshead's meeting, built through the meetings services: the Secretary schedules it, a
    member submits a motion that another seconds, the Secretary rules it in order and, once the
    meeting has started, the area coordinator in the chair records it carried."""
    real_now = timezone.now
    start = real_now() + datetime.timedelta(hours=1)
    meeting = schedule_meeting(
        actor=area.secretary,
        title="Gateshead branch meeting",
        level=ScopeLevel.GROUP,
        scope=area.gateshead,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        address="Gateshead Library, Prince Consort Road",
        motions_deadline=start - datetime.timedelta(minutes=30),
    )
    motion = submit_motion(
        actor=area.delegate.user,
        meeting=meeting,
        title="Save the central library",
        seconder_number=area.voter.membership_number,
        notes="The council plans to close the central library.",
        resolves="This branch will campaign to keep it open.",
    )
    second_motion(actor=area.voter.user, motion=motion)
    rule_motion(actor=area.secretary, motion=motion, in_order=True)
    # The meeting is held: an hour and a half later, the chair records the vote.
    monkeypatch.setattr(timezone, "now", lambda: real_now() + datetime.timedelta(minutes=90))
    record_motion_outcome(
        actor=area.coordinator,
        motion=motion,
        result="carried",
        votes_for=21,
        votes_against=4,
        quorum_override="Attendance was taken on paper",
    )
    monkeypatch.setattr(timezone, "now", real_now)
    motion.refresh_from_db()
    assert motion.status == MotionStatus.CARRIED
    return motion


def test_carried_motion_goes_to_the_area_meeting_whose_delegates_follow_membership(
    page, monkeypatch
):
    from django.core.cache import cache

    cache.clear()
    area = build_area()
    secretary = Member.objects.get(user=area.secretary)
    motion = carried_through_the_meetings_app(area, monkeypatch)
    branch_agm = held_meeting(group=area.gateshead, title="Gateshead AGM", created_by=secretary)

    # The area coordinator allocates 10 delegates by membership, at least one per recognised
    # group.
    log_in(page, officer_login(area.coordinator))
    page.get_by_role("link", name="Delegates").click()
    page.get_by_role("link", name="Northumbria area meeting").click()
    page.get_by_role("link", name="Allocate delegates").click()
    page.get_by_label("Delegates in all").fill("10")
    page.get_by_label("Minimum per recognised group").fill("1")
    page.get_by_role("button", name="Allocate delegates").click()
    page.wait_for_url(f"**/delegation/meetings/{area.meeting.pk}/")
    table = page.locator("#allocation")
    rows = {
        row.locator("th").inner_text(): row.locator("td").all_inner_texts()
        for row in table.locator("tbody tr").all()
    }
    # Members 33 : 10 : 2 give 7 : 2 : 1; the suspended group's 20 members give nothing.
    assert rows["Gateshead"][1:4] == ["33", "73.3%", "7"]
    assert rows["Sunderland"][1:4] == ["10", "22.2%", "2"]
    assert rows["Alnwick"][1:4] == ["2", "4.4%", "1"]
    assert rows["Hexham"][0] == "Not recognised (suspended)"
    assert rows["Hexham"][3] == "0"
    assert "the same allocation" in page.locator("#rederived").inner_text()
    log_out(page)

    # Hexham's secretary cannot register a delegate: a clear error, nothing recorded.
    hexham_member = Member.objects.filter(home_group=area.hexham).first()
    hexham_meeting = held_meeting(
        group=area.hexham, title="Hexham branch meeting", created_by=hexham_member
    )
    log_in(page, officer_login(area.secretary_hexham))
    page.goto(f"/delegation/meetings/{area.meeting.pk}/delegates/add/")
    page.get_by_label("The delegate's membership number").fill(hexham_member.membership_number)
    page.get_by_label("Elected at a group meeting").check()
    page.get_by_label("The group meeting that elected them").select_option(
        value=str(hexham_meeting.pk)
    )
    page.get_by_role("button", name="Record the delegate").click()
    assert (
        "Hexham is not a recognised group (suspended)"
        in page.locator(".error-summary").inner_text()
    )
    assert not Delegate.objects.exists()
    log_out(page)

    # Gateshead's secretary records a delegate elected at the AGM, then forwards the motion the
    # group carried to the area.
    log_in(page, officer_login(area.secretary))
    page.goto(f"/delegation/meetings/{area.meeting.pk}/")
    page.get_by_role("link", name="Record a delegate").click()
    page.get_by_label("The delegate's membership number").fill(area.delegate.membership_number)
    page.get_by_label("Elected at a group meeting").check()
    page.get_by_label("The group meeting that elected them").select_option(value=str(branch_agm.pk))
    page.get_by_role("button", name="Record the delegate").click()
    page.wait_for_url(f"**/delegation/meetings/{area.meeting.pk}/")
    gateshead_row = page.locator("#allocation tbody tr", has_text="Gateshead")
    assert "Dee Legate (at Gateshead AGM)" in gateshead_row.inner_text()
    assert "6 to elect" in gateshead_row.inner_text()

    # The Forward button on the group's own motion page leads to the forwarding page.
    motion_url = f"/meetings/{motion.meeting_id}/motions/{motion.pk}/"
    page.goto(motion_url)
    page.get_by_role("link", name="Forward this motion").click()
    page.get_by_label("Northumbria (area)").check()
    page.get_by_role("button", name="Forward the motion").click()
    page.wait_for_url("**/delegation/forwards/*/")
    assert page.locator("#forward-status").inner_text() == "Awaiting a place on an agenda"
    assert page.locator("#supporters").inner_text() == "Gateshead"
    page.goto(motion_url)
    assert "Forwarded to Northumbria (area)" in page.locator("#forwarded").inner_text()
    assert page.get_by_role("link", name="Forward this motion").count() == 0
    log_out(page)

    # The area coordinator puts it on the agenda of the area meeting.
    log_in(page, officer_login(area.coordinator))
    page.get_by_role("link", name="Delegates").click()
    page.get_by_role("link", name="Northumbria", exact=True).click()
    page.get_by_role("link", name="Save the central library").click()
    page.get_by_label("Put it on the agenda of").select_option(value=str(area.meeting.pk))
    page.get_by_role("button", name="Put it on the agenda").click()
    assert page.locator("#forward-status").inner_text() == "On an agenda"
    history = page.locator("ol.history").inner_text()
    assert "Northumbria area meeting" in history
    assert "Gateshead branch meeting" in history

    forward = MotionForward.objects.get(motion=motion)
    assert forward.status == ForwardStatus.ON_AGENDA
    assert forward.placed_motion.meeting == area.meeting
    allocation = DelegateAllocation.objects.get(meeting=area.meeting)
    assert {line.group.name: line.delegates for line in allocation.lines.all()} == {
        "Gateshead": 7,
        "Sunderland": 2,
        "Alnwick": 1,
        "Hexham": 0,
    }


def test_a_delegate_stands_down_and_the_group_records_a_replacement(page):
    """Dee Legate stands down from the delegate list; the Secretary's replacement from another
    group is refused, then the member the AGM elected is recorded in her place; the Secretary
    withdraws that one too, only with a reason; the list keeps the seat's history."""
    from django.core.cache import cache

    from grassroots.delegation.services.allocation import allocate_delegates
    from grassroots.delegation.services.delegates import record_delegate

    cache.clear()
    area = build_area()
    allocate_delegates(
        actor=area.coordinator,
        meeting=area.meeting,
        seats=10,
        minimum=1,
        counted_on=timezone.localdate(),
    )
    branch_agm = held_meeting(group=area.gateshead, title="Gateshead AGM", created_by=area.voter)
    record_delegate(
        actor=area.secretary,
        meeting=area.meeting,
        group=area.gateshead,
        member=area.delegate,
        elected_by="meeting",
        group_meeting=branch_agm,
    )
    list_url = f"/delegation/meetings/{area.meeting.pk}/"

    log_in(page, Login(area.delegate.email, PASSWORD, None))
    page.goto(list_url)
    page.get_by_role("link", name="Stand down as a delegate").click()
    page.get_by_role("button", name="Stand down").click()
    page.wait_for_url(f"**{list_url}")
    assert "Seat given up by Dee Legate" in page.locator("#allocation").inner_text()
    assert page.get_by_role("link", name="Stand down as a delegate").count() == 0
    log_out(page)

    log_in(page, officer_login(area.secretary))
    page.goto(list_url)
    page.get_by_role("link", name="Record a replacement for Dee Legate").click()
    outsider = Member.objects.filter(home_group=area.sunderland).first()
    page.get_by_label("The delegate's membership number").fill(outsider.membership_number)
    page.get_by_label("Elected at a group meeting").check()
    page.get_by_label("The group meeting that elected them").select_option(value=str(branch_agm.pk))
    page.get_by_role("button", name="Record the replacement").click()
    assert (
        "No member of Gateshead has that membership number"
        in page.locator(".error-summary").inner_text()
    )
    assert not Delegate.objects.filter(replaces__isnull=False).exists()
    page.get_by_label("The delegate's membership number").fill(area.voter.membership_number)
    page.get_by_label("Elected at a group meeting").check()
    page.get_by_label("The group meeting that elected them").select_option(value=str(branch_agm.pk))
    page.get_by_role("button", name="Record the replacement").click()
    page.wait_for_url(f"**{list_url}")
    voter = area.voter.full_name
    gateshead_row = page.locator("#allocation tbody tr", has_text="Gateshead").inner_text()
    assert f"{voter} (at Gateshead AGM, in the place of Dee Legate)" in gateshead_row
    history = page.locator("#delegate-history tbody").inner_text()
    assert "Dee Legate" in history and "Withdrew" in history and voter in history

    # The Secretary withdraws the replacement: only with a reason.
    page.get_by_role("link", name=f"Withdraw {voter}").click()
    page.get_by_role("button", name="Withdraw the delegate").click()
    assert (
        "Give the reason the group withdraws this delegate"
        in page.locator(".error-summary").inner_text()
    )
    page.get_by_label("Why the group withdraws this delegate").fill("Elected to the council.")
    page.get_by_role("button", name="Withdraw the delegate").click()
    page.wait_for_url(f"**{list_url}")
    history = page.locator("#delegate-history tbody").inner_text()
    assert "Withdrawn by the group: Elected to the council." in history
    assert f"Seat given up by {voter}" in page.locator("#allocation").inner_text()
    assert not Delegate.objects.filter(withdrawn_at__isnull=True).exists()
    log_out(page)


def test_the_whole_issue_6_journey_ends_at_the_area_meeting(browser, live_server, monkeypatch):
    """The meetings app's branch journey (agenda, motion, seconder, amendment, debate, outcomes,
    published minutes), carried on: the Secretary forwards the carried motion to the area
    meeting whose delegates the area coordinator allocates by membership."""
    from grassroots.organisation.models import Group, GroupStatus, Role
    from tests.ballots.conftest import Clock
    from tests.browser.test_meetings import branch_journey, person_page
    from tests.delegation.builders import add_members, recognise, schedule
    from tests.factories import GroupFactory, MemberWithLoginFactory, RoleFactory
    from tests.web.roles import give_authenticator_app

    journey = branch_journey(browser, live_server, Clock(monkeypatch))
    leeds = Group.objects.select_related("area").get(pk=journey.branch.group.pk)
    area = leeds.area
    leeds_north = GroupFactory(area=area, name="Leeds North", slug="leeds-north")
    bradford = GroupFactory(area=area, name="Bradford", slug="bradford")
    recognise(leeds, leeds_north)
    recognise(bradford, status=GroupStatus.SUSPENDED)
    add_members(leeds, 20 - Member.objects.filter(home_group=leeds).count())
    add_members(leeds_north, 10)
    add_members(bradford, 15)
    coordinator = MemberWithLoginFactory(home_group=leeds_north)
    RoleFactory(member=coordinator, role=Role.AREA_COORDINATOR, area=area)
    give_authenticator_app(coordinator.user)
    area_meeting = schedule(title=f"{area.name} area meeting", area=area, created_by=coordinator)

    # The area coordinator allocates six delegates by membership, one at least per group.
    cache_clear()
    officer = person_page(browser, live_server, coordinator, officer=True)
    officer.goto(f"/delegation/meetings/{area_meeting.pk}/allocate/")
    officer.get_by_label("Delegates in all").fill("6")
    officer.get_by_role("button", name="Allocate delegates").click()
    officer.wait_for_url(f"**/delegation/meetings/{area_meeting.pk}/")
    delegates = {
        row.locator("th").inner_text(): row.locator("td").nth(3).inner_text()
        for row in officer.locator("#allocation tbody tr").all()
    }
    # 20 : 10 members give 4 : 2; the suspended group's 15 give nothing.
    assert delegates == {"Bradford": "0", "Leeds Central": "4", "Leeds North": "2"}

    # The branch Secretary, still logged in, forwards the carried motion to the area.
    secretary = journey.pages["secretary"]
    secretary.goto("/delegation/")
    secretary.get_by_role("link", name="Tenants' union").click()
    secretary.get_by_label(f"{area.name} (area)").check()
    secretary.get_by_role("button", name="Forward the motion").click()
    secretary.wait_for_url("**/delegation/forwards/*/")

    # The coordinator puts it on the area meeting's agenda; its history keeps the amendment.
    officer.goto(f"/delegation/bodies/area-{area.slug}/")
    officer.get_by_role("link", name="Tenants' union").click()
    officer.get_by_label("Put it on the agenda of").select_option(value=str(area_meeting.pk))
    officer.get_by_role("button", name="Put it on the agenda").click()
    assert officer.locator("#forward-status").inner_text() == "On an agenda"
    assert officer.locator("#supporters").inner_text() == "Leeds Central"
    history = officer.locator("ol.history").inner_text()
    assert "December branch meeting" in history
    assert "Amendment 1 (replace paragraph 6): carried" in history
    placed = MotionForward.objects.get(motion=journey.motion).placed_motion
    assert placed.meeting == area_meeting
    assert placed.text.endswith("campaign with the trades council.")
    for page in [*journey.pages.values(), officer]:
        page.context.close()


def cache_clear() -> None:
    from django.core.cache import cache

    cache.clear()
