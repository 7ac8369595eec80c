"""The member-list CSV export: a POST that states the purpose and gets an expiring link, and the
download behind the link (logic in grassroots.people.exports)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from grassroots import clock
from grassroots.accounts.requests import AuthenticatedRequest
from grassroots.organisation.models import Group
from grassroots.organisation.permissions import Capability, scopes_for
from grassroots.people import exports
from grassroots.people.forms import MemberSearchForm
from grassroots.people.queries import NEW_JOINER_DAYS, MemberFilters


class MemberExportForm(MemberSearchForm):
    """The member list's filters, as they were on the page, and why the list is exported."""

    purpose = forms.CharField(
        max_length=200,
        label=gettext_lazy("Purpose of this export"),
        help_text=gettext_lazy("Recorded in the audit log and printed at the top of the file"),
    )


def export_form_for(user: object, data: object = None) -> MemberExportForm:
    scopes = scopes_for(user, Capability.EXPORT_MEMBERS)
    groups = Group.objects.order_by("name")
    if not scopes.everywhere:
        groups = groups.filter(pk__in=scopes.group_ids)
    return MemberExportForm(data, group_choices=list(groups.values_list("id", "name")))


def _problem(request: HttpRequest, title: str, message: str, status: int) -> HttpResponse:
    return render(
        request,
        "people/member_export_problem.html",
        {"title": title, "message": message},
        status=status,
    )


@login_required
@require_POST
def member_export(request: AuthenticatedRequest) -> HttpResponse:
    if not exports.may_export(request.user):
        raise Http404("No member exports for you.")
    form = export_form_for(request.user, request.POST)
    if not form.is_valid():
        return _problem(
            request,
            gettext("The export was not made"),
            gettext("Say what the export is for, and use the member list's own filters."),
            400,
        )
    filters = MemberFilters(
        text=form.cleaned_data["q"],
        status=form.cleaned_data["status"],
        group_id=form.cleaned_data["group"],
        follow_up=form.cleaned_data["show"],
        days=form.cleaned_data["days"] or NEW_JOINER_DAYS,
    )
    token = exports.create_export(
        actor=request.user, filters=filters, purpose=form.cleaned_data["purpose"]
    )
    return render(
        request,
        "people/member_export_ready.html",
        {
            "url": reverse("member_export_download", kwargs={"token": token}),
            "minutes": exports.LINK_MINUTES,
            "purpose": exports.clean_purpose(form.cleaned_data["purpose"]),
        },
    )


@login_required
@require_GET
def member_export_download(request: AuthenticatedRequest, token: str) -> HttpResponseBase:
    try:
        export = exports.read_token(token, actor=request.user)
    except exports.ExportLinkExpired:
        return _problem(
            request,
            gettext("This download link has expired"),
            gettext("Export links last %(minutes)s minutes. Export the list again.")
            % {"minutes": exports.LINK_MINUTES},
            410,
        )
    except exports.ExportLinkInvalid:
        return _problem(
            request,
            gettext("This download link is not valid"),
            gettext("The link is damaged or was made for someone else. Export the list again."),
            400,
        )
    if not exports.may_export(request.user):
        raise Http404("No member exports for you.")
    lines = exports.download(actor=request.user, request=export)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="members-{clock.now():%Y%m%d-%H%M}.csv"'
    )
    response["Cache-Control"] = "no-store"
    return response
