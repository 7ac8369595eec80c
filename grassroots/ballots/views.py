"""Ballot pages: thin views that parse a form, call a service or query, and render."""

from __future__ import annotations

from typing import Any

from csp.decorators import csp_exempt
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from grassroots.accounts.middleware import (
    check_officer_mfa,
    checks_officer_mfa_itself,
    officer_mfa_response,
)
from grassroots.ballots import queries, services
from grassroots.ballots.forms import (
    BallotForm,
    CandidateDetailsForm,
    CandidateForm,
    GroupSupportForm,
    NominationForm,
    NominationsOpenForm,
    QuestionForm,
    ReceiptLookupForm,
    RejectNominationForm,
    ReminderScheduleForm,
    ShareForm,
    TellersForm,
    VoteForm,
)
from grassroots.ballots.links import LinkError, roll_entry_for_link
from grassroots.ballots.models import Ballot, Question, RollEntry
from grassroots.ballots.photos import CONTENT_TYPES
from grassroots.ballots.publication import question_blt, record_zip, signed_heads
from grassroots.people.models import Member


def _problem(
    request: HttpRequest, error: services.BallotError, ballot: Ballot | None = None
) -> HttpResponse:
    return render(
        request,
        "ballots/problem.html",
        {"message": str(error), "ballot": ballot},
        status=error.http_status,
    )


def guarantees(request: HttpRequest) -> HttpResponse:
    return render(request, "ballots/guarantees.html")


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
            ballot = services.create_ballot(
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
        except services.BallotError as error:
            return _problem(request, error)
        messages.success(request, "Ballot created. Now add its questions.")
        return redirect("ballot_manage", ballot_id=ballot.pk)
    return render(request, "ballots/ballot_form.html", {"form": form})


@login_required
def ballot_manage(request: HttpRequest, ballot_id: int) -> HttpResponse:
    ballot = queries.get_ballot_to_run(request.user, ballot_id)
    progress = queries.count_progress(ballot)
    progress_url = reverse("ballot_manage", args=[ballot.pk])
    if getattr(request, "htmx", False):
        return _progress_fragment(
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
        },
    )


def _progress_fragment(
    request: HttpRequest,
    template: str,
    ballot: Ballot,
    progress: queries.CountProgress | None,
    progress_url: str,
) -> HttpResponse:
    """The count's progress alone, for HTMX. Once the count has finished or stopped the whole
    page is reloaded (``HX-Refresh``): it then shows the result, or the way to start again."""
    response = render(
        request, template, {"ballot": ballot, "progress": progress, "progress_url": progress_url}
    )
    if progress is None or not progress.is_running:
        response["HX-Refresh"] = "true"
    return response


@login_required
def question_add(request: HttpRequest, ballot_id: int) -> HttpResponse:
    ballot = queries.get_ballot_to_run(request.user, ballot_id)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_question(
                actor=request.user,
                ballot=ballot,
                title=form.cleaned_data["title"],
                kind=form.cleaned_data["kind"],
                stv_rule=form.cleaned_data["stv_rule"],
                seats=form.cleaned_data["seats"],
                constraints=form.constraints(),
            )
        except services.BallotError as error:
            return _problem(request, error, ballot)
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
            services.add_candidate(
                actor=request.user,
                question=question,
                name=form.cleaned_data["name"],
                statement=form.cleaned_data["statement"],
                categories=form.category_list(),
            )
        except services.BallotError as error:
            return _problem(request, error, ballot)
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
                services.set_up_tellers(actor=request.user, ballot=ballot, members=tellers)
            except services.BallotError as error:
                return _problem(request, error, ballot)
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
            services.set_reminder_schedule(
                actor=request.user,
                ballot=ballot,
                hours_before_close=form.cleaned_data["hours_before_close"],
                to_everyone=form.cleaned_data["to_everyone"],
            )
        except services.BallotError as error:
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
            "may_change": ballot.status in ("draft", "nominations", "ready"),
        },
        status=400 if form.is_bound else 200,
    )


