"""What other apps do when two groups merge: a registry filled from above.

Organisation sits below the apps whose rows belong to a group (meetings, ...), so it cannot move
their rows itself when a group is merged into another. Each such app registers a *merge hook*
in its ``AppConfig.ready`` (as ballots takes result handlers and people takes erasure rules);
``organisation.services.structure.merge_groups`` calls every hook, by name, inside the merge's
transaction, and records what each carried in the change log and the audit row.
"""

from __future__ import annotations

from collections.abc import Callable

from grassroots.organisation.models import Group

# (the group merged away, the group it is merged into) -> how many rows were carried over
GroupMergeHook = Callable[[Group, Group], int]

_hooks: dict[str, GroupMergeHook] = {}


def register_group_merge_hook(name: str, hook: GroupMergeHook) -> None:
    """Called from an app's ``ready``; registering a name again replaces (tests reload apps)."""
    _hooks[name] = hook


def group_merge_hooks() -> list[str]:
    return sorted(_hooks)


def run_group_merge_hooks(source: Group, into: Group) -> dict[str, int]:
    """Every hook in name order; a hook's error undoes the whole merge (one transaction)."""
    return {name: _hooks[name](source, into) for name in sorted(_hooks)}
