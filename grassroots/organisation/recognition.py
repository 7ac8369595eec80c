"""Whether a group meets the recognition criteria: the evaluation, apart from what follows.

``evaluate`` is pure (facts and criteria in, results out) so every criterion can be tested on
its own; ``evaluate_group`` reads the facts for one group first. What happens to a group that
fails is decided in ``organisation.services.review.review_recognition``.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import override

from grassroots.organisation.models import (
    AgmRecord,
    AgreementAcceptance,
    Group,
    RecognitionCriteria,
    Role,
    RoleAssignment,
)
from grassroots.organisation.recognition_words import describe

# The data protection agreement a Data Manager accepts (its text is
# templates/organisation/agreement_text.html). A new version must be accepted again.
AGREEMENT_VERSION = "2026-1"


@dataclass(frozen=True)
class CriterionResult:
    """One criterion's result. ``values`` are the numbers and dates its words need, so the
    words are drawn in the reader's language when shown (``describe``), not when evaluated."""

    code: str
    passed: bool
    values: Mapping[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return describe(self.code, self.values, passed=self.passed)[0]

    @property
    def detail(self) -> str:
        return describe(self.code, self.values, passed=self.passed)[1]

    def stored(self) -> dict[str, Any]:
        """As a recognition event keeps it: the code and values, and the English words for a
        reader of the raw record."""
        with override("en"):
            label, detail = describe(self.code, self.values, passed=self.passed)
        return {"code": self.code, "values": dict(self.values), "label": label, "detail": detail}


@dataclass(frozen=True)
class GroupFacts:
    has_data_manager: bool
    has_secretary: bool
    members: int
    last_agm_on: datetime.date | None
    data_manager_accepted: bool


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` calendar months earlier (the month's last day if it is short)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def evaluate(
    facts: GroupFacts, criteria: RecognitionCriteria, today: datetime.date
) -> list[CriterionResult]:
    """Each criterion the national office has switched on, passed or not."""
    results: list[CriterionResult] = []
    if criteria.require_data_manager:
        results.append(CriterionResult("data_manager", facts.has_data_manager))
    if criteria.require_secretary:
        results.append(CriterionResult("secretary", facts.has_secretary))
    if criteria.minimum_members:
        enough = facts.members >= criteria.minimum_members
        results.append(
            CriterionResult(
                "members", enough, {"minimum": criteria.minimum_members, "members": facts.members}
            )
        )
    if criteria.agm_within_months:
        since = months_before(today, criteria.agm_within_months)
        held = facts.last_agm_on is not None and facts.last_agm_on >= since
        last = facts.last_agm_on.isoformat() if facts.last_agm_on else None
        results.append(
            CriterionResult(
                "agm", held, {"months": criteria.agm_within_months, "last_agm_on": last}
            )
        )
    if criteria.require_agreement:
        accepted = facts.has_data_manager and facts.data_manager_accepted
        results.append(CriterionResult("agreement", accepted))
    return results


def holding_on(group: Group, role: str, today: datetime.date) -> Q:
    """Assignments of ``role`` in ``group`` that still hold after ``today``: a role whose last
    day is today no longer counts, so a group is told the day a resignation is recorded."""
    return Q(group=group, role=role, starts_on__lte=today) & (
        Q(ends_on__isnull=True) | Q(ends_on__gt=today)
    )


def group_facts(group: Group, today: datetime.date) -> GroupFacts:
    from grassroots.people.models import Member, MembershipStatus

    data_managers = list(
        RoleAssignment.objects.filter(holding_on(group, Role.DATA_MANAGER, today)).values_list(
            "pk", flat=True
        )
    )
    accepted = AgreementAcceptance.objects.filter(
        assignment_id__in=data_managers, version=AGREEMENT_VERSION
    ).exists()
    last_agm = (
        AgmRecord.objects.filter(group=group, held_on__lte=today)
        .order_by("-held_on")
        .values_list("held_on", flat=True)
        .first()
    )
    return GroupFacts(
        has_data_manager=bool(data_managers),
        has_secretary=RoleAssignment.objects.filter(
            holding_on(group, Role.SECRETARY, today)
        ).exists(),
        members=Member.objects.filter(home_group=group, status=MembershipStatus.MEMBER).count(),
        last_agm_on=last_agm,
        data_manager_accepted=accepted,
    )


def evaluate_group(
    group: Group, criteria: RecognitionCriteria, today: datetime.date
) -> list[CriterionResult]:
    return evaluate(group_facts(group, today), criteria, today)


def failing(results: list[CriterionResult]) -> list[CriterionResult]:
    return [r for r in results if not r.passed]