def _lifecycle(request: HttpRequest, ballot_id: int, step: str) -> HttpResponse:
    ballot = queries.get_ballot_to_run(request.user, ballot_id)
    try:
        if step == "open":
            size = services.open_ballot(actor=request.user, ballot=ballot)
            messages.success(request, f"Voting is open. The roll has {size} members.")
        elif step == "remind":
            size = services.send_reminder(actor=request.user, ballot=ballot)
            messages.success(
                request, f"A reminder is being sent to the {size} members on the roll."
            )
        elif step == "close":
            services.close_ballot(actor=request.user, ballot=ballot)
            messages.success(request, "The poll is closed. The tellers can now enter their shares.")
        elif step == "count":
            services.request_count(actor=request.user, ballot=ballot)
            messages.success(request, "The count has started: the tellers' key opens the box.")
        else:
            services.publish_results(actor=request.user, ballot=ballot)
            messages.success(request, "The result is published.")
    except services.BallotError as error:
        return _problem(request, error, ballot)
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


@login_required
def teller_share(request: HttpRequest, ballot_id: int) -> HttpResponse:
    teller = queries.get_teller_for(request.user, ballot_id)
    share = None
    if request.method == "POST":
        try:
            share = services.collect_share(actor=request.user, teller=teller)
        except services.BallotError as error:
            return _problem(request, error, teller.ballot)
    response = render(request, "ballots/teller_share.html", {"teller": teller, "share": share})
    response["Cache-Control"] = "no-store"
    return response


@login_required
def teller_reveal(request: HttpRequest, ballot_id: int) -> HttpResponse:
    teller = queries.get_teller_for(request.user, ballot_id)
    demo_share = (
        services.demo_share_for(teller)
        if teller.ballot.status == "closed" and not teller.revealed_share
        else None
    )
    progress = queries.count_progress(teller.ballot)
    progress_url = reverse("ballot_teller_reveal", args=[teller.ballot.pk])
    if getattr(request, "htmx", False) and request.method == "GET":
        return _progress_fragment(
            request,
            "ballots/teller_reveal.html#count-progress",
            teller.ballot,
            progress,
            progress_url,
        )
    form = ShareForm(request.POST or None, initial={"share": demo_share or ""})
    if request.method == "POST" and form.is_valid():
        try:
            services.reveal_share(
                actor=request.user, teller=teller, share_text=form.cleaned_data["share"]
            )
        except services.BallotError as error:
            form.add_error("share", str(error))
        else:
            messages.success(request, "Thank you: your share is entered.")
            return redirect("ballot_list")
    return render(
        request,
        "ballots/teller_reveal.html",
        {
            "teller": teller,
            "ballot": teller.ballot,
            "form": form,
            "demo_share": demo_share,
            "progress": progress,
            "progress_url": progress_url,
            "is_runner": queries.may_run(request.user, teller.ballot),
            "takes_share": teller.ballot.status == "closed"
            and not (progress is not None and progress.is_running),
        },
    )


@checks_officer_mfa_itself
@login_required
def ballot_vote(request: HttpRequest, ballot_id: int) -> HttpResponseBase:
    """The ballot paper for a logged-in member. The most-used page while a poll is open, so
    the officer-MFA rule is decided from the roll entry's own query rather than a query of
    its own in the middleware (grassroots.accounts.middleware)."""
    try:
        ballot, entry = queries.get_ballot_to_vote(request.user, ballot_id)
    except Http404:
        # Not on the roll: the middleware's own check, then the 404.
        refused = check_officer_mfa(request)
        if refused is not None:
            return refused
        raise
    refused = officer_mfa_response(
        request,
        is_officer=getattr(entry, "mfa_is_officer", True),
        has_totp=getattr(entry, "mfa_has_totp", False),
    )
    if refused is not None:
        return refused
    return _vote_page(request, ballot, entry, token=None)


def _json(data: dict[str, object], status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status)
    response["Cache-Control"] = "no-store"
    return response


