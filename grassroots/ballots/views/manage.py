"""The pages that run a ballot: the list, creating and setting it up, and its lifecycle
buttons (open, remind, close, count, publish).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from grassroots.accounts.requests import AuthenticatedRequest
from grassroots.ballots import eligibility, queries, quotas
from grassroots.ballots.custody import may_close_early
from grassroots.ballots.forms import (
    BallotForm,
    CandidateForm,
    QuestionForm,
    QuotaRulesForm,
    ReminderScheduleForm,
    TellersForm,
)
from grassroots.ballots.models import Ballot, BallotStatus, Question
from grassroots.ballots.services.background import resume_background
from grassroots.ballots.services.counting import request_count
from grassroots.ballots.services.errors import BallotError
from grassroots.ballots.services.lifecycle import request_close, request_open
from grassroots.ballots.services.publishing import request_publish
from grassroots.ballots.services.reminders import request_reminder, set_reminder_schedule
from grassroots.ballots.services.setup import (
    add_candidate,
    add_question,
    create_ballot,
    set_quota_rules,
)
from grassroots.ballots.services.tellers import set_up_tellers
from grassroots.ballots.views._common import problem_page, progress_fragment
from grassroots.ballots.views.eligibility import RULE_EDITABLE
from grassroots.confirm import confirm_page, is_confirmed
from grassroots.people.models import Member


@login_required
def ballot_list(request: AuthenticatedRequest) -> HttpResponse:
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
def ballot_create(request: AuthenticatedRequest) -> HttpResponse:
    choices = queries.scope_choices(request.user)
    if not choices:
        raise Http404("No such page.")
    form = BallotForm(
        request.POST or None,
        scope_choices=choices,
        initial={"tellers_count": 3, "threshold": 2, "end_to_end": True},
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
                end_to_end=data["end_to_end"],
                categories_private=data["categories_private"],
            )
        except BallotError as error:
            return problem_page(request, error)
        messages.success(request, gettext("Ballot created. Now add its questions."))
        return redirect("ballot_manage", ballot_id=ballot.pk)
    return render(request, "ballots/ballot_form.html", {"form": form})


@login_required
def ballot_manage(request: AuthenticatedRequest, ballot_id: int) -> HttpResponse:
    ballot = queries.get_ballot_to_run(request.user, ballot_id)
    progress = queries.count_progress(ballot)
    background = queries.background_progress(ballot)
    progress_url = reverse("ballot_manage", args=[ballot.pk])
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.target == "background-progress":
        return progress_fragment(
            request,
            "ballots/ballot_manage.html#background-progress",
            ballot,
            background,
            progress_url,
            name="background",
        )
    if htmx:
        return progress_fragment(
            request, "ballots/ballot_manage.html#count-progress", ballot, progress, progress_url
        )
    shares_entered = ballot.tellers.exclude(revealed_share="").count()
    return render(
        request,
        "ballots/ballot_manage.html",
        {
            "ballot": ballot,
            "progress": progress,
            "background": background,
            "progress_url": progress_url,
            "questions": list(ballot.questions.prefetch_related("candidates")),
            "tellers": list(ballot.tellers.select_related("member")),
            "question_form": QuestionForm(),
            "tellers_form": TellersForm(),
            "is_returning_officer": (
                getattr(queries.roll_member_for(request.user), "pk", None)
                == ballot.returning_officer_id
            ),
            "shares_entered": shares_entered,
            "ready_to_count": queries.is_ready_to_count(ballot, shares_entered),
            "reminders": list(ballot.reminders.all()),
            "may_close_early": ballot.status == BallotStatus.OPEN and may_close_early(ballot),
            "organisation_rule": eligibility.organisation_rule(ballot),
            "admissions": eligibility.admission_counts(ballot)
            if ballot.roll_size is not None
            else [],
            "rule_is_editable": ballot.status in RULE_EDITABLE,
        },
    )


@login_required
def question_add(request: AuthenticatedRequest, ballot_id: int) -> HttpResponse:
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
                equal_preferences=form.cleaned_data["equal_preferences"],
                section=form.chosen_section(),
                supporters_needed=form.cleaned_data["section_supporters"],
                groups_needed=form.cleaned_data["section_groups"],
            )
        except BallotError as error:
            form.add_error(None, str(error))
        else:
            return redirect("ballot_manage", ballot_id=ballot.pk)
    return render(request, "ballots/question_form.html", {"ballot": ballot, "form": form})


@login_required
def candidate_add(request: AuthenticatedRequest, ballot_id: int, question_id: int) -> HttpResponse:
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
        messages.success(request, gettext("%(name)s added.") % {"name": form.cleaned_data["name"]})
        return redirect("ballot_manage", ballot_id=ballot.pk)
    return render(
        request,
        "ballots/candidate_form.html",
        {"ballot": ballot, "question": question, "form": form},
    )


@login_required
def question_quotas(
    request: AuthenticatedRequest, ballot_id: int, question_id: int
) -> HttpResponse:
    """Change an STV question's quota rules; refused, naming the rule, when they cannot be met."""
    ballot = queries.get_ballot_to_run(request.user, ballot_id)
    question = Question.objects.filter(ballot=ballot, pk=question_id, kind="stv").first()
    if question is None:
        raise Http404("No such question.")
    form = QuotaRulesForm(
        request.POST or None,
        initial={"quota_rules": quotas.as_text(quotas.stored(question.constraints))},
    )
    if request.method == "POST" and form.is_valid():
        try:
            set_quota_rules(
                actor=request.user,
                question=question,
                constraints=quotas.to_json(form.cleaned_data["quota_rules"]),
            )
        except BallotError as error:
            form.add_error("quota_rules", str(error))
        else:
            messages.success(
                request, gettext("Quota rules of %(title)s saved.") % {"title": question.title}
            )
            return redirect("ballot_manage", ballot_id=ballot.pk)
    return render(
        request,
        "ballots/question_quotas.html",
        {"ballot": ballot, "question": question, "form": form},
    )


