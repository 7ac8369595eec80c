"""Notifications: one row per member, mail only as each member's preferences say, digests once
a period, and the unsubscribe link honoured."""

from __future__ import annotations

import datetime

import pytest

from grassroots.audit.models import AuditEntry
from grassroots.messaging.models import MailKind, Mailout, Unsubscribe
from grassroots.notifications import services
from grassroots.notifications.models import (
    Delivery,
    DigestRun,
    Kind,
    Notification,
    Preference,
)
from grassroots.people.erasure import erase_member
from tests.factories import GroupFactory, MemberFactory
from tests.mail import Mailbox
from tests.web.roles import build_movement

pytestmark = pytest.mark.django_db

MONDAY_NINE = datetime.datetime(2026, 12, 7, 9, 0, tzinfo=datetime.UTC)


def _notify(members, kind=Kind.MEETING, title="Leeds Central meets on Thursday"):
    return services.notify([m.pk for m in members], kind=kind, title=title, url="/meetings/12/")


def test_notify_writes_one_unread_row_per_member_with_its_digest_from_the_defaults():
    a, b = MemberFactory(), MemberFactory()
    assert _notify([a, b, a]) == 2  # a member named twice is told once
    rows = Notification.objects.order_by("member_id")
    assert [r.member_id for r in rows] == sorted([a.pk, b.pk])
    assert {r.digest for r in rows} == {Delivery.DAILY}  # meetings default to the daily digest
    assert all(r.read_at is None and r.mailed_at is None for r in rows)
    assert services.unread_count(a) == 1


def test_preferences_decide_mail_at_once_digest_or_none(
    mailbox: Mailbox, django_capture_on_commit_callbacks
):
    at_once, weekly, quiet = MemberFactory(), MemberFactory(), MemberFactory()
    services.set_preferences(at_once, {Kind.MEETING: Delivery.IMMEDIATE})
    services.set_preferences(weekly, {Kind.MEETING: Delivery.WEEKLY})
    services.set_preferences(quiet, {Kind.MEETING: Delivery.IN_APP})
    with django_capture_on_commit_callbacks(execute=True):
        _notify([at_once, weekly, quiet], title="Emergency meeting on Friday")
    digest = dict(Notification.objects.values_list("member_id", "digest"))
    assert digest == {at_once.pk: "", weekly.pk: Delivery.WEEKLY, quiet.pk: ""}
    message = mailbox.last_to(at_once.email)
    assert message.subject == "Emergency meeting on Friday"
    assert "/meetings/12/" in message.text
    assert "List-Unsubscribe" in message.message
    assert mailbox.to(weekly.email) == []
    assert mailbox.to(quiet.email) == []
    assert Notification.objects.get(member=at_once).mailed_at is not None


def test_an_unsubscribed_member_gets_no_notification_mail_whatever_the_preference(
    mailbox: Mailbox, django_capture_on_commit_callbacks
):
    member = MemberFactory()
    services.set_preferences(member, {Kind.MEETING: Delivery.IMMEDIATE})
    Unsubscribe.objects.create(
        member=member, scope_key="notifications", created_at=MONDAY_NINE, via="page"
    )
    with django_capture_on_commit_callbacks(execute=True):
        _notify([member])
    assert mailbox.to(member.email) == []
    assert services.unread_count(member) == 1  # still in the inbox


def test_daily_digest_mails_each_member_their_unread_and_runs_once_a_period(
    mailbox: Mailbox, django_capture_on_commit_callbacks
):
    reader, busy = MemberFactory(first_name="Ada"), MemberFactory(first_name="Bea")
    _notify([reader, busy], title="Leeds Central meets on Thursday")
    _notify([busy], kind=Kind.PROPOSAL, title="Proposal: a stall on Saturday")
    services.mark_all_read(reader)  # read in the app: nothing left to mail
    period = datetime.date(2026, 12, 7)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.send_digest(Delivery.DAILY, period)
    assert run is not None
    assert (run.members, run.notifications) == (1, 2)
    message = mailbox.last_to(busy.email)
    assert "Hello Bea," in message.text
    assert "(2 new)" in message.text
    assert "Leeds Central meets on Thursday" in message.text
    assert "Proposal: a stall on Saturday" in message.text
    assert mailbox.to(reader.email) == []
    assert not Notification.objects.exclude(digest="").exists()
    # The same period again does nothing, on this node or another.
    assert services.send_digest(Delivery.DAILY, period) is None
    assert Mailout.objects.filter(kind=MailKind.NOTIFICATION).count() == 1


