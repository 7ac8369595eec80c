from __future__ import annotations

import importlib
from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def csp_nonce(request: HttpRequest) -> dict[str, str]:
    """The response's CSP nonce under the name django-htmx's script tag reads (``csp_nonce``)."""
    return {"csp_nonce": str(getattr(request, "csp_nonce", ""))}


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    name: str  # the URL's name, which templates test (the label is translated)
    current: str  # the aria-current value: "page", "true" (a page within the section) or ""


# The main navigation for people who are logged in: (label, URL name). A link is current for
# every page under its URL, so a ballot's page marks "Ballots". Role pages (member list, mail,
# import, audit log) are on the dashboard, which knows the person's roles; this list asks no
# question of the database.
MEMBER_LINKS = (
    (_("Dashboard"), "home"),
    (_("Notifications"), "notifications:inbox"),
    (_("Groups"), "group_list"),
    (_("Meetings"), "meetings:list"),
    (_("Ballots"), "ballot_list"),
    (_("Slates"), "slates:list"),
    (_("Chosen by lot"), "sortition:draw_list"),
    (_("Delegates"), "delegation_home"),
    (_("Oversight"), "oversight"),
    (_("Surveys"), "surveys:survey_list"),
    (_("My profile"), "profile"),
    (_("Security"), "mfa_index"),
    (_("API tokens"), "api_tokens"),
)
VISITOR_LINKS = (
    (_("Groups"), "group_list"),
    (_("Slates"), "slates:list"),
    (_("Log in"), "account_login"),
)


_status_enums: dict[str, type] = {}


def status_enums(request: HttpRequest) -> dict[str, type]:
    """Every model's status enum under its class name, so templates compare a status with
    ``BallotStatus.OPEN`` and not with a string that a renamed value would silently stop
    matching (Django's choices are not called in templates: ``do_not_call_in_templates``)."""
    if not _status_enums:
        for path in STATUS_ENUM_PATHS:
            module, _, name = path.rpartition(".")
            _status_enums[name] = getattr(importlib.import_module(module), name)
    return _status_enums


# The enums templates compare statuses with (tests/web/test_status_literals.py holds templates to
# them).
STATUS_ENUM_PATHS = (
    "grassroots.assembly.models.SpeakerStatus",
    "grassroots.ballots.models.BallotStatus",
    "grassroots.ballots.models.NominationStatus",
    "grassroots.delegation.models.CompositeStatus",
    "grassroots.delegation.models.ForwardStatus",
    "grassroots.meetings.models.AmendmentStatus",
    "grassroots.meetings.models.CommentStatus",
    "grassroots.meetings.models.MeetingStatus",
    "grassroots.meetings.models.MinutesStatus",
    "grassroots.meetings.models.MotionStatus",
    "grassroots.organisation.models.GroupStatus",
    "grassroots.oversight.models.CommitmentStatus",
    "grassroots.oversight.models.InitiativeStatus",
    "grassroots.people.models.MembershipStatus",
    "grassroots.proposals.models.ProposalStatus",
    "grassroots.sortition.models.DrawStatus",
    "grassroots.surveys.models.SurveyStatus",
)


def _current(path: str, url: str) -> str:
    if path == url:
        return "page"
    if url != "/" and path.startswith(url):
        return "true"
    return ""


# Each list's (label, URL, name), translated and reversed once per process for each language,
# script prefix and URL configuration: every page draws the navigation, and reversing its 13
# URLs and translating its labels again on each request was a tenth of the member list's CPU
# (issue 13).
_nav_made: dict[tuple[bool, str, str, str | None], list[tuple[str, str, str]]] = {}


def _nav_entries(member: bool) -> list[tuple[str, str, str]]:
    key = (member, get_language(), get_script_prefix(), get_urlconf())
    entries = _nav_made.get(key)
    if entries is None:
        entries = []
        for label, name in MEMBER_LINKS if member else VISITOR_LINKS:
            try:
                url = reverse(name)
            except NoReverseMatch:  # an app left out of a trimmed settings module
                continue
            entries.append((str(label), url, name))
        _nav_made[key] = entries
    return entries


def navigation(request: HttpRequest) -> dict[str, list[NavLink]]:
    """The main navigation's links, each marked when it is (or contains) the page shown."""
    user = getattr(request, "user", None)
    member = user is not None and user.is_authenticated
    path = request.path
    return {
        "nav_links": [
            NavLink(label, url, name, _current(path, url))
            for label, url, name in _nav_entries(member)
        ]
    }
