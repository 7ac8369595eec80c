"""Dues (docs/organisation.md): what each member pays and up to when, from the payment
providers' CSV exports or by hand with a reason; and the "paid up by a date" requirement a
ballot's roll or a delegate allocation can carry.

The exports are read by their own column names. GoCardless's payments export: ``id``,
``charge_date``, ``amount`` (pounds), ``currency``, ``status``, ``customers.email``. Stripe's
payments export: ``id``, ``Created (UTC)``, ``Amount`` (pounds), ``Currency``, ``Status``,
``Customer Email``. A payment is matched to a member by the customer's email address, or by a
membership number where the export carries one in metadata (``metadata.membership_number``,
``membership_number (metadata)``). Every row that cannot be used is reported with its line
number and the reason; nothing is written unless the file's columns are right.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record
from grassroots.organisation.permissions import NATION, Capability, may
from grassroots.people.models import (
    DuesFrequency,
    DuesRecord,
    DuesSource,
    Member,
    PaidUpRequirement,
)

MAX_ROWS = 500_000
MAX_REPORTED = 200  # row errors listed on the page; the count is always exact
REQUIREMENT_KINDS = {"ballot": "Ballot", "meeting": "Delegate allocation for a meeting"}


class DuesError(Exception):
    """A file or a change the rules refuse, with a reason to show the person."""


@dataclass(frozen=True)
class Layout:
    provider: str
    payment_id: str
    date: str
    amount: str
    currency: str
    status: str
    email: str
    number_columns: tuple[str, ...]
    paid_statuses: frozenset[str]


GOCARDLESS = Layout(
    provider=DuesSource.GOCARDLESS,
    payment_id="id",
    date="charge_date",
    amount="amount",
    currency="currency",
    status="status",
    email="customers.email",
    number_columns=("metadata.membership_number", "customers.metadata.membership_number"),
    paid_statuses=frozenset({"confirmed", "paid_out"}),
)
STRIPE = Layout(
    provider=DuesSource.STRIPE,
    payment_id="id",
    date="Created (UTC)",
    amount="Amount",
    currency="Currency",
    status="Status",
    email="Customer Email",
    number_columns=("membership_number (metadata)",),
    paid_statuses=frozenset({"paid", "succeeded"}),
)
LAYOUTS = {DuesSource.GOCARDLESS.value: GOCARDLESS, DuesSource.STRIPE.value: STRIPE}


@dataclass
class DuesImportResult:
    rows: int = 0
    applied: int = 0
    not_paid: int = 0
    members_updated: int = 0
    errors: list[str] = field(default_factory=list)
    error_count: int = 0

    def error(self, line: int, text: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED:
            self.errors.append(
                gettext("Row %(line)d: %(problem)s") % {"line": line, "problem": text}
            )


def _parse_date(text: str) -> datetime.date:
    text = text.strip()
    try:
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        day, month, year = (int(part) for part in text.split(" ")[0].split("/"))
        return datetime.date(year, month, day)


def _parse_pence(text: str) -> int:
    value = Decimal(text.strip().replace(",", ""))
    if value != value.quantize(Decimal("0.01")) or value < 0:
        raise InvalidOperation
    return int(value * 100)


def _add_period(day: datetime.date, frequency: str) -> datetime.date:
    if frequency == DuesFrequency.ANNUAL:
        try:
            return day.replace(year=day.year + 1)
        except ValueError:  # 29 February
            return day.replace(year=day.year + 1, day=28)
    month = day.month % 12 + 1
    year = day.year + (1 if day.month == 12 else 0)
    for last in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _member_ids() -> tuple[dict[str, int], dict[str, int]]:
    """Every live member's id by lower-case email and by membership number: two reads."""
    live = Member.objects.filter(erased_at__isnull=True).order_by()
    by_email = dict(live.annotate(e=Lower("email")).values_list("e", "id").iterator(10_000))
    by_number = dict(live.values_list("membership_number", "id").iterator(10_000))
    return by_email, by_number


