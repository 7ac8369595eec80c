"""Read-only admin views for the national office's housekeeping; every change goes through
``delegation.services`` and its pages."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from grassroots.delegation.models import Composite, Delegate, DelegateAllocation, MotionForward


class ReadOnly(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DelegateAllocation)
class DelegateAllocationAdmin(ReadOnly):
    list_display = ("meeting", "seats", "minimum", "counted_on", "made_at", "superseded_at")


@admin.register(Delegate)
class DelegateAdmin(ReadOnly):
    list_display = ("meeting", "group", "elected_by", "recorded_at")


@admin.register(MotionForward)
class MotionForwardAdmin(ReadOnly):
    list_display = ("motion", "to_level", "status", "forwarded_at")


@admin.register(Composite)
class CompositeAdmin(ReadOnly):
    list_display = ("title", "to_level", "status", "proposed_at")
