"""The auditor's audit-log page and its CSV export (grassroots.organisation.audit_log)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET

from grassroots import clock
from grassroots.bounds import SANE_DATE
from grassroots.organisation.audit_log import (
    EXPORT_LIMIT,
    AuditFilters,
    AuditLogDenied,
    audit_log_csv,
    audit_log_page,
    known_actions,
    known_subject_types,
)
from grassroots.organisation.permissions import NATION, Capability, may

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AuditFilterForm(forms.Form):
    actor = forms.CharField(
        label=gettext_lazy("Who"),
        required=False,
        max_length=254,
        help_text=gettext_lazy(
            "The start of their email address, or “system”, or “erased member”."
        ),
    )
    action = forms.ChoiceField(label=gettext_lazy("Action"), required=False)
    subject_type = forms.ChoiceField(label=gettext_lazy("What it concerned"), required=False)
    subject_id = forms.CharField(
        label=gettext_lazy("Its number"),
        required=False,
        max_length=64,
        help_text=gettext_lazy("A membership number, ballot number or other id, exactly."),
    )
    purpose = forms.CharField(
        label=gettext_lazy("Purpose contains"), required=False, max_length=200
    )
    on_or_after = forms.DateField(
        validators=[SANE_DATE], label=gettext_lazy("From"), required=False, widget=DATE_WIDGET
    )
    on_or_before = forms.DateField(
        validators=[SANE_DATE], label=gettext_lazy("To"), required=False, widget=DATE_WIDGET
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        action = self.fields["action"]
        subject_type = self.fields["subject_type"]
        assert isinstance(action, forms.ChoiceField)
        assert isinstance(subject_type, forms.ChoiceField)
        action.choices = [("", "Any action"), *((a, a) for a in known_actions())]
        subject_type.choices = [("", "Anything"), *((s, s) for s in known_subject_types())]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("on_or_after"), data.get("on_or_before")
        if start is not None and end is not None and start > end:
            self.add_error(
                "on_or_before", gettext("The end date must not be before the start date.")
            )
        if end is not None and end > clock.today() and start is not None and start > clock.today():
            self.add_error("on_or_after", gettext("The log holds nothing from the future."))
        return data

    def filters(self) -> AuditFilters:
        data = self.cleaned_data
        return AuditFilters(
            actor=data.get("actor", "").strip(),
            action=data.get("action", ""),
            subject_type=data.get("subject_type", ""),
            subject_id=data.get("subject_id", "").strip(),
            purpose=data.get("purpose", "").strip(),
            on_or_after=data.get("on_or_after"),
            on_or_before=data.get("on_or_before"),
        )


def _before(request: HttpRequest) -> int | None:
    raw = request.GET.get("before", "")
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    if not may(request.user, Capability.VIEW_AUDIT_LOG, NATION):
        raise Http404("No such page.")
    form = AuditFilterForm(request.GET or None)
    page = None
    if not form.is_bound or form.is_valid():
        filters = form.filters() if form.is_bound else AuditFilters()
        try:
            page = audit_log_page(request.user, filters, before=_before(request))
        except AuditLogDenied:
            raise Http404("No such page.") from None
    query = request.GET.copy()
    query.pop("before", None)
    return render(
        request,
        "organisation/audit_log.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "export_limit": f"{EXPORT_LIMIT:,}",
        },
    )


@login_required
@require_GET
def audit_log_export(request: HttpRequest) -> HttpResponseBase:
    if not may(request.user, Capability.VIEW_AUDIT_LOG, NATION):
        raise Http404("No such page.")
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        return render(
            request,
            "organisation/audit_log.html",
            {"form": form, "page": None, "query": "", "export_limit": f"{EXPORT_LIMIT:,}"},
            status=400,
        )
    try:
        lines = audit_log_csv(request.user, form.filters())
    except AuditLogDenied:
        raise Http404("No such page.") from None
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="audit-log-{clock.today():%Y-%m-%d}.csv"'
    )
    return response
