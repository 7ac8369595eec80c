"""What apps above meetings add to a meeting's page and minutes, registered at start-up.

Meetings cannot import the apps that build on it (``grassroots.assembly`` runs a meeting in
session: live votes, proxies, the speakers' list). Those apps register here from their
``AppConfig.ready``, as ballots takes result handlers (docs/decisions.md): links for the meeting
page (for the people who may use them) and paragraphs for the draft minutes.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser

from grassroots.accounts.models import User
from grassroots.meetings.models import Meeting

LinkSource = Callable[[User | AnonymousUser, Meeting], list[tuple[str, str]]]
MinutesSource = Callable[[Meeting], list[str]]

_links: dict[str, LinkSource] = {}
_minutes: dict[str, MinutesSource] = {}


def register_meeting_links(name: str, source: LinkSource) -> None:
    """``source(actor, meeting)`` gives (label, url) pairs for the meeting's page."""
    _links[name] = source


def register_minutes_section(name: str, source: MinutesSource) -> None:
    """``source(meeting)`` gives lines for the draft minutes, after the motions."""
    _minutes[name] = source


def meeting_links(actor: User | AnonymousUser, meeting: Meeting) -> list[tuple[str, str]]:
    return [link for source in _links.values() for link in source(actor, meeting)]


def minutes_sections(meeting: Meeting) -> list[str]:
    lines: list[str] = []
    for source in _minutes.values():
        section = source(meeting)
        if section:
            lines.extend([*section, ""])
    return lines
