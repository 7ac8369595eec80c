"""Forms of the pages on membership of other organisations (``people.affiliation_views``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots.people.affiliations import MAX_NUMBER
from grassroots.people.models import OtherOrganisation


class DeclareForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=OtherOrganisation.objects.all(),
        label=_("Organisation"),
        empty_label=_("Choose an organisation"),
    )
    membership_number = forms.CharField(
        max_length=MAX_NUMBER,
        label=_("Your membership number there"),
        help_text=_("As on your card or in their letters: letters, digits, “-” and “/”"),
    )


class OrganisationForm(forms.Form):
    name = forms.CharField(max_length=200, label=_("The organisation's name"))


class OrganisationListForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=OtherOrganisation.objects.all(),
        label=_("Organisation"),
        empty_label=_("Choose an organisation"),
    )
    file = forms.FileField(
        label=_("Its membership list (CSV)"),
        help_text=_(
            "Columns: membership_number and, optionally, email. It replaces the list held; "
            "a file with any bad row is not stored."
        ),
    )


class DeclarationsReadForm(forms.Form):
    purpose = forms.CharField(
        max_length=200,
        label=_("Why you are reading them"),
        help_text=_("Kept in the audit log with your name"),
    )
