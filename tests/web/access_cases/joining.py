"""Access rows for the public join pages (docs/organisation.md): open to everyone."""

from __future__ import annotations

from tests.web.access import Case, everyone

CASES = [
    Case("join", everyone(200), about="the public join page (its postcode step)"),
    Case("join_sent", everyone(200), about="'check your email', after the form is sent"),
    Case(
        "join_verify",
        everyone(200),
        lambda m: {"token": "not-a-token-we-signed"},
        about="a link we did not sign: a clear error page, nothing joined",
    ),
]
