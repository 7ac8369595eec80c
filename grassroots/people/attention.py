"""What needs a member's attention, gathered from every app for the home page.

People sits below the apps that know what waits for a member (an open ballot, a motion to
second, a survey, an initiative collecting signatures), so it cannot ask them. Each app
registers a *source* at start-up (``AppConfig.ready``), as it registers its erasure rules; the
home page calls :func:`attention_for`, which asks every source in turn. A source answers for
one person with plain items, in one or two queries of its own.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from grassroots.people.models import Member


@dataclass(frozen=True)
class AttentionItem:
    """One thing waiting for the person: a sentence, the page that does it, and its deadline."""

    kind: str  # a short word for the template and tests: "vote", "teller", "second", ...
    text: str
    url: str
    due: datetime.datetime | None = None


# A source takes the logged-in person and their member record (None for a login without one).
AttentionSource = Callable[[Any, Member | None], Iterable[AttentionItem]]

_sources: dict[str, AttentionSource] = {}


def register_attention_source(name: str, source: AttentionSource) -> None:
    """Called from an app's ``ready``; registering a name twice replaces (tests reload apps)."""
    _sources[name] = source


def attention_sources() -> list[str]:
    return sorted(_sources)


def attention_for(user: Any, member: Member | None) -> list[AttentionItem]:
    """Everything waiting for ``user``, soonest deadline first, then the undated ones."""
    items = [item for name in sorted(_sources) for item in _sources[name](user, member)]
    far = datetime.datetime.max.replace(tzinfo=datetime.UTC)
    return sorted(items, key=lambda item: (item.due or far, item.text))


@dataclass(frozen=True)
class RolePage:
    """A page an officer's role opens, offered on their home page when ``may_use`` allows."""

    label: str
    url_name: str
    may_use: Callable[[Any], bool]


_role_pages: dict[str, RolePage] = {}


def register_role_page(page: RolePage) -> None:
    """Called from an app's ``ready``: the app's pages that only some roles use (a mail-out,
    the import, the rules), so that each is one click from the home page of those who may."""
    _role_pages[page.url_name] = page


def role_pages_for(user: Any) -> list[RolePage]:
    return [page for page in _role_pages.values() if page.may_use(user)]


@dataclass(frozen=True)
class PublicPanel:
    """A section of the visitors' home page an app fills (published results, ...): a template
    and a function giving its context, asked only when a visitor opens the page."""

    owner: str
    template: str
    data: Callable[[], dict[str, Any]]


_public_panels: dict[str, PublicPanel] = {}


def register_public_panel(panel: PublicPanel) -> None:
    _public_panels[panel.owner] = panel


def public_panels() -> list[tuple[str, dict[str, Any]]]:
    """(template, context) for each registered panel, in the order of registration."""
    return [(panel.template, panel.data()) for panel in _public_panels.values()]
