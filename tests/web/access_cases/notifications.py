"""Access rows for notifications (grassroots.notifications): each person's own, nobody else's."""

from __future__ import annotations

from tests.web.access import Case, logged_in
from tests.web.roles import Movement


def _members_notification(m: Movement) -> dict[str, str]:
    """A notification of the plain member of group A."""
    from grassroots.notifications.services import notify

    notify([m.member.pk], kind="meeting", title="Group A meets on Thursday", url="/meetings/")
    from grassroots.notifications.models import Notification

    return {"notification_id": str(Notification.objects.get(member=m.member).pk)}


CASES = [
    Case("notifications:inbox", logged_in(200), about="everyone has their own inbox"),
    Case("notifications:preferences", logged_in(200)),
    Case("notifications:mark_all_read", logged_in(405), about="POST only"),
    Case("notifications:open", logged_in(405), _members_notification, about="POST only"),
]
# Opening someone else's notification is a 404: tests/notifications/test_pages.py.
