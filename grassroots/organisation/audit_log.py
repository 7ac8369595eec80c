"""The auditor's reading of the audit log: a filtered, paginated page and a CSV export.

The audit log records who read or changed what (grassroots.audit); the auditor role exists to
read it. Reading it is itself recorded: each page shown and each export writes an audit row
naming the filters, so nobody can browse the log unseen, not even the auditor.

Pages are cut by keyset (the last row's time and id), not by OFFSET and COUNT: the log grows by
a row for every read of a member's record, and a page deep in a long log costs no more than the
first.
"""

from __future__ import annotations

import csv
import datetime
import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.models import AuditEntry
from grassroots.audit.services import record
from grassroots.organisation.permissions import NATION, Capability, may
from grassroots.people.exports import neutralise

PAGE_SIZE = 50
# An export is for a question, not a copy of the whole log: past this, narrow the filters.
EXPORT_LIMIT = 100_000
EXPORT_COLUMNS = (
    "at",
    "actor",
    "action",
    "subject_type",
    "subject_id",
    "scope",
    "purpose",
    "detail",
)


class AuditLogDenied(Exception):
    """The person may not read the audit log (views answer 404, as for a missing page)."""


@dataclass(frozen=True)
class AuditFilters:
    actor: str = ""  # the start of the actor's label: an email, "system" or "erased member #"
    action: str = ""
    subject_type: str = ""
    subject_id: str = ""
    purpose: str = ""  # words in the stated purpose
    on_or_after: datetime.date | None = None
    on_or_before: datetime.date | None = None

    def as_detail(self) -> dict[str, str]:
        """The filters as the audit row of this reading keeps them (empty ones left out)."""
        return {
            name: value.isoformat() if isinstance(value, datetime.date) else value
            for name, value in vars(self).items()
            if value not in ("", None)
        }


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    next_cursor: int | None  # the id to pass as ``before`` for the next (older) page


def _filtered(filters: AuditFilters) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.all()
    if filters.actor:
        entries = entries.filter(actor_label__istartswith=filters.actor)
    if filters.action:
        entries = entries.filter(action=filters.action)
    if filters.subject_type:
        entries = entries.filter(subject_type=filters.subject_type)
    if filters.subject_id:
        entries = entries.filter(subject_id=filters.subject_id)
    if filters.purpose:
        entries = entries.filter(purpose__icontains=filters.purpose)
    if filters.on_or_after is not None:
        entries = entries.filter(at__date__gte=filters.on_or_after)
    if filters.on_or_before is not None:
        entries = entries.filter(at__date__lte=filters.on_or_before)
    return entries.order_by("-at", "-id")


def known_actions() -> list[str]:
    """Every action the log holds, for the filter's choices (read from its index)."""
    return sorted(AuditEntry.objects.values_list("action", flat=True).distinct())


def known_subject_types() -> list[str]:
    return sorted(AuditEntry.objects.values_list("subject_type", flat=True).distinct())


def audit_log_page(
    actor: User | AnonymousUser, filters: AuditFilters, *, before: int | None = None
) -> AuditPage:
    """One page of the log, newest first, older than the entry ``before`` when given.

    Records the reading itself (``read_audit_log``), before the rows are returned."""
    if not may(actor, Capability.VIEW_AUDIT_LOG, NATION):
        raise AuditLogDenied
    entries = _filtered(filters)
    if before is not None:
        anchor = AuditEntry.objects.filter(pk=before).values_list("at", flat=True).first()
        if anchor is not None:
            entries = entries.filter(Q(at__lt=anchor) | Q(at=anchor, id__lt=before))
    rows = list(entries[: PAGE_SIZE + 1])
    record(
        actor=actor,
        action=AuditAction.READ_AUDIT_LOG,
        subject_type="audit_log",
        scope="nation",
        detail={**filters.as_detail(), **({"before": before} if before else {})},
    )
    has_more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return AuditPage(entries=rows, next_cursor=rows[-1].pk if has_more and rows else None)


class _Line:
    """csv.writer writes to anything with ``write``; this hands each line back."""

    def write(self, line: str) -> str:
        return line


def audit_log_csv(actor: User | AnonymousUser, filters: AuditFilters) -> Iterator[str]:
    """The filtered log as CSV lines, newest first, at most EXPORT_LIMIT rows.

    The export is recorded (``export_audit_log``) before the first line is produced. Every cell
    is neutralised as member exports are, since actors' labels and purposes are typed by
    people and a spreadsheet would run a cell that starts like a formula."""
    if not may(actor, Capability.VIEW_AUDIT_LOG, NATION):
        raise AuditLogDenied
    record(
        actor=actor,
        action=AuditAction.EXPORT_AUDIT_LOG,
        subject_type="audit_log",
        scope="nation",
        detail=filters.as_detail(),
    )
    rows = _filtered(filters).values_list(
        "at", "actor_label", "action", "subject_type", "subject_id", "scope", "purpose", "detail"
    )
    writer = csv.writer(_Line())

    def lines() -> Iterator[str]:
        yield writer.writerow(EXPORT_COLUMNS)
        count = 0
        for at, *cells in rows[:EXPORT_LIMIT].iterator(chunk_size=2000):
            count += 1
            *text, detail = cells
            yield writer.writerow(
                [
                    at.isoformat(),
                    *(neutralise(cell) for cell in text),
                    neutralise(json.dumps(detail, sort_keys=True, ensure_ascii=False)),
                ]
            )
        if count == EXPORT_LIMIT:
            yield writer.writerow(
                [f"# cut at {EXPORT_LIMIT} rows: narrow the filters for the rest"]
            )

    return lines()
