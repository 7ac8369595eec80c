"""The form of a ballot's rule on membership of another organisation (issue 16); kept beside
``ballots.forms``, which is at its size limit."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots.ballots.models import RuleMode
from grassroots.people.models import OtherOrganisation

CONFIRMED = "confirmed"
DECLARED = "declared"


class OrganisationRuleForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=OtherOrganisation.objects.all(),
        required=False,
        label=_("Membership of which organisation"),
        empty_label=_("None: this ballot has no such rule"),
    )
    proof = forms.ChoiceField(
        choices=[
            (CONFIRMED, _("Declared by the member and confirmed by the organisation's list")),
            (DECLARED, _("Declared by the member (no list needed)")),
        ],
        initial=CONFIRMED,
        widget=forms.RadioSelect,
        label=_("What counts as membership"),
    )
    mode = forms.ChoiceField(
        choices=RuleMode.choices,
        initial=RuleMode.REQUIRED,
        widget=forms.RadioSelect,
        label=_("How the rule works"),
    )
