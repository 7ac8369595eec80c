"""Writing audit rows. Services and audited queries call ``record``; nothing else writes here."""

from __future__ import annotations

from typing import Any

from grassroots.audit.actions import AuditAction
from grassroots.audit.models import AuditEntry
from grassroots.clock import now


def record(
    *,
    actor: Any,
    action: AuditAction,
    subject_type: str,
    subject_id: str | int = "",
    scope: str = "",
    purpose: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    is_person = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry.objects.create(
        at=now(),
        actor=actor if is_person else None,
        actor_label=str(actor.email) if is_person else "system",
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        scope=scope,
        purpose=purpose,
        detail=detail or {},
    )
