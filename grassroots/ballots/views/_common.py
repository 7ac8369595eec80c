"""What several ballot pages share: the refusal page and the count's progress fragment."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from grassroots.ballots import queries
from grassroots.ballots.models import Ballot
from grassroots.ballots.services.errors import BallotError


def problem_page(
    request: HttpRequest, error: BallotError, ballot: Ballot | None = None
) -> HttpResponse:
    return render(
        request,
        "ballots/problem.html",
        {"message": str(error), "ballot": ballot},
        status=error.http_status,
    )


def progress_fragment(
    request: HttpRequest,
    template: str,
    ballot: Ballot,
    progress: queries.CountProgress | None,
    progress_url: str,
) -> HttpResponse:
    """The count's progress alone, for HTMX. Once the count has finished or stopped the whole
    page is reloaded (``HX-Refresh``): it then shows the result, or the way to start again."""
    response = render(
        request, template, {"ballot": ballot, "progress": progress, "progress_url": progress_url}
    )
    if progress is None or not progress.is_running:
        response["HX-Refresh"] = "true"
    return response
