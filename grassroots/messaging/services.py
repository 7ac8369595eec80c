"""Every write in messaging: queue a mailout, queue system mail, deliver, unsubscribe.

Who gets what (the rule, stated once):
- Campaign mail (``send_mailout``, an officer writing to a scope) goes only to members who gave
  consent to be contacted and have not unsubscribed from that scope or from all such mail.
- Ballot mail (invitations, reminders, receipts) and statutory notices (``send_to_members``)
  go to every member the caller names, consent or not, unsubscribed or not: the rules give
  every member on a roll the right to be told. They are still logged like any other mailout.
"""

from __future__ import annotations

import datetime
import smtplib
from collections.abc import Iterable, Mapping, Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import dateformat
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record
from grassroots.messaging import mail
from grassroots.messaging.languages import Translations
from grassroots.messaging.models import (
    NOTIFICATIONS_SCOPE_KEY,
    TRANSACTIONAL_KINDS,
    Delivery,
    DeliveryState,
    MailKind,
    Mailout,
    MailoutState,
    ScopeLevel,
    Unsubscribe,
)
from grassroots.messaging.queries import (
    Scope,
    campaign_recipients,
    count_recipients,
)
from grassroots.organisation.permissions import Capability, may
from grassroots.people.models import Member, MembershipStatus

SUBJECT_MAX = 150
BODY_MAX = 20_000
INSERT_BATCH = 5_000
RATE_WINDOW = datetime.timedelta(hours=1)


class MessagingError(Exception):
    """A mailout that cannot be queued, with a reason to show the officer."""


class TooManyMailouts(MessagingError):
    pass


def _check_text(subject: str, body: str, purpose: str) -> None:
    if not subject.strip():
        raise MessagingError(gettext("Give the message a subject."))
    if "\n" in subject or "\r" in subject:
        raise MessagingError(gettext("The subject must be one line."))
    if len(subject) > SUBJECT_MAX:
        raise MessagingError(
            gettext("The subject can be at most %(SUBJECT_MAX)s characters.")
            % {"SUBJECT_MAX": SUBJECT_MAX}
        )
    if not body.strip():
        raise MessagingError(gettext("Write the message."))
    if len(body) > BODY_MAX:
        raise MessagingError(
            gettext("The message can be at most %(BODY_MAX)s characters.")
            % {"BODY_MAX": format(BODY_MAX, ",")}
        )
    if not purpose.strip():
        raise MessagingError(gettext("Say what the message is for; it is kept in the audit log."))


def check_translated_text(
    subject: str, body: str, purpose: str, translations: Translations | None
) -> None:
    _check_text(subject, body, purpose)
    for language, text in (translations or {}).items():
        if language not in dict(settings.LANGUAGES):
            raise ValueError(f"No such language: {language!r}")
        _check_text(text["subject"][:SUBJECT_MAX], text["body"], purpose)


def _stripped(translations: Translations | None) -> Translations:
    return {
        language: {"subject": text["subject"].strip()[:SUBJECT_MAX], "body": text["body"]}
        for language, text in (translations or {}).items()
    }


def _check_rate(actor: User) -> None:
    """Refuse the next mailout once the sender has queued the hour's allowance. The sender's
    own row is locked first, so two tabs cannot both take the last place."""
    User.objects.select_for_update().filter(pk=actor.pk).first()
    limit = settings.GRASSROOTS_MAILOUTS_PER_HOUR
    since = clock.now() - RATE_WINDOW
    recent = list(
        Mailout.objects.filter(sender=actor, created_at__gt=since)
        .order_by("created_at")
        .values_list("created_at", flat=True)[:limit]
    )
    if len(recent) >= limit:
        free_at = (recent[0] + RATE_WINDOW).astimezone(datetime.UTC)
        raise TooManyMailouts(
            gettext(
                "You have sent %(limit)s messages in the last hour, the most allowed. "
                "You can send the next one after %(free_at)s UTC."
            )
            % {"limit": limit, "free_at": dateformat.format(free_at, "H:i")}
        )


