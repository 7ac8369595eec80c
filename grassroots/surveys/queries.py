"""Reads of surveys shared by the pages. Permission-checked fetches answer the same 404 for
"missing" and "not allowed"."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext

from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record
from grassroots.organisation.models import ScopeLevel
from grassroots.organisation.permissions import Capability, group_ids_in, may, scopes_for
from grassroots.people.models import Member, MembershipStatus
from grassroots.people.queries import own_member
from grassroots.surveys.models import (
    Answer,
    PendingResponse,
    QuestionKind,
    Respondent,
    Survey,
    SurveyQuestion,
    SurveyStatus,
)


def is_in_scope(survey: Survey, member: Member | None) -> bool:
    if member is None:
        return False
    group_ids = group_ids_in(survey)
    return group_ids is None or member.home_group_id in group_ids


def may_answer(survey: Survey, member: Member | None) -> bool:
    """Members (status *member*) whose home group is in the survey's scope."""
    return (
        member is not None
        and member.status == MembershipStatus.MEMBER
        and is_in_scope(survey, member)
    )


def has_answered(survey: Survey, member: Member | None) -> bool:
    return member is not None and Respondent.objects.filter(survey=survey, member=member).exists()


def surveys_visible_to(actor: User | AnonymousUser) -> QuerySet[Survey]:
    """Open and closed surveys for the actor's home group's scope, and every survey they run."""
    member = own_member(actor)
    condition = Q(pk__in=[])
    if member is not None:
        group = member.home_group
        condition |= ~Q(status=SurveyStatus.DRAFT) & (
            Q(level=ScopeLevel.NATION)
            | Q(level=ScopeLevel.GROUP, group_id=group.pk)
            | Q(level=ScopeLevel.AREA, area_id=group.area_id)
            | Q(level=ScopeLevel.REGION, region_id=group.area.region_id)
        )
    scopes = scopes_for(actor, Capability.RUN_SURVEYS)
    if scopes.everywhere:
        condition = Q()
    elif not scopes.is_empty:
        condition |= Q(level=ScopeLevel.GROUP, group_id__in=scopes.group_ids)
        others = Survey.objects.exclude(level=ScopeLevel.GROUP).exclude(condition)
        condition |= Q(pk__in=[s.pk for s in others if may(actor, Capability.RUN_SURVEYS, s)])
    return Survey.objects.filter(condition).select_related("group", "area", "region")


def _get(survey_id: int) -> Survey | None:
    return Survey.objects.select_related("group", "area", "region").filter(pk=survey_id).first()


def get_survey_to_run(actor: User | AnonymousUser, survey_id: int) -> Survey:
    survey = _get(survey_id)
    if survey is None or not may(actor, Capability.RUN_SURVEYS, survey):
        raise Http404(gettext("No such survey."))
    return survey


def get_survey_for(actor: User | AnonymousUser, survey_id: int) -> Survey:
    """A survey the actor may see: its runners always; members in scope once it is open."""
    survey = _get(survey_id)
    if survey is None:
        raise Http404(gettext("No such survey."))
    if may(actor, Capability.RUN_SURVEYS, survey):
        return survey
    if survey.status == SurveyStatus.DRAFT or not is_in_scope(survey, own_member(actor)):
        raise Http404(gettext("No such survey."))
    return survey


def get_results_for(actor: User | AnonymousUser, survey_id: int) -> Survey:
    """Results: the survey's runners at any time, members in its scope once it has closed."""
    survey = get_survey_for(actor, survey_id)
    if survey.status == SurveyStatus.DRAFT or (
        survey.status != SurveyStatus.CLOSED and not may(actor, Capability.RUN_SURVEYS, survey)
    ):
        raise Http404(gettext("The results are not published yet."))
    return survey


def questions_of(survey: Survey) -> list[SurveyQuestion]:
    return list(SurveyQuestion.objects.filter(survey=survey).order_by("position"))


CHART_WIDTH = 360


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    percent: Decimal  # of the question's respondents, one decimal place
    px: int  # the bar's length in the chart's 360-unit bar area (the longest bar fills it)


@dataclass(frozen=True)
class TextAnswer:
    text: str
    member_name: str  # a named survey's answerer; "" for an anonymous one


