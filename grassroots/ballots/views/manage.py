"""The pages that run a ballot: the list, creating and setting it up, and its lifecycle
buttons (open, remind, close, count, publish).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from grassroots.ballots import queries
from grassroots.ballots.custody import may_close_early
from grassroots.ballots.forms import (
    BallotForm,
    CandidateForm,
    QuestionForm,
    ReminderScheduleForm,
    TellersForm,
)
from grassroots.ballots.models import BallotStatus, Question
from grassroots.ballots.services.counting import request_count
from grassroots.ballots.services.errors import BallotError
from grassroots.ballots.services.lifecycle import close_ballot, open_ballot
from grassroots.ballots.services.publishing import publish_results
from grassroots.ballots.services.reminders import send_reminder, set_reminder_schedule
from grassroots.ballots.services.setup import add_candidate, add_question, create_ballot
from grassroots.ballots.services.tellers import set_up_tellers
from grassroots.ballots.views._common import problem_page, progress_fragment
from grassroots.people.models import Member


@login_required
def ballot_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "ballots/ballot_list.html",
        {
            "on_roll": queries.ballots_on_my_roll(request.user),
            "running": queries.ballots_i_run(request.user),
            "telling": queries.ballots_i_tell(request.user),
            "can_create": bool(queries.scope_choices(request.user)),
        },
    )


@login_required
def ballot_create(request: HttpRequest) -> HttpResponse:
    choices = queries.scope_choices(request.user)
    if not choices:
        raise Http404("No such page.")
    form = BallotForm(
        request.POST or None,
        scope_choices=choices,
        initial={"tellers_count": 3, "threshold": 2},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        level, scope = queries.scope_from_choice(data["scope"])
        try:
            ballot = create_ballot(
                actor=request.user,
                title=data["title"],
                description=data["description"],
                level=level,
                scope=scope,
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                eligible_statuses=data["eligible_statuses"],
                joined_before=data["joined_before"],
                tellers_count=data["tellers_count"],
                threshold=data["threshold"],
            )
        except BallotError as error:
            return problem_page(request, error)
        messages.success(request, "Ballot created. Now add its questions.")
        return redirect("ballot_manage", ballot_id=ballot.pk)
    return render(request, "ballots/ballot_form.html", {"form": form})


@login_required
def ballot_manage(request: HttpRequest, ballot_id: int) -> HttpResponse:
    ballot = queries.get_ballot_to_run(request.user, ballot_id)
    progress = queries.count_progress(ballot)
    progress_url = reverse("ballot_manage", args=[ballot.pk])
    if getattr(request, "htmx", False):
        return progress_fragment(
            request, "ballots/ballot_manage.html#count-progress", ballot, progress, progress_url
        )
    return render(
        request,
        "ballots/ballot_manage.html",
        {
            "ballot": ballot,
            "progress": progress,
            "progress_url": progress_url,
            "questions": list(ballot.questions.prefetch_related("candidates")),
            "tellers": list(ballot.tellers.select_related("member")),
            "question_form": QuestionForm(),
            "tellers_form": TellersForm(),
            "is_returning_officer": (
                getattr(queries.roll_member_for(request.user), "pk", None)
                == ballot.returning_officer_id
            ),
            "shares_entered": ballot.tellers.exclude(revealed_share="").count(),
            "reminders": list(ballot.reminders.all()),
            "may_close_early": ballot.status == BallotStatus.OPEN and may_close_early(ballot),
        },
    )


@login_required
def question_add(request: HttpRequest, ballot_id: int) -> HttpResponse:
    ballot = queries.get_ballot_to_run(request.user, ballot_id)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            add_question(
                actor=request.user,
                ballot=ballot,
                title=form.cleaned_data["title"],
                kind=form.cleaned_data["kind"],
                stv_rule=form.cleaned_data["stv_rule"],
                seats=form.cleaned_data["seats"],
                constraints=form.constraints(),
            )
        except BallotError as error:
            return problem_page(request, error, ballot)
        return redirect("ballot_manage", ballot_id=ballot.pk)
    return render(request, "ballots/question_form.html", {"ballot": ballot, "form": form})


@login_required
def candidate_add(request: HttpRequest, ballot_id: int, question_id: int) -> HttpResponse:
    ballot = queries.get_ballot_to_run(request.user, ballot_id)
    question = Question.objects.filter(ballot=ballot, pk=question_id).first()
    if question is None:
        raise Http404("No such question.")
    form = CandidateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            add_candidate(
                actor=request.user,
                question=question,
                name=form.cleaned_data["name"],
                statement=form.cleaned_data["statement"],
                categories=form.category_list(),
            )
        except BallotError as error:
            return problem_page(request, error, ballot)
        messages.success(request, f"{form.cleaned_data['name']} added.")
        return redirect("ballot_manage", ballot_id=ballot.pk)
    return render(
        request,
        "ballots/candidate_form.html",
        {"ballot": ballot, "question": question, "form": form},
    )


@login_required
def tellers_set_up(request: HttpRequest, ballot_id: int) -> HttpResponse:
    ballot = queries.get_ballot_to_run(request.user, ballot_id)
    form = TellersForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        numbers = form.numbers()
        tellers = list(Member.objects.filter(membership_number__in=numbers, user__isnull=False))
        if len(tellers) != len(set(numbers)):
            form.add_error(
                "membership_numbers",
                "Every teller must be a member with a login; check the membership numbers.",
            )
        else:
            try:
                set_up_tellers(actor=request.user, ballot=ballot, members=tellers)
            except BallotError as error:
                return problem_page(request, error, ballot)
            messages.success(request, "The tellers' key is made. Each teller collects a share.")
            return redirect("ballot_manage", ballot_id=ballot.pk)
    return render(request, "ballots/tellers_form.html", {"ballot": ballot, "form": form})


@login_required
def reminder_schedule(request: HttpRequest, ballot_id: int) -> HttpResponse:
    """Reminder times, set while the ballot is being prepared; the scheduler sends them."""
    ballot = queries.get_ballot_to_run(request.user, ballot_id)
    reminders = list(ballot.reminders.all())
    form = ReminderScheduleForm(
        request.POST or None,
        initial={
            "hours_before_close": ", ".join(str(r.hours_before_close) for r in reminders),
            "to_everyone": ballot.reminders_to_everyone,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            set_reminder_schedule(
                actor=request.user,
                ballot=ballot,
                hours_before_close=form.cleaned_data["hours_before_close"],
                to_everyone=form.cleaned_data["to_everyone"],
            )
        except BallotError as error:
            form.add_error("hours_before_close", str(error))
        else:
            messages.success(request, "The reminder schedule is saved.")
            return redirect("ballot_manage", ballot_id=ballot.pk)
    return render(
        request,
        "ballots/reminders.html",
        {
            "ballot": ballot,
            "form": form,
            "reminders": reminders,
            "may_change": ballot.status
            in (BallotStatus.DRAFT, BallotStatus.NOMINATIONS, BallotStatus.READY),
        },
        status=400 if form.is_bound else 200,
    )


def _lifecycle(request: HttpRequest, ballot_id: int, step: str) -> HttpResponse:
    ballot = queries.get_ballot_to_run(request.user, ballot_id)
    try:
        if step == "open":
            size = open_ballot(actor=request.user, ballot=ballot)
            messages.success(request, f"Voting is open. The roll has {size} members.")
        elif step == "remind":
            size = send_reminder(actor=request.user, ballot=ballot)
            messages.success(
                request, f"A reminder is being sent to the {size} members on the roll."
            )
        elif step == "close":
            close_ballot(actor=request.user, ballot=ballot)
            messages.success(request, "The poll is closed. The tellers can now enter their shares.")
        elif step == "count":
            request_count(actor=request.user, ballot=ballot)
            messages.success(request, "The count has started: the tellers' key opens the box.")
        else:
            publish_results(actor=request.user, ballot=ballot)
            messages.success(request, "The result is published.")
    except BallotError as error:
        return problem_page(request, error, ballot)
    except PermissionDenied as error:
        return render(
            request, "ballots/problem.html", {"message": str(error), "ballot": ballot}, status=403
        )
    return redirect("ballot_manage", ballot_id=ballot.pk)


@login_required
@require_POST
def ballot_open(request: HttpRequest, ballot_id: int) -> HttpResponse:
    return _lifecycle(request, ballot_id, "open")


@login_required
@require_POST
def ballot_remind(request: HttpRequest, ballot_id: int) -> HttpResponse:
    return _lifecycle(request, ballot_id, "remind")


@login_required
@require_POST
def ballot_close(request: HttpRequest, ballot_id: int) -> HttpResponse:
    return _lifecycle(request, ballot_id, "close")


@login_required
@require_POST
def ballot_count(request: HttpRequest, ballot_id: int) -> HttpResponse:
    return _lifecycle(request, ballot_id, "count")


@login_required
@require_POST
def ballot_publish(request: HttpRequest, ballot_id: int) -> HttpResponse:
    return _lifecycle(request, ballot_id, "publish")