def _add_deliveries(
    mailout: Mailout,
    member_ids: Iterable[int],
    personal: Mapping[int, Mapping[str, str]] | None = None,
) -> int:
    rows: list[Delivery] = []
    count = 0
    for member_id in member_ids:
        values = personal.get(member_id) if personal else None
        rows.append(
            Delivery(
                mailout=mailout,
                member_id=member_id,
                personal=dict(values) if values else None,
            )
        )
        if len(rows) == INSERT_BATCH:
            Delivery.objects.bulk_create(rows)
            count += len(rows)
            rows = []
    Delivery.objects.bulk_create(rows)
    return count + len(rows)


def _deliver_after_commit(mailout_id: int) -> None:
    from grassroots.messaging.tasks import deliver_mailout_task

    transaction.on_commit(lambda: deliver_mailout_task.enqueue(mailout_id))


@transaction.atomic(durable=True)
def send_mailout(
    *,
    actor: User,
    scope: Scope,
    statuses: Sequence[str],
    subject: str,
    body: str,
    purpose: str,
    translations: Translations | None = None,
) -> Mailout:
    """Queue an officer's message to the consenting members of ``scope`` with one of
    ``statuses``; a background task sends it. Returns the queued mailout (counts filled in).
    ``translations``: the site's own text (a meeting's invitation) in other languages."""
    if not may(actor, Capability.MESSAGE_MEMBERS, scope):
        raise PermissionDenied(gettext("You may not write to the members of this scope."))
    check_translated_text(subject, body, purpose, translations)
    statuses = sorted(set(statuses))
    if not statuses or not set(statuses) <= set(MembershipStatus.values):
        raise MessagingError(gettext("Choose which members to write to."))
    _check_rate(actor)
    counts = count_recipients(scope, statuses)
    mailout = Mailout.objects.create(
        sender=actor,
        sender_label=str(actor.email),
        kind=MailKind.CAMPAIGN,
        scope_level=scope.level,
        group=scope.group,
        area=scope.area,
        region=scope.region,
        statuses=statuses,
        subject=subject.strip(),
        body=body,
        translations=_stripped(translations),
        purpose=purpose.strip(),
        created_at=clock.now(),
        skipped_no_consent=counts.no_consent,
        skipped_unsubscribed=counts.unsubscribed,
    )
    ids = campaign_recipients(scope, statuses).order_by().values_list("pk", flat=True)
    mailout.recipients = _add_deliveries(mailout, ids.iterator(chunk_size=INSERT_BATCH))
    mailout.save(update_fields=["recipients"])
    record(
        actor=actor,
        action=AuditAction.QUEUE_MAILOUT,
        subject_type="mailout",
        subject_id=mailout.pk,
        scope=scope.name[:120],
        purpose=purpose.strip()[:200],
        detail={
            "subject": mailout.subject,
            "statuses": statuses,
            "recipients": mailout.recipients,
            "skipped_no_consent": counts.no_consent,
            "skipped_unsubscribed": counts.unsubscribed,
        },
    )
    _deliver_after_commit(mailout.pk)
    return mailout


