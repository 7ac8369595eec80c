"""Where an officer may act with a capability, as form choices and back, and the columns to
store for a scope. Shared by apps whose rows carry the usual ``level`` with
``group``/``area``/``region`` columns (``models.scope_matches_level``); which groups such a
row reaches is ``permissions.group_ids_in``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser

from grassroots.accounts.models import User
from grassroots.organisation.models import Area, Group, Region, ScopeLevel
from grassroots.organisation.permissions import NATION, Capability, Scope, may, scopes_for


def scope_choices(actor: User | AnonymousUser, capability: Capability) -> list[tuple[str, str]]:
    """Where ``actor`` may use ``capability``, as form choices ("nation", "region:3", ...)."""
    scopes = scopes_for(actor, capability)
    if scopes.is_empty:
        return []
    choices: list[tuple[str, str]] = []
    if scopes.everywhere:
        choices.append((str(ScopeLevel.NATION), "The whole movement"))
        regions = list(Region.objects.all())
        areas = list(Area.objects.all())
        groups = list(Group.objects.all())
    else:
        groups = list(Group.objects.filter(pk__in=scopes.group_ids))
        areas = list(Area.objects.filter(groups__in=scopes.group_ids).distinct())
        regions = list(Region.objects.filter(areas__groups__in=scopes.group_ids).distinct())
    choices += [
        (f"region:{r.pk}", f"Region: {r.name}") for r in regions if may(actor, capability, r)
    ]
    choices += [(f"area:{a.pk}", f"Area: {a.name}") for a in areas if may(actor, capability, a)]
    choices += [(f"group:{g.pk}", f"Group: {g.name}") for g in groups]
    return choices


def scope_from_choice(value: str) -> tuple[str, Scope]:
    """The level and object a choice names; ValueError for anything malformed or missing."""
    if value == ScopeLevel.NATION:
        return str(ScopeLevel.NATION), NATION
    level, _, raw_id = value.partition(":")
    if not raw_id.isdigit():
        raise ValueError(f"not a scope: {value!r}")
    model: type[Group] | type[Area] | type[Region]
    model = {"group": Group, "area": Area, "region": Region}.get(level)  # type: ignore[assignment]
    if model is None:
        raise ValueError(f"not a scope: {value!r}")
    found = model.objects.filter(pk=int(raw_id)).first()
    if found is None:
        raise ValueError(f"no such {level}: {raw_id}")
    return level, found


def body_named(level: str, scope: Scope | None) -> Scope | None:
    """The body a stored ``level`` and a scope object name together: ``NATION`` for the nation
    level (there is no object; a caller may pass ``NATION`` or nothing), the group, area or
    region for the other levels when it is of that kind, and None when the two disagree."""
    if level == ScopeLevel.NATION:
        return NATION if scope is None or scope is NATION else None
    kinds: dict[str, type[Group | Area | Region]] = {
        ScopeLevel.GROUP: Group,
        ScopeLevel.AREA: Area,
        ScopeLevel.REGION: Region,
    }
    kind = kinds.get(level)
    return scope if kind is not None and isinstance(scope, kind) else None


def scope_columns(level: str, scope: Scope | None) -> dict[str, Any]:
    """The ``level``/``group``/``area``/``region`` values to store for a scope."""
    return {
        "level": level,
        "group": scope if isinstance(scope, Group) else None,
        "area": scope if isinstance(scope, Area) else None,
        "region": scope if isinstance(scope, Region) else None,
    }
