from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from grassroots.api.services import LIFETIMES


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        label=gettext_lazy("Name"),
        help_text=gettext_lazy("What will use it, e.g. 'results bot' or 'my laptop'"),
    )
    days = forms.TypedChoiceField(
        label=gettext_lazy("Expires after"),
        coerce=int,
        choices=[(d, f"{d} days") for d in LIFETIMES],
        initial=90,
    )
