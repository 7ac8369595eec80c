from django.contrib import admin

from grassroots.surveys.models import Survey


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin[Survey]):
    """Housekeeping view of surveys: read only, no answers; every step has its own page."""

    list_display = ("title", "level", "is_anonymous", "status", "created_at")
    list_filter = ("status", "is_anonymous", "level")
    readonly_fields = [f.name for f in Survey._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False
