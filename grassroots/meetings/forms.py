from __future__ import annotations

from typing import Any

from django import forms

from grassroots.bounds import MAX_ID, MAX_VOTES
from grassroots.meetings.models import (
    AgendaItemKind,
    AmendmentKind,
    MeetingFormat,
    MeetingKind,
    OutcomeResult,
    RsvpResponse,
)

# An event's places and a motion's paragraphs: far past any real one, far inside the column.
MAX_CAPACITY = 100_000
MAX_PARAGRAPHS = 10_000
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class MeetingForm(forms.Form):
    scope = forms.ChoiceField(label="Held by", help_text="Only the bodies your roles cover")
    kind = forms.ChoiceField(label="What kind", choices=MeetingKind.choices)
    title = forms.CharField(max_length=200)
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}), label="Description"
    )
    format = forms.ChoiceField(label="Where", choices=MeetingFormat.choices)
    starts_at = forms.DateTimeField(label="Starts", widget=DATETIME, input_formats=DATETIME_FORMATS)
    ends_at = forms.DateTimeField(label="Ends", widget=DATETIME, input_formats=DATETIME_FORMATS)
    address = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For a meeting in person, or in person and online",
    )
    online_link = forms.URLField(
        required=False,
        assume_scheme="https",
        label="Link to join online",
        help_text="For an online or hybrid meeting",
    )
    accessibility_notes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Step-free access, hearing loop, captions, quiet room, childcare...",
    )
    motions_deadline = forms.DateTimeField(
        required=False,
        label="Deadline for motions and amendments",
        widget=DATETIME,
        input_formats=DATETIME_FORMATS,
        help_text="Meetings only; leave empty if the meeting takes no motions",
    )
    capacity = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_CAPACITY,
        help_text="Events only: how many people can come; empty for no limit",
    )

    def __init__(self, *args: Any, scopes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["scope"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = scopes


class AgendaItemForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of item", choices=AgendaItemKind.choices)
    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RsvpForm(forms.Form):
    response = forms.ChoiceField(choices=RsvpResponse.choices)


class SignInMemberForm(forms.Form):
    membership_number = forms.CharField(max_length=20, help_text="As on the member's card")


class MotionForm(forms.Form):
    title = forms.CharField(max_length=200)
    text = forms.CharField(
        required=False,
        label="Text of the motion",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Separate paragraphs with a blank line. Or use the three parts below instead.",
    )
    notes = forms.CharField(
        required=False, label="This meeting notes", widget=forms.Textarea(attrs={"rows": 3})
    )
    believes = forms.CharField(
        required=False, label="This meeting believes", widget=forms.Textarea(attrs={"rows": 3})
    )
    resolves = forms.CharField(
        required=False, label="This meeting resolves", widget=forms.Textarea(attrs={"rows": 3})
    )
    seconder = forms.CharField(
        max_length=20,
        label="Seconder's membership number",
        help_text="Another member of the body, who will be asked to confirm",
    )


class RulingForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("in_order", "In order"), ("out_of_order", "Out of order")],
        widget=forms.RadioSelect,
        label="Ruling",
    )
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Members see it. Required when ruling a motion out of order.",
    )


class AmendmentForm(forms.Form):
    kind = forms.ChoiceField(label="The amendment", choices=AmendmentKind.choices)
    paragraph = forms.IntegerField(
        min_value=0,
        max_value=MAX_PARAGRAPHS,
        label="Paragraph number",
        help_text="To insert at the very start, use 0",
    )
    new_text = forms.CharField(
        required=False,
        label="New text",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The paragraph to insert, or the replacement. Leave empty to delete.",
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        max_length=5000, label="Your comment", widget=forms.Textarea(attrs={"rows": 3})
    )
    parent = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput
    )
    amendment = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput
    )


class CommentEditForm(forms.Form):
    body = forms.CharField(
        max_length=5000, label="Your comment", widget=forms.Textarea(attrs={"rows": 4})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class OutcomeForm(forms.Form):
    result = forms.ChoiceField(
        choices=[
            (OutcomeResult.CARRIED, "Carried"),
            (OutcomeResult.FALLEN, "Fallen"),
            (OutcomeResult.REMITTED, "Remitted"),
            (OutcomeResult.WITHDRAWN, "Withdrawn"),
        ],
        widget=forms.RadioSelect,
        label="Outcome",
    )
    votes_for = forms.IntegerField(required=False, min_value=0, max_value=MAX_VOTES, label="For")
    votes_against = forms.IntegerField(
        required=False, min_value=0, max_value=MAX_VOTES, label="Against"
    )
    votes_abstain = forms.IntegerField(
        required=False, min_value=0, max_value=MAX_VOTES, label="Abstaining"
    )
    note = forms.CharField(required=False, max_length=2000, label="Note for the minutes")


class BallotForm(forms.Form):
    opens_at = forms.DateTimeField(
        label="Voting opens", widget=DATETIME, input_formats=DATETIME_FORMATS
    )
    closes_at = forms.DateTimeField(
        label="Voting closes", widget=DATETIME, input_formats=DATETIME_FORMATS
    )


class MinutesForm(forms.Form):
    text = forms.CharField(
        max_length=100_000, label="Minutes", widget=forms.Textarea(attrs={"rows": 24})
    )


class ApproveMinutesForm(forms.Form):
    at_meeting = forms.ChoiceField(label="Approved at")

    def __init__(self, *args: Any, meetings: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["at_meeting"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = meetings


class QuorumRuleForm(forms.Form):
    """A body's quorum rule; the service checks the same bounds (nothing stored on an error)."""

    minimum_present = forms.IntegerField(
        label="Minimum number of members present",
        help_text="At least this many members must be signed in (1 or more).",
        min_value=1,
        max_value=100_000,
        error_messages={
            "required": "Enter the minimum number of members present.",
            "invalid": "Enter a whole number, such as 5.",
            "min_value": "The minimum number present must be at least 1.",
            "max_value": "The minimum number present cannot be more than 100,000.",
        },
    )
    percent_of_members = forms.IntegerField(
        label="Percentage of members",
        help_text=(
            "And at least this percentage of the body's members in good standing, rounded up "
            "(0 to 100; 0 for none). The quorum is whichever of the two is more."
        ),
        min_value=0,
        max_value=100,
        error_messages={
            "required": "Enter a percentage from 0 to 100 (0 for none).",
            "invalid": "Enter a whole number from 0 to 100, without the % sign.",
            "min_value": "The percentage cannot be negative.",
            "max_value": "The percentage cannot be more than 100.",
        },
    )
    reason = forms.CharField(
        label="Why the rule is changing",
        help_text="For example, the meeting or vote that decided it. Kept in the rule's history.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the rule is changing."},
    )
