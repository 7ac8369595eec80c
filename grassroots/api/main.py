"""The JSON API, version 1: one NinjaAPI, its routers, its error shape and its guards.

The OpenAPI schema is at /api/v1/openapi.json and browsable at /api/v1/docs (docs/api.md).
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver
from ninja import NinjaAPI

from grassroots.api.endpoints import ballots, meetings, members, proposals
from grassroots.api.errors import guard_view, install_error_handlers

api = NinjaAPI(
    title="Grassroots API",
    version="1",
    description=(
        "Public ballot results, election records and the ballot box's signed log with its "
        "proofs; a member's own ballots, ballot paper and vote; officers' member lists within "
        "their scope; meetings and motions; proposals decided between meetings. Authenticate "
        "with a personal API token "
        "(Authorization: Bearer grt_...) or the browser session (with X-CSRFToken on "
        "writes). Errors are always "
        '{"code", "message", "errors"}; what you may not see answers 404, as missing things do.'
    ),
    urls_namespace="api",
)
install_error_handlers(api)
api.add_router("", ballots.router)
api.add_router("", members.router)
api.add_router("", meetings.router)
api.add_router("", proposals.router)


def api_urls() -> tuple[list[URLPattern | URLResolver], str, str]:
    """The API's URL patterns, each view guarded (body size; officer MFA decided as JSON)."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = guard_view(pattern.callback)
    return patterns, app_name, namespace
