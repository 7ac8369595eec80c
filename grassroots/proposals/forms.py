from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _

from grassroots.bounds import MAX_ID, SANE_DATE
from grassroots.meetings.models import MeetingFormat
from grassroots.proposals.models import ProcessChoice, ProposalOption, WhoMayPropose
from grassroots.proposals.rules import (
    CONSENSUS_CHOICES,
    CONSENT_CHOICES,
    TIME_IF_NEED_BE,
    TIME_NO,
    TIME_YES,
    Process,
)

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]

POSITION_LABELS = {
    "consent": gettext_lazy("Consent: it can go ahead"),
    "stand_aside": gettext_lazy("Stand aside: I have concerns but will not stop it"),
    "block": gettext_lazy("Block: I have a serious objection (give your reason)"),
    "agree": gettext_lazy("Agree"),
    "abstain": gettext_lazy("Abstain"),
    "disagree": gettext_lazy("Disagree"),
}
TIME_MARKS = [
    (str(TIME_YES), gettext_lazy("I can come")),
    (str(TIME_IF_NEED_BE), gettext_lazy("If need be")),
    (str(TIME_NO), gettext_lazy("I cannot")),
]
# A position as others read it on the proposal's page and in its history.
POSITION_WORDS = {
    "consent": gettext_lazy("Consent"),
    "stand_aside": gettext_lazy("Stand aside"),
    "block": gettext_lazy("Block"),
    "agree": gettext_lazy("Agree"),
    "abstain": gettext_lazy("Abstain"),
    "disagree": gettext_lazy("Disagree"),
}


def position_words(
    process: str, choice: str, scores: Mapping[str, Any], options: Sequence[ProposalOption]
) -> str:
    """A position in words: the choice (an option's label in a majority vote), or each
    option's score or time mark beside its label."""
    labels = {str(o.pk): o.label for o in options}
    if choice:
        return str(POSITION_WORDS.get(choice) or labels.get(choice) or choice)
    marks = dict(TIME_MARKS)
    return ", ".join(
        gettext("%(option)s: %(score)s")
        % {
            "option": labels.get(str(key), str(key)),
            "score": marks.get(str(value), value) if process == Process.TIME else value,
        }
        for key, value in scores.items()
    )


