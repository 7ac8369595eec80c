"""The tellers' pages: collecting a share before the open and entering it after the close."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext

from grassroots.accounts.requests import AuthenticatedRequest
from grassroots.ballots import queries
from grassroots.ballots.forms import ShareForm
from grassroots.ballots.models import BallotStatus
from grassroots.ballots.services.errors import BallotError
from grassroots.ballots.services.kept_shares import kept_share_for
from grassroots.ballots.services.tellers import collect_share, reveal_share
from grassroots.ballots.views._common import problem_page, progress_fragment
from grassroots.ballots.views.ceremony import teller_ceremony, teller_mix_and_decrypt
from grassroots.organisation.permissions import Capability, may


@login_required
def teller_share(request: AuthenticatedRequest, ballot_id: int) -> HttpResponse:
    teller = queries.get_teller_for(request.user, ballot_id)
    if teller.ballot.is_end_to_end:
        return teller_ceremony(request, teller)
    share = None
    if request.method == "POST":
        try:
            share = collect_share(actor=request.user, teller=teller)
        except BallotError as error:
            return problem_page(request, error, teller.ballot)
    response = render(request, "ballots/teller_share.html", {"teller": teller, "share": share})
    response["Cache-Control"] = "no-store"
    return response


@login_required
def teller_reveal(request: AuthenticatedRequest, ballot_id: int) -> HttpResponse:
    teller = queries.get_teller_for(request.user, ballot_id)
    if teller.ballot.is_end_to_end and teller.ballot.status == BallotStatus.CLOSED:
        return teller_mix_and_decrypt(request, teller)
    kept_share = (
        kept_share_for(teller)
        if teller.ballot.status == BallotStatus.CLOSED and not teller.revealed_share
        else None
    )
    progress = queries.count_progress(teller.ballot)
    progress_url = reverse("ballot_teller_reveal", args=[teller.ballot.pk])
    if getattr(request, "htmx", False) and request.method == "GET":
        return progress_fragment(
            request,
            "ballots/teller_reveal.html#count-progress",
            teller.ballot,
            progress,
            progress_url,
        )
    form = ShareForm(request.POST or None, initial={"share": kept_share or ""})
    if request.method == "POST" and form.is_valid():
        try:
            reveal_share(actor=request.user, teller=teller, share_text=form.cleaned_data["share"])
        except BallotError as error:
            form.add_error("share", str(error))
        else:
            messages.success(request, gettext("Thank you: your share is entered."))
            return redirect("ballot_list")
    return render(
        request,
        "ballots/teller_reveal.html",
        {
            "teller": teller,
            "ballot": teller.ballot,
            "form": form,
            "kept_share": kept_share,
            "progress": progress,
            "progress_url": progress_url,
            "is_runner": may(request.user, Capability.RUN_BALLOTS, teller.ballot),
            "takes_share": teller.ballot.status == BallotStatus.CLOSED
            and not (progress is not None and progress.is_running),
        },
    )
