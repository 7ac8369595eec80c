from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext, gettext_lazy

from grassroots import clock
from grassroots.ballots.models import Ballot
from grassroots.bounds import SANE_DATE
from grassroots.delegation.bodies import Body
from grassroots.delegation.models import ElectedBy, MotionForward
from grassroots.meetings.models import Meeting
from grassroots.organisation.models import Group

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MeetingChoiceField(forms.ModelChoiceField[Meeting]):
    def label_from_instance(self, obj: Meeting) -> str:
        return f"{obj.scope_name}: {obj.title}, {obj.starts_at:%-d %B %Y}"


class ForwardChoiceField(forms.ModelMultipleChoiceField[MotionForward]):
    def label_from_instance(self, obj: MotionForward) -> str:
        return f"{obj.motion.title} (from {obj.motion.meeting.scope_name})"


class AllocationForm(forms.Form):
    seats = forms.IntegerField(
        label=gettext_lazy("Delegates in all"),
        min_value=1,
        max_value=2000,
        help_text=gettext_lazy("How many delegates the meeting seats"),
    )
    minimum = forms.IntegerField(
        label=gettext_lazy("Minimum per recognised group"),
        min_value=0,
        max_value=50,
        initial=1,
        help_text=gettext_lazy(
            "Every recognised group gets at least this many; other groups get none"
        ),
    )
    counted_on = forms.DateField(
        validators=[SANE_DATE],
        label=gettext_lazy("Count membership on"),
        widget=DATE_WIDGET,
        help_text=gettext_lazy("Members in good standing on this date, by home group"),
    )
    seed = forms.IntegerField(
        label=gettext_lazy("Published seed (only if a tie must be drawn by lot)"),
        required=False,
        min_value=0,
        max_value=2**62,
    )

    def clean_counted_on(self) -> Any:
        counted_on = self.cleaned_data["counted_on"]
        if counted_on > clock.today():
            raise forms.ValidationError(gettext("Count membership on a date that has passed."))
        return counted_on


class ElectionForm(forms.Form):
    """Who the group elected and how: the part of recording a delegate shared with replacing
    one."""

    membership_number = forms.CharField(
        max_length=20,
        label=gettext_lazy("The delegate's membership number"),
        help_text=gettext_lazy("On their membership card and their profile page"),
    )
    elected_by = forms.ChoiceField(
        choices=ElectedBy.choices,
        widget=forms.RadioSelect,
        label=gettext_lazy("How they were elected"),
    )
    group_meeting = MeetingChoiceField(
        queryset=Meeting.objects.none(),
        required=False,
        label=gettext_lazy("The group meeting that elected them"),
    )
    ballot = forms.ModelChoiceField(
        queryset=Ballot.objects.none(),
        required=False,
        label=gettext_lazy("The ballot that elected them"),
    )

    def __init__(self, *args: Any, group_meetings: Any, ballots: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        meeting_field = self.fields["group_meeting"]
        assert isinstance(meeting_field, forms.ModelChoiceField)
        meeting_field.queryset = group_meetings
        ballot_field = self.fields["ballot"]
        assert isinstance(ballot_field, forms.ModelChoiceField)
        ballot_field.queryset = ballots

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        how = data.get("elected_by")
        if how == ElectedBy.MEETING and not data.get("group_meeting"):
            self.add_error(
                "group_meeting", gettext("Choose the group meeting that elected the delegate.")
            )
        if how == ElectedBy.BALLOT and not data.get("ballot"):
            self.add_error("ballot", gettext("Choose the ballot that elected the delegate."))
        return data


class DelegateForm(ElectionForm):
    group = forms.ModelChoiceField(queryset=Group.objects.none(), label=gettext_lazy("Group"))
    field_order = ["group"]

    def __init__(self, *args: Any, groups: list[Group], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        group_field = self.fields["group"]
        assert isinstance(group_field, forms.ModelChoiceField)
        group_field.queryset = Group.objects.filter(pk__in=[g.pk for g in groups])
        if len(groups) == 1:
            group_field.initial = groups[0].pk


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        label=gettext_lazy("Why the seat is given up"),
        help_text=gettext_lazy("Published on the delegate list with the seat's history"),
    )

    def __init__(self, *args: Any, reason_required: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reason"]
        field.required = reason_required
        if reason_required:
            field.label = gettext("Why the group withdraws this delegate")
            field.error_messages["required"] = gettext(
                "Give the reason the group withdraws this delegate."
            )
        else:
            field.label = gettext("Why you are standing down (optional)")


class ForwardForm(forms.Form):
    to = forms.ChoiceField(label=gettext_lazy("Forward to"), widget=forms.RadioSelect)
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        label=gettext_lazy("A note for the receiving body (optional)"),
    )

    def __init__(self, *args: Any, bodies: list[Body], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        to = self.fields["to"]
        assert isinstance(to, forms.ChoiceField)
        to.choices = [(b.key, b.described[0].upper() + b.described[1:]) for b in bodies]
        if bodies:
            to.initial = bodies[0].key


class PlaceForm(forms.Form):
    meeting = MeetingChoiceField(
        queryset=Meeting.objects.none(), label=gettext_lazy("Put it on the agenda of")
    )

    def __init__(self, *args: Any, meetings: list[Meeting], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["meeting"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Meeting.objects.filter(pk__in=[m.pk for m in meetings]).order_by(
            "starts_at"
        )


class CompositeForm(forms.Form):
    forwards = ForwardChoiceField(
        queryset=MotionForward.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Motions to composite"),
        help_text=gettext_lazy("At least two, on the same subject"),
    )
    title = forms.CharField(max_length=200, label=gettext_lazy("Title of the composite"))
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=20000,
        label=gettext_lazy("Text of the composite"),
        help_text=gettext_lazy("Each mover must agree to this text before it goes on an agenda"),
    )

    def __init__(self, *args: Any, forwards: list[MotionForward], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["forwards"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = MotionForward.objects.filter(
            pk__in=[f.pk for f in forwards]
        ).select_related("motion__meeting__group", "motion__meeting__area")

    def clean_forwards(self) -> Any:
        chosen = self.cleaned_data["forwards"]
        if len(chosen) < 2:
            raise forms.ValidationError(gettext("Choose at least two motions to composite."))
        return chosen
