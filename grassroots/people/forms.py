from __future__ import annotations

import re
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _

from grassroots.bounds import MAX_ID
from grassroots.people.models import ContactOutcomeKind, Language, MembershipStatus
from grassroots.people.queries import FollowUp

# Royal Mail's postcode shape (outward code, space optional, inward code); BFPO and GIR 0AA too.
POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}|GIR ?0AA|BFPO ?[0-9]{1,4})$")
PHONE_RE = re.compile(r"^\+?[0-9 ()-]{7,20}$")


class ProfileForm(forms.Form):
    first_name = forms.CharField(max_length=100, label=_("First name"))
    last_name = forms.CharField(max_length=100, label=_("Last name"))
    phone = forms.CharField(
        max_length=30, required=False, label=_("Phone"), help_text=_("UK or international number")
    )
    postcode = forms.CharField(max_length=10, required=False, label=_("Postcode"))
    consent_to_contact = forms.BooleanField(
        required=False,
        label=_("I agree to be contacted by my group and the movement by email"),
    )
    language = forms.ChoiceField(
        choices=Language.choices,
        required=False,
        label=_("Language"),
        help_text=_("The language of your pages and of the mail we send you"),
    )

    def clean_postcode(self) -> str:
        value = " ".join(str(self.cleaned_data["postcode"]).upper().split())
        if value and not POSTCODE_RE.match(value):
            raise forms.ValidationError(_("Enter a real UK postcode, like SW1A 1AA."))
        return value

    def clean_phone(self) -> str:
        value = str(self.cleaned_data["phone"]).strip()
        if value and not PHONE_RE.match(value):
            raise forms.ValidationError(_("Enter a phone number using digits, spaces and + only."))
        return value


class PlainSelect(forms.Select):
    """A select drawn in Python instead of one template per option: national office's group
    filter lists every group (800 in the benchmark), which Django's option templates took
    about 70 ms to draw on each member-list page (docs/benchmarks/groups.md)."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = set(self.format_value(value))
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (str(key), " selected" if str(key) in chosen else "", label)
                for key, label in self.choices
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(final), options)


class MemberSearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=100,
        label=gettext_lazy("Search"),
        help_text=gettext_lazy("Surname, first name, postcode, email or membership number"),
    )
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *MembershipStatus.choices]
    )
    group = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        label=gettext_lazy("Home group"),
        widget=PlainSelect,
    )
    # The follow-up lists: new joiners, and lapsed members or renewals overdue.
    show = forms.ChoiceField(
        required=False,
        label=gettext_lazy("List"),
        choices=FollowUp.choices,
    )
    days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=730,
        label=gettext_lazy("Joined in the last (days)"),
        help_text=gettext_lazy("For the new-joiners list; 60 when left empty"),
    )

    def __init__(self, *args: object, group_choices: list[tuple[int, str]], **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["group"].choices = [("", "Any group"), *group_choices]  # type: ignore[attr-defined]


IMPORT_MAX_BYTES = 20 * 1024 * 1024
IMPORT_CONTENT_TYPES = {
    "text/csv",
    "text/plain",
    "application/csv",
    "application/vnd.ms-excel",  # what Windows browsers send for .csv
    "application/octet-stream",
}


class MemberImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "UTF-8 CSV, up to 20 MB, with the header described in the import guide"
        ),
    )
    layout = forms.ChoiceField(
        label=gettext_lazy("Layout"),
        choices=[
            ("grassroots", "Grassroots import header"),
            ("nationbuilder", "NationBuilder-style export"),
        ],
        initial="grassroots",
    )
    allow_partial = forms.BooleanField(
        required=False, label=gettext_lazy("Import the good rows even if some rows are rejected")
    )
    dry_run = forms.BooleanField(
        required=False, label=gettext_lazy("Only check the file; import nothing")
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                gettext("The file is larger than 20 MB; split it and import each part.")
            )
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError(gettext("Choose a .csv file."))
        content_type = (upload.content_type or "").split(";")[0].strip().lower()
        if content_type and content_type not in IMPORT_CONTENT_TYPES:
            raise forms.ValidationError(
                gettext("This is a %(content_type)s file, not CSV. Save the sheet as 'CSV UTF-8'.")
                % {"content_type": content_type}
            )
        return upload


class ErasureForm(forms.Form):
    reason = forms.CharField(
        max_length=200,
        label=gettext_lazy("Why is this record being erased?"),
        help_text=gettext_lazy(
            "For example: the member's written request of 3 May, reference DP-114"
        ),
    )
    confirm_number = forms.CharField(
        max_length=20,
        label=gettext_lazy("Type the membership number to confirm"),
        help_text=gettext_lazy("Erasure cannot be undone"),
    )

    def __init__(self, *args: object, membership_number: str, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.membership_number = membership_number

    def clean_confirm_number(self) -> str:
        value = str(self.cleaned_data["confirm_number"]).strip().upper()
        if value != self.membership_number.upper():
            raise forms.ValidationError(
                gettext("Type the membership number %(membership_number)s exactly.")
                % {"membership_number": self.membership_number}
            )
        return value


class ContactOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome"), choices=ContactOutcomeKind.choices)
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "Optional, up to 500 characters; the member can read it in their data"
        ),
    )


class TransferForm(forms.Form):
    to_group = forms.IntegerField(
        label=gettext_lazy("Move to group"), min_value=1, max_value=MAX_ID, widget=forms.Select
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=200,
        help_text=gettext_lazy("For example: the member moved house; kept in the audit log"),
    )

    def __init__(
        self,
        *args: object,
        group_choices: list[tuple[int, str]],
        current_group: tuple[int, str],
        **kwargs: object,
    ):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.group_choices = dict(group_choices)
        self.current_group = current_group
        self.fields["to_group"].widget.choices = [("", "Choose a group"), *group_choices]

    def clean_to_group(self) -> int:
        value = int(self.cleaned_data["to_group"])
        if value == self.current_group[0]:
            raise forms.ValidationError(
                gettext("The member is already in %(group)s; choose another group.")
                % {"group": self.current_group[1]}
            )
        if value not in self.group_choices:
            raise forms.ValidationError(
                gettext("There is no such group, or it is not one you can move members to.")
            )
        return value
