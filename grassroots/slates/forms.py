from __future__ import annotations

from typing import Any

from django import forms

from grassroots.bounds import SANE_DATE


class SlateForm(forms.Form):
    name = forms.CharField(max_length=200, help_text="e.g. National executive slate 2027")
    body = forms.CharField(
        max_length=200, label="What it is for", help_text="e.g. the party's national executive"
    )
    seats = forms.IntegerField(min_value=1, max_value=200, label="Seats on the slate")
    closes_on = forms.DateField(
        validators=[SANE_DATE],
        label="Closing date",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    rules = forms.CharField(
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Rules",
        help_text="The selection rules as the national committee adopted them",
    )


class SelectionBallotForm(forms.Form):
    ballot = forms.TypedChoiceField(coerce=int, label="Selection ballot")

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ballot"].choices = choices  # type: ignore[attr-defined]
