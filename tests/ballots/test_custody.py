"""Who may hold a teller's share besides the teller, and whether a poll may close early, are the
deployment's settings (grassroots.ballots.custody), never marks on a ballot: off by default, named
by the demo's settings, refused by production's."""

from __future__ import annotations

import datetime
import importlib
from typing import Any

import pytest

from grassroots.ballots.custody import may_close_early, share_keeper
from grassroots.ballots.models import Ballot, KeptShares
from grassroots.ballots.services.errors import BallotError
from grassroots.ballots.services.kept_shares import keep_tellers_shares, kept_share_for
from grassroots.ballots.services.lifecycle import close_ballot, open_ballot
from tests.ballots.conftest import make_ballot
from tests.scratch_database import ScratchDatabase, scratch_database

KEEPER = "grassroots.ballots.custody.ServerSealedShares"
WHEN_KEPT = "grassroots.ballots.custody.when_shares_are_kept"


def test_by_default_nobody_keeps_a_share_and_no_poll_closes_early(settings):
    assert settings.GRASSROOTS_SHARE_KEEPER == "" and settings.GRASSROOTS_EARLY_CLOSE == ""
    assert share_keeper() is None


def test_the_demo_settings_name_the_server_sealed_keeper_and_the_early_close():
    dev = importlib.reload(importlib.import_module("grassroots.settings.dev"))
    assert dev.GRASSROOTS_SHARE_KEEPER == KEEPER
    assert dev.GRASSROOTS_EARLY_CLOSE == WHEN_KEPT


def test_production_settings_keep_no_share_and_close_no_poll_early(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-production-secret-for-this-test-only")
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/grassroots")
    monkeypatch.setenv("GRASSROOTS_SHARE_KEEPER", KEEPER)
    monkeypatch.setenv("GRASSROOTS_EARLY_CLOSE", WHEN_KEPT)
    prod = importlib.reload(importlib.import_module("grassroots.settings.prod"))
    assert prod.GRASSROOTS_SHARE_KEEPER == "" and prod.GRASSROOTS_EARLY_CLOSE == ""


@pytest.mark.django_db
def test_kept_shares_are_sealed_and_each_teller_gets_their_own(settings):
    settings.GRASSROOTS_SHARE_KEEPER = KEEPER
    setup = make_ballot()
    indexes = dict(setup.ballot.tellers.values_list("member_id", "share_index"))
    shares = {indexes[t.pk]: share for t, share in zip(setup.tellers, setup.shares, strict=True)}
    keep_tellers_shares(ballot=setup.ballot, shares=shares)
    kept = KeptShares.objects.get(ballot=setup.ballot)
    assert all(share.encode() not in bytes(kept.sealed) for share in setup.shares)
    for member, share in zip(setup.tellers, setup.shares, strict=True):
        assert kept_share_for(setup.ballot.tellers.get(member=member)) == share
    settings.GRASSROOTS_SHARE_KEEPER = ""
    assert kept_share_for(setup.ballot.tellers.get(member=setup.tellers[0])) is None


@pytest.mark.django_db
def test_the_early_close_policy_decides_and_only_for_ballots_whose_shares_are_kept(settings):
    settings.GRASSROOTS_SHARE_KEEPER = KEEPER
    setup = make_ballot()
    kept = make_ballot()
    keep_tellers_shares(ballot=kept.ballot, shares={1: kept.shares[0]})
    for s in (setup, kept):
        open_ballot(actor=s.officer.user, ballot=s.ballot)
    # The keeper alone lets nothing close early: that is the policy's.
    with pytest.raises(BallotError, match="cannot be closed early"):
        close_ballot(actor=kept.officer.user, ballot=kept.ballot)
    settings.GRASSROOTS_EARLY_CLOSE = WHEN_KEPT
    assert may_close_early(kept.ballot) and not may_close_early(setup.ballot)
    with pytest.raises(BallotError, match="cannot be closed early"):
        close_ballot(actor=setup.officer.user, ballot=setup.ballot)
    close_ballot(actor=kept.officer.user, ballot=kept.ballot)
    assert Ballot.objects.get(pk=kept.ballot.pk).status == "closed"


@pytest.mark.django_db
def test_the_migration_moves_shares_already_kept_off_the_ballot():
    """A demo database seeded before the move keeps its shares: ballots 0009 moves the sealed
    bytes as they are (unopened, so any bytes will do) from the ballot's old field to the
    keeper's table. The migration runs on a scratch database migrated only as far as ballots
    0008 (tests/scratch_database.py), not on the test's own migrated back and forth."""
    with scratch_database(("ballots", "0008_group_support")) as scratch:
        ballot = _ballot_before_the_move(scratch)
        scratch.model("ballots", "Ballot").objects.filter(pk=ballot.pk).update(
            is_demo=True, demo_shares_sealed=b"sealed shares"
        )
        scratch.migrate(("ballots", "0009_kept_shares_off_the_ballot"))
        kept = scratch.model("ballots", "KeptShares").objects.get(ballot_id=ballot.pk)
        assert bytes(kept.sealed) == b"sealed shares"


def _ballot_before_the_move(scratch: ScratchDatabase) -> Any:
    """A group's ballot as ballots 0008 kept it, with its returning officer and their group."""
    region = scratch.model("organisation", "Region").objects.create(name="North", slug="north")
    area = scratch.model("organisation", "Area").objects.create(
        name="Leeds", slug="leeds", region=region
    )
    group = scratch.model("organisation", "Group").objects.create(
        name="Headingley", slug="headingley", area=area
    )
    officer = scratch.model("people", "Member").objects.create(
        membership_number="GR0000001",
        first_name="Ada",
        last_name="Lovelace",
        email="ada@example.org",
        joined_on=datetime.date(2024, 1, 1),
        home_group=group,
    )
    opens_at = datetime.datetime(2025, 5, 1, 9, tzinfo=datetime.UTC)
    return scratch.model("ballots", "Ballot").objects.create(
        election_id="headingley-2025-chair",
        title="Chair",
        level="group",
        group=group,
        returning_officer=officer,
        opens_at=opens_at,
        closes_at=opens_at + datetime.timedelta(days=7),
        election_public_key=bytes(32),
        election_private_key_sealed=bytes(64),
    )
