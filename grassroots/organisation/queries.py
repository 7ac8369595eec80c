"""Reads about the movement's structure that pages share. Public facts only, no personal data
beyond officers' names, which the movement publishes on group pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.http import Http404

from grassroots.organisation.models import Group, Region, Role, RoleAssignment
from grassroots.organisation.permissions import Capability, scopes_for


def get_group(slug: str) -> Group:
    group = Group.objects.select_related("area__region").filter(slug=slug).first()
    if group is None:
        raise Http404("No such group.")
    return group


def current_officers(group: Group) -> list[RoleAssignment]:
    return list(
        RoleAssignment.objects.current()
        .filter(group=group)
        .select_related("member")
        .order_by("role", "member__last_name")
    )


def groups_without_data_manager() -> QuerySet[Group]:
    has_dm = RoleAssignment.objects.current().filter(group=OuterRef("pk"), role=Role.DATA_MANAGER)
    return Group.objects.annotate(has_dm=Exists(has_dm)).filter(has_dm=False)


def groups_needing_attention(actor: Any) -> list[Group]:
    """Groups the actor looks after (by member access) that have no Data Manager."""
    scopes = scopes_for(actor, Capability.VIEW_MEMBERS)
    if scopes.is_empty:
        return []
    groups = groups_without_data_manager().select_related("area")
    if not scopes.everywhere:
        groups = groups.filter(pk__in=scopes.group_ids)
    return list(groups.order_by("name")[:50])


@dataclass(frozen=True)
class GroupCount:
    group: Group
    members: int


@dataclass(frozen=True)
class AreaCount:
    name: str
    groups: list[GroupCount]

    @property
    def members(self) -> int:
        return sum(g.members for g in self.groups)


@dataclass(frozen=True)
class RegionCount:
    name: str
    areas: list[AreaCount]

    @property
    def members(self) -> int:
        return sum(a.members for a in self.areas)


def national_overview() -> list[RegionCount]:
    """Every region, area and group with its count of members by home group (one query)."""
    groups = (
        Group.objects.select_related("area__region")
        .annotate(member_count=Count("home_members"))
        .order_by("area__region__name", "area__name", "name")
    )
    regions: dict[int, tuple[Region, dict[int, AreaCount]]] = {}
    for group in groups:
        area = group.area
        region = area.region
        _, areas = regions.setdefault(region.pk, (region, {}))
        area_count = areas.setdefault(area.pk, AreaCount(name=area.name, groups=[]))
        area_count.groups.append(GroupCount(group=group, members=group.member_count))
    return [
        RegionCount(name=region.name, areas=list(areas.values()))
        for region, areas in regions.values()
    ]