class ProposalForm(forms.Form):
    title = forms.CharField(max_length=200)
    text = forms.CharField(
        label=gettext_lazy("The proposal"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("What you propose the body does, and why"),
    )
    process = forms.ChoiceField(
        label=gettext_lazy("How the body decides"), choices=ProcessChoice.choices
    )
    closes_at = forms.DateTimeField(
        validators=[SANE_DATE],
        label=gettext_lazy("Closes"),
        widget=DATETIME,
        input_formats=DATETIME_FORMATS,
        help_text=gettext_lazy("At least an hour from now, at most 90 days"),
        error_messages={"invalid": gettext_lazy("Give the closing time as a date and a time.")},
    )
    options = forms.CharField(
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label=gettext_lazy("Options"),
        help_text=gettext_lazy("For a poll, dot or score vote: one option a line"),
    )
    option_times = forms.CharField(
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label=gettext_lazy("Times to choose from"),
        help_text=gettext_lazy("For a time poll: one a line, like 2026-12-12 18:30"),
    )
    budget = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=100,
        label=gettext_lazy("Dots each member places, or the top score"),
        help_text=gettext_lazy("Dot vote: 10 unless you say; score vote: 5"),
    )
    meeting_minutes = forms.IntegerField(
        min_value=15,
        max_value=720,
        initial=120,
        label=gettext_lazy("How long the meeting lasts (minutes)"),
        help_text=gettext_lazy("For a time poll"),
    )

    def __init__(self, *args: Any, amending: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if amending:
            del self.fields["process"]
            del self.fields["meeting_minutes"]

    def clean_option_times(self) -> list[datetime.datetime]:
        found: list[datetime.datetime] = []
        for line in (self.cleaned_data.get("option_times") or "").splitlines():
            line = line.strip()
            if not line:
                continue
            for pattern in DATETIME_FORMATS:
                try:
                    naive = datetime.datetime.strptime(line, pattern)  # noqa: DTZ007
                except ValueError:
                    continue
                found.append(timezone.make_aware(naive))
                break
            else:
                raise forms.ValidationError(
                    gettext("“%(line)s” is not a date and time like 2026-12-12 18:30.")
                    % {"line": line[:40]}
                )
        return found

    def clean_options(self) -> list[str]:
        return [line.strip() for line in (self.cleaned_data.get("options") or "").splitlines()]


class PositionForm(forms.Form):
    """A position on a proposal: a choice with a reason, or a mark or score per option."""

    choice = forms.ChoiceField(
        label=gettext_lazy("Your position"), widget=forms.RadioSelect, required=False
    )
    reason = forms.CharField(
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=gettext_lazy("Your reason"),
        help_text=gettext_lazy(
            "Required for a block; shown to the body's members with your position"
        ),
    )

    def __init__(
        self,
        *args: Any,
        process: str = Process.CONSENT,
        options: Sequence[ProposalOption] = (),
        budget: int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.process = process
        self.options = list(options)
        choice = self.fields["choice"]
        assert isinstance(choice, forms.ChoiceField)
        if process == Process.CONSENT:
            choice.choices = [(c, POSITION_LABELS[c]) for c in CONSENT_CHOICES]
        elif process == Process.CONSENSUS:
            choice.choices = [(c, POSITION_LABELS[c]) for c in CONSENSUS_CHOICES]
        elif process == Process.MAJORITY:
            choice.choices = [(str(o.pk), o.label) for o in self.options]
            choice.label = gettext("Your choice")
        else:
            del self.fields["choice"]
            for option in self.options:
                name = f"option_{option.pk}"
                if process == Process.TIME:
                    self.fields[name] = forms.ChoiceField(
                        label=option.label, choices=TIME_MARKS, widget=forms.RadioSelect
                    )
                else:
                    self.fields[name] = forms.IntegerField(
                        label=option.label, min_value=0, max_value=max(budget, 1), initial=0
                    )
            self.order_fields([*(f"option_{o.pk}" for o in self.options), "reason"])

    def scores(self) -> dict[int, int]:
        return {
            option.pk: int(self.cleaned_data.get(f"option_{option.pk}") or 0)
            for option in self.options
        }


class CommentForm(forms.Form):
    """A comment in the proposal's discussion, or a reply to one (``parent``)."""

    body = forms.CharField(
        label=_("Add to the discussion"),
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    parent = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput
    )


class StatementForm(forms.Form):
    statement = forms.CharField(
        label=gettext_lazy("Outcome statement"),
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("In your own words: what was decided and what happens next"),
    )


class RulesForm(forms.Form):
    who_may_propose = forms.ChoiceField(
        label=gettext_lazy("Who may make proposals"), choices=WhoMayPropose.choices
    )
    consensus_max_blocks = forms.IntegerField(
        label=gettext_lazy("Blocks a consensus allows"), min_value=0, max_value=100, initial=0
    )
    consensus_agree_percent = forms.IntegerField(
        label=gettext_lazy("Per cent of those taking a side who must agree (more than)"),
        min_value=0,
        max_value=99,
        initial=50,
    )


class EscalateForm(forms.Form):
    to = forms.ChoiceField(
        label=gettext_lazy("Send it to"),
        widget=forms.RadioSelect,
        choices=[
            ("agenda", gettext_lazy("The next meeting's agenda")),
            ("ballot", gettext_lazy("A ballot of members")),
        ],
    )
    opens_at = forms.DateTimeField(
        validators=[SANE_DATE],
        required=False,
        label=gettext_lazy("Ballot opens"),
        widget=DATETIME,
        input_formats=DATETIME_FORMATS,
        help_text=gettext_lazy("For a ballot"),
    )
    closes_at = forms.DateTimeField(
        validators=[SANE_DATE],
        required=False,
        label=gettext_lazy("Ballot closes"),
        widget=DATETIME,
        input_formats=DATETIME_FORMATS,
        help_text=gettext_lazy("For a ballot"),
    )


class ScheduleForm(forms.Form):
    title = forms.CharField(max_length=200)
    format = forms.ChoiceField(label=gettext_lazy("Where"), choices=MeetingFormat.choices)
    address = forms.CharField(
        required=False, max_length=2_000, widget=forms.Textarea(attrs={"rows": 2})
    )
    online_link = forms.URLField(
        required=False,
        max_length=500,
        label=gettext_lazy("Link to join online"),
        assume_scheme="https",
    )
