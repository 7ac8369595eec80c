from __future__ import annotations

from typing import Any, ClassVar

from django import forms

from grassroots.clock import today
from grassroots.organisation.models import RecognitionCriteria
from grassroots.organisation.services import CRITERIA_FIELDS

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CriteriaForm(forms.ModelForm[RecognitionCriteria]):
    class Meta:
        model = RecognitionCriteria
        fields: ClassVar = list(CRITERIA_FIELDS)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        fix, remind = data.get("days_to_fix"), data.get("reminder_days")
        if fix is not None and remind is not None and remind >= fix:
            self.add_error("reminder_days", "The reminder must come before the fix-by date.")
        if fix is not None and fix < 1:
            self.add_error("days_to_fix", "Give a group at least one day.")
        return data


class AgmForm(forms.Form):
    held_on = forms.DateField(label="Date the AGM was held", widget=DATE_WIDGET)

    def clean_held_on(self) -> Any:
        held_on = self.cleaned_data["held_on"]
        if held_on > today():
            raise forms.ValidationError("Record an AGM once it has been held.")
        return held_on


class EndRoleForm(forms.Form):
    ends_on = forms.DateField(
        label="Last day in the role",
        widget=DATE_WIDGET,
        help_text="Today, for a resignation that takes effect now",
    )
    reason = forms.CharField(
        max_length=200, label="Why the role ends", help_text="For example: resigned"
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        label="Reason",
        help_text="The group's members will read it",
    )


class AppealForm(forms.Form):
    statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=8000,
        label="The group's statement",
        help_text="Why the decision should be overturned",
    )


class DecideAppealForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("upheld", "Uphold the appeal"), ("dismissed", "Dismiss the appeal")],
        widget=forms.RadioSelect,
        label="Decision",
    )
    reasons = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        label="Reasons",
        help_text="The group's members will read them",
    )


class AgreementForm(forms.Form):
    accept = forms.BooleanField(
        label="I have read the data protection agreement and accept it", required=True
    )
