"""The tellers' forms of an end-to-end verifiable ballot: the key ceremony's transport key,
deal and confirmation, and the mix stages and decryption shares uploaded after the close."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grassroots.ballots.models import Question


class JsonFileField(forms.FileField):
    """A small JSON file (a teller's deal, mix stage or decryption shares), parsed."""

    def __init__(self, *, max_bytes: int, **kwargs: Any) -> None:
        self.max_bytes = max_bytes
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if upload is None:
            return None
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                _("That file is %(size)s bytes; at most %(limit)s are taken here.")
                % {"size": f"{upload.size:,}", "limit": f"{self.max_bytes:,}"}
            )
        try:
            return json.loads(upload.read().decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise forms.ValidationError(
                _("That file is not JSON: upload the file the teller command wrote, unchanged.")
            ) from error


class TransportKeyForm(forms.Form):
    transport_key = forms.CharField(
        max_length=200,
        label=gettext_lazy("Your transport key (the public half)"),
        help_text=gettext_lazy(
            "64 letters and digits, as `teller transport-key` printed after “publish:”"
        ),
    )


class DealForm(forms.Form):
    deal = JsonFileField(max_bytes=200_000, label=gettext_lazy("Your deal file (deal-<n>.json)"))


class ConfirmSharesForm(forms.Form):
    election_key = forms.CharField(
        max_length=200,
        label=gettext_lazy("The election key your device printed"),
        help_text=gettext_lazy(
            "`teller receive` prints it after checking every share: 64 letters and digits"
        ),
    )


class E2EUploadForm(forms.Form):
    """A teller's mix stage or decryption shares of one question, after the close."""

    question = forms.ChoiceField(label=gettext_lazy("Question"))
    document = JsonFileField(
        max_bytes=500_000_000, label=gettext_lazy("The file (mix-<s>.json or decryption-<n>.json)")
    )

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["question"].choices = [  # type: ignore[attr-defined]
            (q.ledger_id, f"{q.position}. {q.title}") for q in questions
        ]
