"""The live page's pulse: how 500 phones in a hall see a result within a second of the close
without 500 full requests a second.

The page has two kinds of parts. What every attendee sees alike (the quorum, the open question,
the last result, the speakers' list) is drawn once per state in each worker process and polled
every ``PULSE_MS`` milliseconds at the pulse, which neither loads the session nor the login: it
checks a token the full page signed for this meeting and this browser's session, reads the
state's fingerprint (one query, shared by all the worker's pulses for ``FINGERPRINT_SECONDS``)
and answers 204 when nothing changed, else the drawn HTML from this process's cache. The
viewer's own part (their ballot, their place on the list, their proxies) is fetched through the
ordinary, signed-in and permission-checked page only when the pulse says it may have changed
(``Fingerprint.mine``: a vote opened, not closed, since a close empties every page's ballot
from the shared response), each page after its own random delay so that 500 of them do not
arrive in the same instant, and every ``MINE_SECONDS`` to renew the token.

The token is bound to the session cookie (a hash of its key), so a browser that logged out
stops getting the state at its next pulse; it lasts ``PULSE_TOKEN_MINUTES``, and a pulse with a
stale or foreign token tells htmx to reload the page, which goes the whole checked way again.

Most pulses find nothing changed. :class:`QuickPulse` wraps the WSGI application
(``grassroots/wsgi.py``) and answers those 204 before Django builds a request, resolves the
URL or runs a middleware: the same checks as the view (an htmx GET, a token that holds for this
meeting and this session cookie, the fingerprint this process read less than
``FINGERPRINT_SECONDS`` ago, not due to close, equal to the page's), from memory, with no
query. Anything else (a change, a stale fingerprint, a bad token) goes to the view, which
reads, draws or reloads. The view answers the same 204 by itself when the wrapper is absent
(the test client, ``runserver``).
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from django.conf import settings
from django.core import signing
from django.http.cookie import parse_cookie
from django.template.loader import render_to_string
from django.utils.translation import get_language

from grassroots.assembly import queries
from grassroots.assembly.kept import Kept
from grassroots.meetings.models import Meeting

# 0.6 s: a result is on every phone within a second of the chair's click (the close and count,
# about 0.25 s, plus the pulse's period, plus FINGERPRINT_SECONDS at most, plus the answer); at
# 0.8 s the last phones of 500 saw it at 1.00 s. An unchanged pulse costs a worker about a
# tenth of a millisecond (QuickPulse below).
PULSE_MS = 600
# A worker reuses the fingerprint it read for this long: 500 pulses a second cost each worker
# about ten fingerprint queries a second, and a change is seen at most this much later.
FINGERPRINT_SECONDS = 0.1
# The viewer's own part: fetched within this many milliseconds after the pulse says it may
# have changed (each page its own random delay), and at least every MINE_SECONDS.
MINE_SPREAD_MS = 3000
MINE_SECONDS = 600
PULSE_SALT = "grassroots.assembly.pulse"
PULSE_TOKEN_MINUTES = 30
DRAWN_ENTRIES = 64


def _session_tag(session_key: str) -> str:
    return hashlib.sha256(session_key.encode()).hexdigest()[:16]


def pulse_token(meeting_id: int, session_key: str) -> str:
    """Signed by the full page, which checked who may see the meeting, with the language it
    was drawn in (the member's: the pulse reads no login to find it)."""
    value = [meeting_id, _session_tag(session_key), get_language() or ""]
    return signing.dumps(value, salt=PULSE_SALT, compress=False)


def pulse_token_language(token: str, meeting_id: int, session_key: str) -> str | None:
    """The language of the page that signed ``token``, when it holds for this meeting and this
    browser's session; else None."""
    if not token or not session_key:
        return None
    try:
        value = signing.loads(token, salt=PULSE_SALT, max_age=PULSE_TOKEN_MINUTES * 60)
    except signing.BadSignature:
        return None
    if not isinstance(value, list) or len(value) != 3:
        return None
    if value[:2] != [meeting_id, _session_tag(session_key)]:
        return None
    return str(value[2])


_fingerprints: dict[int, tuple[float, queries.Fingerprint]] = {}
_fingerprints_lock = threading.Lock()


def fingerprint(meeting_id: int) -> queries.Fingerprint:
    """The meeting's fingerprint, read at most every FINGERPRINT_SECONDS by this process."""
    now = time.monotonic()
    with _fingerprints_lock:
        found = _fingerprints.get(meeting_id)
    if found is not None and now - found[0] < FINGERPRINT_SECONDS:
        return found[1]
    fresh = queries.fingerprint(meeting_id)
    with _fingerprints_lock:
        _fingerprints[meeting_id] = (now, fresh)
    return fresh


def forget(meeting_id: int) -> None:
    """This process changed the meeting: its next pulse reads the fingerprint afresh."""
    with _fingerprints_lock:
        _fingerprints.pop(meeting_id, None)


# When no vote is open the pulse also empties every page's ballot (out of band): a close
# reaches the viewer's own part without 500 requests for it.
NO_BALLOT = '<div id="live-ballot" hx-swap-oob="true"></div>'


@dataclass(frozen=True)
class Shared:
    """The shared parts of the live page, drawn: the state and the speakers' list, and what
    the pulse sends besides (``NO_BALLOT`` when no vote is open)."""

    state: str
    speakers: str
    besides: str = ""

    @property
    def pulse(self) -> str:
        return self.state + self.speakers + self.besides


# Drawn once per meeting, state and language in each process. A speaker's countdown is drawn
# as seconds left, so while someone speaks an entry is drawn again when a second old.
_drawn: Kept[tuple[str, str, str], tuple[float, bool, Shared]] = Kept(DRAWN_ENTRIES)


def shared(meeting_id: int, found: queries.Fingerprint, meeting: Meeting | None = None) -> Shared:
    """The shared parts for the state ``found`` (read a moment ago): from this process's cache,
    or drawn (reading ``meeting`` when not given)."""
    key = (found.uid, found.version, get_language() or "")
    now = time.monotonic()
    entry = _drawn.get(key)
    if entry is not None and (not entry[1] or now - entry[0] < 1):
        return entry[2]
    if meeting is None:
        meeting = Meeting.objects.get(pk=meeting_id)
    state = queries.live_state(meeting, None, version=found.version)
    context = {
        "state": state,
        "meeting": meeting,
        "version": found.version,
        "mine": found.mine,
        "pulse_ms": PULSE_MS,
    }
    drawn = Shared(
        state=render_to_string("assembly/_live_shared.html", context),
        speakers=render_to_string("assembly/_live_speakers.html", context),
        besides=NO_BALLOT if state.vote is None else "",
    )
    _drawn.put(key, (now, state.speaker is not None, drawn))
    return drawn


def clear() -> None:
    """Forget everything this process keeps (tests)."""
    with _fingerprints_lock:
        _fingerprints.clear()
    _drawn.clear()
    queries._shared.clear()
    queries._per_versions.clear()


_PULSE_PATH = re.compile(r"^/meetings/([0-9]+)/live/pulse/$")
_UNCHANGED_HEADERS = [
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
    ("Content-Length", "0"),
]


def unchanged_from_memory(environ: dict[str, Any]) -> bool:
    """True when the pulse in ``environ`` may be answered 204 from this process's memory:
    the view's own checks (an htmx GET, the token, the fingerprint) with nothing read."""
    if environ.get("REQUEST_METHOD") != "GET" or environ.get("HTTP_HX_REQUEST") != "true":
        return False
    matched = _PULSE_PATH.match(environ.get("PATH_INFO", ""))
    if matched is None:
        return False
    meeting_id = int(matched.group(1))
    with _fingerprints_lock:
        kept = _fingerprints.get(meeting_id)
    if kept is None or time.monotonic() - kept[0] >= FINGERPRINT_SECONDS:
        return False
    found = kept[1]
    if found.due or not found.uid:
        return False
    asked = dict(parse_qsl(environ.get("QUERY_STRING", ""), max_num_fields=8))
    if asked.get("v") != found.version:
        return False
    cookies = parse_cookie(environ.get("HTTP_COOKIE", ""))
    session_key = cookies.get(settings.SESSION_COOKIE_NAME, "")
    return pulse_token_language(asked.get("t", ""), meeting_id, session_key) is not None


StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class QuickPulse:
    """WSGI wrapper: an unchanged pulse answered 204 from memory, everything else passed on."""

    def __init__(self, application: WsgiApp) -> None:
        self.application = application

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            quick = unchanged_from_memory(environ)
        except ValueError:  # a malformed query string: the view answers it as it would
            quick = False
        if quick:
            start_response("204 No Content", list(_UNCHANGED_HEADERS))
            return []
        return self.application(environ, start_response)
