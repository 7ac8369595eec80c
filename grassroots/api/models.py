"""Personal API tokens: a member's key to the JSON API from a script or another program.

Only a SHA-256 hash of each token is kept; the token itself is shown once, when it is made.
A token is 256 random bits, so a fast hash is enough (nobody can guess one to match a hash,
unlike a password), and a lookup by hash needs no per-row work. A token acts with exactly its
holder's rights, which are re-read on every request; it stops working when revoked, when it
expires, or when its holder's login is deactivated.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models

from grassroots import clock


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    # The token's first characters, so its holder can tell their tokens apart in the list.
    prefix = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    # The day only (midnight UTC), never written by a cast (api.services.record_token_use).
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                name="api_token_expires_after_creation",
                condition=models.Q(expires_at__gt=models.F("created_at")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and clock.now() < self.expires_at
