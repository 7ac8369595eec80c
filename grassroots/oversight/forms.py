"""Forms for the register, initiatives, commitments and the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext, gettext_lazy

from grassroots.bounds import MAX_ID, MAX_VOTES, SANE_DATE
from grassroots.oversight import queries
from grassroots.oversight.models import (
    Body,
    CommitmentStatus,
    InitiativeKind,
    Outcome,
    OversightRules,
    Vote,
)
from grassroots.oversight.papers import PaperError, read_paper
from grassroots.people.models import Member

DATE_WIDGET = forms.DateInput(attrs={"type": "date"})


class SearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search decisions and minutes"), required=False, max_length=200
    )
    body = forms.ChoiceField(
        label=gettext_lazy("Committee"),
        required=False,
        choices=[("", "All committees"), *Body.choices],
    )


class MeetingForm(forms.Form):
    body = forms.ChoiceField(label=gettext_lazy("Committee"))
    title = forms.CharField(max_length=200, help_text=gettext_lazy("For example “Monthly meeting”"))
    held_on = forms.DateField(
        validators=[SANE_DATE], label=gettext_lazy("Held on"), widget=DATE_WIDGET
    )

    def __init__(self, *args: Any, body_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = body_choices  # type: ignore[attr-defined]


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        max_length=100_000, widget=forms.Textarea(attrs={"rows": 10}), required=False
    )


class DecisionForm(forms.Form):
    """A decision; ``roster`` given (votes recorded by name) adds one vote field per member."""

    title = forms.CharField(max_length=200)
    text = forms.CharField(
        max_length=20_000,
        label=gettext_lazy("Wording of the decision"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    outcome = forms.ChoiceField(choices=Outcome.choices)
    votes_for = forms.IntegerField(
        label=gettext_lazy("Votes for"), min_value=0, max_value=MAX_VOTES, required=False
    )
    votes_against = forms.IntegerField(
        label=gettext_lazy("Votes against"), min_value=0, max_value=MAX_VOTES, required=False
    )
    abstentions = forms.IntegerField(min_value=0, max_value=MAX_VOTES, required=False)
    two_thirds = forms.BooleanField(
        label=gettext_lazy("The decision needed a two-thirds majority"),
        required=False,
        help_text=gettext_lazy(
            "Checked against the votes: agreed with more against than for is refused."
        ),
    )

    def __init__(self, *args: Any, roster: list[Member] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.roster = roster or []
        if self.roster:
            for name in ("votes_for", "votes_against", "abstentions"):
                del self.fields[name]
            for member in self.roster:
                self.fields[f"vote_{member.pk}"] = forms.ChoiceField(
                    label=gettext("%(member)s's vote") % {"member": member.full_name},
                    choices=Vote.choices,
                )
        else:
            self.fields[
                "votes_for"
            ].help_text = "Leave the three totals empty if agreed without a vote"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.roster:
            given = [data.get(n) for n in ("votes_for", "votes_against", "abstentions")]
            if any(v is not None for v in given) and any(v is None for v in given):
                self.add_error("votes_for", gettext("Give all three totals, or none for no vote."))
        return data

    def totals(self) -> tuple[int, int, int] | None:
        data = self.cleaned_data
        if self.roster or data.get("votes_for") is None:
            return None
        return (data["votes_for"], data["votes_against"], data["abstentions"])

    def named_votes(self) -> dict[int, str] | None:
        if not self.roster:
            return None
        return {m.pk: self.cleaned_data[f"vote_{m.pk}"] for m in self.roster}


class PaperForm(forms.Form):
    title = forms.CharField(max_length=200)
    file = forms.FileField(help_text=gettext_lazy("PDF, OpenDocument text (.odt) or Word (.docx)"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        try:
            read_paper(upload, size=upload.size)
        except PaperError as error:
            raise forms.ValidationError(str(error)) from error
        upload.seek(0)
        return upload


class InitiativeForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What kind of initiative"), choices=InitiativeKind.choices
    )
    title = forms.CharField(max_length=200)
    text = forms.CharField(
        max_length=20_000,
        label=gettext_lazy("What it proposes, and why"),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    decision = forms.IntegerField(
        label=gettext_lazy("Decision number (for a call-in)"),
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text=gettext_lazy("The number shown with the decision in the register, without the D"),
    )
    # Issue 21: starting cannot be undone, so the form asks first (without JavaScript).
    understood = forms.BooleanField(
        label=(
            gettext_lazy(
                "I understand that the initiative starts collecting signatures at once, with mine "
                "as the first, and that it cannot then be edited or withdrawn"
            )
        ),
        error_messages={
            "required": "Tick the box to confirm you want to start it: it cannot be undone."
        },
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, decision = data.get("kind"), data.get("decision")
        if kind == InitiativeKind.CALL_IN:
            if decision is None and "decision" not in self.errors:
                self.add_error(
                    "decision", gettext("A call-in names the decision it would reverse.")
                )
            elif decision is not None and queries.published_decision(decision) is None:
                self.add_error(
                    "decision",
                    gettext(
                        "There is no published decision D%(decision)s. Find the decision in "
                        "the register and use its “Call in this decision” link."
                    )
                    % {"decision": decision},
                )
        elif kind and decision is not None:
            self.add_error(
                "decision", gettext("Only a call-in names a decision; leave this empty.")
            )
        return data


class AnswerForm(forms.Form):
    response = forms.CharField(
        max_length=20_000,
        label=gettext_lazy("The National Committee's answer"),
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class CommitmentForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(
        max_length=4000, widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    made_on = forms.DateField(
        validators=[SANE_DATE], label=gettext_lazy("Made on"), widget=DATE_WIDGET
    )
    due_on = forms.DateField(
        validators=[SANE_DATE], label=gettext_lazy("Due by"), widget=DATE_WIDGET
    )
    decision = forms.IntegerField(
        label=gettext_lazy("Decision number (optional)"),
        required=False,
        min_value=1,
        max_value=MAX_ID,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("made_on") and data.get("due_on") and data["due_on"] < data["made_on"]:
            self.add_error(
                "due_on", gettext("The due date cannot be before the commitment was made.")
            )
        decision = data.get("decision")
        if decision is not None and queries.published_decision(decision) is None:
            self.add_error(
                "decision",
                gettext("There is no published decision D%(decision)s.") % {"decision": decision},
            )
        return data


class CommitmentUpdateForm(forms.Form):
    status = forms.ChoiceField(choices=CommitmentStatus.choices)
    note = forms.CharField(
        max_length=4000,
        label=gettext_lazy("What changed"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    evidence = forms.CharField(
        max_length=4000, widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    evidence_url = forms.URLField(
        max_length=200,
        label=gettext_lazy("Link to the evidence"),
        required=False,
        assume_scheme="https",
    )


class PrepareKeysForm(forms.Form):
    count = forms.IntegerField(
        label=gettext_lazy("How many keys"), min_value=1, max_value=20, initial=3
    )


def _members_by_number(text: str) -> tuple[list[Member], list[str]]:
    numbers = [n.strip().upper() for n in text.replace(",", " ").split() if n.strip()]
    found = {m.membership_number: m for m in Member.objects.filter(membership_number__in=numbers)}
    missing = [n for n in numbers if n not in found]
    return [found[n] for n in dict.fromkeys(numbers) if n in found], missing


class RulesForm(forms.ModelForm[OversightRules]):
    returning_officer_number = forms.CharField(
        max_length=20,
        label=gettext_lazy("Returning officer for initiative ballots (membership number)"),
        required=False,
        help_text=gettext_lazy("Must hold a national office role"),
    )
    standing_teller_numbers = forms.CharField(
        max_length=2000,
        label=gettext_lazy("Standing tellers (membership numbers, separated by spaces or commas)"),
        required=False,
    )

    class Meta:
        model = OversightRules
        fields = (
            "publish_within_days",
            "national_votes_named",
            "regional_votes_named",
            "signature_percent",
            "groups_needed",
            "regions_needed",
            "combine",
            "signing_days",
            "policy_route",
            "rule_change_route",
            "call_in_route",
            "response_days",
            "ballot_days",
            "tellers_threshold",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rules = self.instance
        if rules.pk and not self.is_bound:
            if rules.returning_officer is not None:
                self.initial["returning_officer_number"] = rules.returning_officer.membership_number
            self.initial["standing_teller_numbers"] = " ".join(
                rules.standing_tellers.values_list("membership_number", flat=True)
            )
        self.standing_tellers: list[Member] = []

    def clean_returning_officer_number(self) -> Member | None:
        text = self.cleaned_data["returning_officer_number"].strip()
        if not text:
            return None
        members, missing = _members_by_number(text)
        if missing or len(members) != 1:
            raise forms.ValidationError(
                gettext("No member has the number %(text)s.") % {"text": text}
            )
        if not queries.holds_national_office(members[0]):
            raise forms.ValidationError(
                gettext("The returning officer must hold a national office role.")
            )
        return members[0]

    def clean_standing_teller_numbers(self) -> str:
        text: str = self.cleaned_data["standing_teller_numbers"]
        members, missing = _members_by_number(text)
        if missing:
            raise forms.ValidationError(
                gettext("No member has the number %(names)s.") % {"names": ", ".join(missing)}
            )
        self.standing_tellers = members
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        percent, groups = data.get("signature_percent"), data.get("groups_needed")
        if percent is not None and groups is not None and percent <= 0 and groups <= 0:
            self.add_error(
                "signature_percent", gettext("Set a share of members or a number of groups.")
            )
        if percent is not None and not 0 <= percent <= 100:
            self.add_error("signature_percent", gettext("A percentage between 0 and 100."))
        threshold = data.get("tellers_threshold")
        if self.standing_tellers and threshold and threshold > len(self.standing_tellers):
            self.add_error(
                "tellers_threshold", gettext("No more than the number of standing tellers.")
            )
        return data

    def rule_values(self) -> dict[str, Any]:
        values = {name: self.cleaned_data[name] for name in self.Meta.fields}
        values["returning_officer"] = self.cleaned_data["returning_officer_number"]
        return values
