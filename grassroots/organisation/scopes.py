"""Where an officer may act with a capability, as form choices and back, and which groups a
scoped thing (a draw, a survey) reaches. Shared by apps whose rows carry the usual ``level``
with ``group``/``area``/``region`` columns (``models.scope_matches_level``)."""

from __future__ import annotations

from typing import Any, Protocol

from grassroots.organisation.models import Area, Group, Region, ScopeLevel
from grassroots.organisation.permissions import Capability, may, scopes_for

Scope = Group | Area | Region | None  # None: the whole movement


class Scoped(Protocol):
    level: str
    group_id: int | None
    area_id: int | None
    region_id: int | None


def may_act_in(actor: Any, capability: Capability, scope: Scope) -> bool:
    """May ``actor`` use ``capability`` over the whole of ``scope`` (None: the nation)?"""
    if scope is None:
        return scopes_for(actor, capability).everywhere
    return may(actor, capability, scope)


def scope_choices(actor: Any, capability: Capability) -> list[tuple[str, str]]:
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
        (f"region:{r.pk}", f"Region: {r.name}") for r in regions if may_act_in(actor, capability, r)
    ]
    choices += [
        (f"area:{a.pk}", f"Area: {a.name}") for a in areas if may_act_in(actor, capability, a)
    ]
    choices += [(f"group:{g.pk}", f"Group: {g.name}") for g in groups]
    return choices


def scope_from_choice(value: str) -> tuple[str, Scope]:
    """The level and object a choice names; ValueError for anything malformed or missing."""
    if value == ScopeLevel.NATION:
        return str(ScopeLevel.NATION), None
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


def scope_columns(level: str, scope: Scope) -> dict[str, Any]:
    """The ``level``/``group``/``area``/``region`` values to store for a scope."""
    return {
        "level": level,
        "group": scope if isinstance(scope, Group) else None,
        "area": scope if isinstance(scope, Area) else None,
        "region": scope if isinstance(scope, Region) else None,
    }


def scope_object(row: Any) -> Scope:
    scope: Scope = row.group or row.area or row.region
    return scope


def scope_group_ids(row: Scoped) -> list[int] | None:
    """The groups inside a scoped row's scope; None for the nation (every group)."""
    if row.level == ScopeLevel.NATION:
        return None
    if row.level == ScopeLevel.GROUP:
        return [row.group_id] if row.group_id else []
    groups = Group.objects.all()
    if row.level == ScopeLevel.AREA:
        groups = groups.filter(area_id=row.area_id or 0)
    else:
        groups = groups.filter(area__region_id=row.region_id or 0)
    return list(groups.values_list("id", flat=True))
