"""Survey pages: thin views that parse a form, call a service or query, and render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from grassroots.accounts.requests import AuthenticatedRequest
from grassroots.organisation.permissions import Capability, may
from grassroots.organisation.scopes import scope_choices, scope_from_choice
from grassroots.people.queries import own_member
from grassroots.surveys import queries, services
from grassroots.surveys.forms import AnswerForm, QuestionForm, SurveyForm
from grassroots.surveys.models import Survey, SurveyStatus


def _problem(request: HttpRequest, error: services.SurveyError, survey: Survey) -> HttpResponse:
    return render(
        request,
        "surveys/problem.html",
        {"message": str(error), "survey": survey},
        status=error.http_status,
    )


@login_required
def survey_list(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "surveys/survey_list.html",
        {
            "surveys": list(queries.surveys_visible_to(request.user)),
            "can_create": bool(scope_choices(request.user, Capability.RUN_SURVEYS)),
        },
    )


@login_required
def survey_create(request: AuthenticatedRequest) -> HttpResponse:
    choices = scope_choices(request.user, Capability.RUN_SURVEYS)
    if not choices:
        raise Http404(gettext("No such page."))
    form = SurveyForm(request.POST or None, scope_choices=choices)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                level, scope = scope_from_choice(data["scope"])
                survey = services.create_survey(
                    actor=request.user,
                    title=data["title"],
                    description=data["description"],
                    level=level,
                    scope=scope,
                    is_anonymous=data["is_anonymous"],
                )
            except (ValueError, PermissionDenied):
                form.add_error("scope", gettext("Choose who is asked."))
            except services.SurveyError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, gettext("Survey created. Now add its questions."))
                return redirect("surveys:survey_manage", survey_id=survey.pk)
        status = 400
    return render(request, "surveys/survey_form.html", {"form": form}, status=status)


@login_required
def survey_manage(request: AuthenticatedRequest, survey_id: int) -> HttpResponse:
    survey = queries.get_survey_to_run(request.user, survey_id)
    return render(
        request,
        "surveys/survey_manage.html",
        {
            "survey": survey,
            "questions": queries.questions_of(survey),
            "respondents": survey.respondents.count(),
        },
    )


@login_required
def question_add(request: AuthenticatedRequest, survey_id: int) -> HttpResponse:
    survey = queries.get_survey_to_run(request.user, survey_id)
    if survey.status != SurveyStatus.DRAFT:
        return _problem(
            request,
            services.WrongStage(gettext("Questions can be added only to a draft survey.")),
            survey,
        )
    form = QuestionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.add_question(
                    actor=request.user,
                    survey=survey,
                    text=data["text"],
                    kind=data["kind"],
                    options=form.option_list(),
                    scale_min=data["scale_min"],
                    scale_max=data["scale_max"],
                    scale_min_label=data["scale_min_label"],
                    scale_max_label=data["scale_max_label"],
                    is_required=data["is_required"],
                )
            except services.SurveyError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, gettext("Question added."))
                return redirect("surveys:survey_manage", survey_id=survey.pk)
        status = 400
    return render(
        request, "surveys/question_form.html", {"survey": survey, "form": form}, status=status
    )


@login_required
@require_POST
def survey_open(request: AuthenticatedRequest, survey_id: int) -> HttpResponse:
    survey = queries.get_survey_to_run(request.user, survey_id)
    try:
        services.open_survey(actor=request.user, survey=survey)
    except services.SurveyError as error:
        return _problem(request, error, survey)
    messages.success(request, gettext("The survey is open: members in its scope can answer."))
    return redirect("surveys:survey_manage", survey_id=survey.pk)


@login_required
@require_POST
def survey_close(request: AuthenticatedRequest, survey_id: int) -> HttpResponse:
    survey = queries.get_survey_to_run(request.user, survey_id)
    try:
        services.close_survey(actor=request.user, survey=survey)
    except services.SurveyError as error:
        return _problem(request, error, survey)
    messages.success(
        request, gettext("The survey is closed; members in its scope can see the results.")
    )
    return redirect("surveys:survey_results", survey_id=survey.pk)


@login_required
def survey_detail(request: AuthenticatedRequest, survey_id: int) -> HttpResponse:
    """The survey as a member sees it: the questions to answer, once, while it is open."""
    survey = queries.get_survey_for(request.user, survey_id)
    member = own_member(request.user)
    answered = queries.has_answered(survey, member)
    can_answer = (
        survey.status == SurveyStatus.OPEN and not answered and queries.may_answer(survey, member)
    )
    form = None
    status = 200
    if can_answer:
        form = AnswerForm(request.POST or None, questions=queries.questions_of(survey))
        if request.method == "POST":
            if form.is_valid():
                try:
                    services.answer_survey(
                        actor=request.user, survey=survey, answers=form.answers()
                    )
                except services.SurveyError as error:
                    form.add_error(None, str(error))
                    status = error.http_status
                else:
                    messages.success(request, gettext("Thank you: your answers are recorded."))
                    return redirect("surveys:survey_detail", survey_id=survey.pk)
            else:
                status = 400
    elif request.method == "POST":
        status = 409 if answered or survey.status != SurveyStatus.OPEN else 403
    return render(
        request,
        "surveys/survey_detail.html",
        {
            "survey": survey,
            "form": form,
            "answered": answered,
            "in_scope": queries.may_answer(survey, member),
            "may_run": may(request.user, Capability.RUN_SURVEYS, survey),
        },
        status=status,
    )


@login_required
def survey_results(request: AuthenticatedRequest, survey_id: int) -> HttpResponse:
    survey = queries.get_results_for(request.user, survey_id)
    return render(
        request,
        "surveys/results.html",
        {"results": queries.results(request.user, survey), "survey": survey},
    )
