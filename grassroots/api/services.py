"""Every write of the API app: making and revoking personal API tokens, and noting their use."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.db import transaction
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.api.models import ApiToken
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record

TOKEN_PREFIX = "grt_"  # noqa: S105 (a marker that says what the secret is, not a secret)
# Days a new token may live; the page offers these and nothing longer.
LIFETIMES = (30, 90, 365)


class TokenError(Exception):
    """A token request the rules refuse, with a message for the person who made it."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic(durable=True)
def create_token(*, actor: User, name: str, days: int) -> tuple[ApiToken, str]:
    """Make a token for ``actor`` and return it with its secret, which is never stored."""
    if not getattr(actor, "is_authenticated", False):
        raise TokenError(gettext("Log in to make an API token."))
    name = name.strip()
    if not name:
        raise TokenError(gettext("Give the token a name, so you know later what uses it."))
    if days not in LIFETIMES:
        raise TokenError(
            gettext("A token lives %(lifetimes)s days.")
            % {"lifetimes": ", ".join(map(str, LIFETIMES))}
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    moment = clock.now()
    token = ApiToken.objects.create(
        user=actor,
        name=name[:100],
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        key_hash=hash_token(secret),
        created_at=moment,
        expires_at=moment + datetime.timedelta(days=days),
    )
    record(
        actor=actor,
        action=AuditAction.CREATE_API_TOKEN,
        subject_type="api_token",
        subject_id=token.pk,
        purpose="API access",
        detail={"name": token.name, "days": days},
    )
    return token, secret


@transaction.atomic(durable=True)
def revoke_token(*, actor: User, token: ApiToken) -> None:
    """Revoke one of ``actor``'s own tokens (``queries.get_token_for`` found it)."""
    locked = ApiToken.objects.select_for_update().get(pk=token.pk, user_id=actor.pk)
    if locked.revoked_at is not None:
        return
    locked.revoked_at = clock.now()
    locked.save(update_fields=["revoked_at"])
    record(
        actor=actor,
        action=AuditAction.REVOKE_API_TOKEN,
        subject_type="api_token",
        subject_id=locked.pk,
        purpose="API access",
        detail={"name": locked.name},
    )


def record_token_use(token: ApiToken) -> None:
    """Note the day ``token`` was used (once a day at most; one conditional UPDATE).

    Only the day, as midnight UTC: a time of use would be a dated record of the member's
    activity, and casting through the API records none at all (``TokenAuth(record_use=False)``
    on the cast; docs/security.md, issue 20 item 6).
    """
    day = clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
    if token.last_used_at is not None and token.last_used_at >= day:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=day)
