"""Surveys for tests: one of each kind of question, opened by national office."""

from __future__ import annotations

from grassroots.surveys import services
from grassroots.surveys.models import Survey, SurveyQuestion

MEETING_OPTIONS = ["In person", "Online", "Both"]
TOPICS = ["Housing", "Transport", "Climate", "Health"]


def survey_with_every_kind(
    officer, *, anonymous: bool = True, scope=None, level="nation"
) -> Survey:
    survey = services.create_survey(
        actor=officer.user,
        title="How should we meet?",
        description="Tell us how the movement should organise next year.",
        level=level,
        scope=scope,
        is_anonymous=anonymous,
    )
    services.add_question(
        actor=officer.user,
        survey=survey,
        text="How should meetings be held?",
        kind="single",
        options=MEETING_OPTIONS,
    )
    services.add_question(
        actor=officer.user,
        survey=survey,
        text="Which campaigns matter to you?",
        kind="multiple",
        options=TOPICS,
    )
    services.add_question(
        actor=officer.user,
        survey=survey,
        text="How well informed do you feel?",
        kind="scale",
        scale_min=1,
        scale_max=5,
        scale_min_label="Not at all",
        scale_max_label="Very",
    )
    services.add_question(
        actor=officer.user, survey=survey, text="Anything else?", kind="text", is_required=False
    )
    return services.open_survey(actor=officer.user, survey=survey)


def questions(survey: Survey) -> list[SurveyQuestion]:
    return list(survey.questions.order_by("position"))


def answers(survey: Survey, single: int, multiple: list[int], scale: int, text: str = ""):
    q = questions(survey)
    given = {q[0].pk: [single], q[1].pk: multiple, q[2].pk: scale}
    if text:
        given[q[3].pk] = text
    return given
