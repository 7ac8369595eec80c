"""A meeting's agenda page: the officers add items, and until the meeting starts edit, reorder
and remove them (issue 21). One page and one URL: each button posts its ``action`` and the
item it is for, and "Edit" opens the item's form on the same page (``?edit=<item>``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext

from grassroots.accounts.requests import AuthenticatedRequest
from grassroots.meetings import queries
from grassroots.meetings.forms import AgendaItemForm
from grassroots.meetings.models import AgendaItem, Meeting, MeetingStatus
from grassroots.meetings.services.agenda import (
    add_agenda_item,
    edit_agenda_item,
    move_agenda_item,
    remove_agenda_item,
)
from grassroots.meetings.services.common import MeetingError
from grassroots.organisation.permissions import Capability, may

EDIT_PREFIX = "edit"


def _item(meeting: Meeting, value: object) -> AgendaItem | None:
    text = str(value or "")
    return meeting.agenda_items.filter(pk=int(text)).first() if text.isdigit() else None


def may_change_items(meeting: Meeting) -> bool:
    return meeting.status == MeetingStatus.SCHEDULED and not queries.has_started(meeting)


@login_required
def agenda(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_meeting_for(request.user, meeting_id)
    if not may(request.user, Capability.RUN_MEETINGS, meeting):
        raise Http404(gettext("Not found."))
    url = reverse("meetings:agenda", args=[meeting.pk])
    action = request.POST.get("action", "add") if request.method == "POST" else ""
    form = AgendaItemForm(request.POST if action == "add" else None)
    editing = _item(meeting, request.POST.get("item") if action else request.GET.get("edit"))
    edit_form = None
    if editing is not None and action in ("", "edit"):
        initial = {"kind": editing.kind, "title": editing.title, "description": editing.description}
        edit_form = AgendaItemForm(
            request.POST if action == "edit" else None, initial=initial, prefix=EDIT_PREFIX
        )
    error = ""
    try:
        if action == "add" and form.is_valid():
            add_agenda_item(actor=request.user, meeting=meeting, **form.cleaned_data)
            messages.success(request, gettext("Added to the agenda."))
            return redirect(url)
        if action in ("up", "down", "remove", "edit") and editing is None:
            raise MeetingError(gettext("That item is no longer on this meeting's agenda."))
        if editing is not None and action in ("up", "down"):
            move_agenda_item(actor=request.user, item=editing, up=action == "up")
            messages.success(
                request,
                (
                    gettext("“%(title)s” moved up.")
                    if action == "up"
                    else gettext("“%(title)s” moved down.")
                )
                % {"title": editing.title},
            )
            return redirect(url)
        if editing is not None and action == "remove":
            remove_agenda_item(actor=request.user, item=editing)
            messages.success(
                request, gettext("“%(title)s” removed from the agenda.") % {"title": editing.title}
            )
            return redirect(url)
        if editing is not None and edit_form is not None and edit_form.is_valid():
            edit_agenda_item(actor=request.user, item=editing, **edit_form.cleaned_data)
            messages.success(request, gettext("The item is changed."))
            return redirect(url)
    except MeetingError as refused:
        error = str(refused)
        if action == "add":
            form.add_error(None, error)
        elif action == "edit" and edit_form is not None:
            edit_form.add_error(None, error)
    except PermissionDenied:
        raise Http404(gettext("Not found.")) from None
    failed = bool(form.errors or (edit_form is not None and edit_form.errors) or error)
    context: dict[str, Any] = {
        "meeting": meeting,
        "form": form,
        "items": list(meeting.agenda_items.all()),
        "may_change_items": may_change_items(meeting),
        "editing": editing if edit_form is not None else None,
        "edit_form": edit_form,
        "error": error if action not in ("add", "edit") else "",
        "has_errors": failed,
    }
    return render(request, "meetings/agenda.html", context, status=400 if failed else 200)
