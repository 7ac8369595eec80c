"""What surveys holds about a member or a login, for erasure.

Registered with people from ``SurveysConfig.ready`` (people sits below surveys:
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
from grassroots.surveys.models import Answer, Response


def _unlink_survey_responses(erasure: Erasure) -> None:
    responses = Response.objects.filter(member=erasure.member)
    Answer.objects.filter(response__in=responses).exclude(text="").update(text="")
    responses.update(member=None, submitted_at=None)


ERASURE_RULES: dict[str, Rule] = {
    "surveys.survey.created_by": Rule(Action.KEEP, "kept", OFFICER_ACT),
    "surveys.respondent.member": Rule(
        Action.KEEP,
        "kept, pointing at the pseudonymised row (so linked to nobody)",
        "the 'has answered' mark is the survey's turnout, as a roll mark is a ballot's",
    ),
    "surveys.response.member": Rule(
        Action.ANONYMISE,
        "a named response is unlinked (member and time cleared, as an anonymous one); its "
        "choices and scale answers stay, its free-text answers are emptied",
        "the results' counts must not change; free text may identify its writer",
        _unlink_survey_responses,
    ),
}
