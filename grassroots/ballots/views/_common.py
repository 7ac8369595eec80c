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
    progress: queries.CountProgress | queries.BackgroundProgress | None,
    progress_url: str,
    *,
    name: str = "progress",
) -> HttpResponse:
    """The count's (or a background step's) progress alone, for HTMX. Once it has finished or
    stopped the whole page is reloaded (``HX-Refresh``): it then shows the result, or the way
    to start again."""
    response = render(
        request, template, {"ballot": ballot, name: progress, "progress_url": progress_url}
    )
    if progress is None or not progress.is_running:
        response["HX-Refresh"] = "true"
    return response
