"""Nominations: opening them, nominating, the nominee's details, support from members and
groups, rejection, confirmation, and the nominees' and candidates' photos.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from grassroots.accounts.requests import AuthenticatedRequest
from grassroots.ballots import queries
from grassroots.ballots.eligibility import is_eligible
from grassroots.ballots.forms import (
    CandidateDetailsForm,
    GroupSupportForm,
    NominationForm,
    NominationsOpenForm,
    RejectNominationForm,
)
from grassroots.ballots.models import Ballot, NominationStatus
from grassroots.ballots.photos import CONTENT_TYPES
from grassroots.ballots.services import nominations as nomination_services
from grassroots.ballots.services.errors import BallotError, WrongStage
from grassroots.ballots.services.group_support import record_group_support, withdraw_group_support
from grassroots.ballots.services.nominations import (
    confirm_nominations,
    open_nominations,
    reject_nomination,
    support_nomination,
    update_nomination,
    withdraw_nomination,
)
from grassroots.organisation.permissions import Capability, may


def _refused(request: HttpRequest, error: Exception, ballot: Ballot | None) -> HttpResponse:
    status = error.http_status if isinstance(error, BallotError) else 403
    return render(
        request, "ballots/problem.html", {"message": str(error), "ballot": ballot}, status=status
    )


@login_required
def nominations_open(request: AuthenticatedRequest, ballot_id: int) -> HttpResponse:
    ballot = queries.get_ballot_to_run(request.user, ballot_id)
    form = NominationsOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            open_nominations(
                actor=request.user,
                ballot=ballot,
                close_at=form.cleaned_data["close_at"],
                supporters_needed=form.cleaned_data["supporters_needed"],
                groups_needed=form.cleaned_data["groups_needed"],
            )
        except (BallotError, PermissionDenied) as error:
            return _refused(request, error, ballot)
        messages.success(request, gettext("Nominations are open."))
        return redirect("ballot_nominations", ballot_id=ballot.pk)
    return render(
        request,
        "ballots/nominations_open.html",
        {"ballot": ballot, "form": form},
        status=400 if form.is_bound else 200,
    )


@login_required
def nominations(request: AuthenticatedRequest, ballot_id: int) -> HttpResponse:
    ballot = queries.get_ballot_for_nominations(request.user, ballot_id)
    member = queries.roll_member_for(request.user)
    runs = may(request.user, Capability.RUN_BALLOTS, ballot)
    return render(
        request,
        "ballots/nominations.html",
        {
            "ballot": ballot,
            "report": queries.nominations_report(ballot),
            "threshold": queries.threshold_text(ballot),
            "may_run": runs,
            "is_returning_officer": getattr(member, "pk", None) == ballot.returning_officer_id,
            "may_nominate": ballot.nominations_are_open and is_eligible(ballot, member),
            "may_reject": ballot.nominations_are_open and runs,
            "member_id": getattr(member, "pk", None),
        },
    )


@login_required
def nominate(request: AuthenticatedRequest, ballot_id: int) -> HttpResponse:
    ballot = queries.get_ballot_for_nominations(request.user, ballot_id)
    questions = list(ballot.questions.filter(kind__in=queries.CANDIDATE_KINDS))
    form = NominationForm(request.POST or None, request.FILES or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["nominee"].strip().upper()
        nominee = queries.nominee_for(request.user, number)
        if nominee is None or not is_eligible(ballot, nominee):
            form.add_error(
                "nominee",
                gettext("No member who may vote in this ballot has that membership number."),
            )
        else:
            try:
                nomination = nomination_services.nominate(
                    actor=request.user,
                    question=form.chosen_question(),
                    nominee=nominee,
                    statement=form.cleaned_data["statement"],
                    categories=form.category_list(),
                    photo=form.cleaned_data["photo"] or None,
                )
            except (BallotError, PermissionDenied) as error:
                return _refused(request, error, ballot)
            messages.success(request, gettext("%(name)s is nominated.") % {"name": nomination.name})
            return redirect("ballot_nomination", ballot_id=ballot.pk, nomination_id=nomination.pk)
    if not ballot.nominations_are_open:
        return _refused(request, WrongStage(gettext("Nominations are not open.")), ballot)
    return render(
        request,
        "ballots/nominate.html",
        {"ballot": ballot, "form": form},
        status=400 if form.is_bound else 200,
    )


@login_required
def nomination_detail(
    request: AuthenticatedRequest, ballot_id: int, nomination_id: int
) -> HttpResponse:
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
                update_nomination(
                    actor=request.user,
                    nomination=nomination,
                    statement=form.cleaned_data["statement"],
                    categories=form.category_list(),
                    photo=form.cleaned_data["photo"] or None,
                )
            except (BallotError, PermissionDenied) as error:
                return _refused(request, error, ballot)
            messages.success(request, gettext("Your nomination is updated."))
            return redirect("ballot_nomination", ballot_id=ballot.pk, nomination_id=nomination.pk)
    elif request.method == "POST":
        return _refused(
            request, PermissionDenied(gettext("Only the nominee can change this.")), ballot
        )
    line = queries.nomination_line(nomination, ballot)
    return render(
        request,
        "ballots/nomination.html",
        {
            "ballot": ballot,
            "nomination": nomination,
            "line": line,
            "threshold": nomination.question.threshold_text,
            "is_nominee": is_nominee,
            "may_see_categories": not ballot.categories_private
            or is_nominee
            or may(request.user, Capability.RUN_BALLOTS, ballot),
            "form": form,
            "supports": queries.supports_nomination(member, nomination),
            "may_reject": ballot.nominations_are_open
            and nomination.status in (NominationStatus.STANDING, NominationStatus.AWAITING_CONSENT)
            and may(request.user, Capability.RUN_BALLOTS, ballot),
            "my_group_ids": {g.pk for g in queries.groups_nominating_for(request.user)},
        },
        status=400 if form is not None and form.is_bound else 200,
    )


def _nomination_step(
    request: AuthenticatedRequest, ballot_id: int, nomination_id: int, step: str
) -> HttpResponse:
    nomination = queries.get_nomination_for(request.user, ballot_id, nomination_id)
    ballot = nomination.question.ballot
    try:
        if step == "support":
            support_nomination(actor=request.user, nomination=nomination)
            messages.success(
                request, gettext("You support %(name)s's nomination.") % {"name": nomination.name}
            )
        else:
            withdraw_nomination(actor=request.user, nomination=nomination)
            messages.success(request, gettext("Your nomination is withdrawn."))
    except (BallotError, PermissionDenied) as error:
        return _refused(request, error, ballot)
    return redirect("ballot_nomination", ballot_id=ballot.pk, nomination_id=nomination.pk)


@login_required
@require_POST
def nomination_support(
    request: AuthenticatedRequest, ballot_id: int, nomination_id: int
) -> HttpResponse:
    return _nomination_step(request, ballot_id, nomination_id, "support")


@login_required
@require_POST
def nomination_withdraw(
    request: AuthenticatedRequest, ballot_id: int, nomination_id: int
) -> HttpResponse:
    return _nomination_step(request, ballot_id, nomination_id, "withdraw")


@login_required
def nomination_group_support(
    request: AuthenticatedRequest, ballot_id: int, nomination_id: int
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
            record_group_support(
                actor=request.user,
                nomination=nomination,
                group=group,
                resolved_on=form.cleaned_data["resolved_on"],
                reference=form.cleaned_data["reference"],
                carried_motion=form.chosen_motion(),
            )
        except (BallotError, PermissionDenied) as error:
            form.add_error(None, str(error))
            status = error.http_status if isinstance(error, BallotError) else 403
        else:
            messages.success(
                request,
                gettext("%(group)s's support for %(name)s is recorded.")
                % {"group": group.name, "name": nomination.name},
            )
            return redirect("ballot_nomination", ballot_id=ballot.pk, nomination_id=nomination.pk)
    elif not ballot.nominations_are_open:
        return _refused(
            request,
            WrongStage(
                gettext("Nominations have closed: a group's support can no longer be recorded.")
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
    request: AuthenticatedRequest, ballot_id: int, nomination_id: int, support_id: int
) -> HttpResponse:
    support = queries.get_group_support_for(request.user, ballot_id, nomination_id, support_id)
    ballot = support.nomination.question.ballot
    try:
        withdraw_group_support(actor=request.user, support=support)
    except (BallotError, PermissionDenied) as error:
        return _refused(request, error, ballot)
    messages.success(
        request, gettext("%(group)s's support is withdrawn.") % {"group": support.group.name}
    )
    return redirect("ballot_nomination", ballot_id=ballot.pk, nomination_id=nomination_id)


@login_required
def nomination_reject(
    request: AuthenticatedRequest, ballot_id: int, nomination_id: int
) -> HttpResponse:
    """An officer who runs the ballot rejects a nomination, with a reason the nominee sees."""
    nomination = queries.get_nomination_to_reject(request.user, ballot_id, nomination_id)
    ballot = nomination.question.ballot
    form = RejectNominationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reject_nomination(
                actor=request.user, nomination=nomination, reason=form.cleaned_data["reason"]
            )
        except (BallotError, PermissionDenied) as error:
            return _refused(request, error, ballot)
        messages.success(
            request, gettext("%(name)s's nomination is rejected.") % {"name": nomination.name}
        )
        return redirect("ballot_nominations", ballot_id=ballot.pk)
    if not ballot.nominations_are_open:
        return _refused(
            request,
            WrongStage(gettext("Nominations have closed: a nomination can no longer be rejected.")),
            ballot,
        )
    return render(
        request,
        "ballots/nomination_reject.html",
        {"ballot": ballot, "nomination": nomination, "form": form},
        status=400 if form.is_bound else 200,
    )


@login_required
def nomination_photo(
    request: AuthenticatedRequest, ballot_id: int, nomination_id: int
) -> HttpResponse:
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
def nominations_confirm(request: AuthenticatedRequest, ballot_id: int) -> HttpResponse:
    ballot = queries.get_ballot_to_run(request.user, ballot_id)
    try:
        confirmed = confirm_nominations(actor=request.user, ballot=ballot)
    except (BallotError, PermissionDenied) as error:
        return _refused(request, error, ballot)
    messages.success(
        request,
        gettext("%(count)s nominations confirmed as candidates.") % {"count": len(confirmed)},
    )
    return redirect("ballot_manage", ballot_id=ballot.pk)
