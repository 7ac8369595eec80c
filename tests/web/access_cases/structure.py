"""Access rows for the structure pages (docs/organisation.md). Columns: anonymous, member of A,
member of B, Data Manager of A, Secretary of A, area coordinator, regional coordinator (North,
A's region), national office, auditor."""

from __future__ import annotations

from tests.web.access import LOGIN, Case, everyone

NATIONAL_AND_REGIONAL = (LOGIN, 404, 404, 404, 404, 404, 200, 200, 404)
NATIONAL_ONLY = (LOGIN, 404, 404, 404, 404, 404, 404, 200, 404)

CASES = [
    Case("structure_changes", everyone(200), about="the public change log"),
    Case(
        "structure_home",
        NATIONAL_AND_REGIONAL,
        about="national office; a regional coordinator for their own region",
    ),
    Case(
        "structure_create",
        NATIONAL_AND_REGIONAL,
        lambda m: {"level": "group"},
        about="a new group: national office, or a regional coordinator in their region",
    ),
    Case(
        "structure_create",
        NATIONAL_ONLY,
        lambda m: {"level": "region"},
        about="a new region: national office only",
    ),
    Case(
        "structure_body",
        NATIONAL_AND_REGIONAL,
        lambda m: {"level": "group", "slug": m.group_a.slug},
        about="group A is in the regional coordinator's region",
    ),
    Case(
        "structure_body",
        NATIONAL_ONLY,
        lambda m: {"level": "group", "slug": m.group_b.slug},
        about="group B is in another region",
    ),
    Case(
        "structure_body",
        NATIONAL_AND_REGIONAL,
        lambda m: {"level": "area", "slug": m.group_a.area.slug},
        about="an area of the regional coordinator's region",
    ),
    Case(
        "structure_body",
        NATIONAL_ONLY,
        lambda m: {"level": "region", "slug": m.group_a.area.region.slug},
        about="a region itself is changed nationally",
    ),
]
