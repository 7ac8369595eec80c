"""The tellers' key ceremony done wholly in the browser (issue 14): each teller makes their
transport key, deal and key share on the page, keeps the secret files it offers, and sends only
public values. The files are the teller commands' own formats: PyNaCl opens the browser's sealed
shares with the browser's transport key file, and each browser-made key share matches the
verification key the server derives from the commitments."""

from __future__ import annotations

from pathlib import Path

import nacl.public
import pytest
from playwright.sync_api import expect

from grassroots.ballots.e2e import commitments
from grassroots.ballots.models import Ballot, BallotStatus
from grassroots.ledger.e2e.ceremony import check_secret_share
from grassroots.ledger.e2e.group import scalar_from_hex
from tests.ballots.e2e_helpers import make_e2e_ballot
from tests.browser.conftest import Login, log_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def saved(page, button: str, into: Path) -> Path:
    with page.expect_download() as info:
        page.get_by_role("button", name=button).click()
    path = into / info.value.suggested_filename
    info.value.save_as(path)
    return path


def test_three_tellers_make_the_key_in_their_browsers(browser, live_server, tmp_path: Path):
    setup = make_e2e_ballot(tmp_path, ceremony=False)
    ballot = setup.ballot
    url = f"/ballots/{ballot.pk}/share/"
    pages, files = [], {}
    for number, member in enumerate(setup.tellers, start=1):
        page = browser.new_context(base_url=live_server.url, accept_downloads=True).new_page()
        log_in(page, Login(member.user.email, PASSWORD, None))
        pages.append((number, page))
    for number, page in pages:
        page.goto(url)
        files[number, "transport"] = saved(page, "Make my transport key in this browser", tmp_path)
        page.get_by_role("button", name="Publish my transport key").click()
        expect(page.locator("body")).to_contain_text("Your transport key is published")
    for _, page in pages:
        page.goto(url)
        page.get_by_role("button", name="Deal in this browser").click()
        expect(page.locator("#browser-deal-done")).to_contain_text("Your deal is made")
        page.get_by_role("button", name="Publish my deal").click()
        expect(page.locator("body")).to_contain_text("Your deal is checked and published")
    for number, page in pages:
        page.goto(url)
        page.locator("#browser-transport-file").set_input_files(str(files[number, "transport"]))
        files[number, "share"] = saved(page, "Check my shares in this browser", tmp_path)
        expect(page.locator("#browser-receive-done")).to_contain_text("Every share is checked")
        page.get_by_role("button", name="My shares are checked").click()
        expect(page.locator("body")).to_contain_text("your key share is checked")

    ballot = Ballot.objects.get(pk=ballot.pk)
    assert ballot.status == BallotStatus.READY
    published = commitments(ballot)
    for number, _ in pages:
        check_secret_share(
            published, number, scalar_from_hex(files[number, "share"].read_text().strip())
        )
        secret = nacl.public.PrivateKey(bytes.fromhex(files[number, "transport"].read_text()))
        for teller in ballot.tellers.all():
            sealed = bytes.fromhex(teller.deal["shares"][str(number)])
            scalar_from_hex(nacl.public.SealedBox(secret).decrypt(sealed).decode())
    for _, page in pages:
        page.context.close()
