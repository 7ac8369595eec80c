"""Equal preferences in Chromium (issue 15): the returning officer is told plainly that
Scottish STV cannot take them, allows them for a Meek question, and a member with JavaScript
off gives two candidates the same number on the paper and casts; the count shares that vote
between them and the published record's recount agrees.

The ballot itself, its candidates and tellers are set up through the services (the journey of
setting up a ballot is tests/browser/test_ballot_journey.py); the question and the vote are
the pages'."""

from __future__ import annotations

import datetime
import io
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from grassroots import clock
from grassroots.ballots.models import Ballot, Question
from grassroots.ballots.services.counting import count_ballot
from grassroots.ballots.services.lifecycle import close_ballot, open_ballot
from grassroots.ballots.services.publishing import publish_results
from grassroots.ballots.services.setup import add_candidate, create_ballot
from grassroots.ballots.services.tellers import collect_share, reveal_share, set_up_tellers
from grassroots.ledger.verify import verify_directory
from grassroots.organisation.models import Role
from tests.ballots.conftest import Clock
from tests.browser.conftest import Login, log_in
from tests.factories import PASSWORD, GroupFactory, MemberWithLoginFactory, RoleFactory
from tests.web.roles import TOTP_SECRET, give_authenticator_app

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_officer_allows_equal_preferences_for_meek_and_a_member_without_javascript_uses_them(
    browser, live_server, page, monkeypatch, tmp_path: Path
):
    moved = Clock(monkeypatch)
    group = GroupFactory(name="Leeds Central")
    officer = RoleFactory(role=Role.NATIONAL_OFFICE, member__home_group=group).member
    give_authenticator_app(officer.user)
    tellers = [MemberWithLoginFactory(home_group=group) for _ in range(2)]
    now = clock.now()
    ballot = create_ballot(
        actor=officer.user,
        title="Organising committee 2026",
        description="",
        level="group",
        scope=group,
        opens_at=now + datetime.timedelta(minutes=5),
        closes_at=now + datetime.timedelta(days=1),
        tellers_count=2,
        threshold=2,
    )

    # Scottish STV with equal preferences is refused, naming the rule; Meek takes them.
    log_in(page, Login(officer.email, PASSWORD, TOTP_SECRET))
    page.goto(f"/ballots/{ballot.pk}/")
    page.get_by_role("link", name="Add a question").click()
    page.get_by_label("Question or post").fill("Organising committee")
    page.get_by_label("How members answer").select_option("stv")
    page.get_by_label("STV counting rule").select_option("scottish")
    page.get_by_label("Seats to fill").fill("2")
    page.get_by_label("Voters may rank candidates equally (Meek only)").check()
    page.get_by_role("button", name="Add the question").click()
    expect(
        page.get_by_text(
            "The Scottish STV (SSI 2007/42) rule does not define how to count equal "
            "preferences: only Meek does."
        ).first
    ).to_be_visible()
    page.get_by_label("STV counting rule").select_option("meek")
    page.get_by_role("button", name="Add the question").click()
    expect(page.get_by_text("Meek, equal preferences allowed")).to_be_visible()
    question = Question.objects.get(ballot=ballot)
    assert question.allows_equal_preferences

    for name in ["Ana Lima", "Bo Hart", "Cy Moss"]:
        add_candidate(actor=officer.user, question=question, name=name)
    set_up_tellers(actor=officer.user, ballot=ballot, members=tellers)
    shares = [collect_share(actor=t.user, teller=ballot.tellers.get(member=t)) for t in tellers]
    voters = [
        MemberWithLoginFactory(home_group=group, first_name="Voter", last_name=f"Number{i}")
        for i in range(3)
    ]
    moved.advance(minutes=6)
    open_ballot(actor=officer.user, ballot=Ballot.objects.get(pk=ballot.pk))

    # Each member votes with JavaScript off: the paper is a plain form.
    numbers = [("1", "2", "2"), ("2", "1", ""), ("", "1", "")]
    for voter, marks in zip(voters, numbers, strict=True):
        context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
        context.set_default_timeout(10_000)
        tab = context.new_page()
        log_in(tab, Login(voter.email, PASSWORD, None))
        tab.goto(f"/ballots/{ballot.pk}/vote/")
        expect(
            tab.get_by_text("You may give two or more candidates the same number")
        ).to_be_visible()
        if marks == ("1", "2", "2"):
            # A gap is refused with a message that says how to number equal choices.
            tab.get_by_label("Ana Lima").fill("1")
            tab.get_by_label("Bo Hart").fill("3")
            tab.get_by_label("Cy Moss").fill("3")
            tab.get_by_role("button", name="Review my vote").click()
            expect(
                tab.get_by_role("heading", name="There is a problem with your ballot paper")
            ).to_be_visible()
            expect(tab.get_by_role("link", name="There is a gap in your numbers")).to_be_visible()
        for name, mark in zip(["Ana Lima", "Bo Hart", "Cy Moss"], marks, strict=True):
            tab.get_by_label(name).fill(mark)
        tab.get_by_role("button", name="Review my vote").click()
        if marks == ("1", "2", "2"):
            # The review says in words which choices are equal.
            expect(tab.locator("#vote-review ol li").nth(1)).to_have_text(
                "Equally: Bo Hart, Cy Moss"
            )
        tab.get_by_role("button", name="Cast my vote").click()
        expect(tab.get_by_text("Your vote is recorded")).to_be_visible()
        context.close()

    moved.advance(days=2)
    ballot = Ballot.objects.get(pk=ballot.pk)
    close_ballot(actor=officer.user, ballot=ballot)
    for teller, share in zip(tellers, shares, strict=True):
        reveal_share(actor=teller.user, teller=ballot.tellers.get(member=teller), share_text=share)
    count_ballot(actor=officer.user, ballot=ballot)
    publish_results(actor=officer.user, ballot=ballot)

    # Ana's voter split their second preference between Bo and Cy: Meek's first stage shows
    # Ana 1, Bo 2; the quota (3 votes, 2 seats) is 1.000000001, so Bo is elected at once and
    # his surplus, and the rest, decide the second seat.
    question.refresh_from_db()
    assert question.result is not None
    assert question.result["stages"][0]["totals"][:2] == ["1.000000000", "2.000000000"]
    page.goto(f"/ballots/{ballot.pk}/results/")
    expect(page.get_by_role("heading", name="Organising committee").first).to_be_visible()
    record = page.request.get(f"/ballots/{ballot.pk}/record.zip")
    assert record.ok
    zipfile.ZipFile(io.BytesIO(record.body())).extractall(tmp_path)
    checks = verify_directory(tmp_path / ballot.election_id)
    assert all(c.passed for c in checks), [c.line() for c in checks if not c.passed]
