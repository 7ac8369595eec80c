"""The secretary's desk in session: a block of proxies, voting codes to print, the kiosk where
a code is used (or a teller types it), and the standing orders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext

from grassroots.accounts.requests import AuthenticatedRequest
from grassroots.assembly import queries
from grassroots.assembly.forms import KioskForm, OrdersForm, ProxyBlockForm, read_choice
from grassroots.assembly.models import VoteMark, VotingCode
from grassroots.assembly.services.codes import issue_codes, vote_with_code
from grassroots.assembly.services.common import AssemblyError
from grassroots.assembly.services.orders import set_standing_orders
from grassroots.assembly.services.proxies import enter_proxies
from grassroots.meetings import queries as meetings
from grassroots.meetings.models import Meeting
from grassroots.organisation.permissions import Capability, may


def _run(request: AuthenticatedRequest, meeting_id: int) -> Meeting:
    meeting = queries.get_session_for(request.user, meeting_id)
    if not may(request.user, Capability.RUN_MEETINGS, meeting):
        raise Http404(gettext("Not found."))
    return meeting


@login_required
def proxies(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = _run(request, meeting_id)
    form = ProxyBlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = enter_proxies(
                actor=request.user, meeting=meeting, text=form.cleaned_data["block"]
            )
        except AssemblyError as error:
            form.add_error("block", str(error))
        except PermissionDenied:
            raise Http404(gettext("Not found.")) from None
        else:
            messages.success(
                request,
                (
                    gettext("%(made)s proxy recorded.")
                    if len(made) == 1
                    else gettext("%(made)s proxies recorded.")
                )
                % {"made": len(made)},
            )
            return redirect("assembly:proxies", meeting_id=meeting.pk)
    return render(
        request,
        "assembly/proxies.html",
        {
            "meeting": meeting,
            "form": form,
            "proxies": queries.active_proxies(meeting),
            "orders": queries.standing_orders(meeting),
        },
        status=400 if form.errors else 200,
    )


@login_required
def codes(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    """Choose attendees, then the printable sheet of their cards (shown once)."""
    meeting = _run(request, meeting_id)
    vote = queries.open_vote(meeting)
    error = ""
    if request.method == "POST":
        try:
            vote, cards = issue_codes(
                actor=request.user, meeting=meeting, numbers=request.POST.getlist("member")
            )
        except AssemblyError as refused:
            error = str(refused)
        except PermissionDenied:
            raise Http404(gettext("Not found.")) from None
        else:
            return render(
                request,
                "assembly/code_cards.html",
                {"meeting": meeting, "vote": vote, "cards": cards},
            )
    present = []
    if vote is not None:
        coded = set(VotingCode.objects.filter(vote=vote).values_list("member_id", flat=True))
        voted = set(VoteMark.objects.filter(vote=vote).values_list("member_id", flat=True))
        present = [
            a.member
            for a in meetings.attendance_list(meeting).select_related("member")
            if a.member_id not in coded | voted and a.presence == "room"
        ]
    return render(
        request,
        "assembly/codes.html",
        {"meeting": meeting, "vote": vote, "present": present, "error": error},
        status=400 if error else 200,
    )


@login_required
def kiosk(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = _run(request, meeting_id)
    vote = queries.open_vote(meeting)
    form = KioskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if vote is None or str(vote.pk) != request.POST.get("vote"):
            form.add_error(None, gettext("That vote has closed: the code was not used."))
        else:
            try:
                choice = read_choice(vote, request.POST)
                voter = vote_with_code(
                    actor=request.user,
                    meeting=meeting,
                    code=form.cleaned_data["code"],
                    choice=choice,
                )
            except ValueError as error:
                form.add_error(None, str(error))
            except AssemblyError as error:
                form.add_error("code", str(error))
            except PermissionDenied:
                raise Http404(gettext("Not found.")) from None
            else:
                messages.success(
                    request,
                    gettext("Vote recorded for %(first_name)s %(last_name)s.")
                    % {"first_name": voter.first_name, "last_name": voter.last_name[:1]},
                )
                return redirect("assembly:kiosk", meeting_id=meeting.pk)
    return render(
        request,
        "assembly/kiosk.html",
        {"meeting": meeting, "vote": vote, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def orders(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = _run(request, meeting_id)
    current = queries.standing_orders(meeting)
    initial = {
        "secret_votes": current.secret_votes,
        "weighting": current.weighting,
        "proxies_per_holder": current.proxies_per_holder,
        "speaking_seconds": current.speaking_seconds,
        "balance": current.balance,
        "prefer_first_time": current.prefer_first_time,
    }
    form = OrdersForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            set_standing_orders(actor=request.user, meeting=meeting, **form.cleaned_data)
        except AssemblyError as error:
            form.add_error(None, str(error))
        except PermissionDenied:
            raise Http404(gettext("Not found.")) from None
        else:
            messages.success(request, gettext("Standing orders saved."))
            return redirect(reverse("assembly:live", args=[meeting.pk]))
    return render(
        request,
        "assembly/orders.html",
        {"meeting": meeting, "form": form},
        status=400 if form.errors else 200,
    )
