"""The public pages: what a ballot guarantees, its results, its log and its record."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from grassroots.ballots import queries
from grassroots.ballots.eligibility import roll_admission
from grassroots.ballots.models import BallotStatus, PublishedFile
from grassroots.ballots.publication import signed_heads
from grassroots.ballots.services.publishing import RECORD_FILE, published_file
from grassroots.ledger.record import canonical_json, head_to_json


def guarantees(request: HttpRequest) -> HttpResponse:
    return render(
        request, "ballots/guarantees.html", {"published": queries.published_election_keys()}
    )


def ballot_results(request: HttpRequest, ballot_id: int) -> HttpResponse:
    # A ballot whose poll has opened is public (its log is), so before publication its results
    # page says so instead of a 404; a ballot not yet opened stays a 404 like a missing one.
    ballot = queries.get_public_ballot(ballot_id)
    if ballot.status != BallotStatus.PUBLISHED:
        return render(
            request,
            "ballots/results_pending.html",
            {
                "ballot": ballot,
                "not_on_roll": queries.why_not_on_roll(request.user, ballot),
                "admitted_by": roll_admission(
                    ballot, getattr(queries.roll_member_for(request.user), "pk", None)
                ),
            },
        )
    files = {f.name: f for f in PublishedFile.objects.filter(ballot=ballot)}
    questions = list(ballot.questions.prefetch_related("candidates"))
    for question in questions:
        question.blt_file = files.get(f"{question.ledger_id}.blt")  # type: ignore[attr-defined]
    return render(
        request,
        "ballots/results.html",
        {
            "ballot": ballot,
            "questions": questions,
            "heads": signed_heads(ballot),
            "record_file": files.get("record.zip"),
        },
    )


def _serve(stored: PublishedFile, filename: str, content_type: str) -> FileResponse:
    """A stored file, streamed from storage, with its size and SHA-256."""
    response = FileResponse(
        stored.file.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )
    response["Content-Length"] = str(stored.size)
    response["X-Content-SHA256"] = stored.sha256
    return response


def ballot_record_download(request: HttpRequest, ballot_id: int) -> HttpResponseBase:
    """The record zip as stored at publication (built and stored on the first request for a
    ballot published before that), never built in memory."""
    ballot = queries.get_published_ballot(ballot_id)
    stored = published_file(ballot, RECORD_FILE)
    if stored is None:
        raise Http404("No record.")
    return _serve(stored, f"{ballot.election_id}-record.zip", "application/zip")


def ballot_blt_download(request: HttpRequest, ballot_id: int, question_id: int) -> HttpResponseBase:
    ballot = queries.get_published_ballot(ballot_id)
    question = ballot.questions.filter(pk=question_id).first()
    if question is None or not question.is_ranked:
        raise Http404("No such ranked question.")
    stored = published_file(ballot, f"{question.ledger_id}.blt")
    if stored is None:
        raise Http404("No such ranked question.")
    return _serve(
        stored,
        f"{ballot.election_id}-{question.ledger_id}.blt",
        "text/plain; charset=utf-8",
    )


def ballot_log(request: HttpRequest, ballot_id: int) -> HttpResponse:
    ballot = queries.get_public_ballot(ballot_id)
    return render(request, "ballots/log.html", {"ballot": ballot, "heads": signed_heads(ballot)})


def ballot_head_file(request: HttpRequest, ballot_id: int, sequence: int) -> HttpResponse:
    """One signed head as a file to keep, for ``verify --head FILE`` after the result."""
    ballot = queries.get_public_ballot(ballot_id)
    heads = signed_heads(ballot)
    if sequence >= len(heads):
        raise Http404("No signed head has that number.")
    body = canonical_json(head_to_json(heads[sequence])) + b"\n"
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = (
        f'attachment; filename="{ballot.election_id}-head-{sequence}.json"'
    )
    return response
