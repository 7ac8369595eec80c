from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots.bounds import MAX_ID, MAX_VOTES, SANE_DATE
from grassroots.meetings.models import (
    AgendaItemKind,
    AmendmentKind,
    Majority,
    MeetingFormat,
    MeetingKind,
    OutcomeResult,
    Presence,
    RsvpResponse,
)
from grassroots.meetings.services.common import REASON_MAX, TEXT_MAX

# An event's places and a motion's paragraphs: far past any real one, far inside the column.
MAX_CAPACITY = 100_000
MAX_PARAGRAPHS = 10_000
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class MeetingForm(forms.Form):
    scope = forms.ChoiceField(label=_("Held by"), help_text=_("Only the bodies your roles cover"))
    kind = forms.ChoiceField(label=_("What kind"), choices=MeetingKind.choices)
    title = forms.CharField(max_length=200)
    description = forms.CharField(
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label=_("Description"),
    )
    format = forms.ChoiceField(label=_("Where"), choices=MeetingFormat.choices)
    starts_at = forms.DateTimeField(
        validators=[SANE_DATE], label=_("Starts"), widget=DATETIME, input_formats=DATETIME_FORMATS
    )
    ends_at = forms.DateTimeField(
        validators=[SANE_DATE], label=_("Ends"), widget=DATETIME, input_formats=DATETIME_FORMATS
    )
    address = forms.CharField(
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For a meeting in person, or in person and online"),
    )
    online_link = forms.URLField(
        max_length=500,
        required=False,
        assume_scheme="https",
        label=_("Link to join online"),
        help_text=_("For an online or hybrid meeting"),
    )
    accessibility_notes = forms.CharField(
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Step-free access, hearing loop, captions, quiet room, childcare..."),
    )
    motions_deadline = forms.DateTimeField(
        validators=[SANE_DATE],
        required=False,
        label=_("Deadline for motions and amendments"),
        widget=DATETIME,
        input_formats=DATETIME_FORMATS,
        help_text=_("Meetings only; leave empty if the meeting takes no motions"),
    )
    capacity = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_CAPACITY,
        help_text=_("Events only: how many people can come; empty for no limit"),
    )

    def __init__(self, *args: Any, scopes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["scope"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = scopes


class AgendaItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of item"), choices=AgendaItemKind.choices)
    title = forms.CharField(max_length=200)
    description = forms.CharField(
        max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RsvpForm(forms.Form):
    response = forms.ChoiceField(choices=RsvpResponse.choices)


class SignInMemberForm(forms.Form):
    membership_number = forms.CharField(max_length=20, help_text=_("As on the member's card"))
    presence = forms.ChoiceField(
        choices=[("", _("As the meeting is held")), *Presence.choices],
        required=False,
        label=_("Where"),
        help_text=_("A hybrid meeting counts those in the room and those online separately."),
    )


class MotionForm(forms.Form):
    title = forms.CharField(max_length=200)
    text = forms.CharField(
        max_length=TEXT_MAX,
        required=False,
        label=_("Text of the motion"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Separate paragraphs with a blank line. Or use the three parts below instead."),
    )
    notes = forms.CharField(
        max_length=TEXT_MAX,
        required=False,
        label=_("This meeting notes"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    believes = forms.CharField(
        max_length=TEXT_MAX,
        required=False,
        label=_("This meeting believes"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    resolves = forms.CharField(
        max_length=TEXT_MAX,
        required=False,
        label=_("This meeting resolves"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    seconder = forms.CharField(
        max_length=200,
        label=_("Seconder's name"),
        help_text=(
            _(
                "Their first name and surname (or their membership number): another "
                "member of the body, who will be asked to confirm"
            )
        ),
    )
    # Shown only when two members who may second share the name typed (meetings.seconders).
    seconder_choice = forms.ChoiceField(
        required=False, label=_("Which of them?"), widget=forms.RadioSelect, choices=[]
    )


class RulingForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("in_order", _("In order")), ("out_of_order", _("Out of order"))],
        widget=forms.RadioSelect,
        label=_("Ruling"),
    )
    reason = forms.CharField(
        max_length=REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Members see it. Required when ruling a motion out of order."),
    )


class AmendmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("The amendment"), choices=AmendmentKind.choices)
    paragraph = forms.IntegerField(
        min_value=0,
        max_value=MAX_PARAGRAPHS,
        label=_("Paragraph number"),
        help_text=_("To insert at the very start, use 0"),
    )
    new_text = forms.CharField(
        max_length=TEXT_MAX,
        required=False,
        label=_("New text"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The paragraph to insert, or the replacement. Leave empty to delete."),
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        max_length=5000, label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 3})
    )
    parent = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput
    )
    amendment = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput
    )


class CommentEditForm(forms.Form):
    body = forms.CharField(
        max_length=5000, label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 4})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class OutcomeForm(forms.Form):
    result = forms.ChoiceField(
        choices=[
            (OutcomeResult.CARRIED, _("Carried")),
            (OutcomeResult.FALLEN, _("Fallen")),
            (OutcomeResult.REMITTED, _("Remitted")),
            (OutcomeResult.WITHDRAWN, _("Withdrawn")),
        ],
        widget=forms.RadioSelect,
        label=_("Outcome"),
    )
    votes_for = forms.IntegerField(required=False, min_value=0, max_value=MAX_VOTES, label=_("For"))
    votes_against = forms.IntegerField(
        required=False, min_value=0, max_value=MAX_VOTES, label=_("Against")
    )
    votes_abstain = forms.IntegerField(
        required=False, min_value=0, max_value=MAX_VOTES, label=_("Abstaining")
    )
    majority = forms.ChoiceField(
        choices=Majority.choices,
        initial=Majority.SIMPLE,
        widget=forms.RadioSelect,
        label=_("Majority needed"),
    )
    note = forms.CharField(required=False, max_length=2000, label=_("Note for the minutes"))
    quorum_override = forms.CharField(
        required=False,
        max_length=2000,
        label=_("Not quorate? Why the meeting goes on"),
        help_text=_(
            "Only if the meeting is not quorate: the chair's reason, shown in the minutes."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class BallotForm(forms.Form):
    opens_at = forms.DateTimeField(
        validators=[SANE_DATE],
        label=_("Voting opens"),
        widget=DATETIME,
        input_formats=DATETIME_FORMATS,
    )
    closes_at = forms.DateTimeField(
        validators=[SANE_DATE],
        label=_("Voting closes"),
        widget=DATETIME,
        input_formats=DATETIME_FORMATS,
    )
    quorum_override = forms.CharField(
        required=False,
        max_length=2000,
        label=_("Not quorate? Why the meeting goes on"),
        help_text=_(
            "Only if the meeting is not quorate: the chair's reason, shown in the minutes."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MinutesForm(forms.Form):
    text = forms.CharField(
        max_length=100_000, label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 24})
    )


class ApproveMinutesForm(forms.Form):
    at_meeting = forms.ChoiceField(label=_("Approved at"))

    def __init__(self, *args: Any, meetings: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["at_meeting"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = meetings


class QuorumRuleForm(forms.Form):
    """A body's quorum rule; the service checks the same bounds (nothing stored on an error)."""

    minimum_present = forms.IntegerField(
        label=_("Minimum number of members present"),
        help_text=_("At least this many members must be signed in (1 or more)."),
        min_value=1,
        max_value=100_000,
        error_messages={
            "required": _("Enter the minimum number of members present."),
            "invalid": _("Enter a whole number, such as 5."),
            "min_value": _("The minimum number present must be at least 1."),
            "max_value": _("The minimum number present cannot be more than 100,000."),
        },
    )
    percent_of_members = forms.IntegerField(
        label=_("Percentage of members"),
        help_text=(
            _(
                "And at least this percentage of the body's members in good standing, "
                "rounded up (0 to 100; 0 for none). The quorum is whichever of the "
                "two is more."
            )
        ),
        min_value=0,
        max_value=100,
        error_messages={
            "required": _("Enter a percentage from 0 to 100 (0 for none)."),
            "invalid": _("Enter a whole number from 0 to 100, without the % sign."),
            "min_value": _("The percentage cannot be negative."),
            "max_value": _("The percentage cannot be more than 100."),
        },
    )
    reason = forms.CharField(
        label=_("Why the rule is changing"),
        help_text=_(
            "For example, the meeting or vote that decided it. Kept in the rule's history."
        ),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the rule is changing.")},
    )
