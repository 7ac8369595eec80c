"""Issue 14's acceptance journey: the demo's end-to-end STV ballot with a women's quota
(``seed_e2e_ceremony_ballot``, as ``manage.py seed_demo`` makes it: candidates and tellers
named, no key yet) taken from the tellers' key ceremony to the published result through the
pages. The demo tellers work in their own browsers and run every secret step with the teller
commands in a subprocess (``python -m grassroots.ledger teller ...``), uploading only public
files; the returning officer opens, closes, counts and publishes on the ballot's page; voters
cast in headless Chromium by their personal links, one of them auditing an encryption first
(checked by ``python -m grassroots.ledger audit-ballot``), another saving a signed head from
the log page. The record downloaded from the results page verifies with the election key
pinned and the saved head.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from grassroots import clock
from grassroots.ballots.links import personal_link_token
from grassroots.ballots.models import Ballot, BallotStatus, RollEntry
from grassroots.demo.e2e_ballot import seed_e2e_ceremony_ballot
from grassroots.demo.people import (
    AUDITOR_LOGIN,
    COMMITTEE_LOGIN,
    DEMO_PASSWORD,
    MINIMUM_MEMBERS,
    NATIONAL_LOGIN,
    REGIONAL_LOGIN,
    build_organisation,
)
from tests.ballots.conftest import Clock
from tests.browser.conftest import Login
from tests.browser.conftest import log_in_through_the_form as log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow(seconds=45)]

# Preferences by candidate position on the paper; the demo's candidates 0, 2 and 4 are women.
VOTES = [(1, 0), (2, 3, 1), (1, 3), (3, 1, 2), (0,), (5, 4, 0)]


REPOSITORY = Path(__file__).resolve().parents[2]


def teller_cli(*argv: str, cwd: Path, expect_status: int = 0) -> str:
    """The verifier's own commands, run as a teller or member runs them: in their own folder."""
    done = subprocess.run(
        [sys.executable, "-m", "grassroots.ledger", *argv],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPOSITORY)},
    )
    assert done.returncode == expect_status, done.stdout + done.stderr
    return done.stdout


def download(page, link, into: Path) -> Path:  # type: ignore[no-untyped-def]
    with page.expect_download() as info:
        link.click()
    into.mkdir(parents=True, exist_ok=True)
    saved = into / info.value.suggested_filename
    info.value.save_as(saved)
    return saved


def download_files(page, into: Path) -> Path:  # type: ignore[no-untyped-def]
    """The ballot's public files, downloaded from the teller's page and unzipped."""
    archive = download(page, page.locator("#e2e-files"), into)
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(into)
    return into / "e2e"


def logged_in(browser, live_server, email: str):  # type: ignore[no-untyped-def]
    page = browser.new_context(base_url=live_server.url).new_page()
    log_in(page, Login(email, DEMO_PASSWORD, None))
    return page


