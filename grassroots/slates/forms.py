from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots.bounds import SANE_DATE


class SlateForm(forms.Form):
    name = forms.CharField(
        max_length=200, label=_("Name"), help_text=_("e.g. National executive slate 2027")
    )
    body = forms.CharField(
        max_length=200,
        label=_("What it is for"),
        help_text=_("e.g. the party's national executive"),
    )
    seats = forms.IntegerField(min_value=1, max_value=200, label=_("Seats on the slate"))
    closes_on = forms.DateField(
        validators=[SANE_DATE],
        label=_("Closing date"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    rules = forms.CharField(
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 6}),
        label=_("Rules"),
        help_text=_("The selection rules as the national committee adopted them"),
    )


class SelectionBallotForm(forms.Form):
    ballot = forms.TypedChoiceField(coerce=int, label=_("Selection ballot"))

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ballot"].choices = choices  # type: ignore[attr-defined]
