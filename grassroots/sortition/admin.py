from django.contrib import admin

from grassroots.sortition.models import Draw


@admin.register(Draw)
class DrawAdmin(admin.ModelAdmin[Draw]):
    """Housekeeping view of draws: read only; every step has its own page and service."""

    list_display = ("title", "level", "seats", "status", "created_at", "drawn_at")
    list_filter = ("status", "level")
    readonly_fields = [f.name for f in Draw._meta.fields if f.name != "seed_sealed"]
    exclude = ("seed_sealed",)

    def has_add_permission(self, request: object) -> bool:
        return False
