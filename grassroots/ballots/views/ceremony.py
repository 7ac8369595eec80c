"""An end-to-end ballot's tellers' pages: the key ceremony before the open, the mix stages and
decryption shares after the close, and the public files their offline commands read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext

from grassroots.accounts.requests import AuthenticatedRequest
from grassroots.ballots import queries
from grassroots.ballots.ceremony_forms import (
    ConfirmSharesForm,
    DealForm,
    E2EUploadForm,
    TransportKeyForm,
)
from grassroots.ballots.e2e import VENDORED_NOBLE, e2e_zip, static_integrity
from grassroots.ballots.models import Ballot, Teller
from grassroots.ballots.services.ceremony import (
    confirm_shares,
    publish_deal,
    publish_transport_key,
)
from grassroots.ballots.services.errors import BallotError
from grassroots.ballots.services.mixing import (
    recheck_mix_stage,
    request_mix_stage,
    upload_decryption,
)
from grassroots.organisation.permissions import Capability, may


def _ceremony_words() -> dict[str, str]:
    """The ceremony script's own words, in the reader's language (``words`` in
    ``static/js/e2e-ceremony.js`` fills in each %(name)s)."""
    return {
        "transport_done": gettext(
            "Your transport key is made and saved as %(file)s: keep that file safe, you need it "
            "at step 3. Now press “Publish my transport key”."
        ),
        "deal_done": gettext(
            "Your deal is made (your polynomial was never written down) and attached below. "
            "Now press “Publish my deal”."
        ),
        "choose_file": gettext("Choose your transport key file first."),
        "receive_done": gettext(
            "Every share is checked against its teller's commitments. Your key share is saved "
            "as %(file)s: keep it safe until the count. Now press “My shares are checked”."
        ),
        "receive_failed": gettext(
            "%(error)s. Tell the returning officer, who starts the ceremony again."
        ),
    }


def teller_ceremony(request: AuthenticatedRequest, teller: Teller) -> HttpResponse:
    """The teller's steps of the key ceremony, one form each (``teller_share`` for e2e)."""
    ballot = teller.ballot
    post = request.POST if request.method == "POST" else None
    step = request.POST.get("step") if post is not None else None
    key_form = TransportKeyForm(post if step == "transport" else None, prefix="transport")
    deal_form = DealForm(
        post if step == "deal" else None, request.FILES if step == "deal" else None, prefix="deal"
    )
    confirm_form = ConfirmSharesForm(post if step == "confirm" else None, prefix="confirm")
    if post is not None:
        try:
            if step == "transport" and key_form.is_valid():
                publish_transport_key(
                    actor=request.user,
                    teller=teller,
                    key_hex=key_form.cleaned_data["transport_key"],
                )
                messages.success(request, gettext("Your transport key is published."))
                return redirect("ballot_teller_share", ballot_id=ballot.pk)
            if step == "deal" and deal_form.is_valid():
                publish_deal(
                    actor=request.user, teller=teller, document=deal_form.cleaned_data["deal"]
                )
                messages.success(request, gettext("Your deal is checked and published."))
                return redirect("ballot_teller_share", ballot_id=ballot.pk)
            if step == "confirm" and confirm_form.is_valid():
                confirm_shares(
                    actor=request.user,
                    teller=teller,
                    election_key_hex=confirm_form.cleaned_data["election_key"],
                )
                messages.success(
                    request, gettext("Thank you: your key share is checked and kept by you.")
                )
                return redirect("ballot_teller_share", ballot_id=ballot.pk)
        except BallotError as error:
            form = {"transport": key_form, "deal": deal_form, "confirm": confirm_form}.get(
                step or ""
            )
            if form is None:
                raise
            form.add_error(None, str(error))
    teller.refresh_from_db()
    tellers = list(ballot.tellers.select_related("member").order_by("share_index"))
    response = render(
        request,
        "ballots/teller_ceremony.html",
        {
            "teller": teller,
            "ballot": ballot,
            "tellers": tellers,
            "all_keys": all(t.transport_key for t in tellers),
            "all_deals": all(t.deal is not None for t in tellers),
            "key_form": key_form,
            "deal_form": deal_form,
            "confirm_form": confirm_form,
            "ceremony_config": {
                "election_id": ballot.election_id,
                "teller": teller.share_index,
                "threshold": ballot.threshold,
                "tellers": ballot.tellers_count,
                "recipients": {str(t.share_index): t.transport_key for t in tellers},
                "deals": [t.deal for t in tellers if t.deal is not None],
                "words": _ceremony_words(),
            },
            "vendor": VENDORED_NOBLE,
            "vote_integrity": static_integrity("js/e2e-vote.js"),
            "script_integrity": static_integrity("js/e2e-ceremony.js"),
        },
        status=400 if post is not None else 200,
    )
    response["Cache-Control"] = "no-store"
    return response