def test_weekly_notifications_wait_for_the_weekly_digest():
    member = MemberFactory()
    _notify([member], kind=Kind.SURVEY, title="Survey: what should we campaign on?")
    run = services.send_digest(Delivery.DAILY, datetime.date(2026, 12, 7))
    assert run is not None and run.notifications == 0
    assert Notification.objects.get(member=member).digest == Delivery.WEEKLY


def test_changing_a_preference_moves_what_already_waits():
    member = MemberFactory()
    _notify([member])
    services.set_preferences(member, {Kind.MEETING: Delivery.IN_APP})
    assert Notification.objects.get(member=member).digest == ""
    assert AuditEntry.objects.filter(action="set_notification_preferences").count() == 1


def test_due_digests_follow_the_clock():
    monday_early = datetime.datetime(2026, 12, 7, 6, 0, tzinfo=datetime.UTC)
    due = services.due_digests(monday_early)
    # Before 07:00 the day's digest is yesterday's (Sunday), and the week is the last one.
    assert {(d.frequency, d.period) for d in due} == {
        (Delivery.DAILY, datetime.date(2026, 12, 6)),
        (Delivery.WEEKLY, datetime.date(2026, 11, 30)),
    }
    DigestRun.objects.create(
        frequency=Delivery.WEEKLY, period=datetime.date(2026, 12, 7), started_at=MONDAY_NINE
    )
    due = services.due_digests(MONDAY_NINE)
    assert {(d.frequency, d.period) for d in due} == {(Delivery.DAILY, datetime.date(2026, 12, 7))}


@pytest.mark.parametrize("url", ["https://evil.example/", "//evil.example/x", "meetings/1/"])
def test_notifications_link_only_to_pages_on_this_site(url):
    with pytest.raises(services.NotificationError, match="on this site"):
        services.notify([MemberFactory().pk], kind=Kind.MEETING, title="x", url=url)


def test_unknown_kinds_and_choices_are_refused_and_change_nothing():
    member = MemberFactory()
    with pytest.raises(services.NotificationError, match="Unknown kind"):
        services.notify([member.pk], kind="gossip", title="x", url="/")
    with pytest.raises(services.NotificationError, match="Unknown choice"):
        services.set_preferences(member, {Kind.MEETING: "carrier pigeon"})
    assert services.preferences_of(member)[Kind.MEETING] == Delivery.DAILY


def test_notify_scope_tells_the_scopes_members_from_the_worker(django_capture_on_commit_callbacks):
    group, other = GroupFactory(), GroupFactory()
    inside = [MemberFactory(home_group=group) for _ in range(3)]
    outside = MemberFactory(home_group=other)
    lapsed = MemberFactory(home_group=group, status="lapsed")
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_scope(
            f"group:{group.pk}",
            kind=Kind.MOTION,
            url="/m/",
            message="survey_opened",
            params={"title": "A motion needs a seconder"},
        )
    told = set(Notification.objects.values_list("member_id", flat=True))
    assert told == {m.pk for m in inside}
    assert outside.pk not in told and lapsed.pk not in told
    with pytest.raises(ValueError, match="not a scope"):
        services.notify_scope(
            "group:999999", kind=Kind.MOTION, url="/", message="survey_opened", params={}
        )


def test_erasure_deletes_notifications_and_preferences():
    m = build_movement()
    _notify([m.member, m.in_group_a])
    services.set_preferences(m.member, {Kind.BALLOT: Delivery.IMMEDIATE})
    erase_member(actor=m.national.user, member=m.member, reason="member's letter of 3 May")
    assert not Notification.objects.filter(member=m.member).exists()
    assert not Preference.objects.filter(member=m.member).exists()
    assert Notification.objects.filter(member=m.in_group_a).exists()


def test_send_digests_command_sends_what_is_due_once(
    mailbox: Mailbox, django_capture_on_commit_callbacks
):
    from io import StringIO

    from django.core.management import call_command

    member = MemberFactory(first_name="Cai")
    _notify([member], title="Leeds Central meets on Thursday")
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digests", "--now", stdout=out)
    assert "daily digest for" in out.getvalue()
    assert "Hello Cai," in mailbox.last_to(member.email).text
    again = StringIO()
    call_command("send_digests", "--now", stdout=again)
    assert again.getvalue() == ""  # both periods' digests have run
    assert len(mailbox.to(member.email)) == 1