def read_payments(
    lines: Iterable[str], layout: Layout, result: DuesImportResult
) -> dict[int, tuple[datetime.date, int, str]]:
    """Each member's latest paid payment in the file: member id -> (date, pence, payment id)."""
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        raise DuesError(gettext("The file is empty."))
    header = [h.strip().lstrip("\ufeff") for h in header]
    needed = [layout.payment_id, layout.date, layout.amount, layout.status, layout.email]
    missing = [c for c in needed if c not in header]
    if missing:
        provider = DuesSource(layout.provider).label
        raise DuesError(
            gettext(
                "This is not a %(provider)s: it has no column %(names)s. Export the "
                "payments from the provider's dashboard as CSV and upload that file."
            )
            % {"provider": provider, "names": ", ".join(repr(c) for c in missing)}
        )
    at = {name: header.index(name) for name in header}
    i_id, i_date, i_amount = at[layout.payment_id], at[layout.date], at[layout.amount]
    i_status, i_email = at[layout.status], at[layout.email]
    i_currency = at.get(layout.currency)
    i_numbers = [at[c] for c in layout.number_columns if c in at]
    by_email, by_number = _member_ids()
    latest: dict[int, tuple[datetime.date, int, str]] = {}
    width = len(header)
    for line, row in enumerate(reader, start=2):
        result.rows += 1
        if result.rows > MAX_ROWS:
            raise DuesError(
                gettext("The file has more than %(MAX_ROWS)s rows: split it.")
                % {"MAX_ROWS": format(MAX_ROWS, ",")}
            )
        if len(row) < width:
            if not any(cell.strip() for cell in row):
                result.rows -= 1
                continue
            result.error(
                line,
                gettext("has %(count)d columns where the header has %(width)d.")
                % {"count": len(row), "width": width},
            )
            continue
        if row[i_status].strip().lower() not in layout.paid_statuses:
            result.not_paid += 1
            continue
        if i_currency is not None and row[i_currency].strip().upper() not in ("GBP", ""):
            result.error(
                line,
                gettext("is in %(currency)s; dues are kept in pounds.")
                % {"currency": row[i_currency].strip()},
            )
            continue
        try:
            day = _parse_date(row[i_date])
        except ValueError:
            result.error(
                line,
                gettext("the date “%(date)s” is not a date.") % {"date": row[i_date].strip()[:20]},
            )
            continue
        try:
            pence = _parse_pence(row[i_amount])
        except (InvalidOperation, ValueError):
            result.error(
                line,
                gettext("the amount “%(amount)s” is not an amount.")
                % {"amount": row[i_amount].strip()[:20]},
            )
            continue
        member_id = None
        for i in i_numbers:
            member_id = by_number.get(row[i].strip())
            if member_id is not None:
                break
        if member_id is None:
            email = row[i_email].strip().lower()
            if not email:
                result.error(line, gettext("has no customer email to match to a member."))
                continue
            member_id = by_email.get(email)
            if member_id is None:
                result.error(
                    line,
                    gettext("no member has the email address %(email)s.") % {"email": email[:60]},
                )
                continue
        result.applied += 1
        seen = latest.get(member_id)
        if seen is None or day > seen[0]:
            latest[member_id] = (day, pence, row[i_id].strip()[:100])
    return latest


# member id, pence, frequency, paid up to, source, the payment's id
DuesRow = tuple[int, int, str, datetime.date, str, str]
_FIELDS = ("member", "amount_pence", "frequency", "paid_up_to", "source", "last_payment_ref")


def _upsert_by_orm(rows: list[DuesRow], stamp: datetime.datetime) -> None:
    """Any database: read the dates already recorded, keep the later, write in batches."""
    recorded = DuesRecord.objects.values_list("member_id", "paid_up_to")
    if len(rows) < 20_000:
        recorded = recorded.filter(member_id__in=[row[0] for row in rows])
    existing = dict(recorded.iterator(10_000))
    records = []
    for member_id, pence, frequency, paid_to, source, ref in rows:
        before = existing.get(member_id)
        records.append(
            DuesRecord(
                member_id=member_id,
                amount_pence=pence,
                frequency=frequency,
                paid_up_to=max(paid_to, before) if before else paid_to,
                source=source,
                last_payment_ref=ref,
                updated_at=stamp,
            )
        )
    DuesRecord.objects.bulk_create(
        records,
        batch_size=2_000,
        update_conflicts=True,
        unique_fields=["member"],
        update_fields=[*_FIELDS[1:], "updated_at"],
    )


def _upsert_by_copy(rows: list[DuesRow], stamp: datetime.datetime) -> None:
    """PostgreSQL: the same upsert as ``_upsert_by_orm``, the rows sent by COPY into a
    temporary table and merged in one statement that keeps the later paid-up date."""
    quote = connection.ops.quote_name
    table = quote(DuesRecord._meta.db_table)
    columns = [quote(str(DuesRecord._meta.get_field(f).column)) for f in _FIELDS]  # type: ignore[union-attr]
    updated = quote(str(DuesRecord._meta.get_field("updated_at").column))
    paid = columns[3]
    sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns[1:] if c != paid)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE dues_in (member_id bigint, amount_pence integer, "
            "frequency text, paid_up_to date, source text, ref text) ON COMMIT DROP"
        )
        with cursor.cursor.copy("COPY dues_in FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            # Names from the model's own metadata; the one value is a parameter.
            f"INSERT INTO {table} ({', '.join(columns)}, {updated}) "  # noqa: S608  # nosec B608
            "SELECT member_id, amount_pence, frequency, paid_up_to, source, ref, %s "
            f"FROM dues_in ON CONFLICT ({columns[0]}) DO UPDATE SET {sets}, "
            f"{paid} = GREATEST({table}.{paid}, EXCLUDED.{paid}), {updated} = EXCLUDED.{updated}",
            [stamp],
        )


def may_record_dues(actor: User) -> bool:
    return may(actor, Capability.RECORD_DUES, NATION)


