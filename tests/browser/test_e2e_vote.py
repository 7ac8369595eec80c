"""A voter casts an end-to-end ballot in headless Chromium (issue 14): the page encrypts the
paper, shows a review step, audits one encryption (checked by the independent
``python -m grassroots.ledger audit-ballot`` in a subprocess), then casts a fresh one; the
server stores ciphertext only."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from grassroots.ballots.links import personal_link_token
from grassroots.ballots.models import RollEntry, UnsealedBallot
from grassroots.ballots.services.lifecycle import open_ballot
from tests.ballots.e2e_helpers import make_e2e_ballot
from tests.factories import MemberWithLoginFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_a_voter_audits_an_encryption_then_casts_a_fresh_one(page, tmp_path: Path):
    setup = make_e2e_ballot(tmp_path)
    voter = MemberWithLoginFactory(home_group=setup.group)
    open_ballot(actor=setup.officer.user, ballot=setup.ballot)
    entry = RollEntry.objects.get(ballot=setup.ballot, member=voter)
    page.goto(f"/ballots/{setup.ballot.pk}/vote/link/{personal_link_token(entry)}/")
    expect(page.locator("#ballot-mode")).to_contain_text("End-to-end verifiable")
    page.get_by_label(re.compile(r"^\s*Carys Evans\b")).fill("1")
    page.get_by_label(re.compile(r"^\s*Aisha Khan\b")).fill("2")
    page.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Encrypt and review my vote").click()
    review = page.locator("#e2e-review")
    expect(review).to_contain_text("Steering committee: Carys Evans, then Aisha Khan")
    expect(review).to_contain_text("Adopt the new constitution?: Yes")

    page.get_by_role("button", name="Audit this encryption").click()
    audit = json.loads(page.locator("#e2e-audit-text").input_value())
    expect(page.locator("#e2e-fresh")).to_contain_text("encrypted afresh")
    audit_file = tmp_path / "audit.json"
    audit_file.write_text(json.dumps(audit))
    checked = subprocess.run(
        [sys.executable, "-m", "grassroots.ledger", "audit-ballot", str(audit_file)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "question q1: encrypts marks [2, 0], as the page said" in checked.stdout
    assert "question q2: encrypts marks [0], as the page said" in checked.stdout

    page.get_by_role("button", name="Cast my vote").click()
    expect(page.get_by_role("heading", name="Your vote is recorded")).to_be_visible()
    receipt = page.locator("#e2e-receipt").inner_text()
    entry.refresh_from_db()
    assert entry.has_voted
    stored = {u.tracker: json.loads(bytes(u.ciphertext)) for u in UnsealedBallot.objects.all()}
    assert len(stored) == 2 and all(t in receipt for t in stored)
    audited = {q["question"]["id"]: q["ballot"] for q in audit["questions"]}
    for item in stored.values():
        assert item["ballot"] != audited[item["question"]]  # the audited encryption is never cast
    assert "marks" not in json.dumps(list(stored.values()))
