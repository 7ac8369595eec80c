"""What sortition holds about a member or a login, for erasure.

Registered with people from ``SortitionConfig.ready`` (people sits below sortition:
docs/decisions.md); its rows are in the subject-access export through ``other_records``,
row by row, and docs/data-protection.md has these rules in prose.
"""

from __future__ import annotations

from grassroots.people.erasure_rules import (
    OFFICER_ACT,
    Action,
    Erasure,
    Rule,
)
from grassroots.sortition.models import DrawStatus, Volunteer


def _withdraw_from_open_draws(erasure: Erasure) -> None:
    Volunteer.objects.filter(member=erasure.member, draw__status=DrawStatus.VOLUNTEERING).delete()


ERASURE_RULES: dict[str, Rule] = {
    "sortition.draw.created_by": Rule(Action.KEEP, "kept", OFFICER_ACT),
    "sortition.volunteer.member": Rule(
        Action.KEEP,
        "deleted from a draw still taking volunteers; kept under its pseudonym once "
        "volunteering has closed",
        "a closed draw's published record lists every volunteer's pseudonym and categories, "
        "and anyone must be able to rerun it",
        _withdraw_from_open_draws,
    ),
}
