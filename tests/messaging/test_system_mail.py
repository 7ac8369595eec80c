"""Ballot mail and statutory notices: every member named gets one, consent or not."""

from __future__ import annotations

import datetime

import pytest

from grassroots.audit.models import AuditEntry
from grassroots.messaging.models import Delivery, MailKind, MailoutState
from grassroots.messaging.services import send_to_members
from tests.factories import GroupFactory, MemberFactory
from tests.mail import Mailbox

pytestmark = pytest.mark.django_db


def test_ballot_invitation_reaches_every_member_named_with_their_own_link(
    mailbox: Mailbox, django_capture_on_commit_callbacks
):
    group = GroupFactory()
    consenting = MemberFactory(
        home_group=group,
        consent_to_contact=True,
        consent_recorded_at=datetime.datetime(2024, 5, 1, tzinfo=datetime.UTC),
        consent_source="join_form",
    )
    not_consenting = MemberFactory(home_group=group, first_name="Ffion")
    with django_capture_on_commit_callbacks(execute=True):
        mailout = send_to_members(
            actor=None,
            members=[consenting.pk, not_consenting.pk],
            subject="Vote in the Gateshead officer election",
            body="Dear $first_name,\n\nVote here: $link\n",
            purpose="ballot invitation",
            kind=MailKind.BALLOT,
            personal={
                consenting.pk: {"link": "https://vote.example/a"},
                not_consenting.pk: {"link": "https://vote.example/b"},
            },
        )
    mailout.refresh_from_db()
    assert mailout.state == MailoutState.SENT
    assert (mailout.recipients, mailout.sent, mailout.failed) == (2, 2, 0)
    mail_b = mailbox.last_to(not_consenting.email)
    assert "Dear Ffion," in mail_b.text
    assert "https://vote.example/b" in mail_b.text
    assert "https://vote.example/a" not in mail_b.text
    assert mail_b.recipients == [not_consenting.email]
    assert "List-Unsubscribe" not in mail_b.message
    # The personal link is not kept once the message has gone.
    assert not Delivery.objects.filter(mailout=mailout, personal__isnull=False).exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"queue_system_mail", "mailout_finished"} <= actions


def test_campaign_kind_is_refused_by_the_system_mail_path():
    with pytest.raises(ValueError, match="ballot mail and notices"):
        send_to_members(
            actor=None, members=[], subject="Hi", body="Hi", purpose="x", kind=MailKind.CAMPAIGN
        )
