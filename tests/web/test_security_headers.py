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


def _through_middleware(rf, view):
    from grassroots.content_security import ContentSecurityPolicyMiddleware

    request = rf.get("/")
    response = ContentSecurityPolicyMiddleware(view)(request)
    return request, response


def test_a_response_exempt_from_the_policy_carries_none_and_a_late_nonce_is_refused(rf):
    from csp.decorators import csp_exempt
    from csp.exceptions import CSPNonceError
    from django.http import HttpResponse, JsonResponse

    request, response = _through_middleware(rf, csp_exempt()(lambda request: JsonResponse({})))
    assert "Content-Security-Policy" not in response
    assert "Content-Security-Policy-Report-Only" not in response
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)

    # Not exempt: django-csp's own header, with a nonce once the page asks for one.
    def page(request):
        return HttpResponse(f'<script nonce="{request.csp_nonce}"></script>')

    request, response = _through_middleware(rf, page)
    assert f"'nonce-{request._csp_nonce}'" in response["Content-Security-Policy"]


def test_a_report_only_policy_still_reaches_an_exempt_response(rf, settings):
    from csp.constants import SELF
    from csp.decorators import csp_exempt
    from django.http import JsonResponse

    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"default-src": [SELF]}}
    _, response = _through_middleware(rf, csp_exempt()(lambda request: JsonResponse({})))
    assert "Content-Security-Policy" not in response
    assert response["Content-Security-Policy-Report-Only"] == "default-src 'self'"
