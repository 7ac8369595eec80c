"""Scheduled reminders: set while the ballot is prepared, sent by the scheduler once each, to
members who have not voted (or to everyone, if the officer chose so), whatever the number of
scheduler runs."""

from __future__ import annotations

import datetime
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import mail
from django.db import connections
from django.test import Client
from django.urls import reverse

from grassroots import clock
from grassroots.audit.models import AuditEntry
from grassroots.ballots.models import BackgroundStep, Ballot, BallotStatus, ScheduledReminder
from grassroots.ballots.scheduler import run_tick
from grassroots.ballots.services import reminders
from grassroots.ballots.services.background import resume_background
from grassroots.ballots.services.errors import WrongStage
from grassroots.ballots.services.lifecycle import open_ballot
from grassroots.ballots.services.reminders import send_due_reminders, set_reminder_schedule
from grassroots.messaging.models import Delivery, Mailout
from tests.ballots.conftest import Clock, SetUp, cast_orders, make_ballot, open_with_voters
from tests.web.roles import give_authenticator_app


def _three_day_poll(setup: SetUp) -> None:
    Ballot.objects.filter(pk=setup.ballot.pk).update(
        closes_at=clock.now() + datetime.timedelta(days=3)
    )
    setup.ballot.refresh_from_db()


def _reminder_mailouts() -> list[Mailout]:
    return list(Mailout.objects.filter(purpose__startswith="ballot reminder").order_by("pk"))


@pytest.mark.django_db
def test_officer_sets_the_schedule_on_a_page_with_clear_errors(client: Client):
    setup = make_ballot()
    _three_day_poll(setup)
    give_authenticator_app(setup.officer.user)
    client.force_login(setup.officer.user)
    url = reverse("ballot_reminders", args=[setup.ballot.pk])
    assert client.get(url).status_code == 200
    for text, error in [
        ("48, soon", "“soon” is not a whole number of hours"),
        ("0", "“0” is not a whole number of hours"),
        ("100", "would come before voting opens"),
    ]:
        response = client.post(url, {"hours_before_close": text})
        assert response.status_code == 400 and error in response.content.decode()
    assert not ScheduledReminder.objects.exists()
    response = client.post(url, {"hours_before_close": "2, 48, 2"})
    assert response.status_code == 302
    reminders = list(setup.ballot.reminders.values_list("hours_before_close", flat=True))
    assert reminders == [48, 2]
    assert AuditEntry.objects.filter(action="set_reminder_schedule").count() == 1
    page = client.get(reverse("ballot_manage", args=[setup.ballot.pk])).content.decode()
    assert "48 hours before the close" in page and "members who have not voted" in page
    # Once voting has opened the schedule is fixed.
    open_ballot(actor=setup.officer.user, ballot=setup.ballot)
    with pytest.raises(WrongStage):
        set_reminder_schedule(actor=setup.officer.user, ballot=setup.ballot, hours_before_close=[1])
    assert "only be changed before voting opens" in client.get(url).content.decode()


@pytest.mark.django_db
def test_scheduler_sends_each_due_reminder_once_to_members_who_have_not_voted(
    frozen_clock: Clock, django_capture_on_commit_callbacks
):
    setup = make_ballot()
    _three_day_poll(setup)
    set_reminder_schedule(actor=setup.officer.user, ballot=setup.ballot, hours_before_close=[48, 2])
    voters = open_with_voters(setup, 5)
    cast_orders(setup, voters[:2], [[0, 1], [2]])
    non_voters = set(setup.ballot.roll.filter(has_voted=False).values_list("member_id", flat=True))
    run_tick()
    assert not _reminder_mailouts(), "nothing is due yet"
    frozen_clock.advance(hours=24, minutes=1)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = run_tick()
    assert f"reminded {len(non_voters)} members of {setup.ballot.election_id}" in done
    (first,) = _reminder_mailouts()
    assert set(Delivery.objects.filter(mailout=first).values_list("member_id", flat=True)) == (
        non_voters
    )
    assert len(mail.outbox) == len(non_voters)
    assert {m.to[0] for m in mail.outbox}.isdisjoint({v.email for v in voters[:2]})
    assert all("/vote/link/" in m.body for m in mail.outbox)
    for _ in range(3):
        run_tick()
    assert len(_reminder_mailouts()) == 1, "a reminder is sent once, however often the tick runs"
    cast_orders(setup, voters[2:3], [[1]])
    frozen_clock.advance(hours=46)
    run_tick()
    first_sent, second_sent = setup.ballot.reminders.order_by("-hours_before_close")
    assert first_sent.sent_at is not None and second_sent.sent_at is not None
    assert second_sent.recipients == len(non_voters) - 1
    assert len(_reminder_mailouts()) == 2
    assert Ballot.objects.get(pk=setup.ballot.pk).reminders_sent == 2
    frozen_clock.advance(hours=3)
    run_tick()
    assert Ballot.objects.get(pk=setup.ballot.pk).status == BallotStatus.CLOSED
    assert len(_reminder_mailouts()) == 2


@pytest.mark.django_db
def test_a_late_scheduler_sends_one_mail_for_several_missed_times_and_can_remind_everyone(
    frozen_clock: Clock,
):
    setup = make_ballot()
    _three_day_poll(setup)
    set_reminder_schedule(
        actor=setup.officer.user, ballot=setup.ballot, hours_before_close=[48, 24], to_everyone=True
    )
    voters = open_with_voters(setup, 3)
    cast_orders(setup, voters[:1], [[0]])
    frozen_clock.advance(hours=49)
    run_tick()
    (mailout,) = _reminder_mailouts()
    assert mailout.recipients == setup.ballot.roll_size
    assert all(r.sent_at is not None for r in setup.ballot.reminders.all())


