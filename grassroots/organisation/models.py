"""The movement's shape: regions contain areas, areas contain local groups; officers hold roles
scoped to one of them or to the nation."""

from __future__ import annotations

import datetime
from typing import ClassVar

from django.db import models
from django.db.models import Q


class Region(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)

    class Meta:
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name


class Area(models.Model):
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="areas")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)

    class Meta:
        ordering: ClassVar = ["name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["region", "name"], name="area_name_unique_in_region")
        ]

    def __str__(self) -> str:
        return self.name


class Group(models.Model):
    """A local group. Public fields only: what anyone may read on the group page."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="groups")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    meeting_place = models.CharField(max_length=200, blank=True)
    founded_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["area", "name"], name="group_name_unique_in_area")
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    DATA_MANAGER = "data_manager", "Data Manager"
    SECRETARY = "secretary", "Secretary"
    CHAIR = "chair", "Chair"
    TREASURER = "treasurer", "Treasurer"
    AREA_COORDINATOR = "area_coordinator", "Area Coordinator"
    REGIONAL_COORDINATOR = "regional_coordinator", "Regional Coordinator"
    NATIONAL_OFFICE = "national_office", "National Office"
    NATIONAL_COMMITTEE = "national_committee", "National Committee member"
    AUDITOR = "auditor", "Auditor"


class ScopeLevel(models.TextChoices):
    GROUP = "group", "Group"
    AREA = "area", "Area"
    REGION = "region", "Region"
    NATION = "nation", "Nation"


def scope_matches_level() -> Q:
    """The check for a row scoped by ``level`` plus ``group``/``area``/``region`` columns:
    exactly the column the level names is set (none for the nation). Role assignments and
    ballots share it."""
    return (
        Q(level="group", group__isnull=False, area__isnull=True, region__isnull=True)
        | Q(level="area", group__isnull=True, area__isnull=False, region__isnull=True)
        | Q(level="region", group__isnull=True, area__isnull=True, region__isnull=False)
        | Q(level="nation", group__isnull=True, area__isnull=True, region__isnull=True)
    )


# Which level each role is held at. The database enforces that the scope columns match.
ROLE_LEVEL: dict[str, str] = {
    Role.DATA_MANAGER: ScopeLevel.GROUP,
    Role.SECRETARY: ScopeLevel.GROUP,
    Role.CHAIR: ScopeLevel.GROUP,
    Role.TREASURER: ScopeLevel.GROUP,
    Role.AREA_COORDINATOR: ScopeLevel.AREA,
    Role.REGIONAL_COORDINATOR: ScopeLevel.REGION,
    Role.NATIONAL_OFFICE: ScopeLevel.NATION,
    Role.NATIONAL_COMMITTEE: ScopeLevel.NATION,
    Role.AUDITOR: ScopeLevel.NATION,
}


class RoleAssignmentQuerySet(models.QuerySet["RoleAssignment"]):
    def current(self, on: datetime.date | None = None) -> RoleAssignmentQuerySet:
        from grassroots.clock import today

        day = on or today()
        return self.filter(starts_on__lte=day).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))


class RoleAssignment(models.Model):
    """A member holds a role in one scope from ``starts_on`` until ``ends_on`` (inclusive)."""

    member = models.ForeignKey(
        "people.Member", on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(max_length=32, choices=Role.choices)
    level = models.CharField(max_length=10, choices=ScopeLevel.choices)
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.PROTECT)
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        ordering: ClassVar = ["role", "starts_on"]
        constraints: ClassVar = [
            models.CheckConstraint(
                name="role_scope_matches_level",
                condition=scope_matches_level(),
            ),
            models.CheckConstraint(
                name="role_level_fits_role",
                condition=(
                    Q(role__in=["data_manager", "secretary", "chair", "treasurer"], level="group")
                    | Q(role="area_coordinator", level="area")
                    | Q(role="regional_coordinator", level="region")
                    | Q(
                        role__in=["national_office", "national_committee", "auditor"],
                        level="nation",
                    )
                ),
            ),
            models.CheckConstraint(
                name="role_ends_after_start",
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["member", "role"])]

    def __str__(self) -> str:
        return f"{self.get_role_display()} ({self.scope_name})"

    @property
    def scope_name(self) -> str:
        scope = self.group or self.area or self.region
        return str(scope) if scope else "National"
