"""Every write to surveys: one function per use case, permission first, audited.

Answering is not audited: an audit row is a dated record of who did what, and for an
anonymous survey a dated row per member would let anyone holding the database line answerers
up against the mixer's batches. The ``Respondent`` mark is the record that a member answered;
docs/surveys.md has the reasoning.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record
from grassroots.notifications.models import Kind
from grassroots.notifications.services import notify_scope, scope_key_for
from grassroots.organisation.permissions import Capability, Scope, may
from grassroots.organisation.scopes import body_named, scope_columns
from grassroots.people.models import Member
from grassroots.people.queries import own_member
from grassroots.surveys.models import (
    Answer,
    PendingResponse,
    QuestionKind,
    Respondent,
    Response,
    Survey,
    SurveyQuestion,
    SurveyStatus,
)
from grassroots.surveys.queries import may_answer, questions_of

# An anonymous survey's pending answers are mixed into the results table in shuffled batches,
# always leaving a random MIX_POOL of them behind to mix with later answers (all at the close),
# so no batch is a run of consecutive answerers and the last batch is never a lone answer.
MIX_POOL = 10
MAX_OPTIONS = 20
MAX_TEXT = 2000
MAX_SCALE_POINTS = 11

AnswerValue = list[int] | int | str | None


class SurveyError(Exception):
    """A request the survey's rules refuse, with a message for the person who made it."""

    http_status = 400


class WrongStage(SurveyError):
    http_status = 409


class AlreadyAnswered(SurveyError):
    http_status = 409


def _audit(actor: User, action: AuditAction, survey: Survey, **detail: Any) -> None:
    record(
        actor=actor,
        action=action,
        subject_type="survey",
        subject_id=survey.pk,
        scope=survey.scope_name,
        purpose="survey",
        detail=detail,
    )


def _require_runner(actor: User, survey: Survey) -> None:
    if not may(actor, Capability.RUN_SURVEYS, survey):
        raise PermissionDenied(gettext("You cannot run this survey."))


def _locked(survey: Survey) -> Survey:
    return Survey.objects.select_for_update().get(pk=survey.pk)


def _require_status(survey: Survey, *allowed: str) -> None:
    if survey.status not in allowed:
        raise WrongStage(
            gettext("This cannot be done while the survey is “%(status)s”.")
            % {"status": survey.get_status_display()}
        )


@transaction.atomic(durable=True)
def create_survey(
    *,
    actor: User,
    title: str,
    description: str,
    level: str,
    scope: Scope | None,
    is_anonymous: bool,
) -> Survey:
    body = body_named(level, scope)
    if body is None:
        raise SurveyError(
            gettext("Choose who the survey is for: the whole movement, a region, area or group.")
        )
    if not may(actor, Capability.RUN_SURVEYS, body):
        raise PermissionDenied(gettext("You cannot run a survey there."))
    creator = own_member(actor)
    if creator is None:
        raise PermissionDenied(gettext("Only a member can run a survey."))
    if not title.strip():
        raise SurveyError(gettext("Give the survey a title."))
    survey = Survey.objects.create(
        title=title.strip(),
        description=description.strip(),
        is_anonymous=is_anonymous,
        created_by=creator,
        created_at=clock.now(),
        **scope_columns(level, scope),
    )
    _audit(actor, AuditAction.CREATE_SURVEY, survey, anonymous=is_anonymous)
    return survey