def send_to_members(
    *,
    actor: User | None,
    members: QuerySet[Member] | Iterable[int],
    subject: str,
    body: str,
    purpose: str,
    kind: str = MailKind.BALLOT,
    personal: Mapping[int, Mapping[str, str]] | None = None,
    translations: Translations | None = None,
) -> Mailout:
    """Queue ballot mail or a statutory notice to each of ``members`` (a queryset or member
    ids), consent and unsubscribes notwithstanding (see the module's docstring).

    For the system's own use cases, which have already decided with their own capability
    (a ballot's RUN_BALLOTS and its frozen roll) who must be told: it is not reachable from a
    page. ``actor`` is the officer whose action sends it, or None for the system. It joins the
    caller's transaction, and the mail goes only once that commits.

    ``body`` may use ``$first_name``, ``$membership_number`` and any name in ``personal``
    (member id -> values), e.g. a personal voting ``$link``; the personal values are deleted
    once each message has gone. ``translations`` are its texts in other languages
    (``messaging.languages.in_every_language``): each member gets the one in their language.
    """
    if kind not in TRANSACTIONAL_KINDS:
        raise ValueError(f"send_to_members sends ballot mail and notices, not {kind!r}")
    check_translated_text(subject, body, purpose, translations)
    if isinstance(members, QuerySet):
        member_ids = list(members.order_by().values_list("pk", flat=True).distinct())
    else:
        member_ids = list(dict.fromkeys(int(m) for m in members))
    with transaction.atomic():
        mailout = Mailout.objects.create(
            sender=actor,
            sender_label=str(actor.email) if actor is not None else "system",
            kind=kind,
            scope_level=ScopeLevel.MEMBERS,
            subject=subject.strip(),
            body=body,
            translations=_stripped(translations),
            purpose=purpose.strip(),
            created_at=clock.now(),
        )
        mailout.recipients = _add_deliveries(mailout, member_ids, personal)
        mailout.save(update_fields=["recipients"])
        record(
            actor=actor,
            action=AuditAction.QUEUE_SYSTEM_MAIL,
            subject_type="mailout",
            subject_id=mailout.pk,
            purpose=purpose.strip()[:200],
            detail={"kind": kind, "subject": mailout.subject, "recipients": mailout.recipients},
        )
        _deliver_after_commit(mailout.pk)
    return mailout


def send_notification_mail(
    *,
    members: Iterable[int],
    subject: str,
    body: str,
    purpose: str,
    personal: Mapping[int, Mapping[str, str]] | None = None,
    translations: Translations | None = None,
) -> Mailout | None:
    """Queue notification mail (grassroots.notifications) to those of ``members`` who have not
    unsubscribed from it or from all mail; None when nobody is left. The caller has already
    applied each member's notification preferences. Joins the caller's transaction."""
    check_translated_text(subject, body, purpose, translations)
    wanted = list(dict.fromkeys(int(m) for m in members))
    refused = set(
        Unsubscribe.objects.filter(
            scope_key__in=[Unsubscribe.ALL, NOTIFICATIONS_SCOPE_KEY]
        ).values_list("member_id", flat=True)
    )
    member_ids = [m for m in wanted if m not in refused]
    if not member_ids:
        return None
    with transaction.atomic():
        mailout = Mailout.objects.create(
            sender=None,
            sender_label="system",
            kind=MailKind.NOTIFICATION,
            scope_level=ScopeLevel.MEMBERS,
            subject=subject.strip()[:150],
            body=body,
            translations=_stripped(translations),
            purpose=purpose.strip(),
            created_at=clock.now(),
            skipped_unsubscribed=len(wanted) - len(member_ids),
        )
        mailout.recipients = _add_deliveries(mailout, member_ids, personal)
        mailout.save(update_fields=["recipients"])
        record(
            actor=None,
            action=AuditAction.QUEUE_SYSTEM_MAIL,
            subject_type="mailout",
            subject_id=mailout.pk,
            purpose=purpose.strip()[:200],
            detail={
                "kind": MailKind.NOTIFICATION,
                "subject": mailout.subject,
                "recipients": mailout.recipients,
            },
        )
        _deliver_after_commit(mailout.pk)
    return mailout


def _start(mailout_id: int) -> Mailout | None:
    with transaction.atomic():
        mailout = Mailout.objects.select_for_update().get(pk=mailout_id)
        if mailout.is_finished:
            return None
        if mailout.state == MailoutState.QUEUED:
            mailout.state = MailoutState.SENDING
            mailout.started_at = clock.now()
            mailout.save(update_fields=["state", "started_at"])
        return mailout


# The member's fields a message uses (mail.build_message, mail.personalise).
_MEMBER_FOR_MAIL = ("email", "first_name", "membership_number", "language")


