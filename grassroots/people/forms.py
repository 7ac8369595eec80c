from __future__ import annotations

import re

from django import forms

from grassroots.people.models import MembershipStatus

# Royal Mail's postcode shape (outward code, space optional, inward code); BFPO and GIR 0AA too.
POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}|GIR ?0AA|BFPO ?[0-9]{1,4})$")
PHONE_RE = re.compile(r"^\+?[0-9 ()-]{7,20}$")


class ProfileForm(forms.Form):
    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(max_length=100)
    phone = forms.CharField(max_length=30, required=False, help_text="UK or international number")
    postcode = forms.CharField(max_length=10, required=False)
    consent_to_contact = forms.BooleanField(
        required=False,
        label="I agree to be contacted by my group and the movement by email",
    )

    def clean_postcode(self) -> str:
        value = " ".join(str(self.cleaned_data["postcode"]).upper().split())
        if value and not POSTCODE_RE.match(value):
            raise forms.ValidationError("Enter a real UK postcode, like SW1A 1AA.")
        return value

    def clean_phone(self) -> str:
        value = str(self.cleaned_data["phone"]).strip()
        if value and not PHONE_RE.match(value):
            raise forms.ValidationError("Enter a phone number using digits, spaces and + only.")
        return value


class MemberSearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=100,
        label="Search",
        help_text="Surname, first name, postcode, email or membership number",
    )
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *MembershipStatus.choices]
    )
    group = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Home group")

    def __init__(self, *args: object, group_choices: list[tuple[int, str]], **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["group"].choices = [("", "Any group"), *group_choices]  # type: ignore[attr-defined]
