"""The whole ballot, in Chromium: an officer creates an STV ballot with a minimum of women,
members nominate themselves, voting opens on time, three members vote (one with the personal
link from their invitation, two logged in), one tries a second time, the tellers enter their
shares after the close, the count runs and the result shows its stages; the exported record
passes the verifier, which names the failed check when a ballot byte, a leaf or a head is
altered.

The clock the ballot services read (grassroots.clock.now) is moved forward in this process,
which is also the live server's. The tellers collect their shares through the service (the
collection page is covered by tests/ballots/test_pages.py) to keep the journey short.
"""

from __future__ import annotations

import datetime
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from grassroots import clock
from grassroots.ballots.models import Ballot, BallotStatus
from grassroots.ballots.scheduler import run_tick
from grassroots.ballots.services.tellers import collect_share
from grassroots.organisation.models import Role
from tests.ballots.conftest import Clock
from tests.browser.conftest import Login, log_in
from tests.factories import PASSWORD, GroupFactory, MemberWithLoginFactory, RoleFactory
from tests.web.roles import TOTP_SECRET, give_authenticator_app

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"http://[^\s/]+(/ballots/\d+/vote/link/[^/\s]+/)")


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _verify(directory: Path) -> subprocess.CompletedProcess[str]:
    # The key the results page tells members to pin: the one written in the record here, as
    # this test checks the record's own consistency (tests/ledger/test_key_pinning.py pins).
    return subprocess.run(
        [sys.executable, "-m", "grassroots.ledger", "verify", str(directory), "--no-key-pinning"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def _altered(path: Path, position: int) -> bytes:
    original = path.read_bytes()
    data = bytearray(original)
    data[position] = ord("0") if data[position] != ord("0") else ord("1")
    path.write_bytes(bytes(data))
    return original


def test_officer_runs_an_stv_ballot_members_nominate_and_vote_and_the_record_verifies(
    browser, live_server, page, monkeypatch, tmp_path: Path, settings
):
    from django.core.cache import cache

    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.GRASSROOTS_SITE_URL = live_server.url
    moved = Clock(monkeypatch)
    group = GroupFactory(name="Leeds Central")
    officer = RoleFactory(role=Role.NATIONAL_OFFICE, member__home_group=group).member
    give_authenticator_app(officer.user)
    nominees = [
        MemberWithLoginFactory(home_group=group, first_name=first, last_name=last)
        for first, last in [("Aisha", "Khan"), ("Ben", "Carter"), ("Carys", "Evans")]
    ]
    tellers = [MemberWithLoginFactory(home_group=group) for _ in range(3)]

    def person(member) -> object:
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(10_000)
        tab = context.new_page()
        log_in(tab, Login(member.email, PASSWORD, None))
        return tab

    # The officer creates the ballot, its STV question with at least one woman, and opens
    # nominations.
    log_in(page, Login(officer.email, PASSWORD, TOTP_SECRET))
    now = clock.now()
    page.goto("/ballots/new/")
    page.get_by_label("Title").fill("Group committee 2026")
    page.get_by_label("Who votes").select_option(f"group:{group.pk}")
    page.get_by_label("Voting opens").fill(_local(now + datetime.timedelta(days=2)))
    page.get_by_label("Voting closes").fill(_local(now + datetime.timedelta(days=3)))
    page.get_by_label("Number of tellers").fill("3")
    page.get_by_label("Tellers needed to count").fill("2")
    # This journey is the server-mode ballot's; end-to-end mode has its own (test_e2e_*).
    page.get_by_label("End-to-end verifiable").uncheck()
    page.get_by_role("button", name="Create the ballot").click()
    expect(page.get_by_role("heading", name="Group committee 2026", level=1)).to_be_visible()
    ballot = Ballot.objects.get()
    page.get_by_role("link", name="Add a question").click()
    page.get_by_label("Question or post").fill("Group committee")
    page.get_by_label("How members answer").select_option("stv")
    page.get_by_label("STV counting rule").select_option("scottish")
    page.get_by_label("Seats to fill").fill("2")
    page.get_by_label("Quota rules (STV)").fill("women: at least 1")
    page.get_by_role("button", name="Add the question").click()
    page.get_by_role("link", name="open nominations").click()
    page.get_by_label("Nominations close").fill(_local(now + datetime.timedelta(days=1)))
    page.get_by_role("button", name="Open nominations").click()
    expect(page.get_by_role("heading", name="Nominations report")).to_be_visible()

    # Three members nominate themselves; two declare themselves women.
    tabs = []
    for member, categories in zip(nominees, ["women", "", "women"], strict=True):
        tab = person(member)
        tabs.append(tab)
        tab.goto(f"/ballots/{ballot.pk}/nominations/")
        tab.get_by_role("link", name="Nominate yourself or another member").click()
        tab.get_by_label("Candidate statement").fill(f"I am {member.first_name}.")
        tab.get_by_label("Categories you declare").fill(categories)
        tab.get_by_role("button", name="Nominate").click()
        expect(tab.get_by_role("heading", name=member.full_name)).to_be_visible()
    page.goto(f"/ballots/{ballot.pk}/nominations/")
    expect(page.locator("tbody tr")).to_have_count(3)

    # Nominations close; the returning officer confirms them and names the tellers.
    moved.advance(days=1, minutes=5)
    page.reload()
    page.get_by_role("button", name="Confirm valid nominations as candidates").click()
    expect(page.get_by_text("3 nominations confirmed as candidates")).to_be_visible()
    page.get_by_role("link", name="Name the tellers and make their key").click()
    page.get_by_label("Tellers' membership numbers").fill(
        "\n".join(t.membership_number for t in tellers)
    )
    page.get_by_role("button", name="Make the tellers' key").click()
    ballot.refresh_from_db()
    shares = [collect_share(actor=t.user, teller=ballot.tellers.get(member=t)) for t in tellers]

    # Voting opens on time: the scheduler opens it and the invitations go out.
    moved.advance(days=1)
    assert run_tick() == [f"opened {ballot.election_id}"]
    invitation = next(m for m in mail.outbox if m.to == [nominees[0].email])
    link = LINK.search(invitation.body).group(1)

    # Aisha votes with her personal link, in a browser that is not logged in.
    anonymous = browser.new_context(base_url=live_server.url).new_page()
    anonymous.goto(link)
    expect(anonymous.get_by_text("No vote has been recorded in your name")).to_be_visible()
    anonymous.get_by_label(re.compile(r"^\s*Aisha Khan\b")).fill("1")
    anonymous.get_by_label(re.compile(r"^\s*Carys Evans\b")).fill("2")
    anonymous.get_by_role("button", name="Review my vote").click()
    # The review step: her choices in words, in order, before anything is cast.
    expect(
        anonymous.get_by_role("heading", name="Check your vote before you cast it")
    ).to_be_visible()
    expect(anonymous.locator("#vote-review ol li")).to_have_text(
        [re.compile(r"^Aisha Khan\b"), re.compile(r"^Carys Evans\b")]
    )
    anonymous.get_by_role("button", name="Cast my vote").click()
    expect(anonymous.get_by_role("heading", name="Your vote is recorded")).to_be_visible()
    anonymous.goto(link)
    expect(anonymous.get_by_text("A vote has been recorded in your name")).to_be_visible()

    # Ben and Carys vote logged in; Carys first makes a numbering mistake.
    for tab, numbers in zip(
        tabs[1:],
        [{"Ben Carter": "1", "Aisha Khan": "2"}, {"Carys Evans": "1", "Ben Carter": "2"}],
        strict=True,
    ):
        tab.goto(f"/ballots/{ballot.pk}/vote/")
        for name, number in numbers.items():
            tab.get_by_label(re.compile(rf"^\s*{re.escape(name)}\b")).fill(number)
        tab.get_by_role("button", name="Review my vote").click()
        tab.get_by_role("button", name="Cast my vote").click()
        expect(tab.get_by_role("heading", name="Your vote is recorded")).to_be_visible()
    # Carys tries again: the page says she has voted, and offers no ballot paper.
    tabs[2].goto(f"/ballots/{ballot.pk}/vote/")
    expect(tabs[2].get_by_text("You have already voted in this ballot")).to_be_visible()
    expect(tabs[2].get_by_role("button", name="Review my vote")).to_have_count(0)

    # The poll closes; two tellers enter their shares; the count runs; the result is published.
    moved.advance(days=1, minutes=5)
    page.goto(f"/ballots/{ballot.pk}/")
    page.get_by_role("button", name="Record the close (after the closing time)").click()
    # Issue 21: a page asks before the poll closes for good.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Close the poll")
    page.get_by_role("button", name="Yes, close the poll").click()
    for teller, share in list(zip(tellers, shares, strict=True))[:2]:
        tab = person(teller)
        tab.goto(f"/ballots/{ballot.pk}/reveal/")
        tab.get_by_label("Your key share").fill(share)
        tab.get_by_role("button", name="Enter my share").click()
        expect(tab.get_by_text("your share is entered")).to_be_visible()
    page.reload()
    page.get_by_role("button", name="Decrypt and count").click()
    page.goto(f"/ballots/{ballot.pk}/")
    page.get_by_role("button", name="Publish the result").click()
    page.get_by_role("button", name="Yes, publish the result").click()
    page.wait_for_url(f"**/ballots/{ballot.pk}/")
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.PUBLISHED
    anonymous.goto(f"/ballots/{ballot.pk}/results/")
    expect(anonymous.locator("table.result-table").get_by_text("Stage 1")).to_be_visible()
    expect(anonymous.locator("svg").first).to_be_visible()
    expect(anonymous.get_by_role("heading", name="Turnout by group")).to_be_visible()

    # The record verifies, and each kind of alteration is caught with its check named.
    record = tmp_path / "record"
    call_command("export_record", "--latest-published", str(record))
    passed = _verify(record)
    assert passed.returncode == 0, passed.stdout
    ballots_file, heads_file = record / "ballots.jsonl", record / "heads.jsonl"
    first_line = ballots_file.read_text().splitlines()[0]
    cipher_at = first_line.index('"ciphertext":"') + 30
    tracker_at = first_line.index('"tracker":"') + 20
    root_at = heads_file.read_text().splitlines()[-1].index('"root_hash":"') + 20
    last_head_at = len(heads_file.read_bytes()) - len(heads_file.read_text().splitlines()[-1]) - 1
    for path, position, check in [
        (ballots_file, cipher_at, "check 2: every tracker is the hash"),
        (ballots_file, tracker_at, "check 2: every tracker is the hash"),
        (heads_file, last_head_at + root_at, "check 3: the Merkle tree of the trackers"),
    ]:
        original = _altered(path, position)
        failed = _verify(record)
        path.write_bytes(original)
        assert failed.returncode == 1
        assert f"{check}" in failed.stdout and "failed" in failed.stdout, failed.stdout
    assert _verify(record).returncode == 0