def _send_batch(mailout: Mailout, from_email: str) -> int:
    """Send the next batch of pending deliveries over one SMTP connection; 0 when none left.
    Rows are locked while they are sent (SKIP LOCKED lets a second worker take other rows)."""
    with transaction.atomic():
        batch = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(mailout=mailout, state=DeliveryState.PENDING)
            .select_related("member")
            # What a message is made of (mail.build_message): a whole member row per
            # message cost more than making the message.
            .only("personal", *(f"member__{name}" for name in _MEMBER_FOR_MAIL))
            .order_by("id")[: settings.GRASSROOTS_MAIL_BATCH_SIZE]
        )
        if not batch:
            return 0
        connection = get_connection(fail_silently=False)
        sent: list[int] = []
        failed: dict[str, list[int]] = {}  # the reason, and the deliveries it stopped
        try:
            connection.open()
            for delivery in batch:
                message = mail.build_message(
                    mailout, delivery.member, delivery.personal, from_email
                )
                message.connection = connection
                try:
                    message.send()
                except (smtplib.SMTPException, OSError) as error:
                    failed.setdefault(mail.describe_failure(error)[:200], []).append(delivery.pk)
                    if isinstance(error, smtplib.SMTPServerDisconnected | OSError):
                        connection.close()
                        connection.open()
                else:
                    sent.append(delivery.pk)
        finally:
            connection.close()
        # One UPDATE for the batch's sent rows and one a reason for its failures: bulk_update's
        # CASE per row and column cost four times the mail itself (600 us a message in all;
        # docs/benchmarks.md, issue 22). The personal link goes once the message is out.
        Delivery.objects.filter(pk__in=sent).update(
            state=DeliveryState.SENT, sent_at=clock.now(), personal=None
        )
        for reason, ids in failed.items():
            Delivery.objects.filter(pk__in=ids).update(
                state=DeliveryState.FAILED, error=reason, personal=None
            )
        lost = sum(len(ids) for ids in failed.values())
        Mailout.objects.filter(pk=mailout.pk).update(
            sent=F("sent") + len(sent), failed=F("failed") + lost
        )
        return len(batch)


def deliver_mailout(*, mailout_id: int) -> Mailout:
    """The worker's part: send every pending delivery in batches, recording progress after
    each, then mark the mailout sent (or failed, when nothing could be sent). Safe to run
    again after a crash: only pending rows are sent."""
    mailout = _start(mailout_id)
    if mailout is None:
        return Mailout.objects.get(pk=mailout_id)
    from_email = mail.sender_address(mailout)
    while _send_batch(mailout, from_email):
        pass
    with transaction.atomic():
        mailout = Mailout.objects.select_for_update().get(pk=mailout_id)
        if mailout.is_finished:
            return mailout
        if Delivery.objects.filter(mailout=mailout, state=DeliveryState.PENDING).exists():
            return mailout  # another worker is still sending a batch; it will finish
        nothing_sent = mailout.recipients > 0 and mailout.sent == 0
        mailout.state = MailoutState.FAILED if nothing_sent else MailoutState.SENT
        mailout.finished_at = clock.now()
        mailout.save(update_fields=["state", "finished_at"])
        record(
            actor=None,
            action=AuditAction.MAILOUT_FINISHED,
            subject_type="mailout",
            subject_id=mailout.pk,
            scope=mailout.scope_name[:120],
            detail={
                "state": mailout.state,
                "recipients": mailout.recipients,
                "sent": mailout.sent,
                "failed": mailout.failed,
            },
        )
    return mailout


@transaction.atomic(durable=True)
def unsubscribe(*, token: str, everything: bool, via: str) -> Member:
    """Record a member's unsubscribe from the scope in their link (or from all campaign mail).
    No login: the signed token is the proof. Raises ``mail.BadToken`` for an altered link."""
    request = mail.read_unsubscribe_token(token)
    member = Member.objects.filter(pk=request.member_id).first()
    if member is None:
        raise mail.BadToken(gettext("no such member"))
    scope_key = Unsubscribe.ALL if everything else request.scope_key
    _, created = Unsubscribe.objects.get_or_create(
        member=member, scope_key=scope_key, defaults={"created_at": clock.now(), "via": via}
    )
    if created:
        record(
            actor=None,
            action=AuditAction.UNSUBSCRIBE,
            subject_type="member",
            subject_id=member.membership_number,
            detail={"scope": scope_key, "via": via},
        )
    return member