@login_required
def tellers_set_up(request: AuthenticatedRequest, ballot_id: int) -> HttpResponse:
    ballot = queries.get_ballot_to_run(request.user, ballot_id)
    form = TellersForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        numbers = form.numbers()
        tellers = list(Member.objects.filter(membership_number__in=numbers, user__isnull=False))
        if len(tellers) != len(set(numbers)):
            form.add_error(
                "membership_numbers",
                gettext(
                    "Every teller must be a member with a login; check the membership numbers."
                ),
            )
        else:
            try:
                set_up_tellers(actor=request.user, ballot=ballot, members=tellers)
            except BallotError as error:
                return problem_page(request, error, ballot)
            messages.success(
                request, gettext("The tellers' key is made. Each teller collects a share.")
            )
            return redirect("ballot_manage", ballot_id=ballot.pk)
    return render(request, "ballots/tellers_form.html", {"ballot": ballot, "form": form})


@login_required
def reminder_schedule(request: AuthenticatedRequest, ballot_id: int) -> HttpResponse:
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
            messages.success(request, gettext("The reminder schedule is saved."))
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


# The steps that cannot be undone, asked again on a page of their own (grassroots/confirm.py).
def _confirmation(request: AuthenticatedRequest, ballot: Ballot, step: str) -> HttpResponse | None:
    if step not in ("close", "publish") or is_confirmed(request):
        return None
    back = reverse("ballot_manage", args=[ballot.pk])
    if step == "close":
        return confirm_page(
            request,
            title=gettext("Close the poll: %(title)s?") % {"title": ballot.title},
            consequences=[
                gettext("The poll was published to close at %(time)s (UTC) on %(day)s.")
                % {
                    "time": date_format(ballot.closes_at, "H:i"),
                    "day": date_format(ballot.closes_at, "j F Y"),
                }
                if ballot.closes_at
                else gettext("The poll has no published closing time."),
                gettext("Once the poll is closed nobody else can vote, and it cannot be reopened."),
                gettext(
                    "The tellers are then asked for their key shares so that the count can start."
                ),
            ],
            button=gettext("Yes, close the poll"),
            back_url=back,
        )
    return confirm_page(
        request,
        title=gettext("Publish the result: %(title)s?") % {"title": ballot.title},
        consequences=[
            gettext("The result and the election record become public, to members and visitors."),
            gettext("A published result cannot be withdrawn or changed."),
            gettext("A motion or initiative this ballot was held for takes the result at once."),
        ],
        button=gettext("Yes, publish the result"),
        back_url=back,
    )


def _lifecycle(request: AuthenticatedRequest, ballot_id: int, step: str) -> HttpResponse:
    ballot = queries.get_ballot_to_run(request.user, ballot_id)
    confirmation = _confirmation(request, ballot, step)
    if confirmation is not None:
        return confirmation
    try:
        if step == "open":
            request_open(actor=request.user, ballot=ballot)
            messages.success(
                request,
                gettext(
                    "The roll is being frozen; voting opens as soon as it is, and the invitations "
                    "follow. This page shows how far it has got."
                ),
            )
        elif step == "remind":
            size = request_reminder(actor=request.user, ballot=ballot)
            messages.success(
                request,
                gettext(
                    "A reminder to the members on the roll (%(size)s) is being written; it is "
                    "sent once all are written. This page shows how far it has got."
                )
                % {"size": size},
            )
        elif step == "close":
            request_close(actor=request.user, ballot=ballot)
            messages.success(
                request,
                gettext(
                    "The poll is closed. The turnout is being recorded; then the tellers can "
                    "enter their shares."
                ),
            )
        elif step == "count":
            request_count(actor=request.user, ballot=ballot)
            messages.success(
                request, gettext("The count has started: the tellers' key opens the box.")
            )
        elif step == "resume":
            resume_background(actor=request.user, ballot=ballot)
            messages.success(request, gettext("Started again from where it stopped."))
        else:
            request_publish(actor=request.user, ballot=ballot)
            messages.success(
                request,
                gettext(
                    "The election record is being built; the result is published as soon as it "
                    "is ready."
                ),
            )
    except BallotError as error:
        return problem_page(request, error, ballot)
    except PermissionDenied as error:
        return render(
            request, "ballots/problem.html", {"message": str(error), "ballot": ballot}, status=403
        )
    return redirect("ballot_manage", ballot_id=ballot.pk)


@login_required
@require_POST
def ballot_open(request: AuthenticatedRequest, ballot_id: int) -> HttpResponse:
    return _lifecycle(request, ballot_id, "open")


@login_required
@require_POST
def ballot_remind(request: AuthenticatedRequest, ballot_id: int) -> HttpResponse:
    return _lifecycle(request, ballot_id, "remind")


@login_required
@require_POST
def ballot_close(request: AuthenticatedRequest, ballot_id: int) -> HttpResponse:
    return _lifecycle(request, ballot_id, "close")


@login_required
@require_POST
def ballot_count(request: AuthenticatedRequest, ballot_id: int) -> HttpResponse:
    return _lifecycle(request, ballot_id, "count")


@login_required
@require_POST
def ballot_resume(request: AuthenticatedRequest, ballot_id: int) -> HttpResponse:
    """Start a stopped background step (opening, invitations, a reminder, closing,
    publishing) again."""
    return _lifecycle(request, ballot_id, "resume")


@login_required
@require_POST
def ballot_publish(request: AuthenticatedRequest, ballot_id: int) -> HttpResponse:
    return _lifecycle(request, ballot_id, "publish")