@transaction.atomic(durable=True)
def add_question(
    *,
    actor: User,
    survey: Survey,
    text: str,
    kind: str,
    options: Sequence[str] = (),
    scale_min: int = 1,
    scale_max: int = 5,
    scale_min_label: str = "",
    scale_max_label: str = "",
    is_required: bool = True,
) -> SurveyQuestion:
    _require_runner(actor, survey)
    survey = _locked(survey)
    _require_status(survey, SurveyStatus.DRAFT)
    if kind not in QuestionKind.values:
        raise SurveyError(gettext("Choose what kind of question it is."))
    if not text.strip():
        raise SurveyError(gettext("Write the question."))
    cleaned = [o.strip() for o in options if o.strip()]
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        if len(cleaned) < 2:
            raise SurveyError(
                gettext("A choice question needs at least two options, one per line.")
            )
        if len(cleaned) > MAX_OPTIONS:
            raise SurveyError(
                gettext("A question can have at most %(max_options)s options.")
                % {"max_options": MAX_OPTIONS}
            )
        if len({o.casefold() for o in cleaned}) != len(cleaned):
            raise SurveyError(gettext("Each option must be different."))
    else:
        cleaned = []
    if kind == QuestionKind.SCALE and not (
        scale_min < scale_max and scale_max - scale_min < MAX_SCALE_POINTS
    ):
        raise SurveyError(
            gettext(
                "A scale runs from a lower to a higher number, with at most "
                "%(max_scale_points)s points (for example 1 to 5)."
            )
            % {"max_scale_points": MAX_SCALE_POINTS}
        )
    position = SurveyQuestion.objects.filter(survey=survey).count() + 1
    question = SurveyQuestion.objects.create(
        survey=survey,
        position=position,
        text=text.strip(),
        kind=kind,
        options=cleaned,
        scale_min=scale_min if kind == QuestionKind.SCALE else 1,
        scale_max=scale_max if kind == QuestionKind.SCALE else 5,
        scale_min_label=scale_min_label.strip() if kind == QuestionKind.SCALE else "",
        scale_max_label=scale_max_label.strip() if kind == QuestionKind.SCALE else "",
        is_required=is_required,
    )
    _audit(actor, AuditAction.ADD_SURVEY_QUESTION, survey, position=position, kind=kind)
    return question


@transaction.atomic(durable=True)
def open_survey(*, actor: User, survey: Survey) -> Survey:
    _require_runner(actor, survey)
    survey = _locked(survey)
    _require_status(survey, SurveyStatus.DRAFT)
    if not SurveyQuestion.objects.filter(survey=survey).exists():
        raise SurveyError(gettext("Add at least one question before opening the survey."))
    survey.status = SurveyStatus.OPEN
    survey.opened_at = clock.now()
    survey.save(update_fields=["status", "opened_at"])
    _audit(actor, AuditAction.OPEN_SURVEY, survey)
    notify_scope(
        scope_key_for(survey.level, survey.group_id or survey.area_id or survey.region_id),
        kind=Kind.SURVEY,
        message="survey_opened",
        params={"title": survey.title},
        url=reverse("surveys:survey_detail", args=[survey.pk]),
    )
    return survey


@transaction.atomic(durable=True)
def close_survey(*, actor: User, survey: Survey) -> Survey:
    _require_runner(actor, survey)
    survey = _locked(survey)
    _require_status(survey, SurveyStatus.OPEN)
    survey.status = SurveyStatus.CLOSED
    survey.closed_at = clock.now()
    survey.save(update_fields=["status", "closed_at"])
    _audit(actor, AuditAction.CLOSE_SURVEY, survey)
    survey_id = survey.pk
    transaction.on_commit(lambda: mix_responses(survey_id=survey_id))
    return survey


def check_answers(
    questions: Sequence[SurveyQuestion], given: Mapping[int, AnswerValue]
) -> dict[int, AnswerValue]:
    """The answers to store, one per question answered; SurveyError naming the question
    otherwise. Choices are option indices; a scale answer a number within the scale."""
    cleaned: dict[int, AnswerValue] = {}
    for question in questions:
        value = given.get(question.pk)
        label = gettext("Question %(position)s") % {"position": question.position}
        if value in (None, "", []):
            if question.is_required:
                raise SurveyError(
                    gettext("%(label)s: please answer this question.") % {"label": label}
                )
            continue
        if question.kind == QuestionKind.SINGLE and (
            not isinstance(value, list) or len(value) != 1
        ):
            raise SurveyError(gettext("%(label)s: choose one option.") % {"label": label})
        if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            if not isinstance(value, list) or not all(
                isinstance(i, int) and 0 <= i < len(question.options) for i in value
            ):
                raise SurveyError(
                    gettext("%(label)s: choose from the options given.") % {"label": label}
                )
            cleaned[question.pk] = sorted(set(value))
        elif question.kind == QuestionKind.SCALE:
            if not isinstance(value, int) or not question.scale_min <= value <= question.scale_max:
                raise SurveyError(
                    gettext("%(label)s: choose a number from %(scale_min)s to %(scale_max)s.")
                    % {
                        "label": label,
                        "scale_min": question.scale_min,
                        "scale_max": question.scale_max,
                    }
                )
            cleaned[question.pk] = value
        else:
            if not isinstance(value, str):
                raise SurveyError(
                    gettext("%(label)s: write your answer as text.") % {"label": label}
                )
            if len(value) > MAX_TEXT:
                raise SurveyError(
                    gettext("%(label)s: at most %(max_text)s characters, please.")
                    % {"label": label, "max_text": MAX_TEXT}
                )
            cleaned[question.pk] = value.strip()
    unknown = set(given) - {q.pk for q in questions}
    if unknown:
        raise SurveyError(gettext("The answers name a question this survey does not have."))
    return cleaned


