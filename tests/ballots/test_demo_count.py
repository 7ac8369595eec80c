"""The demo's open ballot can be taken to a published result by a visitor: the Chair (its
returning officer and a teller) closes it, both tellers find their kept share on the page, the
count runs and the result is published. Only with the demo's settings, which name a share keeper
and an early-close policy (grassroots.ballots.custody): otherwise nothing is kept."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from grassroots.ballots.models import Ballot, BallotStatus, KeptShares, Teller
from grassroots.ballots.services.errors import BallotError
from grassroots.ballots.services.kept_shares import keep_tellers_shares, kept_share_for
from grassroots.ballots.services.lifecycle import close_ballot
from grassroots.demo.ballots import OPEN_TITLE, seed_open_ballot
from grassroots.demo.people import (
    CHAIR_LOGIN,
    DATA_MANAGER_LOGIN,
    DEMO_PASSWORD,
    MINIMUM_MEMBERS,
    build_organisation,
)
from grassroots.ledger.verify import verify_directory

CONFIRMED = {"confirmed": "yes"}  # the confirmation step before an irreversible action

pytestmark = pytest.mark.django_db

DEMO_SHARE_KEEPER = "grassroots.ballots.custody.ServerSealedShares"
DEMO_EARLY_CLOSE = "grassroots.ballots.custody.when_shares_are_kept"
SHARE_FIELD = re.compile(r'name="share" value="([^"]+)"')


@pytest.fixture
def demo_organisation(settings) -> None:
    settings.GRASSROOTS_REQUIRE_OFFICER_MFA = False
    build_organisation(MINIMUM_MEMBERS)


def test_a_visitor_closes_counts_and_publishes_the_open_demo_ballot(
    client: Client,
    settings,
    demo_organisation: None,
    django_capture_on_commit_callbacks,
    tmp_path: Path,
):
    settings.GRASSROOTS_SHARE_KEEPER = DEMO_SHARE_KEEPER
    settings.GRASSROOTS_EARLY_CLOSE = DEMO_EARLY_CLOSE
    ballot = seed_open_ballot()
    assert ballot.is_open and KeptShares.objects.filter(ballot=ballot).exists()
    assert not Teller.objects.filter(ballot=ballot).exclude(pending_share_sealed=None).exists()
    chair = {"login": CHAIR_LOGIN.email, "password": DEMO_PASSWORD}
    assert client.post(reverse("account_login"), chair).status_code == 302
    manage = reverse("ballot_manage", args=[ballot.pk])
    page = client.get(manage).content.decode()
    assert "Close the poll now (before its published time)" in page
    reveal = reverse("ballot_teller_reveal", args=[ballot.pk])
    assert SHARE_FIELD.search(client.get(reveal).content.decode()) is None, "not while open"
    with django_capture_on_commit_callbacks(execute=True):  # the close's task runs after commit
        assert client.post(reverse("ballot_close", args=[ballot.pk]), CONFIRMED).status_code == 302
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.CLOSED and ballot.voted_count
    for login in (CHAIR_LOGIN, DATA_MANAGER_LOGIN):
        client.post(reverse("account_login"), {"login": login.email, "password": DEMO_PASSWORD})
        page = client.get(reveal).content.decode()
        assert "Your share was kept for you" in page
        share = SHARE_FIELD.search(page).group(1)
        assert client.post(reveal, {"share": share}).status_code == 302
        client.post(reverse("account_logout"))
    client.post(reverse("account_login"), chair)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("ballot_count", args=[ballot.pk])).status_code == 302
    assert Ballot.objects.get(pk=ballot.pk).status == BallotStatus.COUNTED
    with django_capture_on_commit_callbacks(execute=True):  # so does the publication's
        assert (
            client.post(reverse("ballot_publish", args=[ballot.pk]), CONFIRMED).status_code == 302
        )
    results = client.get(reverse("ballot_results", args=[ballot.pk]))
    assert results.status_code == 200 and "Group committee" in results.content.decode()
    call_command("export_record", "--election", ballot.election_id, str(tmp_path))
    assert all(check.passed for check in verify_directory(tmp_path))


def test_without_the_demo_settings_seeding_keeps_no_share_and_the_ballot_cannot_close_early(
    settings, demo_organisation: None
):
    settings.GRASSROOTS_SHARE_KEEPER = ""
    settings.GRASSROOTS_EARLY_CLOSE = ""
    ballot = seed_open_ballot()
    assert Ballot.objects.filter(title=OPEN_TITLE).count() == 1
    assert not KeptShares.objects.exists()
    teller = ballot.tellers.first()
    assert kept_share_for(teller) is None
    with pytest.raises(BallotError, match="keeps no teller's share"):
        keep_tellers_shares(ballot=ballot, shares={1: "1:00"})
    assert not KeptShares.objects.exists()
    with pytest.raises(BallotError, match="cannot be closed early"):
        close_ballot(actor=ballot.returning_officer.user, ballot=ballot)