@csp_exempt()  # type: ignore[arg-type]  # JSON, never a page: docs/security.md
@require_POST
@checks_officer_mfa_itself
def ballot_cast(request: HttpRequest, ballot_id: int) -> HttpResponseBase:
    """The lean cast: the ballot paper's fields and an idempotency key in, the receipt as JSON
    out, for scripts, an enhanced page and the load test.

    The same checks and guarantees as the page's POST (same form, same service, same query for
    the roll entry and the officer-MFA rule, CSRF and session login as for any page), without
    drawing a page: the client makes its own random idempotency key (16 to 64 of A-Z, a-z,
    0-9, "-" and "_"; a retry with the same key gets the original receipt). Refusals are JSON
    ``{"error": ...}`` with the page's status codes.
    """
    if not request.user.is_authenticated:
        return _json({"error": "Log in to vote."}, status=401)
    try:
        ballot, entry = queries.get_ballot_to_vote(request.user, ballot_id)
    except Http404:
        refused = check_officer_mfa(request)
        if refused is not None:
            return refused
        return _json({"error": "You are not on the roll for this ballot."}, status=404)
    refused = officer_mfa_response(
        request,
        is_officer=getattr(entry, "mfa_is_officer", True),
        has_totp=getattr(entry, "mfa_has_totp", False),
    )
    if refused is not None:
        return refused
    form = VoteForm(request.POST, ballot=ballot, validate_only=True)
    if not form.is_valid():
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        first = next(iter(errors.values()))[0]
        return _json({"error": first, "fields": errors}, status=400)
    try:
        receipt = services.cast_ballot(
            actor=request.user,
            ballot=ballot,
            answers=form.cleaned_data["answers"],
            idempotency_key=form.cleaned_data["idempotency_key"],
            roll_entry=entry,
        )
    except services.BallotError as error:
        return _json({"error": str(error)}, status=error.http_status)
    return _json(
        {
            "election_id": receipt.election_id,
            "repeat": receipt.is_repeat,
            "trackers": [{"question": q, "tracker": t} for q, t in receipt.trackers],
        }
    )


def ballot_vote_by_link(request: HttpRequest, ballot_id: int, token: str) -> HttpResponse:
    """The personal link from the invitation: this member, this ballot, no login."""
    ballot = queries.get_ballot_by_link(ballot_id)
    try:
        if ballot is None:
            raise LinkError()
        entry = roll_entry_for_link(ballot, token)
    except LinkError as error:
        response = render(
            request,
            "ballots/problem.html",
            {"message": str(error), "ballot": None},
            status=error.http_status,
        )
        response["Referrer-Policy"] = "same-origin"
        return response
    return _vote_page(request, ballot, entry, token=token)


def _vote_page(
    request: HttpRequest, ballot: Ballot, entry: RollEntry, *, token: str | None
) -> HttpResponse:
    # An empty POST is a submission too (a paper with nothing on it), not a fresh page.
    form = VoteForm(request.POST if request.method == "POST" else None, ballot=ballot)
    response: HttpResponse
    if request.method == "POST" and form.is_valid():
        try:
            if token is None:
                receipt = services.cast_ballot(
                    actor=request.user,
                    ballot=ballot,
                    answers=form.cleaned_data["answers"],
                    idempotency_key=form.cleaned_data["idempotency_key"],
                    roll_entry=entry,
                )
            else:
                receipt = services.cast_ballot_with_link(
                    actor=request.user,
                    ballot=ballot,
                    token=token,
                    answers=form.cleaned_data["answers"],
                    idempotency_key=form.cleaned_data["idempotency_key"],
                )
        except (services.BallotError, LinkError) as error:
            response = render(
                request,
                "ballots/problem.html",
                {"message": str(error), "ballot": ballot},
                status=error.http_status,
            )
        else:
            response = render(
                request,
                "ballots/receipt.html",
                {
                    "ballot": ballot,
                    "receipt": receipt,
                    "idempotency_key": form.cleaned_data["idempotency_key"],
                    "token": token or "",
                    "emailed_to": "",
                },
            )
    else:
        response = render(
            request,
            "ballots/vote.html",
            {"ballot": ballot, "form": form, "has_voted": entry.has_voted, "by_link": token},
            status=400 if form.is_bound else 200,
        )
    response["Cache-Control"] = "no-store"
    if token is not None:
        # The link is the member's key to this ballot: no Referer carries it off the site.
        # ("no-referrer" would also make the browser send "Origin: null" with the form's
        # POST, which Django's CSRF check rightly refuses.)
        response["Referrer-Policy"] = "same-origin"
    return response


@require_POST
def receipt_email(request: HttpRequest, ballot_id: int) -> HttpResponse:
    """ "Email me this receipt": sent at once from this request, nothing stored (see
    services.email_receipt). A voter by personal link is not logged in; the link's token,
    posted back from the receipt page, stands for them."""
    ballot = queries.get_public_ballot(ballot_id)
    key = request.POST.get("idempotency_key", "")
    token = request.POST.get("token") or None
    try:
        address, receipt = services.email_receipt(
            actor=request.user, ballot=ballot, idempotency_key=key, token=token
        )
    except (services.BallotError, LinkError) as error:
        response = render(
            request,
            "ballots/problem.html",
            {"message": str(error), "ballot": ballot},
            status=error.http_status,
        )
    else:
        response = render(
            request,
            "ballots/receipt.html",
            {
                "ballot": ballot,
                "receipt": receipt,
                "idempotency_key": key,
                "token": token or "",
                "emailed_to": address,
            },
        )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


