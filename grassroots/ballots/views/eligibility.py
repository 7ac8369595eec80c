"""A ballot's rule on membership of another organisation (issue 16, docs/slates.md)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from grassroots.accounts.requests import AuthenticatedRequest
from grassroots.ballots import queries
from grassroots.ballots.eligibility import organisation_rule
from grassroots.ballots.eligibility_forms import CONFIRMED, DECLARED, OrganisationRuleForm
from grassroots.ballots.models import BallotStatus
from grassroots.ballots.services.errors import BallotError
from grassroots.ballots.services.organisation_rule import set_organisation_rule

# The rule is read when the roll is frozen, as voting opens: it can change until then.
RULE_EDITABLE = (BallotStatus.DRAFT, BallotStatus.NOMINATIONS, BallotStatus.READY)


@login_required
def ballot_organisation_rule(request: AuthenticatedRequest, ballot_id: int) -> HttpResponse:
    ballot = queries.get_ballot_to_run(request.user, ballot_id)
    rule = organisation_rule(ballot)
    initial = {}
    if rule is not None:
        initial = {
            "organisation": rule.organisation_id,
            "proof": CONFIRMED if rule.needs_confirmation else DECLARED,
            "mode": rule.mode,
        }
    form = OrganisationRuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            set_organisation_rule(
                actor=request.user,
                ballot=ballot,
                organisation=form.cleaned_data["organisation"],
                needs_confirmation=form.cleaned_data["proof"] == CONFIRMED,
                mode=form.cleaned_data["mode"],
            )
        except BallotError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, gettext("The ballot's rule on other organisations is saved."))
            return redirect("ballot_manage", ballot_id=ballot.pk)
    return render(
        request,
        "ballots/organisation_rule.html",
        {
            "ballot": ballot,
            "form": form,
            "rule": rule,
            "is_editable": ballot.status in RULE_EDITABLE,
        },
        status=400 if form.errors else 200,
    )