@pytest.mark.postgres
@pytest.mark.usefixtures("transactional_db")
def test_two_schedulers_at_once_send_a_due_reminder_once(frozen_clock: Clock):
    setup = make_ballot()
    _three_day_poll(setup)
    set_reminder_schedule(actor=setup.officer.user, ballot=setup.ballot, hours_before_close=[48])
    open_with_voters(setup, 4)
    frozen_clock.advance(hours=25)

    def tick(_: int) -> list[str]:
        try:
            return send_due_reminders()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(tick, range(8)))
    assert sum(len(r) for r in results) == 1
    assert len(_reminder_mailouts()) == 1


@pytest.mark.django_db
def test_a_scheduled_reminder_is_written_in_batches_and_resumes_without_reminding_twice(
    frozen_clock: Clock, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks
):
    """The scheduled reminder takes the reminder button's task path: batches of the roll with
    their resume point, only members who have not voted; stopped part way, starting it again
    from the page carries on, and a later tick does not send it again."""
    setup = make_ballot()
    _three_day_poll(setup)
    set_reminder_schedule(actor=setup.officer.user, ballot=setup.ballot, hours_before_close=[48])
    voters = open_with_voters(setup, 7)
    cast_orders(setup, voters[:2], [[0], [1]])
    non_voters = set(setup.ballot.roll.filter(has_voted=False).values_list("member_id", flat=True))
    monkeypatch.setattr(reminders, "ROLL_MAIL_BATCH", 2)
    real_add = reminders.add_system_deliveries
    calls = {"n": 0}

    def failing_second_batch(mailout, rows):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real_add(mailout, rows)

    monkeypatch.setattr(reminders, "add_system_deliveries", failing_second_batch)
    frozen_clock.advance(hours=25)
    mail.outbox.clear()
    (line,) = send_due_reminders()
    assert "stopped" in line and "RuntimeError" in line
    ballot = Ballot.objects.get(pk=setup.ballot.pk)
    assert ballot.background_step == BackgroundStep.SCHEDULED_REMINDER
    assert ballot.background_total == len(non_voters) and ballot.background_done == 2
    assert mail.outbox == [], "nothing is sent before all are written"
    assert send_due_reminders() == [], "claimed: a later tick does not start it again"
    with django_capture_on_commit_callbacks(execute=True):  # the page's "Start it again"
        resume_background(actor=setup.officer.user, ballot=ballot)
    ballot.refresh_from_db()
    assert not ballot.background_step and ballot.reminders_sent == 1
    (mailout,) = _reminder_mailouts()
    delivered = list(Delivery.objects.filter(mailout=mailout).values_list("member_id", flat=True))
    assert sorted(delivered) == sorted(non_voters), "each member who had not voted, once"
    assert len(mail.outbox) == len(non_voters)
    (reminder,) = setup.ballot.reminders.all()
    assert reminder.sent_at is not None and reminder.recipients == len(non_voters)
    entry = AuditEntry.objects.get(action="send_reminder")
    assert entry.detail["scheduled"] == [48] and entry.detail["sent_to"] == len(non_voters)
    assert send_due_reminders() == [] and len(_reminder_mailouts()) == 1


@pytest.mark.postgres
@pytest.mark.usefixtures("transactional_db")
def test_a_cast_is_not_blocked_while_a_scheduled_reminder_is_written(
    frozen_clock: Clock, monkeypatch: pytest.MonkeyPatch
):
    """No ballot lock is held across the reminder's batches, and the one each batch holds
    (FOR NO KEY UPDATE) is not one a cast waits for: members cast, with a lock timeout, in the
    middle of a batch's transaction and between batches."""
    setup = make_ballot()
    _three_day_poll(setup)
    set_reminder_schedule(actor=setup.officer.user, ballot=setup.ballot, hours_before_close=[48])
    voters = open_with_voters(setup, 6)
    frozen_clock.advance(hours=25)
    monkeypatch.setattr(reminders, "ROLL_MAIL_BATCH", 2)

    def cast_with_lock_timeout(voter) -> None:
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SET lock_timeout = '3s'")
            cast_orders(setup, [voter], [[0]])
        finally:
            connections.close_all()

    real_batch = reminders.write_roll_mail_batch
    cast_during: list[int] = []

    def batch_then_cast(*args, **kwargs):
        result = real_batch(*args, **kwargs)
        if result[1] and len(cast_during) < 3:
            # Inside the batch's transaction, which holds the ballot's row lock.
            voter = voters[len(cast_during)]
            with ThreadPoolExecutor(max_workers=1) as pool:
                pool.submit(cast_with_lock_timeout, voter).result(timeout=30)
            cast_during.append(voter.pk)
        return result

    monkeypatch.setattr(reminders, "write_roll_mail_batch", batch_then_cast)
    (line,) = send_due_reminders()
    assert line.startswith("reminded ")
    assert len(cast_during) == 3
    assert set(setup.ballot.roll.filter(has_voted=True).values_list("member_id", flat=True)) == set(
        cast_during
    )
    ballot = Ballot.objects.get(pk=setup.ballot.pk)
    assert not ballot.background_step and ballot.reminders_sent == 1