def receipt_check(request: HttpRequest, ballot_id: int) -> HttpResponse:
    ballot = queries.get_public_ballot(ballot_id)
    form = ReceiptLookupForm(request.GET or None)
    found = None
    if form.is_bound and form.is_valid():
        found = queries.look_up_receipt(ballot, form.cleaned_data["tracker"].strip().lower())
    return render(
        request,
        "ballots/receipt_check.html",
        {"ballot": ballot, "form": form, "found": found},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def ballot_results(request: HttpRequest, ballot_id: int) -> HttpResponse:
    ballot = queries.get_published_ballot(ballot_id)
    return render(
        request,
        "ballots/results.html",
        {
            "ballot": ballot,
            "questions": list(ballot.questions.prefetch_related("candidates")),
            "heads": signed_heads(ballot),
        },
    )


def ballot_record_download(request: HttpRequest, ballot_id: int) -> HttpResponse:
    ballot = queries.get_published_ballot(ballot_id)
    response = HttpResponse(record_zip(ballot), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{ballot.election_id}-record.zip"'
    return response


def ballot_blt_download(request: HttpRequest, ballot_id: int, question_id: int) -> HttpResponse:
    ballot = queries.get_published_ballot(ballot_id)
    question = ballot.questions.filter(pk=question_id).first()
    if question is None or not question.is_ranked:
        raise Http404("No such ranked question.")
    response = HttpResponse(question_blt(question), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{ballot.election_id}-{question.ledger_id}.blt"'
    )
    return response


def ballot_log(request: HttpRequest, ballot_id: int) -> HttpResponse:
    ballot = queries.get_public_ballot(ballot_id)
    return render(request, "ballots/log.html", {"ballot": ballot, "heads": signed_heads(ballot)})


# Nominations


def _refused(request: HttpRequest, error: Exception, ballot: Ballot | None) -> HttpResponse:
    status = error.http_status if isinstance(error, services.BallotError) else 403
    return render(
        request, "ballots/problem.html", {"message": str(error), "ballot": ballot}, status=status
    )


@login_required
def nominations_open(request: HttpRequest, ballot_id: int) -> HttpResponse:
    ballot = queries.get_ballot_to_run(request.user, ballot_id)
    form = NominationsOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.open_nominations(
                actor=request.user,
                ballot=ballot,
                close_at=form.cleaned_data["close_at"],
                supporters_needed=form.cleaned_data["supporters_needed"],
                groups_needed=form.cleaned_data["groups_needed"],
            )
        except (services.BallotError, PermissionDenied) as error:
            return _refused(request, error, ballot)
        messages.success(request, "Nominations are open.")
        return redirect("ballot_nominations", ballot_id=ballot.pk)
    return render(
        request,
        "ballots/nominations_open.html",
        {"ballot": ballot, "form": form},
        status=400 if form.is_bound else 200,
    )


@login_required
def nominations(request: HttpRequest, ballot_id: int) -> HttpResponse:
    ballot = queries.get_ballot_for_nominations(request.user, ballot_id)
    member = queries.roll_member_for(request.user)
    return render(
        request,
        "ballots/nominations.html",
        {
            "ballot": ballot,
            "report": queries.nominations_report(ballot),
            "threshold": queries.threshold_text(ballot),
            "may_run": queries.may_run(request.user, ballot),
            "is_returning_officer": getattr(member, "pk", None) == ballot.returning_officer_id,
            "may_nominate": ballot.nominations_are_open and queries.is_eligible(ballot, member),
            "may_reject": ballot.nominations_are_open and queries.may_run(request.user, ballot),
            "member_id": getattr(member, "pk", None),
        },
    )


@login_required
def nominate(request: HttpRequest, ballot_id: int) -> HttpResponse:
    ballot = queries.get_ballot_for_nominations(request.user, ballot_id)
    questions = list(ballot.questions.filter(kind__in=queries.CANDIDATE_KINDS))
    form = NominationForm(request.POST or None, request.FILES or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["nominee"].strip().upper()
        nominee = queries.nominee_for(request.user, number)
        if nominee is None or not queries.is_eligible(ballot, nominee):
            form.add_error(
                "nominee", "No member who may vote in this ballot has that membership number."
            )
        else:
            try:
                nomination = services.nominate(
                    actor=request.user,
                    question=form.chosen_question(),
                    nominee=nominee,
                    statement=form.cleaned_data["statement"],
                    categories=form.category_list(),
                    photo=form.cleaned_data["photo"] or None,
                )
            except (services.BallotError, PermissionDenied) as error:
                return _refused(request, error, ballot)
            messages.success(request, f"{nomination.name} is nominated.")
            return redirect("ballot_nomination", ballot_id=ballot.pk, nomination_id=nomination.pk)
    if not ballot.nominations_are_open:
        return _refused(request, services.WrongStage("Nominations are not open."), ballot)
    return render(
        request,
        "ballots/nominate.html",
        {"ballot": ballot, "form": form},
        status=400 if form.is_bound else 200,
    )


@login_required
def nomination_detail(request: HttpRequest, ballot_id: int, nomination_id: int) -> HttpResponse:
    nomination = queries.get_nomination_for(request.user, ballot_id, nomination_id)
    ballot = nomination.question.ballot
    member = queries.roll_member_for(request.user)
    is_nominee = getattr(member, "pk", None) == nomination.member_id
    form = None
    if is_nominee and ballot.nominations_are_open:
        form = CandidateDetailsForm(
            request.POST or None,
            request.FILES or None,
            initial={
                "statement": nomination.statement,
                "categories": ", ".join(nomination.categories),
            },
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.update_nomination(
                    actor=request.user,
                    nomination=nomination,
                    statement=form.cleaned_data["statement"],
                    categories=form.category_list(),
                    photo=form.cleaned_data["photo"] or None,
                )
            except (services.BallotError, PermissionDenied) as error:
                return _refused(request, error, ballot)
            messages.success(request, "Your nomination is updated.")
            return redirect("ballot_nomination", ballot_id=ballot.pk, nomination_id=nomination.pk)
    elif request.method == "POST":
        return _refused(request, PermissionDenied("Only the nominee can change this."), ballot)
    line = queries.nomination_line(nomination, ballot)
    return render(
        request,
        "ballots/nomination.html",
        {
            "ballot": ballot,
            "nomination": nomination,
            "line": line,
            "threshold": queries.threshold_text(ballot),
            "is_nominee": is_nominee,
            "form": form,
            "supports": queries.supports_nomination(member, nomination),
            "may_reject": ballot.nominations_are_open
            and nomination.status in ("standing", "awaiting")
            and queries.may_run(request.user, ballot),
            "my_group_ids": {g.pk for g in queries.groups_nominating_for(request.user)},
        },
        status=400 if form is not None and form.is_bound else 200,
    )


def _nomination_step(
    request: HttpRequest, ballot_id: int, nomination_id: int, step: str
) -> HttpResponse:
    nomination = queries.get_nomination_for(request.user, ballot_id, nomination_id)
    ballot = nomination.question.ballot
    try:
        if step == "support":
            services.support_nomination(actor=request.user, nomination=nomination)
            messages.success(request, f"You support {nomination.name}'s nomination.")
        else:
            services.withdraw_nomination(actor=request.user, nomination=nomination)
            messages.success(request, "Your nomination is withdrawn.")
    except (services.BallotError, PermissionDenied) as error:
        return _refused(request, error, ballot)
    return redirect("ballot_nomination", ballot_id=ballot.pk, nomination_id=nomination.pk)


@login_required
@require_POST
def nomination_support(request: HttpRequest, ballot_id: int, nomination_id: int) -> HttpResponse:
    return _nomination_step(request, ballot_id, nomination_id, "support")


@login_required
@require_POST
def nomination_withdraw(request: HttpRequest, ballot_id: int, nomination_id: int) -> HttpResponse:
    return _nomination_step(request, ballot_id, nomination_id, "withdraw")


@login_required
def nomination_group_support(
    request: HttpRequest, ballot_id: int, nomination_id: int
) -> HttpResponse:
    """A group's Chair or Secretary records the group's resolution to support a nomination."""
    nomination = queries.get_nomination_for(request.user, ballot_id, nomination_id)
    ballot = nomination.question.ballot
    groups = queries.groups_nominating_for(request.user)
    if not groups:
        raise Http404("No such page.")
    form = GroupSupportForm(
        request.POST or None, groups=groups, motions=queries.carried_motions_of(groups)
    )
    status = 400 if form.is_bound else 200
    if request.method == "POST" and form.is_valid():
        group = form.chosen_group()
        try:
            services.record_group_support(
                actor=request.user,
                nomination=nomination,
                group=group,
                resolved_on=form.cleaned_data["resolved_on"],
                reference=form.cleaned_data["reference"],
                carried_motion=form.chosen_motion(),
            )
        except (services.BallotError, PermissionDenied) as error:
            form.add_error(None, str(error))
            status = error.http_status if isinstance(error, services.BallotError) else 403
        else:
            messages.success(request, f"{group.name}'s support for {nomination.name} is recorded.")
            return redirect("ballot_nomination", ballot_id=ballot.pk, nomination_id=nomination.pk)
    elif not ballot.nominations_are_open:
        return _refused(
            request,
            services.WrongStage(
                "Nominations have closed: a group's support can no longer be recorded."
            ),
            ballot,
        )
    return render(
        request,
        "ballots/group_support.html",
        {"ballot": ballot, "nomination": nomination, "form": form},
        status=status,
    )


@login_required
@require_POST
def nomination_group_support_withdraw(
    request: HttpRequest, ballot_id: int, nomination_id: int, support_id: int
) -> HttpResponse:
    support = queries.get_group_support_for(request.user, ballot_id, nomination_id, support_id)
    ballot = support.nomination.question.ballot
    try:
        services.withdraw_group_support(actor=request.user, support=support)
    except (services.BallotError, PermissionDenied) as error:
        return _refused(request, error, ballot)
    messages.success(request, f"{support.group.name}'s support is withdrawn.")
    return redirect("ballot_nomination", ballot_id=ballot.pk, nomination_id=nomination_id)


@login_required
def nomination_reject(request: HttpRequest, ballot_id: int, nomination_id: int) -> HttpResponse:
    """An officer who runs the ballot rejects a nomination, with a reason the nominee sees."""
    nomination = queries.get_nomination_to_reject(request.user, ballot_id, nomination_id)
    ballot = nomination.question.ballot
    form = RejectNominationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reject_nomination(
                actor=request.user, nomination=nomination, reason=form.cleaned_data["reason"]
            )
        except (services.BallotError, PermissionDenied) as error:
            return _refused(request, error, ballot)
        messages.success(request, f"{nomination.name}'s nomination is rejected.")
        return redirect("ballot_nominations", ballot_id=ballot.pk)
    if not ballot.nominations_are_open:
        return _refused(
            request,
            services.WrongStage("Nominations have closed: a nomination can no longer be rejected."),
            ballot,
        )
    return render(
        request,
        "ballots/nomination_reject.html",
        {"ballot": ballot, "nomination": nomination, "form": form},
        status=400 if form.is_bound else 200,
    )


@login_required
def nomination_photo(request: HttpRequest, ballot_id: int, nomination_id: int) -> HttpResponse:
    nomination = queries.get_nomination_for(request.user, ballot_id, nomination_id)
    if not nomination.photo:
        raise Http404("No photo.")
    return _photo_response(nomination.photo)


def candidate_photo(request: HttpRequest, ballot_id: int, candidate_id: int) -> HttpResponse:
    """A candidate's photo, for the ballot paper (also opened by personal link, without a
    login): public once the poll has opened, like the candidates' names; before that only to
    the officers who run the ballot."""
    candidate = queries.get_candidate_photo_for(request.user, ballot_id, candidate_id)
    return _photo_response(candidate.photo, cache=True)


def _photo_response(photo: Any, *, cache: bool = False) -> HttpResponse:
    kind = str(photo.name).rsplit(".", 1)[-1]
    with photo.open("rb") as stored:
        data = stored.read()
    response = HttpResponse(data, content_type=CONTENT_TYPES.get(kind, "application/octet-stream"))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    if cache:
        # Fixed from the opening on; a phone on a slow line need not fetch it per page.
        response["Cache-Control"] = "public, max-age=3600"
    return response


@login_required
@require_POST
def nominations_confirm(request: HttpRequest, ballot_id: int) -> HttpResponse:
    ballot = queries.get_ballot_to_run(request.user, ballot_id)
    try:
        confirmed = services.confirm_nominations(actor=request.user, ballot=ballot)
    except (services.BallotError, PermissionDenied) as error:
        return _refused(request, error, ballot)
    messages.success(request, f"{len(confirmed)} nominations confirmed as candidates.")
    return redirect("ballot_manage", ballot_id=ballot.pk)
