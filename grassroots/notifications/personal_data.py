"""What notifications hold about a member, for erasure and the subject-access export
(registered with people from ``NotificationsConfig.ready``)."""

from __future__ import annotations

from typing import Any

from grassroots.notifications.models import Kind, Notification, Preference
from grassroots.people.erasure_rules import Action, Rule, delete_rows
from grassroots.people.models import Member
from grassroots.people.subject_access import Section

ERASURE_RULES: dict[str, Rule] = {
    "notifications.notification.member": Rule(
        Action.DELETE,
        "deleted",
        "a notification is only a pointer for the member; nothing else counts on it",
        delete_rows("notifications.Notification", "member"),
    ),
    "notifications.preference.member": Rule(
        Action.DELETE,
        "deleted",
        "a choice of the member's own, of no use once they are gone",
        delete_rows("notifications.Preference", "member"),
    ),
}


def _collect(member: Member) -> dict[str, Any]:
    labels = dict(Kind.choices)
    return {
        "notifications": [
            {
                "about": labels.get(n.kind, n.kind),
                "title": n.text,
                "link": n.url,
                "at": n.created_at,
                "read_at": n.read_at,
                "mailed_at": n.mailed_at,
            }
            for n in Notification.objects.filter(member=member).order_by("-created_at", "-id")
        ],
        "notification_preferences": [
            {"about": labels.get(p.kind, p.kind), "delivery": p.get_delivery_display()}
            for p in Preference.objects.filter(member=member).order_by("kind")
        ],
    }


SUBJECT_ACCESS = Section(
    owner="notifications",
    collect=_collect,
    covers={
        "notifications.notification": "notifications",
        "notifications.preference": "notification_preferences",
    },
    template="notifications/my_data_section.html",
)
