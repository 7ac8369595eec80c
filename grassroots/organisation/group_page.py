"""Parts that the apps above organisation add to a group's public page.

The group page lists, for example, the ballots that reach the group; ballots sits above
organisation (docs/decisions.md), so it registers a *panel* here from ``BallotsConfig.ready``
instead of organisation importing it. A panel is a template and a function that gives it its
data for one group; the page shows the panels in the order the apps registered them, each with
its data as ``panel``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from grassroots.organisation.models import Group


@dataclass(frozen=True)
class GroupPanel:
    owner: str
    template: str
    data: Callable[[Group], dict[str, Any]]


@dataclass(frozen=True)
class ShownPanel:
    template: str
    data: dict[str, Any]


_panels: dict[str, GroupPanel] = {}


def register_group_panel(panel: GroupPanel) -> None:
    """Register (or, for the same owner, replace) a panel; called from ``AppConfig.ready``."""
    _panels[panel.owner] = panel


def panels_for(group: Group) -> list[ShownPanel]:
    return [ShownPanel(p.template, p.data(group)) for p in _panels.values()]
