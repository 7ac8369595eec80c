"""Access rows for surveys (grassroots.surveys)."""

from __future__ import annotations

from tests.web.access import LOGIN, Case, logged_in
from tests.web.roles import Movement

RUNNERS_OF_AREA = (LOGIN, 404, 404, 404, 404, 200, 200, 200, 404)


def _survey(m: Movement, *, status: str) -> dict[str, str]:
    """A survey for group A's area, run by its coordinator: a draft, open, or closed."""
    from grassroots.surveys import services

    survey = services.create_survey(
        actor=m.coordinator.user,
        title="Area survey",
        description="",
        level="area",
        scope=m.group_a.area,
        is_anonymous=True,
    )
    services.add_question(
        actor=m.coordinator.user, survey=survey, text="Yes?", kind="single", options=["Yes", "No"]
    )
    if status != "draft":
        services.open_survey(actor=m.coordinator.user, survey=survey)
    if status == "closed":
        services.close_survey(actor=m.coordinator.user, survey=survey)
    return {"survey_id": str(survey.pk)}


def draft_survey(m: Movement) -> dict[str, str]:
    return _survey(m, status="draft")


def open_survey(m: Movement) -> dict[str, str]:
    return _survey(m, status="open")


def closed_survey(m: Movement) -> dict[str, str]:
    return _survey(m, status="closed")


# fmt: off
CASES = [
    # Columns:  anonymous, member, other_member, data_manager, secretary, coordinator, regional,
    #           national, auditor
    Case("surveys:survey_list", logged_in(200)),
    Case("surveys:survey_create", (LOGIN, 404, 404, 404, 200, 200, 200, 200, 404),
         about="RUN_SURVEYS somewhere"),
    Case("surveys:survey_detail", (LOGIN, 200, 404, 200, 200, 200, 200, 200, 200),
         open_survey, about="members whose home group is in the area, and its runners"),
    Case("surveys:survey_detail", RUNNERS_OF_AREA, draft_survey,
         about="a draft: its runners only"),
    Case("surveys:survey_manage", RUNNERS_OF_AREA, open_survey,
         about="RUN_SURVEYS over the whole area (a group's Secretary: no)"),
    Case("surveys:survey_question_add", RUNNERS_OF_AREA, draft_survey),
    Case("surveys:survey_results", RUNNERS_OF_AREA, open_survey,
         about="while open: its runners only"),
    Case("surveys:survey_results", (LOGIN, 200, 404, 200, 200, 200, 200, 200, 200),
         closed_survey, about="once closed: members in scope too"),
    Case("surveys:survey_open", logged_in(405), draft_survey, about="POST only"),
    Case("surveys:survey_close", logged_in(405), open_survey, about="POST only"),
]
# fmt: on
