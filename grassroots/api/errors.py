"""One shape for every error the API answers, and the handlers that produce it.

Every 4xx and 5xx body is ``{"code": ..., "message": ..., "errors": [...]}``: ``code`` is a
fixed word a program can test, ``message`` a sentence for a person, and ``errors`` (for
invalid input) says where each problem is. Forbidden objects answer 404 like missing ones.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.utils.translation import gettext
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from grassroots.accounts.middleware import officer_mfa_in_api_authentication
from grassroots.availability import RETRY_AFTER_SECONDS, is_unavailable
from grassroots.ballots.services.errors import (
    AlreadyVoted,
    BallotError,
    NotEligible,
    NotOnRoll,
    PollNotOpen,
    WrongStage,
)

logger = logging.getLogger(__name__)

# The largest request body the API reads. A ballot with ten questions of a hundred candidates
# is under 20 KB; anything bigger is refused before it is parsed.
MAX_BODY_BYTES = 64 * 1024


class FieldError(Schema):
    location: str  # where in the request: "body.answers.0.candidate_ids", "query.page"
    message: str


class ErrorOut(Schema):
    code: str
    message: str
    errors: list[FieldError] = []


class ApiError(HttpError):
    """An HttpError with its fixed ``code``."""

    def __init__(self, status_code: int, code: str, message: str) -> None:
        super().__init__(status_code, message)
        self.code = code


STATUS_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "body_too_large",
    422: "invalid",
    429: "too_many_requests",
    503: "unavailable",
}

BALLOT_ERROR_CODES: dict[type[BallotError], str] = {
    WrongStage: "wrong_stage",
    NotOnRoll: "not_on_roll",
    PollNotOpen: "poll_not_open",
    AlreadyVoted: "already_voted",
    NotEligible: "not_eligible",
}


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The ``response=`` entries documenting these error statuses."""
    return dict.fromkeys(statuses, ErrorOut)


def _error(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    errors: list[dict[str, str]] | None = None,
) -> HttpResponse:
    body = {"code": code, "message": message, "errors": errors or []}
    return api.create_response(request, body, status=status)


def _location(loc: Any) -> str:
    parts = list(loc) if isinstance(loc, list | tuple) else [loc]
    if parts[:2] == ["body", "body"]:
        parts = parts[1:]  # the body parameter is named "body": say it once
    return ".".join(str(part) for part in parts)


def install_error_handlers(api: NinjaAPI) -> None:
    def validation(request: HttpRequest, exc: Any) -> HttpResponse:
        errors = [
            {"location": _location(e.get("loc", ())), "message": str(e.get("msg", "invalid"))}
            for e in exc.errors
        ]
        return _error(api, request, 422, "invalid", gettext("The request is not valid."), errors)

    def http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        code = getattr(exc, "code", None) or STATUS_CODES.get(exc.status_code, "error")
        message = str(exc)
        if isinstance(exc, AuthenticationError):
            message = gettext(
                "Log in, or send a personal API token as 'Authorization: Bearer <token>'."
            )
        elif message == "CSRF check Failed":
            code = "csrf_failed"
            message = gettext(
                "Requests that use the session cookie must send the X-CSRFToken header."
            )
        return _error(api, request, exc.status_code, code, message)

    def not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return _error(api, request, 404, "not_found", str(exc) or gettext("Not found."))

    def permission_denied(request: HttpRequest, exc: Any) -> HttpResponse:
        return _error(api, request, 403, "forbidden", str(exc) or gettext("You cannot do that."))

    def ballot_error(request: HttpRequest, exc: Any) -> HttpResponse:
        code = BALLOT_ERROR_CODES.get(type(exc), "invalid_ballot")
        return _error(api, request, exc.http_status, code, str(exc))

    def too_big(request: HttpRequest, exc: Any) -> HttpResponse:
        return _error(
            api, request, 413, "body_too_large", gettext("The request body is too large.")
        )

    def database_unavailable(request: HttpRequest, exc: Any) -> HttpResponse:
        # The same answer the pages give (grassroots.availability): the database is down or cut
        # a statement short, so try again shortly; nothing half-done was kept (one transaction).
        logger.warning("API: database unavailable on %s %s: %s", request.method, request.path, exc)
        response = _error(
            api,
            request,
            503,
            "unavailable",
            gettext("The service is busy or down; try again shortly."),
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response

    def server_error(request: HttpRequest, exc: Any) -> HttpResponse:
        if is_unavailable(exc):
            return database_unavailable(request, exc)
        logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
        return _error(
            api, request, 500, "server_error", gettext("Something went wrong on our side.")
        )

    api.add_exception_handler(ValidationError, validation)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(PermissionDenied, permission_denied)
    api.add_exception_handler(BallotError, ballot_error)
    api.add_exception_handler(RequestDataTooBig, too_big)
    api.add_exception_handler(OperationalError, database_unavailable)
    api.add_exception_handler(InterfaceError, database_unavailable)
    api.add_exception_handler(Exception, server_error)


def guard_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Wrap one of the API's URL views: refuse an oversized body with the JSON 413 before
    anything reads it, and mark the view as making the officer-MFA decision itself (its
    authentication does, as JSON; the middleware would answer with a redirect to a page)."""

    @functools.wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY_BYTES:
            return JsonResponse(
                {
                    "code": "body_too_large",
                    "message": gettext("The request body is over %(size)s KiB.")
                    % {"size": MAX_BODY_BYTES // 1024},
                    "errors": [],
                },
                status=413,
            )
        return view(request, *args, **kwargs)

    return officer_mfa_in_api_authentication(guarded)
