"""System mail written in batches (grassroots.messaging.batched): the deliveries by COPY on
PostgreSQL are the rows ``bulk_create`` writes, and nothing goes before the release."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection

from grassroots.messaging import batched
from grassroots.messaging.models import Delivery, MailKind, Mailout
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def _rows(mailout: Mailout) -> list[tuple]:
    return sorted(
        Delivery.objects.filter(mailout=mailout).values_list(
            "member_id", "state", "personal", "error", "sent_at"
        )
    )


def _start() -> Mailout:
    return batched.start_system_mail(
        actor=None,
        subject="Your vote",
        body="Dear $first_name, vote here: $link",
        purpose="ballot invitation: test",
        kind=MailKind.BALLOT,
    )


def test_deliveries_written_by_copy_equal_those_written_by_bulk_create():
    members = [MemberFactory() for _ in range(5)]
    rows = [(m.pk, {"link": f"https://example.org/v/{m.pk}/$x\"'"}) for m in members[:4]]
    rows.append((members[4].pk, None))
    by_orm = _start()
    assert batched._create_deliveries(by_orm.pk, rows) == 5
    written = _start()
    assert batched.add_system_deliveries(written, rows) == 5
    assert _rows(by_orm) == _rows(written)
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's; the rows above were both written by bulk_create")
    by_copy = _start()
    assert batched._copy_deliveries(by_copy.pk, rows) == 5
    assert _rows(by_copy) == _rows(by_orm)


def test_nothing_is_sent_until_the_mail_is_released_then_each_member_once(
    django_capture_on_commit_callbacks,
):
    members = [MemberFactory() for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        mailout = _start()
        batched.add_system_deliveries(mailout, [(members[0].pk, {"link": "a"})])
        batched.add_system_deliveries(mailout, [(m.pk, {"link": "b"}) for m in members[1:]])
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        batched.release_system_mail(mailout, actor=None)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.email for m in members)
    mailout.refresh_from_db()
    assert mailout.recipients == 3
    with pytest.raises(ValueError, match="before the mailout is released"):
        batched.add_system_deliveries(mailout, [(members[0].pk, None)])


def test_a_mailout_given_up_before_release_goes_with_its_personal_links():
    member = MemberFactory()
    mailout = _start()
    batched.add_system_deliveries(mailout, [(member.pk, {"link": "secret"})])
    batched.discard_system_mail(mailout)
    assert not Mailout.objects.filter(pk=mailout.pk).exists()
    assert not Delivery.objects.exists()
