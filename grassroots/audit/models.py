"""Append-only record of who read or changed what, and why.

The database itself refuses UPDATE and DELETE on this table (migration 0002: a trigger on
PostgreSQL and on SQLite), so neither a bug nor an officer with database access through the app
can quietly rewrite history. The one exception (migrations 0003-0004): erasure may replace an erased
member's email in ``actor_label`` with their pseudonym, once, after their login is gone.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(max_length=254)
    action = models.CharField(max_length=64, db_index=True)
    subject_type = models.CharField(max_length=64)
    subject_id = models.CharField(max_length=64, blank=True)
    scope = models.CharField(max_length=120, blank=True)
    purpose = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering: ClassVar = ["-at", "-id"]
        indexes: ClassVar = [models.Index(fields=["subject_type", "subject_id"])]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.subject_type}"
