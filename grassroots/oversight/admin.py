from django.contrib import admin

from grassroots.oversight.models import Commitment, Initiative, Meeting


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin[Meeting]):
    """Housekeeping view only: records are written through the register's pages."""

    list_display = ("body", "region", "title", "held_on", "publish_by", "published_at")
    list_filter = ("body",)
    readonly_fields = [f.name for f in Meeting._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin[Initiative]):
    """Counts and status only: who signed is never shown, here or anywhere."""

    list_display = ("title", "kind", "status", "signature_count", "started_at")
    list_filter = ("kind", "status")
    readonly_fields = [f.name for f in Initiative._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin[Commitment]):
    list_display = ("title", "due_on", "status")
    readonly_fields = [f.name for f in Commitment._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False
