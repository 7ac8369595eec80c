"""The slates' pages: the public list and page, and the national office's two forms."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from grassroots.accounts.requests import AuthenticatedRequest
from grassroots.ballots.models import Ballot, BallotStatus
from grassroots.slates import queries
from grassroots.slates.forms import SelectionBallotForm, SlateForm
from grassroots.slates.services import (
    SlateError,
    add_selection_ballot,
    create_slate,
    may_manage_slates,
)


def slate_list(request: HttpRequest) -> HttpResponse:
    user = request.user if request.user.is_authenticated else None
    return render(
        request,
        "slates/slate_list.html",
        {"slates": queries.public_slates(), "can_create": may_manage_slates(user)},
    )


def slate_detail(request: HttpRequest, slate_id: int) -> HttpResponse:
    slate = queries.get_slate(slate_id)
    user = request.user if request.user.is_authenticated else None
    selections = queries.selections(slate)
    shown = [s for s in selections if s.ballot.status not in HIDDEN_STATUSES]
    return render(
        request,
        "slates/slate_detail.html",
        {
            "slate": slate,
            "selections": shown,
            "in_preparation": len(selections) - len(shown),
            "chosen_count": sum(len(s.chosen) for s in shown),
            "can_manage": may_manage_slates(user),
        },
    )


# A ballot still being prepared is not public yet: the slate's page counts it, unnamed.
HIDDEN_STATUSES = (BallotStatus.DRAFT, BallotStatus.READY)


@login_required
def slate_create(request: AuthenticatedRequest) -> HttpResponse:
    if not may_manage_slates(request.user):
        raise Http404("No such page.")
    form = SlateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            slate = create_slate(actor=request.user, **form.cleaned_data)
        except SlateError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, gettext("Slate created. Now name the ballots that fill it."))
            return redirect("slates:detail", slate_id=slate.pk)
    return render(request, "slates/slate_form.html", {"form": form})


@login_required
def selection_add(request: AuthenticatedRequest, slate_id: int) -> HttpResponse:
    if not may_manage_slates(request.user):
        raise Http404("No such page.")
    slate = queries.get_slate(slate_id)
    ballots = queries.ballots_to_name(slate)
    form = SelectionBallotForm(
        request.POST or None, choices=[(b.pk, f"{b.title} ({b.scope_name})") for b in ballots]
    )
    if request.method == "POST" and form.is_valid():
        ballot = Ballot.objects.get(pk=form.cleaned_data["ballot"])
        try:
            add_selection_ballot(actor=request.user, slate=slate, ballot=ballot)
        except SlateError as error:
            form.add_error("ballot", str(error))
        else:
            messages.success(
                request, gettext("%(title)s now fills this slate.") % {"title": ballot.title}
            )
            return redirect("slates:detail", slate_id=slate.pk)
    return render(request, "slates/selection_form.html", {"slate": slate, "form": form})
