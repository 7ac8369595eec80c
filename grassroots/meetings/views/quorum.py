"""The quorum rule page of a body (group, area, region or the nation)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from grassroots.accounts.requests import AuthenticatedRequest
from grassroots.meetings import queries
from grassroots.meetings.forms import QuorumRuleForm
from grassroots.meetings.services.common import MeetingError
from grassroots.meetings.services.quorum import set_quorum_rule
from grassroots.organisation.permissions import NATION


@login_required
def quorum_rule(
    request: AuthenticatedRequest, level: str, body_id: int | None = None
) -> HttpResponse:
    """A body's quorum rule, its history, and the form to change it: for the body's own officers
    and national office (``Capability.SET_QUORUM`` is held for one body only); everyone else
    gets 404."""
    level, body = queries.get_quorum_body_for(request.user, level, body_id)
    current = queries.current_quorum_terms(level, body)
    initial = {
        "minimum_present": current.minimum_present,
        "percent_of_members": current.percent_of_members,
    }
    form = QuorumRuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            set_quorum_rule(
                actor=request.user,
                level=level,
                body=body,
                minimum_present=data["minimum_present"],
                percent_of_members=data["percent_of_members"],
                reason=data["reason"],
            )
        except MeetingError as error:
            form.add_error(None, str(error))
        except PermissionDenied:
            raise Http404(gettext("Not found.")) from None
        else:
            messages.success(
                request,
                gettext(
                    "The quorum rule is changed. It applies to meetings that have not started yet."
                ),
            )
            return redirect(request.path)
    return render(
        request,
        "meetings/quorum_rule.html",
        {
            "body_name": gettext("The whole movement (national)") if body is NATION else str(body),
            "level": level,
            "current": current,
            "default_minimum": queries.DEFAULT_QUORUM_MINIMUM,
            "history": queries.quorum_history(level, body).select_related("changed_by")[:100],
            "form": form,
        },
        status=400 if form.errors else 200,
    )
