"""The Content-Security-Policy that every page is served with."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def test_pages_carry_a_strict_csp_with_a_fresh_script_nonce(client):
    first = client.get("/accounts/login/")
    second = client.get("/accounts/login/")
    policy = first.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    nonce = re.search(r"'nonce-([^']+)'", directives["script-src"])
    assert nonce, policy
    # The nonce the header allows is the one on the page's script tag, and it changes per response.
    assert f'nonce="{nonce.group(1)}"' in first.content.decode()
    assert nonce.group(1) not in second.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy
