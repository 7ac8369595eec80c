"""``{% member_export_form %}``: the member list's export button, for those who may export,
carrying the list's current filters (kept out of people.views, which builds the list)."""

from __future__ import annotations

from typing import Any

from django import template

from grassroots.people import exports

register = template.Library()

FILTER_FIELDS = ("q", "status", "group", "show", "days")


@register.inclusion_tag("people/includes/member_export_form.html", takes_context=True)
def member_export_form(context: template.Context) -> dict[str, Any]:
    request = context["request"]
    allowed = exports.may_export(request.user)
    return {
        "allowed": allowed,
        "filters": [(name, request.GET.get(name, "")) for name in FILTER_FIELDS],
        "csrf_token": context.get("csrf_token", ""),
    }
