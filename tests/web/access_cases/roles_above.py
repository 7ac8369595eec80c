"""Access rows for the roles above the group (docs/organisation.md). Columns: anonymous, member
of A, member of B, Data Manager of A, Secretary of A, area coordinator, regional coordinator,
national office, auditor."""

from __future__ import annotations

from grassroots.organisation.models import Role, RoleAssignment
from tests.web.access import LOGIN, Case
from tests.web.roles import Movement


def coordinators_role(m: Movement) -> dict[str, str]:
    role = RoleAssignment.objects.get(member=m.coordinator, role=Role.AREA_COORDINATOR)
    return {"assignment_id": str(role.pk)}


def auditors_role(m: Movement) -> dict[str, str]:
    role = RoleAssignment.objects.get(member=m.auditor, role=Role.AUDITOR)
    return {"assignment_id": str(role.pk)}


CASES = [
    Case(
        "roles_above",
        (LOGIN, 404, 404, 404, 404, 404, 200, 200, 404),
        about="national office, and regional coordinators for their region's area coordinators",
    ),
    Case(
        "roles_appoint",
        (LOGIN, 404, 404, 404, 404, 404, 200, 200, 404),
        about="the same: each offered only the posts they appoint to",
    ),
    Case(
        "roles_end",
        (LOGIN, 404, 404, 404, 404, 200, 200, 200, 404),
        coordinators_role,
        about="the area coordinator resigns; their region's coordinator or national office",
    ),
    Case(
        "roles_end",
        (LOGIN, 404, 404, 404, 404, 404, 404, 200, 200),
        auditors_role,
        about="a national role: national office, or the auditor resigning",
    ),
]
