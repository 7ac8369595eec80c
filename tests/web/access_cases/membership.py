"""Access rows for the membership lifecycle, discipline and dues pages (docs/organisation.md).
Columns: anonymous, member of A, member of B, Data Manager of A, Secretary of A, area
coordinator, regional coordinator, national office, auditor."""

from __future__ import annotations

import datetime

from grassroots import clock
from tests.web.access import LOGIN, Case, logged_in, member_in
from tests.web.roles import Movement

NATIONAL_ONLY = (LOGIN, 404, 404, 404, 404, 404, 404, 200, 404)


def case_of_member_in_a(m: Movement) -> dict[str, str]:
    from grassroots.people.models import DisciplinaryCase

    case = DisciplinaryCase.objects.create(
        member=m.in_group_a,
        sanction="suspend",
        reason="Access matrix",
        body="national_committee",
        opened_by_label="national",
        notice_given_at=clock.now(),
        respond_by=clock.now().date() + datetime.timedelta(days=14),
    )
    return {"case_id": str(case.pk)}


def an_other_organisation(m: Movement) -> dict[str, str]:
    from grassroots.people.models import OtherOrganisation

    organisation = OtherOrganisation.objects.create(name="Unite the Union", created_at=clock.now())
    return {"organisation_id": str(organisation.pk)}


CASES = [
    Case("my_membership", logged_in(200), about="everyone's own membership page"),
    Case(
        "my_organisations",
        logged_in(200),
        about="everyone's own declarations of membership of other organisations",
    ),
    Case(
        "other_organisations",
        NATIONAL_ONLY,
        about="other organisations and their imported lists: national office only",
    ),
    Case(
        "organisation_declarations",
        NATIONAL_ONLY,
        an_other_organisation,
        about="members' declarations of membership (special category data): national office",
    ),
    Case(
        "member_membership",
        NATIONAL_ONLY,
        member_in("in_group_a"),
        about="renewal by hand, dues by hand and disciplinary notice: national office",
    ),
    Case(
        "discipline_cases",
        NATIONAL_ONLY,
        about="the national bodies that decide (national office here; the committee too)",
    ),
    Case("discipline_case", NATIONAL_ONLY, case_of_member_in_a, about="one case, the same"),
    Case("dues_home", NATIONAL_ONLY, about="dues imports and paid-up requirements"),
]
