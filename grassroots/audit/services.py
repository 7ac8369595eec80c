"""Writing audit rows. Services and audited queries call ``record``; nothing else writes here."""

from __future__ import annotations

from typing import Any, Protocol

from django.contrib.auth.models import AnonymousUser

from grassroots.audit.actions import AuditAction
from grassroots.audit.models import AuditEntry
from grassroots.clock import now


class Actor(Protocol):
    """What the log needs of the login that acted: ``accounts.User`` is one. Audit is a leaf
    (an import-linter contract), so it names the shape rather than importing accounts."""

    @property
    def pk(self) -> Any: ...

    @property
    def email(self) -> str: ...

    @property
    def is_authenticated(self) -> bool: ...


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
    person = (
        actor
        if actor is not None and not isinstance(actor, AnonymousUser) and actor.is_authenticated
        else None
    )
    return AuditEntry.objects.create(
        at=now(),
        actor_id=person.pk if person is not None else None,
        actor_label=str(person.email) if person is not None else "system",
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        scope=scope,
        purpose=purpose,
        detail=detail or {},
    )
