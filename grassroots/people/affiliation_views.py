"""Pages on membership of other organisations (issue 16): the member's own declarations, and
the national office's organisations, imported lists and (audited) declarations."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, ngettext

from grassroots.accounts.requests import AuthenticatedRequest
from grassroots.people import affiliations, queries
from grassroots.people.affiliation_forms import (
    DeclarationsReadForm,
    DeclareForm,
    OrganisationForm,
    OrganisationListForm,
)
from grassroots.people.models import OtherOrganisation

MAX_UPLOAD = 50 * 1024 * 1024


@login_required
def my_organisations(request: AuthenticatedRequest) -> HttpResponse:
    """The member's declared memberships of other organisations: declare, correct, withdraw."""
    if queries.own_member(request.user) is None:
        raise Http404("You have no member record.")
    action = request.POST.get("action") if request.method == "POST" else None
    form = DeclareForm(request.POST if action == "declare" else None)
    if action == "declare" and form.is_valid():
        try:
            declaration = affiliations.declare_membership(
                actor=request.user,
                organisation=form.cleaned_data["organisation"],
                membership_number=form.cleaned_data["membership_number"],
            )
        except affiliations.AffiliationError as error:
            form.add_error("membership_number", str(error))
        else:
            name = declaration.organisation.name
            said = (
                gettext("Your membership of %(name)s is recorded and confirmed by its list.")
                if declaration.is_confirmed
                else gettext("Your membership of %(name)s is recorded.")
            )
            messages.success(request, said % {"name": name})
            return redirect("my_organisations")
    if action == "withdraw":
        organisation = OtherOrganisation.objects.filter(
            pk=_int(request.POST.get("organisation"))
        ).first()
        if organisation is not None:
            affiliations.withdraw_declaration(actor=request.user, organisation=organisation)
            messages.success(
                request,
                gettext("Your membership of %(organisation)s is withdrawn.")
                % {"organisation": organisation.name},
            )
        return redirect("my_organisations")
    return render(
        request,
        "people/my_organisations.html",
        {"form": form, "declarations": affiliations.own_declarations(request.user)},
        status=400 if form.errors else 200,
    )


def _int(text: str | None) -> int:
    return int(text) if text and text.isdigit() and len(text) < 19 else 0


@login_required
def other_organisations(request: AuthenticatedRequest) -> HttpResponse:
    """The national office: the organisations ballots may name and their imported lists."""
    if not affiliations.may_check_affiliations(request.user):
        raise Http404("No such page.")
    action = request.POST.get("action") if request.method == "POST" else None
    add_form = OrganisationForm(request.POST if action == "add" else None, prefix="add")
    list_form = OrganisationListForm(
        request.POST if action == "import" else None,
        request.FILES if action == "import" else None,
        prefix="import",
    )
    result = None
    if action == "add" and add_form.is_valid():
        try:
            organisation = affiliations.add_organisation(
                actor=request.user, name=add_form.cleaned_data["name"]
            )
        except affiliations.AffiliationError as error:
            add_form.add_error("name", str(error))
        else:
            messages.success(
                request, gettext("%(organisation)s is added.") % {"organisation": organisation.name}
            )
            return redirect("other_organisations")
    if action == "import" and list_form.is_valid():
        upload = list_form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            list_form.add_error("file", gettext("The file is over 50 MB: split it."))
        else:
            try:
                text = io.TextIOWrapper(upload.file, encoding="utf-8-sig", newline="")
                result = affiliations.import_organisation_list(
                    actor=request.user,
                    organisation=list_form.cleaned_data["organisation"],
                    text=text,
                )
            except UnicodeDecodeError:
                list_form.add_error(
                    "file", gettext("The file is not UTF-8 text: save it as CSV UTF-8.")
                )
            else:
                if not result.is_stored:
                    list_form.add_error(
                        "file",
                        ngettext(
                            "%(error_count)s row cannot be used, so nothing was stored: "
                            "the list already held is unchanged. Correct the rows below and upload "
                            "the file again.",
                            "%(error_count)s rows cannot be used, so nothing was stored: "
                            "the list already held is unchanged. Correct the rows below and upload "
                            "the file again.",
                            result.error_count,
                        )
                        % {"error_count": result.error_count},
                    )
    organisations = OtherOrganisation.objects.select_related("imported_list").annotate(
        declared=Count("declarations"),
        confirmed=Count("declarations", filter=Q(declarations__confirmed_by__isnull=False)),
    )
    return render(
        request,
        "people/other_organisations.html",
        {
            "add_form": add_form,
            "list_form": list_form,
            "result": result,
            "organisations": organisations,
            "retention_days": affiliations.list_retention_days(),
        },
        status=400 if (add_form.errors or list_form.errors) else 200,
    )


@login_required
def organisation_declarations(request: AuthenticatedRequest, organisation_id: int) -> HttpResponse:
    """Who declared membership of the organisation: shown only on a POST that gives the
    purpose, and each showing audited."""
    if not affiliations.may_check_affiliations(request.user):
        raise Http404("No such page.")
    organisation = OtherOrganisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        raise Http404("No such organisation.")
    form = DeclarationsReadForm(request.POST if request.method == "POST" else None)
    shown = None
    if form.is_bound and form.is_valid():
        shown = affiliations.declarations_for(
            actor=request.user, organisation=organisation, purpose=form.cleaned_data["purpose"]
        )
    return render(
        request,
        "people/organisation_declarations.html",
        {"organisation": organisation, "form": form, "shown": shown},
        status=400 if form.errors else 200,
    )
