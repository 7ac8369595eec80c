from django.contrib import admin

from grassroots.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    """Housekeeping only: who holds which token and when it was used; never the token."""

    list_display = ("name", "prefix", "user", "created_at", "expires_at", "last_used_at")
    list_filter = ("revoked_at",)
    readonly_fields = [f.name for f in ApiToken._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False
