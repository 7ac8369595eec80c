from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext, gettext_lazy

from grassroots.messaging.queries import Scope, scope_from_key
from grassroots.messaging.services import BODY_MAX, SUBJECT_MAX
from grassroots.people.models import MembershipStatus


class MailoutForm(forms.Form):
    scope = forms.ChoiceField(
        label=gettext_lazy("Send to"), help_text=gettext_lazy("Only the scopes your roles cover")
    )
    statuses = forms.MultipleChoiceField(
        label=gettext_lazy("Members whose status is"),
        choices=MembershipStatus.choices,
        initial=[MembershipStatus.MEMBER],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one membership status."},
    )
    subject = forms.CharField(max_length=SUBJECT_MAX)
    body = forms.CharField(
        label=gettext_lazy("Message"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=gettext_lazy(
            "Plain text. Members receive it as written, with an unsubscribe link below."
        ),
    )
    purpose = forms.CharField(
        max_length=200,
        help_text=gettext_lazy("Why you are writing, in a few words. It is kept in the audit log."),
    )

    def __init__(self, *args: Any, scopes: list[Scope], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["scope"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(s.key, s.label) for s in scopes]

    def clean_scope(self) -> Scope:
        try:
            return scope_from_key(str(self.cleaned_data["scope"]))
        except ValueError:
            raise forms.ValidationError(gettext("Choose where to send the message.")) from None

    def clean_subject(self) -> str:
        value = str(self.cleaned_data["subject"]).strip()
        if "\n" in value or "\r" in value:
            raise forms.ValidationError(gettext("The subject must be one line."))
        return value


class UnsubscribeForm(forms.Form):
    everything = forms.BooleanField(
        required=False,
        label=gettext_lazy(
            "Also stop messages from every other group, area and region, and the national office"
        ),
    )
