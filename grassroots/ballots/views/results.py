"""The public pages: what a ballot guarantees, its results, its log and its record."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from grassroots.ballots import queries
from grassroots.ballots.publication import question_blt, record_zip, signed_heads
from grassroots.ledger.record import canonical_json, head_to_json


def guarantees(request: HttpRequest) -> HttpResponse:
    return render(
        request, "ballots/guarantees.html", {"published": queries.published_election_keys()}
    )


def ballot_results(request: HttpRequest, ballot_id: int) -> HttpResponse:
    ballot = queries.get_published_ballot(ballot_id)
    return render(
        request,
        "ballots/results.html",
        {
            "ballot": ballot,
            "questions": list(ballot.questions.prefetch_related("candidates")),
            "heads": signed_heads(ballot),
        },
    )


def ballot_record_download(request: HttpRequest, ballot_id: int) -> HttpResponse:
    ballot = queries.get_published_ballot(ballot_id)
    response = HttpResponse(record_zip(ballot), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{ballot.election_id}-record.zip"'
    return response


def ballot_blt_download(request: HttpRequest, ballot_id: int, question_id: int) -> HttpResponse:
    ballot = queries.get_published_ballot(ballot_id)
    question = ballot.questions.filter(pk=question_id).first()
    if question is None or not question.is_ranked:
        raise Http404("No such ranked question.")
    response = HttpResponse(question_blt(question), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{ballot.election_id}-{question.ledger_id}.blt"'
    )
    return response


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
