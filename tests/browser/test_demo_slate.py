"""The demo's national committee slate in Chromium (issue 16): members of the West Midlands
stand and support in their section (declaring a category) against its own threshold; the
national office confirms the nominations; members of two regions vote, each seeing only their
own section and the college seat; once published, a visitor reads the slate; the record
verifies."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from playwright.sync_api import expect

from grassroots.ballots.models import Ballot, Question
from grassroots.ballots.publication import record_zip
from grassroots.ballots.services.counting import count_ballot
from grassroots.ballots.services.lifecycle import close_ballot, open_ballot
from grassroots.ballots.services.publishing import publish_results
from grassroots.ballots.services.tellers import collect_share, reveal_share, set_up_tellers
from grassroots.demo import people as demo_people
from grassroots.demo.slates import BALLOT_TITLE, CHAIR_TITLE, SLATE_NAME
from grassroots.ledger.verify import verify_directory
from grassroots.people.models import Member
from tests.ballots.conftest import Clock
from tests.browser.conftest import DemoLogins, Login, log_in
from tests.factories import PASSWORD, MemberWithLoginFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _label(name: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*{re.escape(name)}\b")


def test_the_demo_slate_from_nominations_to_the_published_slate_page(
    browser, live_server, page, demo: DemoLogins, monkeypatch, settings, tmp_path: Path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    ballot = Ballot.objects.get(title=BALLOT_TITLE)
    questions = {q.title: q for q in ballot.questions.select_related("section_region")}
    midlands_group = questions["Midlands"].section_region.areas.first().groups.first()
    south_west_group = questions["South West"].section_region.areas.first().groups.first()
    nominee = MemberWithLoginFactory(home_group=midlands_group, first_name="Zainab")
    supporter = MemberWithLoginFactory(home_group=midlands_group)
    south_wester = MemberWithLoginFactory(home_group=south_west_group)

    # A West Midlands member stands in the Midlands section, declaring a category.
    log_in(page, Login(nominee.user.email, PASSWORD, None))
    page.goto(f"/ballots/{ballot.pk}/nominations/")
    expect(
        page.get_by_text("only members in West Midlands stand, support and vote in it")
    ).to_be_visible()
    page.get_by_role("link", name="Nominate yourself or another member").click()
    page.get_by_label("Post").select_option(label="Midlands")
    page.get_by_label("Candidate statement").fill(
        "I will take the Midlands' case to the committee."
    )
    page.get_by_label("Categories you declare").fill("bame")
    page.get_by_role("button", name="Nominate").click()
    expect(page.get_by_role("heading", name=nominee.full_name)).to_be_visible()
    nomination_url = page.url

    # The section's threshold is one supporter from the region.
    supporting = browser.new_context(base_url=live_server.url)
    try:
        other = supporting.new_page()
        log_in(other, Login(supporter.user.email, PASSWORD, None))
        other.goto(nomination_url)
        other.get_by_role("button", name="Support this nomination").click()
        other.goto(f"/ballots/{ballot.pk}/nominations/")
        expect(other.get_by_role("row", name=re.compile(nominee.full_name))).to_contain_text(
            "(valid)"
        )
    finally:
        supporting.close()

    # After the close of nominations the national office confirms them.
    clock = Clock(monkeypatch)
    clock.advance(days=8)
    officer_page = browser.new_context(base_url=live_server.url)
    try:
        national = officer_page.new_page()
        log_in(national, demo.national)
        national.goto(f"/ballots/{ballot.pk}/nominations/")
        national.get_by_role("button", name="Confirm valid nominations as candidates").click()
        expect(national.get_by_role("heading", level=1)).to_contain_text(BALLOT_TITLE)
    finally:
        officer_page.close()
    midlands = Question.objects.get(pk=questions["Midlands"].pk)
    assert nominee.full_name in {c.name for c in midlands.candidates.all()}

    # Tellers and the opening, through the services.
    officer = Member.objects.get(user__email=demo_people.NATIONAL_LOGIN.email).user
    tellers = [
        Member.objects.get(user__email=login.email)
        for login in (
            demo_people.COMMITTEE_LOGIN,
            demo_people.AUDITOR_LOGIN,
            demo_people.REGIONAL_LOGIN,
        )
    ]
    ballot = Ballot.objects.get(pk=ballot.pk)
    set_up_tellers(actor=officer, ballot=ballot, members=tellers)
    shares = [collect_share(actor=t.user, teller=ballot.tellers.get(member=t)) for t in tellers]
    clock.advance(days=2, hours=1)
    open_ballot(actor=officer, ballot=ballot)

    # A West Midlands member sees the Midlands section and the college seat, not the South West.
    chair_names = [
        c.name for c in Question.objects.get(pk=questions[CHAIR_TITLE].pk).candidates.all()
    ]
    page.goto(f"/ballots/{ballot.pk}/vote/")
    expect(page.get_by_role("heading", name="Midlands", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="South West", exact=True)).to_have_count(0)
    page.get_by_label(_label(nominee.full_name)).fill("1")
    page.get_by_label(_label(chair_names[0])).fill("1")
    page.get_by_role("button", name="Review my vote").click()
    expect(page.locator("#vote-review")).to_contain_text(nominee.full_name)
    page.get_by_role("button", name="Cast my vote").click()
    expect(page.get_by_role("heading", name="Your vote is recorded")).to_be_visible()

    south_west_names = [
        c.name for c in Question.objects.get(pk=questions["South West"].pk).candidates.all()
    ]
    voting = browser.new_context(base_url=live_server.url)
    try:
        tab = voting.new_page()
        log_in(tab, Login(south_wester.user.email, PASSWORD, None))
        tab.goto(f"/ballots/{ballot.pk}/vote/")
        expect(tab.get_by_role("heading", name="South West", exact=True)).to_be_visible()
        expect(tab.get_by_role("heading", name="Midlands", exact=True)).to_have_count(0)
        tab.get_by_label(_label(south_west_names[0])).fill("1")
        tab.get_by_label(_label(chair_names[-1])).fill("1")
        tab.get_by_role("button", name="Review my vote").click()
        expect(tab.locator("#vote-review")).to_contain_text(south_west_names[0])
        tab.get_by_role("button", name="Cast my vote").click()
        expect(tab.get_by_role("heading", name="Your vote is recorded")).to_be_visible()
    finally:
        voting.close()

    clock.advance(days=8)
    close_ballot(actor=officer, ballot=ballot)
    for teller, share in list(zip(tellers, shares, strict=True))[:2]:
        reveal_share(actor=teller.user, teller=ballot.tellers.get(member=teller), share_text=share)
    count_ballot(actor=officer, ballot=ballot)
    publish_results(actor=officer, ballot=ballot)

    visitor = browser.new_context(base_url=live_server.url)
    try:
        public = visitor.new_page()
        public.goto("/")
        public.get_by_role("link", name="Slates").first.click()
        public.get_by_role("link", name=SLATE_NAME).click()
        chosen = public.locator("ol.slate-chosen li")
        expect(chosen).to_have_count(4)
        expect(chosen.filter(has_text=nominee.full_name)).to_contain_text("Midlands' case")
    finally:
        visitor.close()

    with zipfile.ZipFile(BytesIO(record_zip(Ballot.objects.get(pk=ballot.pk)))) as archive:
        archive.extractall(tmp_path / "record")
    assert all(check.passed for check in verify_directory(tmp_path / "record"))
