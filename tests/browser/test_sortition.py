"""A members' council drawn by lot, in Chromium: national office sets up a 12-member council
with gender and region quotas, members volunteer (one through the page), the seed's commitment
is published, volunteering closes, the seed is revealed and the council drawn; the record
downloaded from the page is rerun by the CLI in a separate process, which checks the seed
against the commitment shown before the draw and gets the same twelve, in the same order."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from grassroots.sortition.models import Draw, Volunteer
from tests.browser.conftest import Login, log_in
from tests.factories import PASSWORD, MemberWithLoginFactory
from tests.sortition.helpers import national_officer, volunteers
from tests.web.roles import TOTP_SECRET

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def test_a_council_drawn_by_lot_is_rerun_from_the_published_seed_by_the_cli(
    browser, live_server, page, tmp_path
):
    cache.clear()
    officer = national_officer()
    log_in(page, Login(officer.email, PASSWORD, TOTP_SECRET))
    page.goto("/sortition/")
    page.get_by_role("link", name="Set up a draw").click()
    page.get_by_label("Title").fill("Members' council 2026")
    page.get_by_label("Who may volunteer").select_option("nation")
    page.get_by_label("Seats").fill("12")
    page.get_by_label("Categories").fill(
        "gender: woman, man, non-binary\nregion: North, Midlands, South"
    )
    page.get_by_label("Quotas").fill(
        "gender, woman, 5, 7\ngender, man, 5, 7\n"
        "region, North, 3, 5\nregion, Midlands, 3, 5\nregion, South, 3, 5"
    )
    page.get_by_role("button", name="Create the draw").click()
    page.wait_for_url(re.compile(r"/sortition/\d+/$"))
    draw = Draw.objects.get()
    expect(page.get_by_role("heading", level=1)).to_have_text("Members' council 2026")

    # One member volunteers through the page; thirty more through the service.
    member = MemberWithLoginFactory()
    member_page = page.context.browser.new_context(base_url=live_server.url).new_page()
    log_in(member_page, Login(member.email, PASSWORD, None))
    member_page.goto(f"/sortition/{draw.pk}/")
    member_page.get_by_role("group", name="Gender").get_by_label("woman").check()
    member_page.get_by_role("group", name="Region").get_by_label("South").check()
    member_page.get_by_role("button", name="Volunteer").click()
    expect(member_page.get_by_role("status").last).to_contain_text("You have volunteered, as v-")
    volunteers(draw, 30)

    page.reload()
    page.get_by_role("button", name="Commit the seed").click()
    commitment = page.locator("#commitment").inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", commitment)
    member_page.reload()
    expect(member_page.locator("#commitment")).to_have_text(commitment)  # published before the draw

    page.get_by_role("button", name="Close volunteering").click()
    page.get_by_role("button", name="Reveal the seed and draw").click()
    seed = page.locator("#seed").inner_text()
    pseudonyms = page.locator("#body tbody tr td:first-child").all_inner_texts()
    assert len(pseudonyms) == 12
    chosen = Volunteer.objects.filter(draw=draw, pseudonym__in=pseudonyms)
    genders = Counter(v.categories["gender"] for v in chosen)
    assert 5 <= genders["woman"] <= 7 and 5 <= genders["man"] <= 7
    assert all(3 <= n <= 5 for n in Counter(v.categories["region"] for v in chosen).values())

    # A member downloads the record from the page and reruns it with the CLI.
    with member_page.expect_download() as download:
        member_page.get_by_role("link", name="Download the draw's record").click()
    path = tmp_path / "record.json"
    download.value.save_as(path)
    record = json.loads(path.read_text())
    assert record["commitment"] == commitment and record["seed"] == seed
    assert record["selection"] == pseudonyms
    assert all(set(v) == {"id", "categories"} for v in record["volunteers"])
    assert not re.search(rf"\b{re.escape(member.last_name)}\b", path.read_text())

    done = subprocess.run(
        [sys.executable, "-m", "grassroots.sortition", "rerun", str(path), "--seed", seed],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert f"Commitment {commitment}: matches" in done.stdout
    rerun_selection = re.findall(r"^  (v-[0-9a-f]{8})  \(", done.stdout, flags=re.MULTILINE)
    assert rerun_selection == pseudonyms
    assert "The rerun matches the published record." in done.stdout

    # A seed other than the committed one is named as the mismatch.
    wrong = subprocess.run(
        [sys.executable, "-m", "grassroots.sortition", "rerun", str(path), "--seed", "00" * 32],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert wrong.returncode == 1
    assert "MISMATCH seed: SHA-256 of the seed is" in wrong.stderr
    member_page.context.close()
