from __future__ import annotations

from django.http import HttpRequest


def csp_nonce(request: HttpRequest) -> dict[str, str]:
    """The response's CSP nonce under the name django-htmx's script tag reads (``csp_nonce``)."""
    return {"csp_nonce": str(getattr(request, "csp_nonce", ""))}