@transaction.atomic(durable=True)
def import_dues(
    *, actor: User, provider: str, text: str | Iterable[str], frequency: str
) -> DuesImportResult:
    """Update members' dues from a provider's export: each member's latest paid payment sets
    the amount, and pays them up to a month (or a year) after it, never moving back."""
    if not may_record_dues(actor):
        raise PermissionDenied(gettext("You may not import dues."))
    layout = LAYOUTS.get(provider)
    if layout is None:
        raise DuesError(gettext("Choose GoCardless or Stripe."))
    if frequency not in DuesFrequency.values:
        raise DuesError(gettext("Say whether these payments are monthly or annual."))
    result = DuesImportResult()
    lines = io.StringIO(text) if isinstance(text, str) else text
    latest = read_payments(lines, layout, result)
    stamp = clock.now()
    rows = [
        (member_id, pence, frequency, _add_period(day, frequency), layout.provider, payment_id)
        for member_id, (day, pence, payment_id) in latest.items()
    ]
    if connection.vendor == "postgresql":
        _upsert_by_copy(rows, stamp)
    else:
        _upsert_by_orm(rows, stamp)
    result.members_updated = len(rows)
    record(
        actor=actor,
        action=AuditAction.IMPORT_DUES,
        subject_type="dues",
        subject_id=layout.provider,
        purpose="dues import",
        detail={
            "rows": result.rows,
            "applied": result.applied,
            "not_paid": result.not_paid,
            "errors": result.error_count,
            "members_updated": result.members_updated,
        },
    )
    return result


@transaction.atomic(durable=True)
def set_dues_by_hand(
    *,
    actor: User,
    member: Member,
    amount_pence: int,
    frequency: str,
    paid_up_to: datetime.date,
    reason: str,
) -> DuesRecord:
    if not may_record_dues(actor):
        raise PermissionDenied(gettext("You may not change dues."))
    reason = " ".join(reason.split())
    if not reason:
        raise DuesError(gettext("Give the reason for changing the dues by hand; it is audited."))
    if amount_pence < 0 or frequency not in DuesFrequency.values:
        raise DuesError(gettext("Give an amount of zero or more and how often it is paid."))
    before = DuesRecord.objects.filter(member=member).first()
    dues, _ = DuesRecord.objects.update_or_create(
        member=member,
        defaults={
            "amount_pence": amount_pence,
            "frequency": frequency,
            "paid_up_to": paid_up_to,
            "source": DuesSource.MANUAL,
            "last_payment_ref": "",
            "updated_at": clock.now(),
        },
    )
    record(
        actor=actor,
        action=AuditAction.CHANGE_DUES,
        subject_type="member",
        subject_id=member.membership_number,
        purpose=reason[:200],
        detail={
            "amount_pence": amount_pence,
            "frequency": frequency,
            "paid_up_to": paid_up_to.isoformat(),
            "previous_paid_up_to": before.paid_up_to.isoformat()
            if before and before.paid_up_to
            else None,
        },
    )
    return dues


# --- "Paid up by a date" -------------------------------------------------------------------------


def paid_up_requirement(kind: str, object_id: int) -> datetime.date | None:
    """The date a ballot's voters (kind "ballot") or the members counted for a meeting's
    delegate allocation (kind "meeting") must be paid up to, if one is set."""
    return (
        PaidUpRequirement.objects.filter(kind=kind, object_id=object_id)
        .values_list("paid_up_by", flat=True)
        .first()
    )


def only_paid_up(members: QuerySet[Member], by: datetime.date | None) -> QuerySet[Member]:
    """``members`` whose dues are paid up to ``by`` (all of them when ``by`` is None)."""
    return members if by is None else members.filter(dues__paid_up_to__gte=by)


@transaction.atomic(durable=True)
def set_paid_up_requirement(
    *, actor: User, kind: str, object_id: int, paid_up_by: datetime.date | None, reason: str
) -> PaidUpRequirement | None:
    """Require (or, with no date, stop requiring) dues paid up to a date. Set it before the
    ballot's roll is frozen or the allocation made: it is read at that moment."""
    if not may_record_dues(actor):
        raise PermissionDenied(gettext("You may not set dues requirements."))
    if kind not in REQUIREMENT_KINDS:
        raise DuesError(gettext("Choose a ballot or a meeting's delegate allocation."))
    reason = " ".join(reason.split())
    if not reason:
        raise DuesError(gettext("Give the reason: the rule that requires it."))
    requirement = None
    if paid_up_by is None:
        PaidUpRequirement.objects.filter(kind=kind, object_id=object_id).delete()
    else:
        requirement, _ = PaidUpRequirement.objects.update_or_create(
            kind=kind,
            object_id=object_id,
            defaults={
                "paid_up_by": paid_up_by,
                "reason": reason,
                "set_by_label": str(getattr(actor, "email", "")),
                "set_at": clock.now(),
            },
        )
    record(
        actor=actor,
        action=AuditAction.CHANGE_DUES,
        subject_type=kind,
        subject_id=object_id,
        purpose=reason[:200],
        detail={"paid_up_by": paid_up_by.isoformat() if paid_up_by else None},
    )
    return requirement