def teller_mix_and_decrypt(request: AuthenticatedRequest, teller: Teller) -> HttpResponse:
    """After the close of an e2e ballot (``teller_reveal``): upload a mix stage (its proof is
    checked by a background task, whose outcome the page shows and polls for) or your
    decryption shares (checked at once: one proof)."""
    ballot = teller.ballot
    progress_url = reverse("ballot_teller_reveal", args=[ballot.pk])
    htmx = getattr(request, "htmx", None)
    if htmx and request.method == "GET":
        progress = queries.mix_progress(ballot, teller)
        is_running = any(row.is_running for row in progress)
        response = render(
            request,
            "ballots/teller_mix.html#mix-progress",
            {
                "ballot": ballot,
                "teller": teller,
                "rows": progress,
                "is_running": is_running,
                "progress_url": progress_url,
            },
        )
        if not is_running:
            response["HX-Refresh"] = "true"
        return response
    questions = list(ballot.questions.all())
    step = request.POST.get("step") if request.method == "POST" else None
    mix_form = E2EUploadForm(
        request.POST if step == "mix" else None,
        request.FILES if step == "mix" else None,
        questions=questions,
        prefix="mix",
    )
    decrypt_form = E2EUploadForm(
        request.POST if step == "decrypt" else None,
        request.FILES if step == "decrypt" else None,
        questions=questions,
        prefix="decrypt",
    )
    if step == "recheck":
        try:
            recheck_mix_stage(
                actor=request.user, teller=teller, stage_id=int(request.POST.get("stage", 0))
            )
        except ValueError:
            messages.error(request, gettext("There is no such mix stage."))
        except BallotError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, gettext("The check has started again."))
        return redirect("ballot_teller_reveal", ballot_id=ballot.pk)
    form = {"mix": mix_form, "decrypt": decrypt_form}.get(step or "")
    if form is not None and form.is_valid():
        try:
            if step == "mix":
                request_mix_stage(
                    actor=request.user,
                    teller=teller,
                    question_id=form.cleaned_data["question"],
                    document=form.cleaned_data["document"],
                )
            else:
                upload_decryption(
                    actor=request.user,
                    teller=teller,
                    question_id=form.cleaned_data["question"],
                    document=form.cleaned_data["document"],
                )
        except BallotError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                "Kept: its proof is being checked, below."
                if step == "mix"
                else "Checked and kept: thank you.",
            )
            return redirect("ballot_teller_reveal", ballot_id=ballot.pk)
    progress = queries.mix_progress(ballot, teller)
    return render(
        request,
        "ballots/teller_mix.html",
        {
            "teller": teller,
            "ballot": ballot,
            "rows": progress,
            "is_running": any(row.is_running for row in progress),
            "progress_url": progress_url,
            "mix_form": mix_form,
            "decrypt_form": decrypt_form,
        },
        status=400 if form is not None else 200,
    )


def _ballot_for_files(request: HttpRequest, ballot_id: int) -> Ballot:
    ballot = Ballot.objects.filter(pk=ballot_id, is_end_to_end=True).first()
    if ballot is None:
        raise Http404("No such ballot.")
    member = queries.roll_member_for(request.user)
    is_teller = member is not None and ballot.tellers.filter(member=member).exists()
    if not is_teller and not may(request.user, Capability.RUN_BALLOTS, ballot):
        raise Http404("No such ballot.")
    return ballot


@login_required
def e2e_files_download(request: HttpRequest, ballot_id: int) -> HttpResponse:
    """The ballot's public ``e2e/`` files as a zip, for the tellers' offline commands."""
    ballot = _ballot_for_files(request, ballot_id)
    response = HttpResponse(e2e_zip(ballot), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{ballot.election_id}-e2e.zip"'
    response["Cache-Control"] = "no-store"
    return response
