"""The scheduler opens ballots on time (only when the tellers are ready), signs a head at least
every minute while polling, and closes ballots whose time is up."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command

from grassroots import clock
from grassroots.ballots.models import Ballot, BallotStatus, LogHead
from grassroots.ballots.scheduler import run_tick
from grassroots.ballots.services.lifecycle import open_ballot
from tests.ballots.conftest import Clock, make_ballot

pytestmark = pytest.mark.django_db


def _reschedule(ballot: Ballot, opens_in: datetime.timedelta) -> None:
    now = clock.now()
    Ballot.objects.filter(pk=ballot.pk).update(
        opens_at=now + opens_in, closes_at=now + opens_in + datetime.timedelta(hours=1)
    )


def test_scheduler_opens_a_ready_ballot_when_its_time_comes(frozen_clock: Clock):
    setup = make_ballot()
    _reschedule(setup.ballot, datetime.timedelta(minutes=10))
    assert run_tick() == []
    frozen_clock.advance(minutes=11)
    assert run_tick() == [f"opened {setup.ballot.election_id}"]
    ballot = Ballot.objects.get(pk=setup.ballot.pk)
    assert ballot.status == BallotStatus.OPEN and ballot.roll_size is not None


def test_scheduler_does_not_open_a_ballot_whose_tellers_are_not_ready(frozen_clock: Clock):
    setup = make_ballot()
    Ballot.objects.filter(pk=setup.ballot.pk).update(status=BallotStatus.DRAFT)
    frozen_clock.advance(minutes=1)
    run_tick()
    assert Ballot.objects.get(pk=setup.ballot.pk).status == BallotStatus.DRAFT


def test_scheduler_signs_a_head_every_minute_while_polling_and_closes_on_time(
    frozen_clock: Clock,
):
    setup = make_ballot()
    open_ballot(actor=setup.officer.user, ballot=setup.ballot)
    heads = LogHead.objects.filter(ballot=setup.ballot)
    assert heads.count() == 1
    run_tick()
    assert heads.count() == 1, "a head less than a minute old is not repeated"
    frozen_clock.advance(seconds=61)
    assert run_tick() == [f"signed a head for {setup.ballot.election_id}"]
    assert heads.count() == 2
    frozen_clock.advance(hours=2)
    out = io.StringIO()
    call_command("run_ballot_scheduler", "--once", stdout=out)
    assert f"closed {setup.ballot.election_id}" in out.getvalue()
    assert Ballot.objects.get(pk=setup.ballot.pk).status == BallotStatus.CLOSED
