"""Voting: the ballot paper (logged in or by personal link), the lean JSON cast, and the
receipt (by email, and checking a tracker).
"""

from __future__ import annotations

import json
from typing import Any

from csp.decorators import csp_exempt
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from grassroots.accounts.middleware import MfaFlags, officer_mfa_from_own_query
from grassroots.accounts.requests import AuthenticatedRequest
from grassroots.ballots import queries
from grassroots.ballots.e2e import (
    VENDORED_NOBLE,
    paper_config,
    static_integrity,
    voter_credential,
)
from grassroots.ballots.eligibility import admission_in_words
from grassroots.ballots.forms import ReceiptLookupForm, VoteForm
from grassroots.ballots.links import LinkError, roll_entry_for_link
from grassroots.ballots.models import Ballot, RollEntry
from grassroots.ballots.services.casting import cast_ballot, cast_ballot_with_link, email_receipt
from grassroots.ballots.services.e2e_casting import cast_e2e_ballot
from grassroots.ballots.services.errors import BallotError
from grassroots.notifications.context_processors import without_unread_count

# Where the voter's roll entry, once read for the middleware, waits for the view.
_TO_VOTE_ATTR = "_grassroots_ballot_to_vote"


def _ballot_to_vote(request: HttpRequest, ballot_id: int) -> tuple[Ballot, RollEntry] | None:
    """The ballot and the logged-in voter's roll entry (None: not on the roll), read once per
    request: by the middleware's call to :func:`_officer_mfa_flags`, then kept for the view."""
    kept = getattr(request, _TO_VOTE_ATTR, None)
    if kept is not None and kept[0] == ballot_id:
        found: tuple[Ballot, RollEntry] | None = kept[1]
        return found
    try:
        found = queries.get_ballot_to_vote(request.user, ballot_id)
    except Http404:
        found = None
    setattr(request, _TO_VOTE_ATTR, (ballot_id, found))
    return found


def _officer_mfa_flags(request: HttpRequest, view_kwargs: dict[str, Any]) -> MfaFlags | None:
    """For the middleware: the officer-MFA flags read with the voter's roll entry, so the most
    used pages while a poll is open need no query of the middleware's own; None (not on the
    roll) and the middleware runs its own."""
    found = _ballot_to_vote(request, int(view_kwargs["ballot_id"]))
    if found is None:
        return None
    _, entry = found
    return MfaFlags(
        is_officer=getattr(entry, "mfa_is_officer", True),
        has_totp=getattr(entry, "mfa_has_totp", False),
    )


@officer_mfa_from_own_query(_officer_mfa_flags)
@login_required
@without_unread_count
def ballot_vote(request: AuthenticatedRequest, ballot_id: int) -> HttpResponseBase:
    """The ballot paper for a logged-in member."""
    found = _ballot_to_vote(request, ballot_id)
    if found is None:
        raise Http404("No such ballot.")
    ballot, entry = found
    return _vote_page(request, ballot, entry, token=None)


def _json(data: dict[str, object], status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status)
    response["Cache-Control"] = "no-store"
    return response


@csp_exempt()  # type: ignore[arg-type]  # JSON, never a page: docs/security.md
@require_POST
@officer_mfa_from_own_query(_officer_mfa_flags)
def ballot_cast(request: HttpRequest, ballot_id: int) -> HttpResponseBase:
    """The lean cast: the ballot paper's fields and an idempotency key in, the receipt as JSON
    out, for scripts, an enhanced page and the load test.

    The same checks and guarantees as the page's POST (same form, same service, same query for
    the roll entry and the officer-MFA rule, CSRF and session login as for any page), without
    drawing a page: the client makes its own random idempotency key (16 to 64 of A-Z, a-z,
    0-9, "-" and "_"; a retry with the same key gets the original receipt). Refusals are JSON
    ``{"error": ...}`` with the page's status codes.
    """
    if not request.user.is_authenticated:
        return _json({"error": gettext("Log in to vote.")}, status=401)
    found = _ballot_to_vote(request, ballot_id)
    if found is None:
        return _json({"error": gettext("You are not on the roll for this ballot.")}, status=404)
    ballot, entry = found
    if ballot.is_end_to_end:
        return _e2e_cast(request, ballot, entry)
    form = VoteForm(
        request.POST,
        ballot=ballot,
        validate_only=True,
        voter=queries.voter_place(ballot, entry.member_id),
    )
    if not form.is_valid():
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        first = next(iter(errors.values()))[0]
        return _json({"error": first, "fields": errors}, status=400)
    try:
        receipt = cast_ballot(
            actor=request.user,
            ballot=ballot,
            answers=form.cleaned_data["answers"],
            idempotency_key=form.cleaned_data["idempotency_key"],
            roll_entry=entry,
        )
    except BallotError as error:
        return _json({"error": str(error)}, status=error.http_status)
    return _json(
        {
            "election_id": receipt.election_id,
            "repeat": receipt.is_repeat,
            "trackers": [{"question": q, "tracker": t} for q, t in receipt.trackers],
        }
    )


