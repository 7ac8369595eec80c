from django.contrib import admin

from grassroots.messaging.models import Mailout


@admin.register(Mailout)
class MailoutAdmin(admin.ModelAdmin[Mailout]):
    """Housekeeping view of mailouts: counts only, as officers see them; no delivery rows."""

    list_display = ("subject", "kind", "scope_level", "sender_label", "state", "created_at")
    list_filter = ("kind", "state", "scope_level")
    readonly_fields = [f.name for f in Mailout._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False
