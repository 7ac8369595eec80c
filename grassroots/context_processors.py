from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse


def csp_nonce(request: HttpRequest) -> dict[str, str]:
    """The response's CSP nonce under the name django-htmx's script tag reads (``csp_nonce``)."""
    return {"csp_nonce": str(getattr(request, "csp_nonce", ""))}


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    current: str  # the aria-current value: "page", "true" (a page within the section) or ""


# The main navigation for people who are logged in: (label, URL name). A link is current for
# every page under its URL, so a ballot's page marks "Ballots". Role pages (member list, mail,
# import, audit log) are on the dashboard, which knows the person's roles; this list asks no
# question of the database.
MEMBER_LINKS = (
    ("Dashboard", "home"),
    ("Groups", "group_list"),
    ("Meetings", "meetings:list"),
    ("Ballots", "ballot_list"),
    ("Chosen by lot", "sortition:draw_list"),
    ("Delegates", "delegation_home"),
    ("Oversight", "oversight"),
    ("Surveys", "surveys:survey_list"),
    ("My profile", "profile"),
    ("Security", "mfa_index"),
    ("API tokens", "api_tokens"),
)
VISITOR_LINKS = (("Groups", "group_list"), ("Log in", "account_login"))


def _current(path: str, url: str) -> str:
    if path == url:
        return "page"
    if url != "/" and path.startswith(url):
        return "true"
    return ""


def navigation(request: HttpRequest) -> dict[str, list[NavLink]]:
    """The main navigation's links, each marked when it is (or contains) the page shown."""
    user = getattr(request, "user", None)
    links = MEMBER_LINKS if user is not None and user.is_authenticated else VISITOR_LINKS
    out = []
    for label, name in links:
        try:
            url = reverse(name)
        except NoReverseMatch:  # an app left out of a trimmed settings module
            continue
        out.append(NavLink(label, url, _current(request.path, url)))
    return {"nav_links": out}
