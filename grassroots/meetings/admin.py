from django.contrib import admin

from grassroots.meetings.models import Meeting, QuorumRule


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin[Meeting]):
    """Housekeeping view of meetings; officers work on the meetings pages, which audit."""

    list_display = ("title", "kind", "level", "starts_at", "status")
    list_filter = ("kind", "level", "status")
    readonly_fields = [f.name for f in Meeting._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(QuorumRule)
class QuorumRuleAdmin(admin.ModelAdmin[QuorumRule]):
    """Read only: a rule is changed on its quorum page (/meetings/quorum/...), which asks for a
    reason, keeps the history meetings read their rule from, and audits (docs/meetings.md)."""

    list_display = ("level", "group", "area", "region", "minimum_present", "percent_of_members")
    readonly_fields = [f.name for f in QuorumRule._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
