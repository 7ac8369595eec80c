"""What organisation holds about a member, for erasure and the subject-access export.

Registered with people from ``OrganisationConfig.ready`` (people sits below organisation:
docs/decisions.md); docs/data-protection.md has these rules in prose.
"""

from __future__ import annotations

from typing import Any

from grassroots import clock
from grassroots.organisation.models import RoleAssignment
from grassroots.people.erasure_rules import (
    LABEL_WHY,
    LOGIN_LABEL,
    LOGIN_LINK,
    Action,
    Erasure,
    Rule,
    relabel,
    relabel_by_email,
)
from grassroots.people.models import Member
from grassroots.people.subject_access import Section


def _end_current_offices(erasure: Erasure) -> None:
    day = clock.today()
    for assignment in RoleAssignment.objects.current().filter(member=erasure.member):
        assignment.ends_on = max(assignment.starts_on, day)
        assignment.save(update_fields=["ends_on"])


ERASURE_RULES: dict[str, Rule] = {
    "organisation.roleassignment.member": Rule(
        Action.KEEP,
        "kept; offices still held end today",
        "who held which office is the movement's record",
        _end_current_offices,
    ),
    "organisation.roleassignment.appointed_by": Rule(
        Action.ANONYMISE,
        f"{LOGIN_LABEL} (and `ended_by_label`, matched by email)",
        LABEL_WHY,
        relabel("organisation.roleassignment", "appointed_by", "appointed_by_label"),
    ),
    "organisation.recognitioncriteria.updated_by": Rule(Action.ANONYMISE, LOGIN_LINK, LABEL_WHY),
    "organisation.agmrecord.recorded_by": Rule(
        Action.ANONYMISE,
        LOGIN_LABEL,
        LABEL_WHY,
        relabel("organisation.agmrecord", "recorded_by", "recorded_by_label"),
    ),
    "organisation.recognitionevent.decided_by": Rule(
        Action.ANONYMISE,
        LOGIN_LABEL,
        LABEL_WHY,
        relabel("organisation.recognitionevent", "decided_by", "decided_by_label"),
    ),
    "organisation.recognitionappeal.lodged_by": Rule(
        Action.ANONYMISE,
        LOGIN_LABEL,
        LABEL_WHY,
        relabel("organisation.recognitionappeal", "lodged_by", "lodged_by_label"),
    ),
    "organisation.recognitionappeal.decided_by": Rule(
        Action.ANONYMISE,
        LOGIN_LABEL,
        LABEL_WHY,
        relabel("organisation.recognitionappeal", "decided_by", "decided_by_label"),
    ),
    "organisation.structurechange.decided_by": Rule(
        Action.ANONYMISE,
        LOGIN_LABEL,
        LABEL_WHY,
        relabel("organisation.structurechange", "decided_by", "decided_by_label"),
    ),
}

# An office ended by someone keeps their email in a label with no link beside it.
ERASURE_STEPS = (relabel_by_email("organisation.roleassignment", "ended_by_label"),)


def _collect(member: Member) -> dict[str, Any]:
    return {
        "roles": [
            {
                "role": a.role,
                "role_label": a.get_role_display(),
                "scope": a.scope_name,
                "starts_on": a.starts_on,
                "ends_on": a.ends_on,
            }
            for a in RoleAssignment.objects.filter(member=member)
            .select_related("group", "area", "region")
            .order_by("-starts_on", "-id")
        ],
    }


SUBJECT_ACCESS = Section(
    owner="organisation",
    collect=_collect,
    covers={"organisation.roleassignment": "roles"},
    template="organisation/my_data_section.html",
)
