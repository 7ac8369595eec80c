"""Opening, closing and publishing answer at once and do their per-voter work in a task
(issue 22): the page shows the task's progress, a failure with its reason, and starting it
again carries on from where it stopped without doing anything twice."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from grassroots.audit.actions import AuditAction
from grassroots.audit.models import AuditEntry
from grassroots.ballots.invitations import LinkMaker, personal_link_url
from grassroots.ballots.models import (
    Ballot,
    BallotStatus,
    PublishedFile,
    Question,
    RollEntry,
)
from grassroots.ballots.publication import question_blt, record_zip
from grassroots.ballots.services import lifecycle, publishing, reminders
from grassroots.ballots.services.counting import count_ballot, request_count
from grassroots.ballots.services.errors import WrongStage
from grassroots.ballots.services.tellers import reveal_share
from grassroots.ledger.verify import verify_directory
from grassroots.messaging.models import Delivery, Mailout
from tests.ballots.conftest import Clock, SetUp, cast_orders, open_with_voters
from tests.factories import MemberWithLoginFactory
from tests.web.roles import give_authenticator_app

pytestmark = pytest.mark.django_db

CONFIRMED = {"confirmed": "yes"}  # the confirmation step before an irreversible action
LINK = re.compile(r"http://testserver(/ballots/\d+/vote/link/[^/\s]+/)")


def _audits(ballot: Ballot, action: AuditAction) -> int:
    return AuditEntry.objects.filter(subject_id=ballot.election_id, action=action).count()


def _voters(setup: SetUp, count: int) -> list:
    return [MemberWithLoginFactory(home_group=setup.group) for _ in range(count)]


def test_the_open_button_answers_before_the_roll_is_frozen_and_the_page_shows_progress(
    client: Client, ready_ballot: SetUp, django_capture_on_commit_callbacks
):
    _voters(ready_ballot, 3)
    ballot = ready_ballot.ballot
    give_authenticator_app(ready_ballot.officer.user)
    client.force_login(ready_ballot.officer.user)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(reverse("ballot_open", args=[ballot.pk]))
    assert response.status_code == 302 and len(queued) == 1
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.READY and ballot.background_step == "opening"
    assert not RollEntry.objects.filter(ballot=ballot).exists()
    manage = reverse("ballot_manage", args=[ballot.pk])
    page = client.get(manage).content.decode()
    assert "Freezing the roll: voting opens as soon as it is frozen." in page
    assert "Freeze the roll and open voting</button>" not in page
    htmx = {"HX-Request": "true", "HX-Target": "background-progress"}
    fragment = client.get(manage, headers=htmx)
    assert 'id="background-progress"' in fragment.content.decode()
    assert "HX-Refresh" not in fragment

    queued[0]()  # the worker runs the task
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.OPEN and ballot.roll_size == ballot.roll.count() >= 3
    assert not ballot.background_step and ballot.invitations_sent_at is not None
    assert ballot.background_done == ballot.roll_size
    assert _audits(ballot, AuditAction.OPEN_BALLOT) == 1
    done = client.get(manage, headers=htmx)
    assert done["HX-Refresh"] == "true"


def test_invitation_links_made_in_batches_are_the_links_made_one_by_one(
    ready_ballot: SetUp, monkeypatch: pytest.MonkeyPatch
):
    _voters(ready_ballot, 7)
    monkeypatch.setattr("django.core.signing.time.time", lambda: 1_790_000_000.0)
    monkeypatch.setattr(lifecycle, "INVITE_BATCH", 3)
    open_with_voters(ready_ballot, 0)
    ballot = Ballot.objects.get(pk=ready_ballot.ballot.pk)
    deliveries = Delivery.objects.filter(mailout=ballot.invitation_mailout)
    by_member = {d.member_id: d.personal["link"] for d in deliveries}
    entries = list(RollEntry.objects.filter(ballot=ballot).select_related("ballot"))
    assert len(by_member) == len(entries) == deliveries.count() == ballot.roll_size
    maker = LinkMaker(ballot)
    for entry in entries:
        assert by_member[entry.member_id] == personal_link_url(ballot, entry)
        assert maker.url(entry.pk) == personal_link_url(ballot, entry)
    assert ballot.invitation_mailout.recipients == len(entries)


def test_invitations_that_stop_part_way_start_again_and_nobody_is_mailed_twice(
    client: Client,
    ready_ballot: SetUp,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks,
):
    _voters(ready_ballot, 6)
    monkeypatch.setattr(lifecycle, "INVITE_BATCH", 2)
    real_add = reminders.add_system_deliveries
    calls = {"n": 0}

    def failing_second_batch(mailout, rows):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real_add(mailout, rows)

    monkeypatch.setattr(reminders, "add_system_deliveries", failing_second_batch)
    ballot = ready_ballot.ballot
    give_authenticator_app(ready_ballot.officer.user)
    client.force_login(ready_ballot.officer.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ballot_open", args=[ballot.pk]))
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.OPEN, "the poll opened; only the mail stopped"
    assert ballot.background_step == "inviting" and "RuntimeError" in ballot.background_error
    assert ballot.background_done == 2 and ballot.invitations_sent_at is None
    assert Delivery.objects.count() == 2 and mail.outbox == [], "nothing sent before all written"
    page = client.get(reverse("ballot_manage", args=[ballot.pk])).content.decode()
    assert "Sending the invitations stopped: an unexpected error (RuntimeError)" in page
    refused = client.post(reverse("ballot_close", args=[ballot.pk]), CONFIRMED)
    assert "cannot be closed early" in refused.content.decode(), "only the clock holds it back"

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("ballot_resume", args=[ballot.pk])).status_code == 302
    ballot.refresh_from_db()
    assert not ballot.background_step and not ballot.background_error
    assert ballot.invitations_sent_at is not None and ballot.background_done == ballot.roll_size
    recipients = [m.to[0] for m in mail.outbox]
    assert len(recipients) == len(set(recipients)) == ballot.roll_size
    assert Mailout.objects.count() == 1
    assert _audits(ballot, AuditAction.OPEN_BALLOT) == 1
    again = client.post(reverse("ballot_resume", args=[ballot.pk]))
    assert again.status_code == 409, "nothing has stopped"


def test_a_close_that_fails_keeps_casting_stopped_and_finishes_once_when_started_again(
    client: Client,
    ready_ballot: SetUp,
    frozen_clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks,
):
    voters = open_with_voters(ready_ballot, 3)
    cast_orders(ready_ballot, voters[:2], [[0, 1], [2]])
    frozen_clock.advance(hours=2)
    real_turnout = lifecycle._turnout_by_group

    def broken(ballot: Ballot) -> list:
        raise ZeroDivisionError

    monkeypatch.setattr(lifecycle, "_turnout_by_group", broken)
    ballot = ready_ballot.ballot
    give_authenticator_app(ready_ballot.officer.user)
    client.force_login(ready_ballot.officer.user)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("ballot_close", args=[ballot.pk]), CONFIRMED).status_code == 302
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.CLOSED and ballot.closed_at is not None
    assert ballot.background_step == "closing" and "ZeroDivisionError" in ballot.background_error
    assert ballot.voted_count is None and _audits(ballot, AuditAction.CLOSE_BALLOT) == 0
    with pytest.raises(WrongStage):
        request_count(actor=ready_ballot.officer.user, ballot=ballot)

    monkeypatch.setattr(lifecycle, "_turnout_by_group", real_turnout)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("ballot_resume", args=[ballot.pk])).status_code == 302
    ballot.refresh_from_db()
    assert not ballot.background_step and ballot.voted_count == 2
    assert sum(row["voted"] for row in ballot.turnout) == 2
    assert _audits(ballot, AuditAction.CLOSE_BALLOT) == 1
    assert ballot.box.count() == 4, "two voters' two papers, sealed once"


def _counted(setup: SetUp, clock_: Clock) -> Ballot:
    voters = open_with_voters(setup, 4)
    cast_orders(setup, voters, [[0, 1], [2, 0], [1], [3, 2, 1]])
    clock_.advance(hours=2)
    lifecycle.close_ballot(actor=setup.officer.user, ballot=setup.ballot)
    for teller, share in list(zip(setup.tellers, setup.shares, strict=True))[:2]:
        reveal_share(
            actor=teller.user, teller=setup.ballot.tellers.get(member=teller), share_text=share
        )
    count_ballot(actor=setup.officer.user, ballot=setup.ballot)
    return Ballot.objects.get(pk=setup.ballot.pk)


def test_publishing_stores_the_record_once_and_serves_it_byte_for_byte(
    client: Client,
    ready_ballot: SetUp,
    frozen_clock: Clock,
    tmp_path: Path,
    django_capture_on_commit_callbacks,
):
    ballot = _counted(ready_ballot, frozen_clock)
    give_authenticator_app(ready_ballot.officer.user)
    client.force_login(ready_ballot.officer.user)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.post(reverse("ballot_publish", args=[ballot.pk]), CONFIRMED)
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.COUNTED and ballot.background_step == "publishing"
    page = client.get(reverse("ballot_manage", args=[ballot.pk])).content.decode()
    assert "Building the election record and the BLT files: 0 of 2 built." in page
    queued[0]()
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.PUBLISHED and not ballot.background_step

    stored = PublishedFile.objects.get(ballot=ballot, name="record.zip")
    response = client.get(reverse("ballot_record", args=[ballot.pk]))
    served = b"".join(response.streaming_content)
    assert served == stored.file.open("rb").read() == record_zip(ballot), "same as a fresh build"
    assert hashlib.sha256(served).hexdigest() == stored.sha256 == response["X-Content-SHA256"]
    results = client.get(reverse("ballot_results", args=[ballot.pk])).content.decode()
    assert stored.sha256 in results
    blt = PublishedFile.objects.get(ballot=ballot, name=f"{ready_ballot.stv.ledger_id}.blt")
    assert blt.sha256 in results
    served_blt = client.get(reverse("ballot_blt", args=[ballot.pk, ready_ballot.stv.pk]))
    assert (
        b"".join(served_blt.streaming_content)
        == question_blt(Question.objects.get(pk=ready_ballot.stv.pk)).encode()
    )
    with zipfile.ZipFile(io.BytesIO(served)) as archive:
        archive.extractall(tmp_path)
    assert all(check.passed for check in verify_directory(tmp_path / ballot.election_id))


def test_a_publication_that_fails_is_not_public_and_publishes_once_when_started_again(
    client: Client,
    ready_ballot: SetUp,
    frozen_clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks,
):
    ballot = _counted(ready_ballot, frozen_clock)
    real_blt = publishing.question_blt
    monkeypatch.setattr(publishing, "question_blt", lambda q: (_ for _ in ()).throw(OSError()))
    give_authenticator_app(ready_ballot.officer.user)
    client.force_login(ready_ballot.officer.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ballot_publish", args=[ballot.pk]), CONFIRMED)
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.COUNTED and "OSError" in ballot.background_error
    assert ballot.background_done == 1, "the record was stored, the BLT was not"
    assert client.get(reverse("ballot_record", args=[ballot.pk])).status_code == 404

    monkeypatch.setattr(publishing, "question_blt", real_blt)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ballot_resume", args=[ballot.pk]))
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.PUBLISHED and ballot.background_step == ""
    assert PublishedFile.objects.filter(ballot=ballot).count() == 2
    assert _audits(ballot, AuditAction.PUBLISH_RESULTS) == 1
