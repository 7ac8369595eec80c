"""National office's dues page: import a provider's export, and the paid-up requirements."""

from __future__ import annotations

import io

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy

from grassroots.accounts.requests import AuthenticatedRequest
from grassroots.bounds import MAX_INT32, SANE_DATE
from grassroots.people import dues
from grassroots.people.models import DuesFrequency, DuesSource, PaidUpRequirement

MAX_UPLOAD = 50 * 1024 * 1024
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DuesImportForm(forms.Form):
    provider = forms.ChoiceField(
        choices=[(DuesSource.GOCARDLESS, "GoCardless"), (DuesSource.STRIPE, "Stripe")],
        label=gettext_lazy("Payment provider"),
    )
    frequency = forms.ChoiceField(
        choices=DuesFrequency.choices,
        label=gettext_lazy("These payments are"),
        help_text=gettext_lazy(
            "Each member's latest payment pays them up to a month or a year after it"
        ),
    )
    file = forms.FileField(label=gettext_lazy("The provider's payments export (CSV)"))


class RequirementForm(forms.Form):
    kind = forms.ChoiceField(
        choices=list(dues.REQUIREMENT_KINDS.items()), label=gettext_lazy("For")
    )
    object_id = forms.IntegerField(
        min_value=1,
        max_value=MAX_INT32,
        label=gettext_lazy("Its number"),
        help_text=gettext_lazy("The ballot's or the meeting's number"),
    )
    paid_up_by = forms.DateField(
        validators=[SANE_DATE],
        widget=DATE_WIDGET,
        required=False,
        label=gettext_lazy("Paid up by"),
        help_text=gettext_lazy("Empty: no requirement"),
    )
    reason = forms.CharField(max_length=200, label=gettext_lazy("The rule that requires it"))


@login_required
def dues_home(request: AuthenticatedRequest) -> HttpResponse:
    if not dues.may_record_dues(request.user):
        raise Http404("No such page.")
    action = request.POST.get("action") if request.method == "POST" else None
    import_form = DuesImportForm(
        request.POST if action == "import" else None,
        request.FILES if action == "import" else None,
        prefix="import",
    )
    requirement_form = RequirementForm(
        request.POST if action == "require" else None, prefix="require"
    )
    result = None
    if action == "import" and import_form.is_valid():
        upload = import_form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            import_form.add_error("file", gettext("The file is over 50 MB: split it."))
        else:
            try:
                text = io.TextIOWrapper(upload.file, encoding="utf-8-sig", newline="")
                result = dues.import_dues(
                    actor=request.user,
                    provider=import_form.cleaned_data["provider"],
                    text=text,
                    frequency=import_form.cleaned_data["frequency"],
                )
            except UnicodeDecodeError:
                import_form.add_error(
                    "file", gettext("The file is not UTF-8 text: save it as CSV UTF-8.")
                )
            except dues.DuesError as error:
                import_form.add_error("file", str(error))
    if action == "require" and requirement_form.is_valid():
        data = requirement_form.cleaned_data
        try:
            dues.set_paid_up_requirement(
                actor=request.user,
                kind=data["kind"],
                object_id=data["object_id"],
                paid_up_by=data["paid_up_by"],
                reason=data["reason"],
            )
        except dues.DuesError as error:
            requirement_form.add_error(None, str(error))
        else:
            messages.success(request, gettext("The requirement is saved."))
            return redirect("dues_home")
    return render(
        request,
        "people/dues.html",
        {
            "import_form": import_form,
            "requirement_form": requirement_form,
            "result": result,
            "requirements": PaidUpRequirement.objects.order_by("-set_at")[:50],
            "kinds": dues.REQUIREMENT_KINDS,
        },
    )
