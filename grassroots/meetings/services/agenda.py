"""A meeting's agenda: adding and removing items."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.meetings.models import AgendaItem, AgendaItemKind, Meeting, MeetingStatus
from grassroots.meetings.services.common import (
    TEXT_MAX,
    TITLE_MAX,
    MeetingError,
    audit,
    clean_text,
    locked_meeting,
    require_run,
)


@transaction.atomic(durable=True)
def add_agenda_item(
    *, actor: User, meeting: Meeting, kind: str, title: str, description: str = ""
) -> AgendaItem:
    require_run(actor, meeting)
    meeting = locked_meeting(meeting)
    if not meeting.takes_motions:
        raise MeetingError("Campaign events have no agenda.")
    if meeting.status != MeetingStatus.SCHEDULED:
        raise MeetingError("The agenda of a meeting that is over or cancelled cannot change.")
    if kind not in AgendaItemKind.values:
        raise MeetingError("Choose what kind of item it is.")
    last = meeting.agenda_items.aggregate(last=Max("position"))["last"] or 0
    item = AgendaItem.objects.create(
        meeting=meeting,
        position=last + 1,
        kind=kind,
        title=clean_text(title, "item's title", TITLE_MAX),
        description=clean_text(description, "item's description", TEXT_MAX, required=False),
    )
    audit(actor, AuditAction.ADD_AGENDA_ITEM, meeting, item=item.pk, title=item.title, kind=kind)
    return item


@transaction.atomic(durable=True)
def remove_agenda_item(*, actor: User, item: AgendaItem) -> None:
    meeting = item.meeting
    require_run(actor, meeting)
    meeting = locked_meeting(meeting)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise MeetingError("The agenda of a meeting that is over or cancelled cannot change.")
    if item.motions.exists():
        raise MeetingError("Motions are filed under this item; it cannot be removed.")
    title = item.title
    item.delete()
    audit(actor, AuditAction.REMOVE_AGENDA_ITEM, meeting, title=title)
