"""In Chromium: a group's Secretary records the group's resolution to support a nomination,
linked to the motion its meeting carried (and is refused, with the reason, when trying it a
second time); the nomination then stands on the group threshold, is confirmed, and on a phone
the ballot paper shows each candidate's photo beside their box, loaded under the CSP, with
alt text, without widening the page, while each box is still named by the candidate alone.

The services set up what other tests cover through the pages (the ballot, the meeting, the
tellers), to keep the journey to what this test is about.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from grassroots import clock
from grassroots.ballots.models import GroupSupport, Nomination, NominationStatus
from grassroots.ballots.services.lifecycle import open_ballot
from grassroots.ballots.services.nominations import confirm_nominations, nominate, open_nominations
from grassroots.ballots.services.setup import add_candidate, add_question, create_ballot
from grassroots.ballots.services.tellers import collect_share, set_up_tellers
from grassroots.meetings.models import MotionStatus, OutcomeResult
from grassroots.meetings.services.decisions import record_motion_outcome
from grassroots.organisation.models import GroupRecognition, GroupStatus, Role
from tests.ballots.conftest import PNG_1X1, Clock
from tests.browser.conftest import PHONE, Login, log_in
from tests.factories import PASSWORD, AreaFactory, GroupFactory, MemberWithLoginFactory, RoleFactory
from tests.meetings.builders import group_meeting, motion_in
from tests.web.roles import TOTP_SECRET, give_authenticator_app

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_group_nominates_by_resolution_and_the_paper_shows_photos_on_a_phone(
    browser, live_server, page, monkeypatch, tmp_path, settings
):
    from django.core.cache import cache

    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    moved = Clock(monkeypatch)
    area = AreaFactory(name="Leeds")
    central, hyde_park = (
        GroupFactory(area=area, name="Leeds Central"),
        GroupFactory(area=area, name="Hyde Park"),
    )
    for group in (central, hyde_park):
        GroupRecognition.objects.create(group=group, status=GroupStatus.RECOGNISED)
    officer = RoleFactory(role=Role.NATIONAL_OFFICE, member__home_group=central).member
    secretary = RoleFactory(
        role=Role.SECRETARY, level="group", group=hyde_park, member__home_group=hyde_park
    ).member
    chair = RoleFactory(
        role=Role.CHAIR, level="group", group=hyde_park, member__home_group=hyde_park
    ).member
    give_authenticator_app(secretary.user)
    aisha = MemberWithLoginFactory(home_group=central, first_name="Aisha", last_name="Khan")
    ben = MemberWithLoginFactory(home_group=central, first_name="Ben", last_name="Carter")
    voter = MemberWithLoginFactory(home_group=hyde_park)
    tellers = [MemberWithLoginFactory(home_group=central) for _ in range(2)]

    # An area ballot taking nominations: 10 supporting members, or 1 group.
    now = clock.now()
    ballot = create_ballot(
        actor=officer.user,
        title="Leeds area committee",
        description="",
        level="area",
        scope=area,
        opens_at=now + datetime.timedelta(days=2),
        closes_at=now + datetime.timedelta(days=3),
        tellers_count=2,
        threshold=2,
    )
    question = add_question(actor=officer.user, ballot=ballot, title="Area committee", kind="irv")
    open_nominations(
        actor=officer.user,
        ballot=ballot,
        close_at=now + datetime.timedelta(days=1),
        supporters_needed=10,
        groups_needed=1,
    )
    aisha_nomination = nominate(
        actor=aisha.user,
        question=question,
        nominee=aisha,
        statement="Housing first.",
        photo=SimpleUploadedFile("aisha.png", PNG_1X1, content_type="image/png"),
    )
    nominate(actor=ben.user, question=question, nominee=ben, statement="Transport.")

    # Hyde Park's general meeting, two days ago, carried a motion to nominate Aisha.
    meeting = group_meeting(
        hyde_park,
        chair,
        starts_in=-datetime.timedelta(days=2),
        deadline_in=-datetime.timedelta(days=9),
        title="Hyde Park general meeting",
    )
    motion = motion_in(meeting, voter, chair, title="Nominate Aisha Khan")
    motion.status = MotionStatus.IN_ORDER
    motion.save(update_fields=["status"])
    record_motion_outcome(
        actor=chair.user,
        motion=motion,
        result=OutcomeResult.CARRIED,
        votes_for=21,
        quorum_override="Attendance was taken on paper",
    )
    held_on = timezone.localdate(meeting.starts_at)

    # The Secretary records it from Aisha's nomination page.
    log_in(page, Login(secretary.email, PASSWORD, TOTP_SECRET))
    page.goto(f"/ballots/{ballot.pk}/nominations/{aisha_nomination.pk}/")
    page.get_by_role(
        "link", name="Record your group's resolution to support this nomination"
    ).click()
    page.get_by_label("Group", exact=True).select_option(label="Hyde Park")
    page.get_by_label("Date the group resolved").fill(held_on.isoformat())
    page.get_by_label("Where it is recorded").fill("Minutes of the general meeting, item 6")
    page.get_by_label("The motion carried at the meeting").select_option(
        label=f"Hyde Park general meeting, {held_on:%-d %b %Y}: motion 1, Nominate Aisha Khan"
    )
    page.get_by_role("button", name="Record the group's support").click()
    expect(page.get_by_text("Hyde Park's support for Aisha Khan is recorded.")).to_be_visible()
    expect(page.get_by_role("link", name="the motion carried")).to_be_visible()

    # A second time is refused with the reason, and nothing more is stored.
    page.get_by_role(
        "link", name="Record your group's resolution to support this nomination"
    ).click()
    page.get_by_label("Date the group resolved").fill(held_on.isoformat())
    page.get_by_label("Where it is recorded").fill("Minutes again")
    page.get_by_role("button", name="Record the group's support").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Hyde Park already supports this nomination.")
    assert GroupSupport.objects.count() == 1

    # The report shows the group and that Aisha's nomination stands; Ben's has no support.
    page.goto(f"/ballots/{ballot.pk}/nominations/")
    aisha_row = page.get_by_role("row", name="Aisha Khan")
    expect(aisha_row).to_contain_text("Hyde Park, resolved")
    expect(aisha_row).to_contain_text("(valid)")
    expect(page.get_by_role("row", name="Ben Carter")).to_contain_text("not enough supporters yet")

    # Nominations close; Aisha is confirmed, and Ben added by the officer so the paper has
    # a candidate without a photo; the tellers collect their shares; voting opens.
    moved.advance(days=1, minutes=5)
    confirm_nominations(actor=officer.user, ballot=ballot)
    assert Nomination.objects.get(pk=aisha_nomination.pk).status == NominationStatus.CONFIRMED
    add_candidate(actor=officer.user, question=question, name="Ben Carter")
    set_up_tellers(actor=officer.user, ballot=ballot, members=tellers)
    for teller in tellers:
        collect_share(actor=teller.user, teller=ballot.tellers.get(member=teller))
    moved.advance(days=1)
    open_ballot(actor=officer.user, ballot=ballot)

    # On a phone, the voter sees Aisha's photo beside her box.
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    context.set_default_timeout(10_000)
    phone = context.new_page()
    refused: list[str] = []
    phone.on("console", lambda m: refused.append(m.text) if m.type == "error" else None)
    phone.on("response", lambda r: refused.append(r.url) if r.status >= 400 else None)
    log_in(phone, Login(voter.email, PASSWORD, None))
    phone.goto(f"/ballots/{ballot.pk}/vote/")
    photo = phone.get_by_role("img", name="Photo of Aisha Khan")
    expect(photo).to_be_visible()
    # It loads (the CSP or a 404 would leave it broken): it is lazy, so bring it into view.
    photo.scroll_into_view_if_needed()
    phone.wait_for_function(
        "() => { const img = document.querySelector('img.candidate-photo');"
        " return img && img.complete && img.naturalWidth > 0; }"
    )
    box = photo.bounding_box()
    assert box is not None and 60 <= box["width"] <= 80 and 60 <= box["height"] <= 80
    expect(phone.get_by_role("img")).to_have_count(1)  # Ben has none, and no placeholder
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # Each box is named by its candidate alone (the photo is beside the label, not in it).
    phone.get_by_label("Aisha Khan", exact=True).fill("1")
    phone.get_by_label("Ben Carter", exact=True).fill("2")
    phone.get_by_role("button", name="Review my vote").click()
    phone.get_by_role("button", name="Cast my vote").click()
    expect(phone.get_by_role("heading", name="Your vote is recorded")).to_be_visible()
    assert not refused, refused
    context.close()
