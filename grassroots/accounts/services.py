"""Writes to login identities that are ours rather than allauth's."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record


@transaction.atomic(durable=True)
def end_all_sessions(*, actor: User) -> None:
    """End every session the person has, on every app node, this one included.

    Raising the session generation changes the hash Django checks on each request
    (``User._get_session_auth_hash``), so a session stolen on another device stops working on
    its next request; nothing has to find or delete the sessions themselves.
    """
    User.objects.filter(pk=actor.pk).update(session_generation=F("session_generation") + 1)
    record(
        actor=actor,
        action=AuditAction.END_ALL_SESSIONS,
        subject_type="user",
        subject_id=actor.pk,
        purpose="log out everywhere",
    )
