"""The membership lifecycle (docs/organisation.md): renewal dates, reminders, the nightly lapse
after a grace period, renewing and rejoining. Each change of status is an entry in the status
history (``people.standing``), so counts made on past dates stay right.

The nightly steps are set-based: one statement per step whatever the number of members
(100,000 lapses in one run, bench/lifecycle.py). ``manage.py run_membership_lifecycle`` runs
them (deploy/systemd/grassroots-daily.service).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record
from grassroots.organisation.permissions import Capability, may
from grassroots.people.models import Member, MembershipStatus, MemberStatusChange, StatusCause
from grassroots.people.standing import record_status_changes

MEMBERSHIP_TERM = datetime.timedelta(days=365)


class LifecycleError(Exception):
    """A change the rules refuse, with a reason to show the person."""


def grace_days() -> int:
    """Days after the renewal date before an unrenewed membership lapses."""
    return int(getattr(settings, "GRASSROOTS_LAPSE_GRACE_DAYS", 30))


def reminder_days() -> int:
    """Days before the renewal date that the reminder goes."""
    return int(getattr(settings, "GRASSROOTS_RENEWAL_REMINDER_DAYS", 30))


def _table(model: Any) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def _column(model: Any, field: str) -> str:
    return str(connection.ops.quote_name(model._meta.get_field(field).column))


def _lapse_statements() -> tuple[str, ...]:
    """The lapse as SQL, made from the models' own names. "Overdue": in good standing, not
    erased, renewal date before the cut-off. On PostgreSQL one statement updates the members and
    writes their history entries from the rows it changed (so a renewal committed meanwhile
    cannot slip between the two); elsewhere (SQLite: one writer at a time) the entries are
    written first from the same condition, then the members updated."""
    m, h = _table(Member), _table(MemberStatusChange)
    status, due = _column(Member, "status"), _column(Member, "renewal_due_on")
    erased, updated = _column(Member, "erased_at"), _column(Member, "updated_at")
    columns = ", ".join(
        _column(MemberStatusChange, f)
        for f in ("member", "status", "effective_on", "cause", "recorded_at")
    )
    overdue = f"{status} = %(member)s AND {due} < %(cutoff)s AND {erased} IS NULL"
    if connection.vendor == "postgresql":
        return (
            # Names from the models' own metadata, values as parameters.
            f"WITH lapsed AS (UPDATE {m} SET {status} = %(lapsed)s, {updated} = %(stamp)s "  # noqa: S608  # nosec B608
            f"WHERE {overdue} RETURNING id) "
            f"INSERT INTO {h} ({columns}) "
            f"SELECT id, %(lapsed)s, %(day)s, %(cause)s, %(stamp)s FROM lapsed",
        )
    return (
        f"INSERT INTO {h} ({columns}) "  # noqa: S608  # nosec B608
        f"SELECT id, %(lapsed)s, %(day)s, %(cause)s, %(stamp)s FROM {m} WHERE {overdue}",
        f"UPDATE {m} SET {status} = %(lapsed)s, {updated} = %(stamp)s WHERE {overdue}",  # noqa: S608  # nosec B608
    )


@transaction.atomic(durable=True)
def lapse_overdue(*, on: datetime.date | None = None) -> int:
    """Every member whose renewal date passed more than the grace period ago lapses today;
    one audit row says how many. The number lapsed."""
    day = on or clock.today()
    params: dict[str, Any] = {
        "member": MembershipStatus.MEMBER.value,
        "lapsed": MembershipStatus.LAPSED.value,
        "cause": StatusCause.LAPSE.value,
        "cutoff": day - datetime.timedelta(days=grace_days()),
        "day": day,
        "stamp": clock.now(),
    }
    count = 0
    with connection.cursor() as cursor:
        for statement in _lapse_statements():
            cursor.execute(statement, params)
            count = cursor.rowcount
    record(
        actor=None,
        action=AuditAction.LAPSE_MEMBERS,
        subject_type="membership",
        subject_id="nightly",
        detail={"lapsed": count, "on": day.isoformat(), "grace_days": grace_days()},
    )
    return count


@transaction.atomic(durable=True)
def send_renewal_reminders(*, on: datetime.date | None = None) -> int:
    """One reminder per renewal date to each member in good standing whose renewal falls due
    within ``reminder_days``; the number reminded."""
    from django.urls import reverse

    from grassroots.messaging.languages import in_every_language
    from grassroots.messaging.models import MailKind
    from grassroots.messaging.services import send_to_members

    day = on or clock.today()
    due = Member.objects.filter(
        status=MembershipStatus.MEMBER,
        erased_at__isnull=True,
        renewal_due_on__gte=day,
        renewal_due_on__lte=day + datetime.timedelta(days=reminder_days()),
        renewal_reminded_on__isnull=True,
    )
    ids = list(due.values_list("pk", flat=True))
    if not ids:
        return 0
    link = settings.GRASSROOTS_SITE_URL.rstrip("/") + reverse("my_membership")
    names = {"days": reminder_days(), "grace": grace_days(), "link": link}
    subject, body, translations = in_every_language(
        lambda: (
            gettext("Your membership is due for renewal"),
            gettext(
                "Dear $first_name,\n\nYour membership (number $membership_number) is due for "
                "renewal within %(days)d days. Renew here: %(link)s\n\n"
                "A membership not renewed lapses %(grace)d days after its renewal date.\n"
            )
            % names,
        )
    )
    send_to_members(
        actor=None,
        members=ids,
        subject=subject,
        body=body,
        translations=translations,
        purpose="renewal reminder",
        kind=MailKind.NOTICE,
    )
    Member.objects.filter(pk__in=ids).update(renewal_reminded_on=day)
    record(
        actor=None,
        action=AuditAction.SEND_RENEWAL_REMINDERS,
        subject_type="membership",
        subject_id="nightly",
        detail={"reminded": len(ids), "on": day.isoformat()},
    )
    return len(ids)


def may_renew(actor: User, member: Member) -> bool:
    """The member themself, or national office (MANAGE_MEMBERSHIP over the member)."""
    if member.user_id is not None and getattr(actor, "pk", None) == member.user_id:
        return True
    return may(actor, Capability.MANAGE_MEMBERSHIP, member)


@transaction.atomic(durable=True)
def renew_membership(*, actor: User, member: Member, reason: str = "") -> Member:
    """Renew for a term from the renewal date (or today, if that has passed). A lapsed member
    rejoins: their status returns to member in the history. A suspended or expelled member
    cannot renew; an officer renewing someone else gives the reason."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if not may_renew(actor, member):
        raise PermissionDenied(gettext("You may not renew this membership."))
    is_self = member.user_id is not None and actor.pk == member.user_id
    reason = " ".join(reason.split())
    if not is_self and not reason:
        raise LifecycleError(
            gettext("Give the reason for renewing by hand; it is kept in the audit log.")
        )
    if member.is_erased:
        raise LifecycleError(gettext("An erased record cannot be renewed."))
    if member.status in (MembershipStatus.SUSPENDED, MembershipStatus.EXPELLED):
        raise LifecycleError(
            gettext(
                "The membership is %(status)s: it cannot be renewed until the "
                "disciplinary decision ends."
            )
            % {"status": member.get_status_display().lower()}
        )
    if member.status == MembershipStatus.SUPPORTER:
        raise LifecycleError(gettext("A supporter joins as a member rather than renewing."))
    day = clock.today()
    rejoined = member.status == MembershipStatus.LAPSED
    start = day if rejoined else max(day, member.renewal_due_on or day)
    member.renewal_due_on = start + MEMBERSHIP_TERM
    member.renewal_reminded_on = None
    member.status = MembershipStatus.MEMBER
    member.save(update_fields=["renewal_due_on", "renewal_reminded_on", "status", "updated_at"])
    if rejoined:
        record_status_changes([(member.pk, member.status, day)], cause=StatusCause.REJOIN)
    record(
        actor=actor,
        action=AuditAction.REJOIN if rejoined else AuditAction.RENEW_MEMBERSHIP,
        subject_type="member",
        subject_id=member.membership_number,
        purpose=reason[:200] or "renewed by the member",
        detail={"renewal_due_on": member.renewal_due_on.isoformat(), "by_member": is_self},
    )
    return member