def _e2e_cast(request: HttpRequest, ballot: Ballot, entry: RollEntry) -> JsonResponse:
    """An end-to-end ballot's cast: JSON ``{"idempotency_key", "papers": {question: {"ballot",
    "proof"}}}`` from the page's script; the receipt or the refusal as JSON."""
    try:
        body = json.loads(request.body)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return _json(
            {"error": gettext('Send JSON: {"idempotency_key": ..., "papers": {...}}.')}, 400
        )
    try:
        receipt = cast_e2e_ballot(
            ballot=ballot,
            roll_entry=entry,
            papers=body.get("papers"),
            idempotency_key=body.get("idempotency_key"),
        )
    except BallotError as error:
        return _json({"error": str(error)}, status=error.http_status)
    return _json(
        {
            "election_id": receipt.election_id,
            "repeat": receipt.is_repeat,
            "trackers": [{"question": q, "tracker": t} for q, t in receipt.trackers],
        }
    )


def ballot_vote_by_link(request: HttpRequest, ballot_id: int, token: str) -> HttpResponse:
    """The personal link from the invitation: this member, this ballot, no login."""
    ballot = queries.get_ballot_by_link(ballot_id)
    try:
        if ballot is None:
            raise LinkError()
        entry = roll_entry_for_link(ballot, token)
    except LinkError as error:
        response = render(
            request,
            "ballots/problem.html",
            {"message": str(error), "ballot": None},
            status=error.http_status,
        )
        response["Referrer-Policy"] = "same-origin"
        return response
    return _vote_page(request, ballot, entry, token=token)


def _vote_page(
    request: HttpRequest, ballot: Ballot, entry: RollEntry, *, token: str | None
) -> HttpResponse:
    if ballot.is_end_to_end:
        return _e2e_vote_page(request, ballot, entry, token=token)
    # An empty POST is a submission too (a paper with nothing on it), not a fresh page.
    form = VoteForm(
        request.POST if request.method == "POST" else None,
        ballot=ballot,
        voter=queries.voter_place(ballot, entry.member_id),
    )
    # The paper's button (and Enter in a box) asks for the review; only the review's own
    # button, "step=cast", casts; "step=change" draws the paper again as marked.
    step = request.POST.get("step", "")
    if step not in ("cast", "change"):
        step = "review"
    response: HttpResponse
    if request.method == "POST" and step == "review" and form.is_valid():
        response = render(
            request,
            "ballots/vote_review.html",
            {"ballot": ballot, "form": form, "by_link": token},
        )
    elif request.method == "POST" and step == "cast" and form.is_valid():
        try:
            if token is None:
                receipt = cast_ballot(
                    actor=request.user,
                    ballot=ballot,
                    answers=form.cleaned_data["answers"],
                    idempotency_key=form.cleaned_data["idempotency_key"],
                    roll_entry=entry,
                )
            else:
                receipt = cast_ballot_with_link(
                    actor=request.user,
                    ballot=ballot,
                    token=token,
                    answers=form.cleaned_data["answers"],
                    idempotency_key=form.cleaned_data["idempotency_key"],
                )
        except (BallotError, LinkError) as error:
            response = render(
                request,
                "ballots/problem.html",
                {"message": str(error), "ballot": ballot},
                status=error.http_status,
            )
        else:
            response = render(
                request,
                "ballots/receipt.html",
                {
                    "ballot": ballot,
                    "receipt": receipt,
                    "idempotency_key": form.cleaned_data["idempotency_key"],
                    "token": token or "",
                    "emailed_to": "",
                },
            )
    else:
        # The paper: fresh, with its mistakes, or as marked to change ("step=change").
        response = render(
            request,
            "ballots/vote.html",
            {
                "ballot": ballot,
                "form": form,
                "has_voted": entry.has_voted,
                "by_link": token,
                "admitted_by": admission_in_words(ballot, entry.admitted_by),
            },
            status=400 if form.is_bound and not form.is_valid() else 200,
        )
    response["Cache-Control"] = "no-store"
    if token is not None:
        # The link is the member's key to this ballot: no Referer carries it off the site.
        # ("no-referrer" would also make the browser send "Origin: null" with the form's
        # POST, which Django's CSRF check rightly refuses.)
        response["Referrer-Policy"] = "same-origin"
    return response


