"""The tellers' key ceremony of an end-to-end ballot (issue 14): no dealer, the server keeps
only public commitments and proofs, checks each, and derives the election key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from grassroots.ballots.e2e import commitments
from grassroots.ballots.models import BallotStatus
from grassroots.ballots.services.ceremony import confirm_shares, publish_deal
from grassroots.ballots.services.errors import BallotError
from grassroots.ledger.e2e.ceremony import election_public_key
from tests.ballots.e2e_helpers import make_e2e_ballot, teller_row, unzip_e2e

pytestmark = pytest.mark.django_db


def test_tellers_make_the_key_on_their_own_devices_and_the_server_derives_it(tmp_path: Path):
    setup = make_e2e_ballot(tmp_path)
    ballot = setup.ballot
    assert ballot.status == BallotStatus.READY
    assert bytes(ballot.tellers_public_key) == election_public_key(commitments(ballot))
    for teller in ballot.tellers.all():
        assert teller.pending_share_sealed is None and teller.revealed_share == ""
        assert set(teller.deal) == {"election_id", "threshold", "tellers", "commitment", "shares"}
    e2e = unzip_e2e(ballot, tmp_path / "after")
    assert (
        json.loads((e2e / "election.json").read_text())["public_key"]
        == bytes(ballot.tellers_public_key).hex()
    )


def test_a_deal_whose_proof_of_knowledge_fails_is_refused_naming_the_teller(tmp_path: Path):
    setup = make_e2e_ballot(tmp_path)
    ballot = setup.ballot
    ballot.status = BallotStatus.DRAFT
    ballot.save()
    deal = teller_row(setup, 2).deal
    ballot.tellers.update(deal=None, has_checked_shares=False)
    deal["commitment"]["proof"]["s"] = deal["commitment"]["proof"]["c"]
    with pytest.raises(BallotError, match="teller 2's proof of knowledge"):
        publish_deal(actor=setup.tellers[1].user, teller=teller_row(setup, 2), document=deal)
    with pytest.raises(BallotError, match="teller 2's deal; you are teller 1"):
        publish_deal(actor=setup.tellers[0].user, teller=teller_row(setup, 1), document=deal)


def test_a_wrong_election_key_at_confirmation_is_refused(tmp_path: Path):
    setup = make_e2e_ballot(tmp_path)
    ballot = setup.ballot
    ballot.status = BallotStatus.DRAFT
    ballot.save()
    with pytest.raises(BallotError, match="not the election key"):
        confirm_shares(
            actor=setup.tellers[0].user,
            teller=teller_row(setup, 1),
            election_key_hex="58" + "66" * 31,
        )


def test_the_ceremony_page_takes_each_step_and_shows_errors_on_the_form(
    client: Client, tmp_path: Path
):
    setup = make_e2e_ballot(tmp_path, ceremony=False)
    client.force_login(setup.tellers[0].user)
    url = reverse("ballot_teller_share", args=[setup.ballot.pk])
    html = client.get(url).content.decode()
    assert "Step 1: your transport key" in html and "teller transport-key" in html
    response = client.post(url, {"step": "transport", "transport-transport_key": "not hex"})
    assert response.status_code == 400
    assert "64 letters and digits" in response.content.decode()
    response = client.post(url, {"step": "transport", "transport-transport_key": "ab" * 32})
    assert response.status_code == 302
    assert teller_row(setup, 1).transport_key == "ab" * 32
    files = client.get(reverse("ballot_e2e_files", args=[setup.ballot.pk]))
    assert files.status_code == 200 and files["Content-Type"] == "application/zip"


def test_the_public_files_zip_is_for_the_ballots_tellers_and_runners_only(
    client: Client, tmp_path: Path
):
    from tests.factories import MemberWithLoginFactory

    setup = make_e2e_ballot(tmp_path, ceremony=False)
    url = reverse("ballot_e2e_files", args=[setup.ballot.pk])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(MemberWithLoginFactory(home_group=setup.group).user)
    assert client.get(url).status_code == 404
    client.force_login(setup.tellers[2].user)
    assert client.get(url).status_code == 200


def test_the_guarantees_page_explains_end_to_end_ballots(client: Client):
    html = client.get(reverse("ballot_guarantees")).content.decode()
    assert "Not even whoever runs this site can read your ballot" in html
    assert "audit-ballot" in html
