"""The body a meeting or forward belongs to (a group, an area, a region or the nation), and
where each body sits above another. Plain lookups over ``organisation``; no writes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext

from grassroots.organisation.models import Area, Group, Region, ScopeLevel


@dataclass(frozen=True)
class Body:
    level: str
    group: Group | None = None
    area: Area | None = None
    region: Region | None = None

    @property
    def name(self) -> str:
        scope = self.group or self.area or self.region
        return str(scope) if scope else "National"

    @property
    def described(self) -> str:
        if self.level == ScopeLevel.NATION:
            return gettext("the national body")
        if self.level == ScopeLevel.REGION:
            return gettext("%(name)s (region)") % {"name": self.name}
        if self.level == ScopeLevel.AREA:
            return gettext("%(name)s (area)") % {"name": self.name}
        return gettext("%(name)s (group)") % {"name": self.name}

    @property
    def key(self) -> str:
        """The body's part of a URL: ``area-<slug>``, ``region-<slug>`` or ``nation``."""
        scope = self.group or self.area or self.region
        return f"{self.level}-{scope.slug}" if scope is not None else "nation"

    def groups(self) -> Q:
        """A filter on ``Group`` for the groups inside this body."""
        if self.level == ScopeLevel.GROUP and self.group is not None:
            return Q(pk=self.group.pk)
        if self.level == ScopeLevel.AREA and self.area is not None:
            return Q(area=self.area)
        if self.level == ScopeLevel.REGION and self.region is not None:
            return Q(area__region=self.region)
        return Q()

    def contains_group(self, group: Group) -> bool:
        if self.level == ScopeLevel.GROUP:
            return self.group is not None and self.group.pk == group.pk
        if self.level == ScopeLevel.AREA:
            return self.area is not None and group.area_id == self.area.pk
        if self.level == ScopeLevel.REGION:
            return self.region is not None and group.area.region_id == self.region.pk
        return True

    def same_as(self, other: Body) -> bool:
        return self.key == other.key


def body_of(obj: Any) -> Body:
    """The body of anything with the ``level`` + ``group``/``area``/``region`` columns."""
    return Body(
        level=obj.level,
        group=getattr(obj, "group", None),
        area=getattr(obj, "area", None),
        region=getattr(obj, "region", None),
    )


def receiving_body_of(obj: Any) -> Body:
    """The body a forward or composite is addressed to (its ``to_*`` columns)."""
    return Body(level=obj.to_level, area=obj.to_area, region=obj.to_region)


def body_from_key(key: str) -> Body | None:
    if key == "nation":
        return Body(level=ScopeLevel.NATION)
    level, _, slug = key.partition("-")
    if level == ScopeLevel.AREA:
        area = Area.objects.select_related("region").filter(slug=slug).first()
        return Body(level=level, area=area) if area else None
    if level == ScopeLevel.REGION:
        region = Region.objects.filter(slug=slug).first()
        return Body(level=level, region=region) if region else None
    return None


def bodies_above(body: Body) -> list[Body]:
    """Where a motion carried by ``body`` may be forwarded: each body above it, nearest first."""
    if body.level == ScopeLevel.GROUP and body.group is not None:
        area = body.group.area
        return [
            Body(level=ScopeLevel.AREA, area=area),
            Body(level=ScopeLevel.REGION, region=area.region),
            Body(level=ScopeLevel.NATION),
        ]
    if body.level == ScopeLevel.AREA and body.area is not None:
        return [
            Body(level=ScopeLevel.REGION, region=body.area.region),
            Body(level=ScopeLevel.NATION),
        ]
    if body.level == ScopeLevel.REGION:
        return [Body(level=ScopeLevel.NATION)]
    return []


def is_member_in(user: Any, body: Body) -> bool:
    """Is ``user`` a member (home or associate) of a group inside ``body``?"""
    member = getattr(user, "member", None) if getattr(user, "is_authenticated", False) else None
    if member is None:
        return False
    if body.level == ScopeLevel.NATION:
        return True
    group_ids = [member.home_group_id, *member.other_groups.values_list("id", flat=True)]
    return Group.objects.filter(body.groups(), pk__in=group_ids).exists()