def _write_response(
    survey: Survey,
    questions: Sequence[SurveyQuestion],
    answers: Mapping[int, AnswerValue],
    *,
    member: Member | None,
) -> None:
    response = Response.objects.create(
        survey=survey,
        member=member,
        submitted_at=clock.now() if member is not None else None,
    )
    kinds = {q.pk: q.kind for q in questions}
    Answer.objects.bulk_create(
        [
            Answer(
                response=response,
                question_id=question_id,
                choices=value if isinstance(value, list) else [],
                number=(
                    value
                    if kinds[question_id] == QuestionKind.SCALE and isinstance(value, int)
                    else None
                ),
                text=value if isinstance(value, str) else "",
            )
            for question_id, value in answers.items()
        ]
    )


def _answer(survey: Survey, member: Member, given: Mapping[int, AnswerValue]) -> None:
    survey = Survey.objects.select_for_update(no_key=True).get(pk=survey.pk)
    if survey.status != SurveyStatus.OPEN:
        raise WrongStage(gettext("This survey is not open for answers."))
    questions = questions_of(survey)
    answers = check_answers(questions, given)
    try:
        with transaction.atomic():
            Respondent.objects.create(survey=survey, member=member)
    except IntegrityError:
        raise AlreadyAnswered(gettext("You have already answered this survey.")) from None
    if survey.is_anonymous:
        PendingResponse.objects.create(
            survey=survey, answers={str(k): v for k, v in answers.items()}
        )
        # Answers to one survey are serialised by the survey row's lock, so this count is
        # exact: ask the mixer to run each time another MIX_POOL answers are waiting.
        waiting = PendingResponse.objects.filter(survey=survey).count()
        if waiting >= 2 * MIX_POOL and waiting % MIX_POOL == 0:
            survey_id = survey.pk
            transaction.on_commit(lambda: _enqueue_mix(survey_id))
    else:
        _write_response(survey, questions, answers, member=member)


def _enqueue_mix(survey_id: int) -> None:
    from grassroots.surveys.tasks import mix_responses_task

    mix_responses_task.enqueue(survey_id)


@transaction.atomic(durable=True)
def answer_survey(*, actor: User, survey: Survey, answers: Mapping[int, AnswerValue]) -> None:
    """The member's answers, once. For an anonymous survey they go to the outbox, with the
    mark in the same transaction; the mixer moves them on."""
    member = own_member(actor)
    if not may_answer(survey, member):
        raise SurveyError(
            gettext("Only members whose home group is in this survey's scope can answer.")
        )
    assert member is not None
    _answer(survey, member, answers)


def answer_for_demo(survey: Survey, member: Member, answers: Mapping[int, AnswerValue]) -> None:
    """The demo's answers (members with no login): the same checks and writes, no actor."""
    with transaction.atomic():
        if not may_answer(survey, member):
            raise SurveyError(gettext("Only members in the survey's scope can answer."))
        _answer(survey, member, answers)


@transaction.atomic(durable=True)
def mix_responses(*, survey_id: int) -> int:
    """Move an anonymous survey's pending answers into ``Response``/``Answer``, shuffled, with
    new random ids, no member and no time. While the survey is open, only once 2 x MIX_POOL
    are waiting, and a random MIX_POOL of them stay behind; at the close, all. Returns how
    many moved. (The results count pending answers too, so mixing never delays them.)"""
    survey = Survey.objects.select_for_update().filter(pk=survey_id).first()
    if survey is None:
        return 0
    pending = list(PendingResponse.objects.select_for_update().filter(survey=survey))
    if survey.status == SurveyStatus.OPEN:
        if len(pending) < 2 * MIX_POOL:
            return 0
        secrets.SystemRandom().shuffle(pending)
        pending = pending[MIX_POOL:]
    elif not pending:
        return 0
    secrets.SystemRandom().shuffle(pending)
    questions = questions_of(survey)
    for item in pending:
        answers = {int(k): v for k, v in item.answers.items()}
        _write_response(survey, questions, answers, member=None)
    PendingResponse.objects.filter(pk__in=[p.pk for p in pending]).delete()
    return len(pending)
