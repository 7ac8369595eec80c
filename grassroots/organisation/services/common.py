"""What the organisation's use cases share: the error they raise, the actor's label, the link to a
group's page and the notice to its officers.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.messaging.languages import Translations
from grassroots.messaging.models import MailKind
from grassroots.messaging.services import send_to_members
from grassroots.organisation.models import Group, Role, RoleAssignment

# The group's officers who are told of every change, before it happens where it can be fixed.
NOTIFIED_ROLES = (Role.CHAIR, Role.SECRETARY, Role.DATA_MANAGER)


class RecognitionError(Exception):
    """A request the rules refuse, with a reason to show the person."""


def actor_label(actor: User | None) -> str:
    return str(actor.email) if actor is not None and actor.is_authenticated else "system"


def acting_person(actor: User | None) -> User | None:
    return actor if actor is not None and actor.is_authenticated else None


def group_link(group: Group) -> str:
    return settings.GRASSROOTS_SITE_URL.rstrip("/") + reverse("group_detail", args=[group.slug])


def notify_officers(
    *,
    actor: User | None,
    group: Group,
    subject: str,
    body: str,
    purpose: str,
    translations: Translations | None = None,
) -> None:
    """A notice to the group's Chair, Secretary and Data Manager (whoever holds those roles
    today, including one whose last day it is)."""
    officer_ids = list(
        RoleAssignment.objects.current(clock.today())
        .filter(group=group, role__in=NOTIFIED_ROLES)
        .values_list("member_id", flat=True)
        .distinct()
    )
    if not officer_ids:
        return
    send_to_members(
        actor=actor,
        members=officer_ids,
        subject=subject,
        body=body,
        purpose=purpose,
        kind=MailKind.NOTICE,
        translations=translations,
    )
