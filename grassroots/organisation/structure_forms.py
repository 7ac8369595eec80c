"""Forms of the structure pages (docs/organisation.md): each change asks for its reason."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext, gettext_lazy

from grassroots.bounds import SANE_DATE

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

REASON_HELP = gettext_lazy("Published in the public change log and mailed to the officers affected")


def _reason() -> forms.CharField:
    return forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        label=gettext_lazy("Reason for the change"),
        help_text=REASON_HELP,
    )


def _name(label: str | _StrPromise) -> forms.CharField:
    return forms.CharField(max_length=120, label=label)


def _districts(required: bool) -> forms.CharField:
    return forms.CharField(
        max_length=500,
        required=required,
        label=gettext_lazy("Postcode districts"),
        help_text=gettext_lazy("The first half of each postcode the group covers, e.g. LS6 LS7"),
    )


# One whole label per level: no level word is glued into a sentence.
NEW_NAME_LABELS = {
    "region": gettext_lazy("Name of the new region"),
    "area": gettext_lazy("Name of the new area"),
    "group": gettext_lazy("Name of the new group"),
}


class CreateForm(forms.Form):
    def __init__(self, *args: Any, level: str, parents: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["name"] = _name(NEW_NAME_LABELS[level])
        if level != "region":
            self.fields["parent"] = forms.ChoiceField(
                choices=[("", gettext_lazy("Choose...")), *parents],
                label=gettext_lazy("In the region")
                if level == "area"
                else gettext_lazy("In the area"),
            )
        if level == "group":
            self.fields["postcode_districts"] = _districts(required=False)
        self.fields["reason"] = _reason()


class RenameForm(forms.Form):
    name = _name(gettext_lazy("New name"))
    reason = _reason()


class MoveForm(forms.Form):
    def __init__(self, *args: Any, choices: list[tuple[str, str]], label: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["to"] = forms.ChoiceField(
            choices=[("", gettext_lazy("Choose...")), *choices], label=label
        )
        self.fields["reason"] = _reason()


class SplitForm(forms.Form):
    new_name = _name(gettext_lazy("Name of the new group"))
    postcode_districts = _districts(required=True)
    reason = _reason()


class CloseForm(forms.Form):
    reason = _reason()


DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ABOVE_BASES = [
    ("group_vote", "The body voted for it (at a meeting or in a ballot)"),
    ("oversight", "A decision from above, with its reason"),
]


class _AboveBasisForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("basis") == "group_vote" and not data.get("decided_on"):
            self.add_error("decided_on", gettext("Give the date of the meeting or ballot."))
        return data


class AppointAboveForm(_AboveBasisForm):
    def __init__(self, *args: Any, posts: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields = {
            "post": forms.ChoiceField(
                choices=[("", gettext_lazy("Choose...")), *posts], label=gettext_lazy("Role")
            ),
            "membership_number": forms.CharField(
                max_length=20, label=gettext_lazy("Membership number of the person appointed")
            ),
            "last_name": forms.CharField(max_length=100, label=gettext_lazy("Their surname")),
            "basis": forms.ChoiceField(
                choices=ABOVE_BASES,
                widget=forms.RadioSelect,
                label=gettext_lazy("On what authority"),
            ),
            "decided_on": forms.DateField(
                validators=[SANE_DATE],
                label=gettext_lazy("Date of the body's vote"),
                widget=DATE_WIDGET,
                required=False,
            ),
            "reference": forms.CharField(
                max_length=200,
                label=gettext_lazy("Reference of the decision, or the reason"),
                help_text=gettext_lazy(
                    "For a vote: where it is recorded. For a decision from above: why"
                ),
            ),
            "starts_on": forms.DateField(
                validators=[SANE_DATE],
                label=gettext_lazy("First day in the role"),
                widget=DATE_WIDGET,
            ),
        }


class EndAboveForm(_AboveBasisForm):
    def __init__(self, *args: Any, bases: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields = {
            "basis": forms.ChoiceField(
                choices=bases, widget=forms.RadioSelect, label=gettext_lazy("On what authority")
            ),
            "ends_on": forms.DateField(
                validators=[SANE_DATE],
                label=gettext_lazy("Last day in the role"),
                widget=DATE_WIDGET,
            ),
            "decided_on": forms.DateField(
                validators=[SANE_DATE],
                label=gettext_lazy("Date of the body's vote"),
                widget=DATE_WIDGET,
                required=False,
            ),
            "reason": forms.CharField(
                max_length=200, label=gettext_lazy("Why the role ends, or the decision's reference")
            ),
        }