def _e2e_vote_page(
    request: HttpRequest, ballot: Ballot, entry: RollEntry, *, token: str | None
) -> HttpResponse:
    """An end-to-end ballot's paper: drawn as ever, but encrypted and cast by the page's
    script (a readable paper is never posted); the script posts its JSON here."""
    response: HttpResponse
    if request.method == "POST" and request.content_type == "application/json":
        response = _e2e_cast(request, ballot, entry)
    elif request.method == "POST":
        response = render(
            request,
            "ballots/problem.html",
            {
                "message": gettext(
                    "This ballot is end-to-end verifiable: your paper is encrypted in "
                    "your browser before it leaves it, which needs JavaScript. Nothing was cast."
                ),
                "ballot": ballot,
            },
            status=400,
        )
    else:
        # Only the questions the voter answers (their region's sections, docs/slates.md) are
        # drawn and encrypted; the cast expects exactly those.
        form = VoteForm(ballot=ballot, voter=queries.voter_place(ballot, entry.member_id))
        config = paper_config(ballot, form.questions, voter_credential(ballot, entry.pk))
        config["idempotency_key"] = form.initial["idempotency_key"]
        config["csrf_token"] = get_token(request)
        config["cast_url"] = request.path
        response = render(
            request,
            "ballots/vote.html",
            {
                "ballot": ballot,
                "form": form,
                "has_voted": entry.has_voted,
                "by_link": token,
                "e2e_config": config,
                "vendor": VENDORED_NOBLE,
                "script_integrity": static_integrity("js/e2e-vote.js"),
            },
        )
    response["Cache-Control"] = "no-store"
    if token is not None:
        response["Referrer-Policy"] = "same-origin"
    return response


@require_POST
def receipt_email(request: HttpRequest, ballot_id: int) -> HttpResponse:
    """ "Email me this receipt": sent at once from this request, nothing stored (see
    services.email_receipt). A voter by personal link is not logged in; the link's token,
    posted back from the receipt page, stands for them."""
    ballot = queries.get_public_ballot(ballot_id)
    key = request.POST.get("idempotency_key", "")
    token = request.POST.get("token") or None
    try:
        address, receipt = email_receipt(
            actor=request.user, ballot=ballot, idempotency_key=key, token=token
        )
    except (BallotError, LinkError) as error:
        response = render(
            request,
            "ballots/problem.html",
            {"message": str(error), "ballot": ballot},
            status=error.http_status,
        )
    else:
        response = render(
            request,
            "ballots/receipt.html",
            {
                "ballot": ballot,
                "receipt": receipt,
                "idempotency_key": key,
                "token": token or "",
                "emailed_to": address,
            },
        )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


def receipt_check(request: HttpRequest, ballot_id: int) -> HttpResponse:
    ballot = queries.get_public_ballot(ballot_id)
    form = ReceiptLookupForm(request.GET or None)
    found = None
    if form.is_bound and form.is_valid():
        found = queries.look_up_receipt(ballot, form.cleaned_data["tracker"].strip().lower())
    return render(
        request,
        "ballots/receipt_check.html",
        {"ballot": ballot, "form": form, "found": found},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )
