from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext, gettext_lazy

from grassroots import clock
from grassroots.bounds import SANE_DATE
from grassroots.organisation.models import OfficerBasis, RecognitionCriteria
from grassroots.organisation.services.review import CRITERIA_FIELDS

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CriteriaForm(forms.ModelForm[RecognitionCriteria]):
    class Meta:
        model = RecognitionCriteria
        fields: ClassVar = list(CRITERIA_FIELDS)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        fix, remind = data.get("days_to_fix"), data.get("reminder_days")
        if fix is not None and remind is not None and remind >= fix:
            self.add_error(
                "reminder_days", gettext("The reminder must come before the fix-by date.")
            )
        if fix is not None and fix < 1:
            self.add_error("days_to_fix", gettext("Give a group at least one day."))
        return data


class AgmForm(forms.Form):
    held_on = forms.DateField(
        validators=[SANE_DATE], label=gettext_lazy("Date the AGM was held"), widget=DATE_WIDGET
    )

    def clean_held_on(self) -> Any:
        held_on = self.cleaned_data["held_on"]
        if held_on > clock.today():
            raise forms.ValidationError(gettext("Record an AGM once it has been held."))
        return held_on


BASIS_CHOICES = {
    OfficerBasis.RESIGNATION: "The officer resigns",
    OfficerBasis.GROUP_VOTE: "The group voted for it (at a meeting or in a ballot)",
    OfficerBasis.OVERSIGHT: "A decision of the area, region or national office",
}


class _BasisForm(forms.Form):
    """The basis of an appointment or removal, offered only as the person may use it."""

    def __init__(self, *args: Any, bases: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["basis"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(b, BASIS_CHOICES[OfficerBasis(b)]) for b in bases]
        if len(bases) == 1:
            field.initial = bases[0]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("basis") == OfficerBasis.GROUP_VOTE and not data.get("decided_on"):
            self.add_error("decided_on", gettext("Give the date of the meeting or ballot."))
        return data


class EndRoleForm(_BasisForm):
    basis = forms.ChoiceField(label=gettext_lazy("On what authority"), widget=forms.RadioSelect)
    ends_on = forms.DateField(
        validators=[SANE_DATE],
        label=gettext_lazy("Last day in the role"),
        widget=DATE_WIDGET,
        help_text=gettext_lazy("Today, for a resignation that takes effect now"),
    )
    decided_on = forms.DateField(
        validators=[SANE_DATE],
        label=gettext_lazy("Date of the group's vote"),
        widget=DATE_WIDGET,
        required=False,
        help_text=gettext_lazy("Only when the group voted"),
    )
    reason = forms.CharField(
        max_length=200,
        label=gettext_lazy("Why the role ends"),
        help_text=(
            gettext_lazy(
                "For example: resigned. For a group vote, the decision's reference "
                "(e.g. 'AGM 12 May 2026, minute 4')"
            )
        ),
    )
    # Issue 21: ending a role cannot be undone, so the form asks first (without JavaScript).
    understood = forms.BooleanField(
        label=(
            gettext_lazy(
                "I understand that the role ends on that day and cannot be restored: the person "
                "would have to be appointed again"
            )
        ),
        error_messages={"required": "Tick the box to confirm the role ends: it cannot be undone."},
    )


class AppointOfficerForm(_BasisForm):
    role = forms.ChoiceField(label=gettext_lazy("Role"))
    membership_number = forms.CharField(
        max_length=20,
        label=gettext_lazy("Membership number of the new officer"),
        help_text=gettext_lazy("Ask the person; it is on their profile page"),
    )
    last_name = forms.CharField(max_length=100, label=gettext_lazy("Their surname"))
    basis = forms.ChoiceField(label=gettext_lazy("On what authority"), widget=forms.RadioSelect)
    decided_on = forms.DateField(
        validators=[SANE_DATE],
        label=gettext_lazy("Date of the group's vote"),
        widget=DATE_WIDGET,
        required=False,
        help_text=gettext_lazy("The meeting or ballot at which the group chose them"),
    )
    reference = forms.CharField(
        max_length=200,
        label=gettext_lazy("Reference of the decision, or the reason"),
        help_text=(
            gettext_lazy(
                "For a group vote: where it is recorded, e.g. 'AGM 12 May 2026, minute 4'. "
                "For a decision from above: why"
            )
        ),
    )
    starts_on = forms.DateField(
        validators=[SANE_DATE], label=gettext_lazy("First day in the role"), widget=DATE_WIDGET
    )

    def __init__(self, *args: Any, bases: list[str], roles: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, bases=bases, **kwargs)
        field = self.fields["role"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose a role"), *roles]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        label=gettext_lazy("Reason"),
        help_text=gettext_lazy("The group's members will read it"),
    )


class AppealForm(forms.Form):
    statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=8000,
        label=gettext_lazy("The group's statement"),
        help_text=gettext_lazy("Why the decision should be overturned"),
    )


class DecideAppealForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("upheld", "Uphold the appeal"), ("dismissed", "Dismiss the appeal")],
        widget=forms.RadioSelect,
        label=gettext_lazy("Decision"),
    )
    reasons = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        label=gettext_lazy("Reasons"),
        help_text=gettext_lazy("The group's members will read them"),
    )


class AgreementForm(forms.Form):
    accept = forms.BooleanField(
        label=gettext_lazy("I have read the data protection agreement and accept it"), required=True
    )


class PostcodeForm(forms.Form):
    postcode = forms.CharField(
        label=gettext_lazy("Your postcode"),
        max_length=10,
        help_text=gettext_lazy(
            "For example LS6 3AB, or just its first half, LS6. It is not stored."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "size": 10}),
    )