def test_the_demo_e2e_stv_ballot_from_key_ceremony_to_verified_record(
    browser, live_server, tmp_path, monkeypatch, settings
):
    settings.GRASSROOTS_REQUIRE_OFFICER_MFA = False
    moved = Clock(monkeypatch)
    build_organisation(MINIMUM_MEMBERS)  # as seed_demo builds it, each step committed
    ballot = seed_e2e_ceremony_ballot()  # the part of seed_demo this journey takes
    assert ballot.is_end_to_end and ballot.status == BallotStatus.DRAFT
    question = ballot.questions.get()
    assert question.constraints == [{"category": "women", "minimum": 2, "maximum": None}]
    candidates = list(question.candidates.order_by("position"))
    women = {c.name for c in candidates if "women" in c.categories}
    n, k = str(ballot.tellers_count), str(ballot.threshold)
    common = ["--election-id", ballot.election_id, "--threshold", k, "--tellers", n]
    tellers = []
    for number, login in enumerate((COMMITTEE_LOGIN, AUDITOR_LOGIN, REGIONAL_LOGIN), start=1):
        assert ballot.tellers.get(share_index=number).member.user.email == login.email
        home = tmp_path / f"teller-{number}"
        home.mkdir()
        tellers.append((number, logged_in(browser, live_server, login.email), home))

    share_url = f"/ballots/{ballot.pk}/share/"
    for _, page, home in tellers:  # step 1: transport keys
        page.goto(share_url)
        printed = teller_cli("teller", "transport-key", "--out", "transport.key", cwd=home)
        page.get_by_label("Your transport key").fill(printed.rsplit("publish: ", 1)[1].strip())
        page.get_by_role("button", name="Publish my transport key").click()
        expect(page.locator("body")).to_contain_text("Your transport key is published")
    for number, page, home in tellers:  # step 2: deals
        page.goto(share_url)
        e2e = download_files(page, home / "deal")
        teller_cli(
            "teller",
            "deal",
            *common,
            "--teller",
            str(number),
            "--recipients",
            str(e2e / "recipients.json"),
            "--out",
            "deal.json",
            cwd=home,
        )
        page.get_by_label("Your deal file").set_input_files(str(home / "deal.json"))
        page.get_by_role("button", name="Publish my deal").click()
        expect(page.locator("body")).to_contain_text("Your deal is checked and published")
    for number, page, home in tellers:  # step 3: each checks the shares dealt to them
        page.goto(share_url)
        e2e = download_files(page, home / "receive")
        printed = teller_cli(
            "teller",
            "receive",
            *common,
            "--teller",
            str(number),
            "--transport-key",
            "transport.key",
            "--deals",
            str(e2e / "tellers"),
            "--out",
            "key.share",
            cwd=home,
        )
        page.get_by_label("The election key your device printed").fill(
            printed.split("election key: ", 1)[1].split()[0]
        )
        page.get_by_role("button", name="My shares are checked").click()
        expect(page.locator("body")).to_contain_text("your key share is checked")
    ballot = Ballot.objects.get(pk=ballot.pk)
    assert ballot.status == BallotStatus.READY
    tellers[0][1].goto(share_url)
    expect(tellers[0][1].locator("#ceremony-done")).to_contain_text(
        bytes(ballot.tellers_public_key).hex()
    )

    officer = logged_in(browser, live_server, NATIONAL_LOGIN.email)
    manage_url = f"/ballots/{ballot.pk}/"
    # A minute past the published opening time (noon, a week after the seeding: a fixed
    # seven days would fall short whenever the test runs before noon).
    moved.advance(seconds=(ballot.opens_at - clock.now()).total_seconds() + 60)
    officer.goto(manage_url)
    officer.get_by_role("button", name="Freeze the roll and open voting").click()
    expect(officer.locator("body")).to_contain_text("Voting is open")
    ballot = Ballot.objects.get(pk=ballot.pk)
    entries = list(RollEntry.objects.filter(ballot=ballot).order_by("pk")[: len(VOTES)])
    for position, (entry, order) in enumerate(zip(entries, VOTES, strict=True)):
        names = [candidates[i].name for i in order]
        page = browser.new_context(base_url=live_server.url).new_page()
        page.goto(f"/ballots/{ballot.pk}/vote/link/{personal_link_token(entry)}/")
        for number, name in enumerate(names, start=1):
            page.get_by_label(re.compile(rf"^\s*{re.escape(name)}\b")).fill(str(number))
        page.get_by_role("button", name="Encrypt and review my vote").click()
        expect(page.locator("#e2e-review")).to_contain_text(", then ".join(names[:2]))
        if position == 0:  # the first voter audits an encryption before casting
            page.get_by_role("button", name="Audit this encryption").click()
            audit = tmp_path / "audit.json"
            audit.write_text(page.locator("#e2e-audit-text").input_value())
            checked = teller_cli("audit-ballot", str(audit), cwd=tmp_path)
            assert f"question q1: encrypts marks {list(order)}, as the page said" in checked
        page.get_by_role("button", name="Cast my vote").click()
        expect(page.get_by_role("heading", name="Your vote is recorded")).to_be_visible()
        page.context.close()
    call_command("seal_ballots", "--min-batch", "1")  # the scheduler's seal and signed head
    watcher = browser.new_context(base_url=live_server.url).new_page()  # a voter keeps a head
    watcher.goto(f"/ballots/{ballot.pk}/log/")
    saved_head = download(watcher, watcher.get_by_role("link", name="head-1.json"), tmp_path)
    # The seal holds back a random ballot (the minimum batch, so a late voter is never alone).
    assert json.loads(saved_head.read_text())["tree_size"] == len(VOTES) - 1
    watcher.context.close()

    moved.advance(days=7)  # past the published closing time
    officer.goto(manage_url)
    officer.get_by_role("button", name="Record the close (after the closing time)").click()
    officer.get_by_role("button", name="Yes, close the poll").click()
    expect(officer.locator("#e2e-progress")).to_contain_text("0 mix stages accepted")
    reveal_url = f"/ballots/{ballot.pk}/reveal/"
    for number, page, home in tellers[:2]:  # two mixers, in turn
        page.goto(reveal_url)
        e2e = download_files(page, home / "mix")
        teller_cli(
            "teller", "mix", str(e2e), "--question", "q1", "--mixer", f"Teller {number}", cwd=home
        )
        stage = sorted((e2e / "q1").glob("mix-*.json"))[-1]
        page.locator("#id_mix-question").select_option("q1")
        page.locator("#id_mix-document").set_input_files(str(stage))
        page.get_by_role("button", name="Upload my mix stage").click()
        expect(page.locator("body")).to_contain_text("Kept: its proof is being checked")
        # The check ran in the task after the upload's commit (the test's task backend runs
        # it at once; the page polls while it runs).
        page.goto(reveal_url)
        expect(page.locator("#mix-progress tbody td").nth(1)).to_have_text(str(number))
    for number, page, home in (tellers[0], tellers[2]):  # two of the three decrypt
        page.goto(reveal_url)
        e2e = download_files(page, home / "decrypt")
        teller_cli(
            "teller",
            "decrypt",
            str(e2e),
            "--question",
            "q1",
            "--teller",
            str(number),
            "--share",
            "key.share",
            cwd=home,
        )
        page.locator("#id_decrypt-question").select_option("q1")
        page.locator("#id_decrypt-document").set_input_files(
            str(e2e / "q1" / f"decryption-{number}.json")
        )
        page.get_by_role("button", name="Upload my decryption shares").click()
        expect(page.locator("body")).to_contain_text("Checked and kept")

    officer.goto(manage_url)
    expect(officer.locator("#e2e-progress")).to_contain_text(
        "2 mix stages accepted, 2 of 2 tellers' decryption shares"
    )
    officer.get_by_role("button", name="Decrypt and count").click()
    expect(officer.get_by_role("button", name="Publish the result")).to_be_visible()
    officer.get_by_role("button", name="Publish the result").click()
    officer.get_by_role("button", name="Yes, publish the result").click()
    ballot = Ballot.objects.get(pk=ballot.pk)
    assert ballot.status == BallotStatus.PUBLISHED
    result = ballot.questions.get().result
    elected = [result["candidates"][i] for i in result["elected"]]
    assert len(elected) == 3 and len(women.intersection(elected)) >= 2  # the quota held

    viewer = tellers[1][1]
    viewer.goto(f"/ballots/{ballot.pk}/results/")
    expect(viewer.locator("#ballot-mode")).to_contain_text("End-to-end verifiable")
    expect(viewer.locator("#e2e-key")).to_contain_text(bytes(ballot.tellers_public_key).hex())
    expect(viewer.locator("body")).to_contain_text(f"--election-key {ballot.election_key_hex}")
    archive = download(
        viewer, viewer.locator(f'a[href$="/{ballot.pk}/record.zip"]').first, tmp_path
    )
    key = ballot.election_key_hex
    verified = teller_cli(
        "verify", str(archive), "--election-key", key, "--head", str(saved_head), cwd=tmp_path
    )
    for number in range(1, 15):
        assert f"check {number}: " in verified
    assert "failed" not in verified
    for _, page, _ in tellers:
        page.context.close()
    officer.context.close()
    assert json.loads((tmp_path / "audit.json").read_text())["questions"][0]["marks"] == list(
        VOTES[0]
    )