@dataclass
class QuestionResult:
    question: SurveyQuestion
    answered: int = 0
    bars: list[Bar] = field(default_factory=list)
    mean: Decimal | None = None
    texts: list[TextAnswer] = field(default_factory=list)

    @property
    def chart_height(self) -> int:
        return 28 * len(self.bars) + 4

    @property
    def rows(self) -> list[tuple[int, Bar]]:
        """Each bar with its top edge in the chart."""
        return [(4 + 28 * n, bar) for n, bar in enumerate(self.bars)]


@dataclass(frozen=True)
class Results:
    survey: Survey
    respondents: int  # members who answered (the marks)
    counted: int  # responses counted (mixed, named and still pending)
    questions: list[QuestionResult]
    shows_text: bool


def _percent(count: int, total: int) -> Decimal:
    if not total:
        return Decimal(0)
    return (Decimal(100) * count / total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class _Given:
    choices: list[int]
    number: int | None
    text: str
    member_name: str


def _all_answers(survey: Survey, questions: list[SurveyQuestion]) -> dict[int, list[_Given]]:
    """Every answer by question: the mixed (or named) ones and those still pending."""
    kinds = {q.pk: q.kind for q in questions}
    found: dict[int, list[_Given]] = {q.pk: [] for q in questions}
    for answer in Answer.objects.filter(question__survey=survey).select_related("response__member"):
        member = answer.response.member
        found[answer.question_id].append(
            _Given(
                choices=list(answer.choices),
                number=answer.number,
                text=answer.text,
                member_name=member.full_name if member else "",
            )
        )
    for pending in PendingResponse.objects.filter(survey=survey):
        for key, value in pending.answers.items():
            question_id = int(key)
            if question_id not in found:
                continue
            kind = kinds[question_id]
            found[question_id].append(
                _Given(
                    choices=value if isinstance(value, list) else [],
                    number=value if kind == QuestionKind.SCALE and isinstance(value, int) else None,
                    text=value if isinstance(value, str) else "",
                    member_name="",
                )
            )
    return found


def results(actor: User | AnonymousUser, survey: Survey) -> Results:
    """Counts for every question, as bars; the free-text answers only for the survey's
    runners (an audited read: the answers can name people, and a named survey's are
    personal data)."""
    shows_text = may(actor, Capability.RUN_SURVEYS, survey)
    questions = questions_of(survey)
    answers = _all_answers(survey, questions)
    counted = survey.responses.count() + PendingResponse.objects.filter(survey=survey).count()
    out: list[QuestionResult] = []
    for question in questions:
        given = answers[question.pk]
        result = QuestionResult(question=question, answered=len(given))
        if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            labels = list(question.options)
            counts = [0] * len(labels)
            for answer in given:
                for index in answer.choices:
                    counts[index] += 1
        elif question.kind == QuestionKind.SCALE:
            labels = [str(n) for n in range(question.scale_min, question.scale_max + 1)]
            counts = [0] * len(labels)
            numbers = [a.number for a in given if a.number is not None]
            for number in numbers:
                counts[number - question.scale_min] += 1
            if numbers:
                total = sum(numbers)
                result.mean = (Decimal(total) / len(numbers)).quantize(
                    Decimal("0.01"), rounding=ROUND_HALF_UP
                )
        else:
            labels, counts = [], []
            if shows_text:
                result.texts = [
                    TextAnswer(text=a.text, member_name=a.member_name)
                    for a in sorted(given, key=lambda a: a.text.casefold())
                    if a.text
                ]
        top = max(counts, default=0)
        result.bars = [
            Bar(
                label=label,
                count=count,
                percent=_percent(count, len(given)),
                px=(CHART_WIDTH * count + top // 2) // top if top else 0,
            )
            for label, count in zip(labels, counts, strict=True)
        ]
        out.append(result)
    if shows_text and any(q.kind == QuestionKind.TEXT for q in questions):
        record(
            actor=actor,
            action=AuditAction.READ_SURVEY_FREE_TEXT,
            subject_type="survey",
            subject_id=survey.pk,
            scope=survey.scope_name,
            purpose="survey results",
            detail={"anonymous": survey.is_anonymous, "responses": counted},
        )
    return Results(
        survey=survey,
        respondents=Respondent.objects.filter(survey=survey).count(),
        counted=counted,
        questions=out,
        shows_text=shows_text,
    )
