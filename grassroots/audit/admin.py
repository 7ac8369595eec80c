from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from grassroots.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    list_display = ("at", "actor_label", "action", "subject_type", "subject_id", "purpose")
    list_filter = ("action", "subject_type")
    search_fields = ("actor_label", "subject_id")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
