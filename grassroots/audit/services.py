"""Writing audit rows. Services and audited queries call ``record`` (or ``record_many``,
for a bulk use case that audits each thing it did); nothing else writes here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.contrib.auth.models import AnonymousUser

from grassroots import clock
from grassroots.audit.actions import AuditAction
from grassroots.audit.models import AuditEntry


class Actor(Protocol):
    """What the log needs of the login that acted: ``accounts.User`` is one. Audit is a leaf
    (an import-linter contract), so it names the shape rather than importing accounts."""

    @property
    def pk(self) -> Any: ...

    @property
    def email(self) -> str: ...

    @property
    def is_authenticated(self) -> bool: ...


def _person(actor: Actor | AnonymousUser | None) -> Actor | None:
    if actor is None or isinstance(actor, AnonymousUser) or not actor.is_authenticated:
        return None
    return actor


def record(
    *,
    actor: Actor | AnonymousUser | None,
    action: AuditAction,
    subject_type: str,
    subject_id: str | int = "",
    scope: str = "",
    purpose: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    person = _person(actor)
    return AuditEntry.objects.create(
        at=clock.now(),
        actor_id=person.pk if person is not None else None,
        actor_label=str(person.email) if person is not None else "system",
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        scope=scope,
        purpose=purpose,
        detail=detail or {},
    )


@dataclass(frozen=True)
class Entry:
    """One row of a bulk use case's audit: what ``record`` takes besides the actor, the action
    and the kind of subject, which the rows share."""

    subject_id: str | int = ""
    scope: str = ""
    purpose: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


def record_many(
    *,
    actor: Actor | AnonymousUser | None,
    action: AuditAction,
    subject_type: str,
    entries: Iterable[Entry],
) -> int:
    """One audit row per entry, as ``record`` writes each, in one INSERT per thousand: for a
    bulk use case that audits every thing it did (officers brought across) rather than a
    summary. Returns how many rows."""
    person = _person(actor)
    at = clock.now()
    rows = AuditEntry.objects.bulk_create(
        (
            AuditEntry(
                at=at,
                actor_id=person.pk if person is not None else None,
                actor_label=str(person.email) if person is not None else "system",
                action=action,
                subject_type=subject_type,
                subject_id=str(entry.subject_id),
                scope=entry.scope,
                purpose=entry.purpose,
                detail=entry.detail,
            )
            for entry in entries
        ),
        batch_size=1_000,
    )
    return len(rows)
