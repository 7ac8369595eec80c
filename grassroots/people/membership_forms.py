"""Forms of the membership pages: renewal, discipline and dues (docs/organisation.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy

from grassroots.bounds import SANE_DATE
from grassroots.organisation.models import Role
from grassroots.people.models import DuesFrequency, Sanction

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    StrOrPromise = str | _StrPromise


def _text(label: StrOrPromise, *, help_text: StrOrPromise = "", rows: int = 4) -> forms.CharField:
    return forms.CharField(
        widget=forms.Textarea(attrs={"rows": rows}),
        max_length=4000,
        label=label,
        help_text=help_text,
    )


class RenewByHandForm(forms.Form):
    reason = forms.CharField(max_length=200, label=gettext_lazy("Why you renew by hand"))


class NoticeForm(forms.Form):
    sanction = forms.ChoiceField(choices=Sanction.choices, label=gettext_lazy("Proposed sanction"))
    reason = _text(
        gettext_lazy("Reason"), help_text=gettext_lazy("Sent to the member with the notice")
    )
    body = forms.ChoiceField(
        choices=[
            (Role.NATIONAL_COMMITTEE.value, "The national committee"),
            (Role.NATIONAL_OFFICE.value, "National office"),
        ],
        label=gettext_lazy("The body that decides"),
        help_text=gettext_lazy("An appeal goes to the other one"),
    )
    respond_by = forms.DateField(
        validators=[SANE_DATE],
        widget=DATE_WIDGET,
        label=gettext_lazy("The member may respond until"),
        help_text=gettext_lazy("At least 14 days"),
    )


class ResponseForm(forms.Form):
    response = _text(
        gettext_lazy("Your response"),
        help_text=gettext_lazy("The deciding body reads it before deciding"),
    )


class AppealForm(forms.Form):
    statement = _text(gettext_lazy("Why you appeal"))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("impose", "Impose the sanction"), ("no_action", "No action")],
        widget=forms.RadioSelect,
        label=gettext_lazy("Decision"),
    )
    reasons = _text(gettext_lazy("Reasons"), help_text=gettext_lazy("Sent to the member"))
    suspended_until = forms.DateField(
        validators=[SANE_DATE],
        widget=DATE_WIDGET,
        required=False,
        label=gettext_lazy("A suspension's last day"),
        help_text=gettext_lazy("Leave empty for a suspension until further decision"),
    )


class AppealDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("uphold", "Uphold the appeal"), ("dismiss", "Dismiss the appeal")],
        widget=forms.RadioSelect,
        label=gettext_lazy("Decision"),
    )
    reasons = _text(gettext_lazy("Reasons"), help_text=gettext_lazy("Sent to the member"))


class DuesByHandForm(forms.Form):
    amount = forms.DecimalField(
        min_value=0, max_digits=8, decimal_places=2, label=gettext_lazy("Amount (£)")
    )
    frequency = forms.ChoiceField(choices=DuesFrequency.choices, label=gettext_lazy("How often"))
    paid_up_to = forms.DateField(
        validators=[SANE_DATE], widget=DATE_WIDGET, label=gettext_lazy("Paid up to")
    )
    reason = forms.CharField(max_length=200, label=gettext_lazy("Why you change it by hand"))
