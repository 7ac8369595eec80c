"""A motion sent to a ballot of members shows the ballot's outcome once its result is published.

In Chromium: the Chair sends a seconded motion to a ballot from the motion page; the ballot is
set up, voted in, closed and counted through the ballot services (tests/browser/
test_ballot_journey.py drives those pages); the Chair publishes the result from the ballot's
page; the mover then reads "Carried" with the figures and a link to the published result on the
motion page, and follows the link.
"""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from grassroots import clock
from grassroots.ballots.models import Ballot
from grassroots.meetings.models import Motion, MotionStatus
from grassroots.meetings.services.motions import second_motion, submit_motion
from tests.ballots.conftest import Clock
from tests.browser.test_meetings import _local, build_branch, person_page
from tests.factories import MemberWithLoginFactory
from tests.meetings.ballot_flow import vote_and_publish
from tests.meetings.builders import group_meeting, make_quorate

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_motion_page_shows_the_ballot_outcome_after_publication(browser, live_server, monkeypatch):
    moving_clock = Clock(monkeypatch)
    branch = build_branch()
    meeting = group_meeting(branch.group, branch.secretary)
    motion = submit_motion(
        actor=branch.mover.user,
        meeting=meeting,
        title="Rent controls",
        notes="Rents rose 11% last year.",
        believes="Everyone deserves a secure home.",
        resolves="To campaign for rent controls.",
        seconder_number=branch.seconder.membership_number,
    )
    second_motion(actor=branch.seconder.user, motion=motion)
    moving_clock.advance(days=14, minutes=5)
    make_quorate(meeting, [branch.mover, branch.seconder, branch.amender], by=branch.secretary)

    # The Chair sends the motion to a ballot of the branch's members (the meeting is quorate).
    chair = person_page(browser, live_server, branch.chair, officer=True)
    chair.goto(f"/meetings/{meeting.pk}/motions/{motion.pk}/")
    chair.get_by_role("link", name="Send to a ballot of members").click()
    opens = clock.now() + datetime.timedelta(days=1)
    chair.get_by_label("Voting opens").fill(_local(opens))
    chair.get_by_label("Voting closes").fill(_local(opens + datetime.timedelta(days=7)))
    chair.get_by_role("button", name="Create the ballot").click()
    expect(chair.locator("body")).to_contain_text(
        "Its result will be shown here once it is published"
    )
    motion = Motion.objects.get(pk=motion.pk)
    assert motion.status == MotionStatus.SENT_TO_BALLOT
    ballot = Ballot.objects.get(pk=motion.ballot_id)

    # Tellers, voting, the close and the count, through the ballot services.
    from grassroots.ballots.services.tellers import set_up_tellers

    tellers = [branch.secretary, branch.amender, branch.commenter]
    set_up_tellers(actor=branch.chair.user, ballot=ballot, members=tellers)
    voters = [branch.mover, branch.seconder, branch.amender, branch.commenter, branch.secretary]
    voters.append(MemberWithLoginFactory(home_group=branch.group))
    votes = list(zip(voters, ["Yes", "Yes", "Yes", "Yes", "No", "Abstain"], strict=True))
    vote_and_publish(ballot, branch.chair, tellers, moving_clock, votes, publish=False)

    # The Chair, its returning officer, publishes the result on the ballot's page.
    chair.goto(f"/ballots/{ballot.pk}/")
    chair.get_by_role("button", name="Publish the result").click()
    chair.get_by_role("button", name="Yes, publish the result").click()
    chair.wait_for_url(f"**/ballots/{ballot.pk}/")

    # The mover reads the outcome on the motion page and follows the link to the result.
    mover = person_page(browser, live_server, branch.mover)
    mover.goto(f"/meetings/{meeting.pk}/motions/{motion.pk}/")
    result = mover.locator("#ballot-result")
    expect(result).to_contain_text("Carried")
    expect(result).to_contain_text("4 yes, 1 no, 1 abstaining")
    expect(mover.locator(".status-tag").first).to_have_text("Carried")
    result.get_by_role("link", name="The published result").click()
    expect(mover).to_have_url(f"{live_server.url}/ballots/{ballot.pk}/results/")
    assert Motion.objects.get(pk=motion.pk).status == MotionStatus.CARRIED
