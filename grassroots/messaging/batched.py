"""System mail too large for one transaction: started, filled in batches, then released.

``send_to_members`` queues a mailout and all its deliveries in the caller's transaction. For a
national ballot's invitation (500,000 members, each with a personal link) the caller writes the
deliveries in batches, each batch in its own short transaction with the caller's own resume
point, so a task that stops part way resumes without addressing anyone twice and its progress
can be shown. Nothing is sent until :func:`release_system_mail`: the delivery task is queued
only then, so no member gets the mail before every delivery is written.

On PostgreSQL the deliveries are written with COPY (several times faster than INSERTs, as the
member import does); elsewhere with ``bulk_create``. tests/messaging/test_batched.py holds the
two equal.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from django.db import connection

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record
from grassroots.messaging.languages import Translations
from grassroots.messaging.models import (
    TRANSACTIONAL_KINDS,
    Delivery,
    DeliveryState,
    Mailout,
    MailoutState,
    ScopeLevel,
)
from grassroots.messaging.services import (
    INSERT_BATCH,
    _deliver_after_commit,
    _stripped,
    check_translated_text,
)

DeliveryRow = tuple[int, Mapping[str, str] | None]


def start_system_mail(
    *,
    actor: User | None,
    subject: str,
    body: str,
    purpose: str,
    kind: str,
    translations: Translations | None = None,
) -> Mailout:
    """The mailout, with no delivery yet and nothing sent; in the caller's transaction.
    ``translations``: its text in other languages, as ``send_to_members`` takes them."""
    if kind not in TRANSACTIONAL_KINDS:
        raise ValueError(f"system mail is ballot mail or a notice, not {kind!r}")
    check_translated_text(subject, body, purpose, translations)
    return Mailout.objects.create(
        sender=actor,
        sender_label=actor.email if actor is not None else "system",
        kind=kind,
        scope_level=ScopeLevel.MEMBERS,
        subject=subject.strip(),
        body=body,
        translations=_stripped(translations),
        purpose=purpose.strip(),
        created_at=clock.now(),
    )


def add_system_deliveries(mailout: Mailout, rows: Iterable[DeliveryRow]) -> int:
    """One delivery per ``(member id, personal values)``; returns how many were written."""
    if mailout.state != MailoutState.QUEUED or mailout.started_at is not None:
        raise ValueError("deliveries are added before the mailout is released")
    if connection.vendor == "postgresql":
        return _copy_deliveries(mailout.pk, rows)
    return _create_deliveries(mailout.pk, rows)


def _create_deliveries(mailout_id: int, rows: Iterable[DeliveryRow]) -> int:
    batch: list[Delivery] = []
    count = 0
    for member_id, values in rows:
        batch.append(
            Delivery(
                mailout_id=mailout_id,
                member_id=member_id,
                personal=dict(values) if values else None,
            )
        )
        if len(batch) == INSERT_BATCH:
            Delivery.objects.bulk_create(batch)
            count += len(batch)
            batch = []
    Delivery.objects.bulk_create(batch)
    return count + len(batch)


def _copy_deliveries(mailout_id: int, rows: Iterable[DeliveryRow]) -> int:
    """PostgreSQL: the same rows by COPY, the other columns at their model defaults."""
    quote = connection.ops.quote_name
    names = ("mailout", "member", "state", "personal", "error")
    columns = ", ".join(
        quote(str(Delivery._meta.get_field(name).column))  # type: ignore[union-attr]
        for name in names
    )
    table = quote(str(Delivery._meta.db_table))
    count = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for member_id, values in rows:
            personal = json.dumps(dict(values)) if values else None
            copy.write_row((mailout_id, member_id, DeliveryState.PENDING, personal, ""))
            count += 1
    return count


def release_system_mail(mailout: Mailout, *, actor: User | None) -> Mailout:
    """Every delivery is written: count them, audit the mailout and send it after the commit."""
    mailout.recipients = Delivery.objects.filter(mailout=mailout).count()
    mailout.save(update_fields=["recipients"])
    record(
        actor=actor,
        action=AuditAction.QUEUE_SYSTEM_MAIL,
        subject_type="mailout",
        subject_id=mailout.pk,
        purpose=mailout.purpose[:200],
        detail={"kind": mailout.kind, "subject": mailout.subject, "recipients": mailout.recipients},
    )
    _deliver_after_commit(mailout.pk)
    return mailout


def discard_system_mail(mailout: Mailout) -> None:
    """A mailout never released (its sender gave it up): its deliveries and their personal
    values go; nothing of it was sent."""
    if mailout.started_at is None and mailout.state == MailoutState.QUEUED:
        mailout.delete()
