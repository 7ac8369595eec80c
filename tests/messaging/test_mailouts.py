"""Officers' mail to a scope: who receives it, through a real SMTP server, and who may send."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from grassroots.audit.models import AuditEntry
from grassroots.messaging.models import Mailout, MailoutState, Unsubscribe
from grassroots.messaging.queries import NATION, Scope, count_recipients
from grassroots.messaging.services import MessagingError, TooManyMailouts, send_mailout
from grassroots.people.models import MembershipStatus
from tests.mail import Mailbox
from tests.messaging.helpers import Town, build_town

pytestmark = pytest.mark.django_db


@pytest.fixture
def town() -> Town:
    return build_town()


def group_scope(group) -> Scope:
    return Scope(level="group", group=group)


def send(actor, scope, capture, **overrides):
    values = {
        "statuses": [MembershipStatus.MEMBER],
        "subject": "Gateshead AGM on Thursday",
        "body": "Dear members,\n\nOur AGM is on Thursday at 7pm.\n",
        "purpose": "notice of the AGM",
    }
    values.update(overrides)
    with capture(execute=True):
        return send_mailout(actor=actor.user, scope=scope, **values)


def test_secretary_reaches_consenting_members_of_the_group_through_smtp(
    town: Town, mailbox: Mailbox, django_capture_on_commit_callbacks
):
    mailout = send(town.secretary_a, group_scope(town.group_a), django_capture_on_commit_callbacks)
    mailout.refresh_from_db()
    assert mailout.state == MailoutState.SENT
    # 3 consenting members and the three group-A officers who consented; not the lapsed member.
    assert (mailout.recipients, mailout.sent, mailout.failed) == (6, 6, 0)
    assert mailout.skipped_no_consent == 1
    for member in town.consenting_a:
        delivered = mailbox.last_to(member.email)
        assert delivered.recipients == [member.email], "one message per member, no shared To"
        assert "Our AGM is on Thursday" in delivered.text
        assert delivered.subject == "Gateshead AGM on Thursday"
        assert "Gateshead via Grassroots" in str(delivered.message["From"])
    assert not mailbox.to(town.not_consenting_a.email)
    assert not mailbox.to(town.lapsed_a.email)
    assert not mailbox.to(town.consenting_b.email)


def test_campaign_mail_carries_one_click_unsubscribe_headers(
    town: Town, mailbox: Mailbox, django_capture_on_commit_callbacks
):
    send(town.secretary_a, group_scope(town.group_a), django_capture_on_commit_callbacks)
    message = mailbox.last_to(town.consenting_a[0].email).message
    header = " ".join(str(message["List-Unsubscribe"]).split())
    assert header.startswith("<http://testserver/messages/unsubscribe/")
    assert header.endswith("/>")
    assert str(message["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    assert header[1:-1] in mailbox.last_to(town.consenting_a[0].email).text


def test_statuses_filter_chooses_who_is_written_to(
    town: Town, mailbox: Mailbox, django_capture_on_commit_callbacks
):
    mailout = send(
        town.secretary_a,
        group_scope(town.group_a),
        django_capture_on_commit_callbacks,
        statuses=[MembershipStatus.LAPSED],
    )
    assert mailout.recipients == 1
    assert mailbox.last_to(town.lapsed_a.email)
    assert not mailbox.to(town.consenting_a[0].email)


def test_unsubscribed_member_is_skipped_and_counted(
    town: Town, mailbox: Mailbox, django_capture_on_commit_callbacks
):
    gone, everywhere = town.consenting_a[0], town.consenting_a[1]
    Unsubscribe.objects.create(
        member=gone, scope_key=f"group:{town.group_a.pk}", created_at=gone.created_at, via="page"
    )
    Unsubscribe.objects.create(
        member=everywhere, scope_key="all", created_at=gone.created_at, via="page"
    )
    mailout = send(town.secretary_a, group_scope(town.group_a), django_capture_on_commit_callbacks)
    mailout.refresh_from_db()
    assert (mailout.recipients, mailout.skipped_unsubscribed, mailout.sent) == (4, 2, 4)
    assert not mailbox.to(gone.email)
    assert not mailbox.to(everywhere.email)
    assert mailbox.last_to(town.consenting_a[2].email)


def test_unsubscribe_from_one_group_does_not_stop_mail_to_the_area(
    town: Town, mailbox: Mailbox, django_capture_on_commit_callbacks
):
    member = town.consenting_a[0]
    Unsubscribe.objects.create(
        member=member, scope_key=f"group:{town.group_a.pk}", created_at=member.created_at, via="x"
    )
    send(town.coordinator, Scope(level="area", area=town.area), django_capture_on_commit_callbacks)
    assert mailbox.last_to(member.email)


def test_preview_counts_match_what_is_queued(town: Town):
    counts = count_recipients(group_scope(town.group_a), [MembershipStatus.MEMBER])
    assert (counts.in_scope, counts.no_consent, counts.unsubscribed, counts.to_send) == (7, 1, 0, 6)


def test_every_mailout_is_audited_with_counts_and_purpose(
    town: Town, mailbox: Mailbox, django_capture_on_commit_callbacks
):
    mailout = send(town.secretary_a, group_scope(town.group_a), django_capture_on_commit_callbacks)
    queued = AuditEntry.objects.get(action="queue_mailout", subject_id=str(mailout.pk))
    assert queued.actor == town.secretary_a.user
    assert queued.purpose == "notice of the AGM"
    assert queued.scope == "Gateshead"
    assert queued.detail["recipients"] == 6
    assert queued.detail["skipped_no_consent"] == 1
    finished = AuditEntry.objects.get(action="mailout_finished", subject_id=str(mailout.pk))
    assert finished.detail["sent"] == 6
    # No address of any recipient is written in the audit log.
    for entry in AuditEntry.objects.all():
        assert "@example.org" not in str(entry.detail)


def test_secretary_of_group_a_cannot_mail_group_b(town: Town, django_capture_on_commit_callbacks):
    with pytest.raises(PermissionDenied):
        send(town.secretary_a, group_scope(town.group_b), django_capture_on_commit_callbacks)
    assert not Mailout.objects.exists()


def test_secretary_cannot_mail_the_whole_area_or_nation(
    town: Town, django_capture_on_commit_callbacks
):
    with pytest.raises(PermissionDenied):
        send(
            town.secretary_a,
            Scope(level="area", area=town.area),
            django_capture_on_commit_callbacks,
        )
    with pytest.raises(PermissionDenied):
        send(town.secretary_a, NATION, django_capture_on_commit_callbacks)


@pytest.mark.parametrize("role", ["data_manager_a", "treasurer_a"])
def test_roles_without_message_members_cannot_send(
    town: Town, role: str, django_capture_on_commit_callbacks
):
    with pytest.raises(PermissionDenied):
        send(getattr(town, role), group_scope(town.group_a), django_capture_on_commit_callbacks)


def test_coordinator_may_mail_each_group_of_the_area_and_national_office_anywhere(
    town: Town, mailbox: Mailbox, django_capture_on_commit_callbacks
):
    send(town.coordinator, group_scope(town.group_a2), django_capture_on_commit_callbacks)
    with pytest.raises(PermissionDenied):
        send(town.coordinator, group_scope(town.group_b), django_capture_on_commit_callbacks)
    mailout = send(town.national, NATION, django_capture_on_commit_callbacks)
    assert mailout.recipients >= 8
    assert mailbox.last_to(town.consenting_b.email)


def test_rate_limit_refuses_the_next_mailout_with_the_time_to_wait(
    town: Town, settings, mailbox: Mailbox, django_capture_on_commit_callbacks
):
    settings.GRASSROOTS_MAILOUTS_PER_HOUR = 2
    for _ in range(2):
        send(town.secretary_a, group_scope(town.group_a), django_capture_on_commit_callbacks)
    with pytest.raises(TooManyMailouts, match=r"2 messages in the last hour.*after \d\d:\d\d"):
        send(town.secretary_a, group_scope(town.group_a), django_capture_on_commit_callbacks)
    assert Mailout.objects.count() == 2
    # The limit is per sender: the chair of group B is not held up by it.
    send(town.chair_b, group_scope(town.group_b), django_capture_on_commit_callbacks)


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"subject": "  "}, "subject"),
        ({"subject": "Two\nlines"}, "one line"),
        ({"subject": "x" * 151}, "at most 150"),
        ({"body": "\n"}, "Write the message"),
        ({"body": "x" * 20_001}, "at most 20,000"),
        ({"purpose": ""}, "audit log"),
        ({"statuses": []}, "Choose which members"),
        ({"statuses": ["emperor"]}, "Choose which members"),
    ],
)
def test_bad_input_is_refused_with_a_reason(
    town: Town, overrides, reason, django_capture_on_commit_callbacks
):
    with pytest.raises(MessagingError, match=reason):
        send(
            town.secretary_a,
            group_scope(town.group_a),
            django_capture_on_commit_callbacks,
            **overrides,
        )
    assert not Mailout.objects.exists()


def test_a_refused_address_is_reported_as_a_count_and_reason_without_the_address(
    town: Town, mailbox: Mailbox, django_capture_on_commit_callbacks
):
    refused = town.consenting_a[0].email
    mailbox.refuse.add(refused)
    mailout = send(town.secretary_a, group_scope(town.group_a), django_capture_on_commit_callbacks)
    mailout.refresh_from_db()
    assert (mailout.sent, mailout.failed, mailout.state) == (5, 1, MailoutState.SENT)
    errors = list(mailout.deliveries.exclude(error="").values_list("error", flat=True))
    assert errors == ["Refused by the mail server (550)"]


def test_delivery_makes_no_query_per_message(
    town: Town, mailbox: Mailbox, django_capture_on_commit_callbacks
):
    """A batch reads its deliveries with the member's fields a message needs, and records them
    in one statement: the same number of queries for 6 recipients as for 11 (a field left out of
    the batch's read would cost a query per message)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from grassroots.messaging.services import deliver_mailout
    from tests.factories import MemberFactory
    from tests.messaging.helpers import CONSENTED

    def queries_to_deliver() -> int:
        with django_capture_on_commit_callbacks(execute=False):
            mailout = send_mailout(
                actor=town.secretary_a.user,
                scope=group_scope(town.group_a),
                statuses=[MembershipStatus.MEMBER],
                subject="Gateshead AGM on Thursday",
                body="Dear members,\n\nOur AGM is on Thursday at 7pm.\n",
                purpose="notice of the AGM",
            )
        with CaptureQueriesContext(connection) as captured:
            deliver_mailout(mailout_id=mailout.pk)
        mailout.refresh_from_db()
        assert mailout.sent == mailout.recipients
        return len(captured)

    six = queries_to_deliver()
    for _ in range(5):
        MemberFactory(home_group=town.group_a, **CONSENTED)
    assert queries_to_deliver() == six
    for member in town.consenting_a:
        assert len(mailbox.to(member.email)) == 2


def test_a_mailouts_delivery_is_queued_on_the_mail_queue(
    town: Town, settings, django_capture_on_commit_callbacks
):
    """Bulk mail waits on a queue of its own, which the deployment runs at the idle priority
    (deploy/systemd/grassroots-mailer@.service), not on the ballots' queue."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "mail"]}
    }
    mailout = send(town.secretary_a, group_scope(town.group_a), django_capture_on_commit_callbacks)
    queued = DBTaskResult.objects.get()
    assert (queued.queue_name, queued.args_kwargs["args"]) == ("mail", [mailout.pk])
    mailout.refresh_from_db()
    assert mailout.sent == 0, "nothing is delivered until a mail worker takes the task"
