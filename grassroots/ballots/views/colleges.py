"""An electoral college question's colleges and their lists of members (issue 16)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from grassroots.accounts.requests import AuthenticatedRequest
from grassroots.ballots import queries
from grassroots.ballots.forms import CollegeMembersForm, CollegesForm
from grassroots.ballots.models import CollegeMember, Question
from grassroots.ballots.services.colleges import (
    import_college_members,
    parse_colleges,
    set_colleges,
)
from grassroots.ballots.services.errors import BallotError


@login_required
def question_colleges(
    request: AuthenticatedRequest, ballot_id: int, question_id: int
) -> HttpResponse:
    """Set the colleges (names and weights) and import each listed college's members."""
    ballot = queries.get_ballot_to_run(request.user, ballot_id)
    question = Question.objects.filter(ballot=ballot, pk=question_id).first()
    if question is None or not question.takes_colleges:
        raise Http404("No such question.")
    everyone_else = question.everyone_else_college
    names = [str(c["name"]) for c in question.colleges]
    colleges_form = CollegesForm(
        request.POST if request.POST.get("action") == "colleges" else None,
        initial={
            "colleges": "\n".join(f"{c['name']}: {c['weight']}" for c in question.colleges),
            "everyone_else": "" if everyone_else is None else names[everyone_else],
        },
    )
    listed = [i for i, c in enumerate(question.colleges) if not c.get("everyone_else")]
    members_form = CollegeMembersForm(
        request.POST if request.POST.get("action") == "members" else None,
        names=[names[i] for i in listed],
    )
    if colleges_form.is_bound and colleges_form.is_valid():
        try:
            colleges = parse_colleges(colleges_form.cleaned_data["colleges"])
            names = [name for name, _ in colleges]
            chosen = colleges_form.cleaned_data["everyone_else"].strip()
            if chosen and chosen not in names:
                raise BallotError(
                    gettext("“%(chosen)s” is not one of the colleges above.") % {"chosen": chosen}
                )
            set_colleges(
                actor=request.user,
                question=question,
                colleges=colleges,
                everyone_else=names.index(chosen) if chosen else None,
            )
        except BallotError as error:
            colleges_form.add_error(None, str(error))
        else:
            messages.success(
                request, gettext("The colleges of %(title)s are saved.") % {"title": question.title}
            )
            return redirect(
                "ballot_question_colleges", ballot_id=ballot.pk, question_id=question.pk
            )
    if members_form.is_bound and members_form.is_valid():
        try:
            count = import_college_members(
                actor=request.user,
                question=question,
                college=listed[members_form.cleaned_data["college"]],
                text=members_form.cleaned_data["membership_numbers"],
            )
        except BallotError as error:
            members_form.add_error("membership_numbers", str(error))
        else:
            messages.success(
                request, gettext("%(count)s members are listed in the college.") % {"count": count}
            )
            return redirect(
                "ballot_question_colleges", ballot_id=ballot.pk, question_id=question.pk
            )
    sizes = {i: 0 for i in range(len(question.colleges))}
    for college in CollegeMember.objects.filter(question=question).values_list(
        "college", flat=True
    ):
        sizes[college] = sizes.get(college, 0) + 1
    return render(
        request,
        "ballots/question_colleges.html",
        {
            "ballot": ballot,
            "question": question,
            "colleges_form": colleges_form,
            "members_form": members_form if listed else None,
            "colleges": [
                (c["name"], c["weight"], bool(c.get("everyone_else")), sizes.get(i, 0))
                for i, c in enumerate(question.colleges)
            ],
        },
        status=400 if (colleges_form.errors or members_form.errors) else 200,
    )
