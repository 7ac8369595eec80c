"""The WSGI wrapper in front of Django (grassroots/wsgi.py): an unchanged pulse is answered 204
from the process's memory with no query, and every other request, including every pulse the
view would answer otherwise, reaches Django untouched."""

from __future__ import annotations

import io
import sys
from typing import Any

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grassroots.assembly import pulse
from grassroots.assembly.services.speakers import ask_to_speak
from tests.assembly.builders import sign_in
from tests.assembly.test_pages import HX, _client, _ok, _pulse_of


class Passed:
    """Stands for Django behind the wrapper: records what reached it."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        self.paths.append(environ["PATH_INFO"] + "?" + environ.get("QUERY_STRING", ""))
        start_response("299 Passed", [])
        return [b"django"]


def _environ(address: str, client: Client, **extra: str) -> dict[str, Any]:
    path, _, query = address.partition("?")
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "HTTP_HX_REQUEST": "true",
        "HTTP_COOKIE": f"{settings.SESSION_COOKIE_NAME}={cookie.value}" if cookie else "",
    }
    environ.update(extra)
    return environ


def _ask(wrapped: pulse.QuickPulse, environ: dict[str, Any]) -> tuple[str, dict[str, str]]:
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        answer["status"], answer["headers"] = status, dict(headers)

    body = b"".join(wrapped(environ, start_response))
    assert body in (b"", b"django")
    return answer["status"], answer["headers"]


def test_an_unchanged_pulse_is_answered_before_django_with_no_query(session):
    sign_in(session, session.delegates)
    client = _client(session.delegates[0].user)
    pulse_url, _ = _pulse_of(_ok(client.get(reverse("assembly:live", args=[session.meeting.pk]))))
    passed = Passed()
    wrapped = pulse.QuickPulse(passed)
    pulse.clear()
    # Nothing read yet in this process: the view reads the fingerprint, as before.
    assert _ask(wrapped, _environ(pulse_url, client))[0] == "299 Passed"
    assert client.get(pulse_url, **HX).status_code == 204
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            status, headers = _ask(wrapped, _environ(pulse_url, client))
            assert status == "204 No Content"
            assert headers["Cache-Control"] == "no-store"
    assert queries.captured_queries == [] and len(passed.paths) == 1


def test_every_pulse_the_view_must_answer_passes_through(session):
    sign_in(session, session.delegates)
    client = _client(session.delegates[0].user)
    other = _client(session.delegates[1].user)
    pulse_url, _ = _pulse_of(_ok(client.get(reverse("assembly:live", args=[session.meeting.pk]))))
    other_meeting = pulse_url.replace(f"/{session.meeting.pk}/", f"/{session.meeting.pk + 99}/")
    passed = Passed()
    wrapped = pulse.QuickPulse(passed)
    pulse.clear()
    assert client.get(pulse_url, **HX).status_code == 204  # the fingerprint, now in memory
    refused = [
        _environ(pulse_url, client, HTTP_HX_REQUEST=""),  # not htmx: the view's 404
        _environ(pulse_url, client, REQUEST_METHOD="POST"),
        _environ(pulse_url, other),  # another browser's session cookie with this token
        _environ(pulse_url, client, HTTP_COOKIE=""),  # logged out
        _environ(pulse_url.split("&t=")[0], client),  # no token
        _environ(other_meeting, client),
        _environ(pulse_url.replace("v=", "v=0"), client),  # another version: the view draws
        _environ(pulse_url + "&t=%zz&&=", client),  # a malformed query: the view answers
        _environ(reverse("assembly:live", args=[session.meeting.pk]), client),
    ]
    for environ in refused:
        assert _ask(wrapped, environ)[0] == "299 Passed", environ
    assert len(passed.paths) == len(refused)
    # Something changed: once this process reads the new fingerprint, the old version passes.
    ask_to_speak(actor=session.delegates[1].user, meeting=session.meeting, side="for")
    pulse.forget(session.meeting.pk)
    assert _ask(wrapped, _environ(pulse_url, client))[0] == "299 Passed"
    assert client.get(pulse_url, **HX).status_code == 200
    assert _ask(wrapped, _environ(pulse_url, client))[0] == "299 Passed"


def test_the_deployed_application_is_wrapped():
    from grassroots import wsgi

    assert isinstance(wsgi.application, pulse.QuickPulse)
