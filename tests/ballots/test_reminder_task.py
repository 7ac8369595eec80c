"""A reminder by hand answers at once and is written to the roll by a task (issue 22): in
batches of plain rows with their resume point, its progress on the ballot page, a failure
shown with its reason, and starting it again carries on without mailing anyone twice."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from grassroots.audit.actions import AuditAction
from grassroots.audit.models import AuditEntry
from grassroots.ballots.invitations import personal_link_url
from grassroots.ballots.models import Ballot, BallotStatus, RollEntry
from grassroots.ballots.services import reminders
from grassroots.ballots.services.errors import WrongStage
from grassroots.ballots.services.lifecycle import close_ballot
from grassroots.messaging.models import Delivery, Mailout
from grassroots.people.models import Member
from tests.ballots.conftest import Clock, SetUp, cast_orders, open_with_voters
from tests.web.roles import give_authenticator_app

pytestmark = pytest.mark.django_db

CONFIRMED = {"confirmed": "yes"}
LINK = re.compile(r"http://testserver(/ballots/\d+/vote/link/[^/\s]+/)")


def _reminder_mailouts() -> list[Mailout]:
    return list(Mailout.objects.filter(purpose__startswith="ballot reminder").order_by("pk"))


def _reminded(ballot: Ballot) -> int:
    return AuditEntry.objects.filter(
        subject_id=ballot.election_id, action=AuditAction.SEND_REMINDER
    ).count()


def _officer_client(client: Client, setup: SetUp) -> Client:
    give_authenticator_app(setup.officer.user)
    client.force_login(setup.officer.user)
    return client


def test_the_reminder_button_answers_before_anyone_is_addressed_and_the_task_mails_each_once(
    client: Client,
    ready_ballot: SetUp,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks,
):
    monkeypatch.setattr("django.core.signing.time.time", lambda: 1_790_000_000.0)
    voters = open_with_voters(ready_ballot, 4)
    cast_orders(ready_ballot, voters[:1], [[0]])
    ballot = ready_ballot.ballot
    _officer_client(client, ready_ballot)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(reverse("ballot_remind", args=[ballot.pk]))
    assert response.status_code == 302 and len(queued) == 1
    ballot.refresh_from_db()
    assert ballot.background_step == "reminding" and ballot.background_total == ballot.roll_size
    assert not _reminder_mailouts()
    page = client.get(reverse("ballot_manage", args=[ballot.pk])).content.decode()
    assert f"Writing the reminder: 0 of {ballot.roll_size} members." in page
    assert "Send a reminder to everyone on the roll</button>" not in page
    again = client.post(reverse("ballot_remind", args=[ballot.pk]))
    assert again.status_code == 409 and "busy with “Sending a reminder”" in again.content.decode()

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        queued[0]()  # the worker runs the task
    ballot.refresh_from_db()
    assert not ballot.background_step and ballot.reminder_mailout is None
    assert ballot.background_done == ballot.roll_size and ballot.reminders_sent == 1
    (mailout,) = _reminder_mailouts()
    recipients = [m.to[0] for m in mail.outbox]
    assert len(recipients) == len(set(recipients)) == ballot.roll_size == mailout.recipients
    assert voters[0].email in recipients, "a reminder by hand goes to voters too"
    entry = RollEntry.objects.select_related("ballot").get(ballot=ballot, member=voters[1])
    (to_voter,) = [m for m in mail.outbox if m.to == [voters[1].email]]
    assert LINK.search(to_voter.body).group(0) == personal_link_url(ballot, entry)
    assert _reminded(ballot) == 1
    page = client.get(reverse("ballot_manage", args=[ballot.pk])).content.decode()
    assert "1 reminder since" in page
    assert "Send a reminder to everyone on the roll</button>" in page


def test_the_reminder_is_written_without_a_model_instance_per_voter(
    ready_ballot: SetUp, monkeypatch: pytest.MonkeyPatch
):
    open_with_voters(ready_ballot, 7)
    monkeypatch.setattr(reminders, "ROLL_MAIL_BATCH", 3)
    made = {"roll": 0, "member": 0}
    real_roll_init, real_member_init = RollEntry.__init__, Member.__init__

    def counting_roll(self, *args, **kwargs):
        made["roll"] += 1
        real_roll_init(self, *args, **kwargs)

    def counting_member(self, *args, **kwargs):
        made["member"] += 1
        real_member_init(self, *args, **kwargs)

    monkeypatch.setattr(RollEntry, "__init__", counting_roll)
    monkeypatch.setattr(Member, "__init__", counting_member)
    writes = []
    real_write = reminders.write_roll_mail_batch

    def recording(*args, **kwargs):
        mailout, batch = real_write(*args, **kwargs)
        writes.append(len(batch))
        return mailout, batch

    monkeypatch.setattr(reminders, "write_roll_mail_batch", recording)
    reminders.send_reminder(actor=ready_ballot.officer.user, ballot=ready_ballot.ballot)
    size = Ballot.objects.get(pk=ready_ballot.ballot.pk).roll_size
    assert made == {"roll": 0, "member": 0}
    assert size > 6 and writes[-1] == 0, "batches until one comes back empty"
    assert len(writes) == -(-size // 3) + 1 and sum(writes) == size
    assert all(n == 3 for n in writes[:-2])
    assert Delivery.objects.filter(mailout=_reminder_mailouts()[0]).count() == size


def test_a_reminder_that_stops_part_way_starts_again_and_nobody_is_reminded_twice(
    client: Client,
    ready_ballot: SetUp,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks,
):
    open_with_voters(ready_ballot, 5)
    monkeypatch.setattr(reminders, "ROLL_MAIL_BATCH", 2)
    real_add = reminders.add_system_deliveries
    calls = {"n": 0}

    def failing_second_batch(mailout, rows):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real_add(mailout, rows)

    monkeypatch.setattr(reminders, "add_system_deliveries", failing_second_batch)
    ballot = ready_ballot.ballot
    _officer_client(client, ready_ballot)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("ballot_remind", args=[ballot.pk])).status_code == 302
    ballot.refresh_from_db()
    assert ballot.background_step == "reminding" and "RuntimeError" in ballot.background_error
    assert ballot.background_done == 2 and ballot.reminders_sent == 0
    (mailout,) = _reminder_mailouts()
    assert Delivery.objects.filter(mailout=mailout).count() == 2
    assert mail.outbox == [], "nothing is sent before all are written"
    page = client.get(reverse("ballot_manage", args=[ballot.pk])).content.decode()
    assert "Sending a reminder stopped: an unexpected error (RuntimeError)" in page
    with pytest.raises(WrongStage, match="stopped: start it again"):
        reminders.request_reminder(actor=ready_ballot.officer.user, ballot=ballot)

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("ballot_resume", args=[ballot.pk])).status_code == 302
    ballot.refresh_from_db()
    assert not ballot.background_step and not ballot.background_error
    assert ballot.background_done == ballot.roll_size and ballot.reminders_sent == 1
    recipients = [m.to[0] for m in mail.outbox]
    assert len(recipients) == len(set(recipients)) == ballot.roll_size
    assert _reminder_mailouts() == [mailout] and _reminded(ballot) == 1
    assert client.post(reverse("ballot_resume", args=[ballot.pk])).status_code == 409


def test_a_stopped_reminder_is_not_sent_once_the_poll_is_closed(
    ready_ballot: SetUp, frozen_clock: Clock, monkeypatch: pytest.MonkeyPatch
):
    open_with_voters(ready_ballot, 4)
    monkeypatch.setattr(reminders, "ROLL_MAIL_BATCH", 2)
    real_add = reminders.add_system_deliveries
    calls = {"n": 0}

    def failing_second_batch(mailout, rows):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real_add(mailout, rows)

    monkeypatch.setattr(reminders, "add_system_deliveries", failing_second_batch)
    with pytest.raises(Exception, match="RuntimeError"):
        reminders.send_reminder(actor=ready_ballot.officer.user, ballot=ready_ballot.ballot)
    assert Delivery.objects.filter(mailout__purpose__startswith="ballot reminder").count() == 2
    frozen_clock.advance(hours=2)
    close_ballot(actor=ready_ballot.officer.user, ballot=ready_ballot.ballot)
    ballot = Ballot.objects.get(pk=ready_ballot.ballot.pk)
    assert ballot.status == BallotStatus.CLOSED and not ballot.background_step
    assert ballot.reminder_mailout is None and ballot.reminders_sent == 0
    assert not _reminder_mailouts(), "the mailout and its deliveries are gone"
    assert not Delivery.objects.filter(mailout__purpose__startswith="ballot reminder").exists()


def test_a_reminder_whose_poll_closes_while_it_waits_is_not_sent(
    ready_ballot: SetUp, frozen_clock: Clock, django_capture_on_commit_callbacks
):
    open_with_voters(ready_ballot, 3)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        reminders.request_reminder(actor=ready_ballot.officer.user, ballot=ready_ballot.ballot)
    frozen_clock.advance(hours=2)  # the worker takes the task after the closing time
    queued[0]()
    ballot = Ballot.objects.get(pk=ready_ballot.ballot.pk)
    assert not ballot.background_step and ballot.reminders_sent == 0
    assert not _reminder_mailouts()
    close_ballot(actor=ready_ballot.officer.user, ballot=ballot)
    assert Ballot.objects.get(pk=ballot.pk).status == BallotStatus.CLOSED
