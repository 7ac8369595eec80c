"""A meeting's agenda: adding, editing, reordering and removing items. Until the meeting starts the
officers may edit, reorder and remove items (issue 21); once it has started, the items it had
stay as they were (an item may still be added, as a late item or an escalated proposal)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext

from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.meetings.models import AgendaItem, AgendaItemKind, Meeting, MeetingStatus
from grassroots.meetings.queries import has_started
from grassroots.meetings.services.common import (
    TEXT_MAX,
    TITLE_MAX,
    MeetingError,
    audit,
    clean_text,
    locked_meeting,
    require_run,
)
from grassroots.transactions import durable, require_transaction


def add_agenda_item_within(
    *, actor: User, meeting: Meeting, kind: str, title: str, description: str = ""
) -> AgendaItem:
    """:func:`add_agenda_item` as one step of a larger use case that holds the transaction
    (a proposal sent to the agenda is marked in the same one: all or nothing)."""
    require_transaction()
    require_run(actor, meeting)
    meeting = locked_meeting(meeting)
    if not meeting.takes_motions:
        raise MeetingError(gettext("Campaign events have no agenda."))
    if meeting.status != MeetingStatus.SCHEDULED:
        raise MeetingError(
            gettext("The agenda of a meeting that is over or cancelled cannot change.")
        )
    if kind not in AgendaItemKind.values:
        raise MeetingError(gettext("Choose what kind of item it is."))
    last = meeting.agenda_items.aggregate(last=Max("position"))["last"] or 0
    item = AgendaItem.objects.create(
        meeting=meeting,
        position=last + 1,
        kind=kind,
        title=clean_text(title, gettext("item's title"), TITLE_MAX),
        description=clean_text(
            description, gettext("item's description"), TEXT_MAX, required=False
        ),
    )
    audit(actor, AuditAction.ADD_AGENDA_ITEM, meeting, item=item.pk, title=item.title, kind=kind)
    return item


add_agenda_item = durable(add_agenda_item_within)


def _require_before_start(meeting: Meeting) -> None:
    if meeting.status != MeetingStatus.SCHEDULED:
        raise MeetingError(
            gettext("The agenda of a meeting that is over or cancelled cannot change.")
        )
    if has_started(meeting):
        raise MeetingError(gettext("The meeting has started: its agenda can no longer change."))


def _locked_item(actor: User, item: AgendaItem) -> tuple[Meeting, AgendaItem]:
    require_run(actor, item.meeting)
    meeting = locked_meeting(item.meeting)
    _require_before_start(meeting)
    found = AgendaItem.objects.select_for_update().filter(pk=item.pk, meeting=meeting).first()
    if found is None:
        raise MeetingError(gettext("That item is no longer on this meeting's agenda."))
    return meeting, found


@transaction.atomic(durable=True)
def edit_agenda_item(
    *, actor: User, item: AgendaItem, kind: str, title: str, description: str = ""
) -> AgendaItem:
    meeting, item = _locked_item(actor, item)
    if kind not in AgendaItemKind.values:
        raise MeetingError(gettext("Choose what kind of item it is."))
    if (
        item.kind == AgendaItemKind.MOTIONS
        and kind != AgendaItemKind.MOTIONS
        and item.motions.exists()
    ):
        raise MeetingError(
            gettext("Motions are filed under this item: it stays an item for motions.")
        )
    item.kind = kind
    item.title = clean_text(title, gettext("item's title"), TITLE_MAX)
    item.description = clean_text(
        description, gettext("item's description"), TEXT_MAX, required=False
    )
    item.save(update_fields=["kind", "title", "description"])
    audit(actor, AuditAction.EDIT_AGENDA_ITEM, meeting, item=item.pk, title=item.title, kind=kind)
    return item


@transaction.atomic(durable=True)
def move_agenda_item(*, actor: User, item: AgendaItem, up: bool) -> None:
    """Swap the item with the one before it (``up``) or after it; at either end, nothing moves."""
    meeting, item = _locked_item(actor, item)
    items = list(AgendaItem.objects.select_for_update().filter(meeting=meeting))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    other_index = index - 1 if up else index + 1
    if not 0 <= other_index < len(items):
        return
    other = items[other_index]
    mine, theirs = item.position, other.position
    # Through a free position: (meeting, position) is unique at every step.
    spare = max(i.position for i in items) + 1
    AgendaItem.objects.filter(pk=item.pk).update(position=spare)
    AgendaItem.objects.filter(pk=other.pk).update(position=mine)
    AgendaItem.objects.filter(pk=item.pk).update(position=theirs)
    audit(
        actor,
        AuditAction.MOVE_AGENDA_ITEM,
        meeting,
        item=item.pk,
        title=item.title,
        to=index + (0 if up else 2),
    )


@transaction.atomic(durable=True)
def remove_agenda_item(*, actor: User, item: AgendaItem) -> None:
    meeting, item = _locked_item(actor, item)
    if item.motions.exists():
        raise MeetingError(gettext("Motions are filed under this item; it cannot be removed."))
    title = item.title
    item.delete()
    audit(actor, AuditAction.REMOVE_AGENDA_ITEM, meeting, title=title)
