from __future__ import annotations

from django import forms

from grassroots.api.services import LIFETIMES


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        label="Name",
        help_text="What will use it, e.g. 'results bot' or 'my laptop'",
    )
    days = forms.TypedChoiceField(
        label="Expires after",
        coerce=int,
        choices=[(d, f"{d} days") for d in LIFETIMES],
        initial=90,
    )
