from __future__ import annotations

from typing import Any

from django import forms

from grassroots.notifications.models import Delivery, Kind


class PreferencesForm(forms.Form):
    """One choice per kind of notification, as radio buttons (works without JavaScript)."""

    def __init__(self, *args: Any, initial_choices: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in Kind.choices:
            self.fields[kind] = forms.ChoiceField(
                label=label,
                choices=Delivery.choices,
                widget=forms.RadioSelect,
                initial=initial_choices[kind],
            )
