"""Forms of a meeting in session. A vote's choice is read by ``read_choice`` (its fields depend
on the vote's method), so a bad mark is a clear message and nothing is stored."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext, gettext_lazy

from grassroots.assembly.models import (
    Balance,
    Gender,
    LiveVote,
    Side,
    VoteMethod,
    VoteSubject,
    Weighting,
)
from grassroots.meetings.models import Majority, Meeting, Motion, MotionStatus


class OrdersForm(forms.Form):
    secret_votes = forms.BooleanField(
        required=False,
        label=gettext_lazy("Votes are secret (nobody, not even the chair, sees who voted how)"),
    )
    weighting = forms.ChoiceField(choices=Weighting.choices, widget=forms.RadioSelect)
    proxies_per_holder = forms.IntegerField(
        min_value=0, max_value=50, label=gettext_lazy("Proxies one person may hold (0: no proxies)")
    )
    speaking_seconds = forms.IntegerField(
        min_value=15, max_value=3600, label=gettext_lazy("Speaking time per speaker, in seconds")
    )
    balance = forms.ChoiceField(
        choices=Balance.choices, widget=forms.RadioSelect, label=gettext_lazy("Speakers' list")
    )
    prefer_first_time = forms.BooleanField(
        required=False, label=gettext_lazy("First-time speakers before those who have spoken")
    )


def _targets(meeting: Meeting) -> list[tuple[str, str]]:
    choices: list[tuple[str, str]] = [("", gettext("(none: a procedural question or an election)"))]
    motions = Motion.objects.filter(meeting=meeting).exclude(status=MotionStatus.AWAITING_SECONDER)
    for motion in motions.prefetch_related("amendments"):
        if motion.is_closed:
            continue
        label = gettext("Motion %(number)s: %(title)s") % {
            "number": motion.number,
            "title": motion.title,
        }
        choices.append((f"m{motion.pk}", label[:120]))
        for amendment in motion.amendments.all():
            if not amendment.is_closed:
                choices.append(
                    (
                        f"a{amendment.pk}",
                        gettext("Amendment %(amendment)s to motion %(motion)s")
                        % {"amendment": amendment.number, "motion": motion.number},
                    )
                )
    return choices


class OpenVoteForm(forms.Form):
    subject = forms.ChoiceField(choices=VoteSubject.choices, label=gettext_lazy("The vote is on"))
    target = forms.ChoiceField(required=False, label=gettext_lazy("Which motion or amendment"))
    method = forms.ChoiceField(choices=VoteMethod.choices, label=gettext_lazy("How people vote"))
    question = forms.CharField(
        required=False,
        max_length=300,
        label=gettext_lazy("Question"),
        help_text=gettext_lazy("For a motion or amendment, leave empty to use its title."),
    )
    options = forms.CharField(
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label=gettext_lazy("Choices, one a line"),
        help_text=gettext_lazy(
            "Candidates or options; not needed for a vote for, against or abstaining."
        ),
    )
    seats = forms.IntegerField(
        min_value=1, max_value=49, initial=1, label=gettext_lazy("How many to elect")
    )
    minutes = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=240,
        label=gettext_lazy("Close automatically after (minutes)"),
        help_text=gettext_lazy("Leave empty to close with the button."),
    )
    majority = forms.ChoiceField(
        choices=Majority.choices, initial=Majority.SIMPLE, label=gettext_lazy("Majority needed")
    )
    quorum_override = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=gettext_lazy("Not quorate? Why the meeting votes anyway"),
        help_text=gettext_lazy("Only if the meeting is not quorate: shown in the minutes."),
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        target = self.fields["target"]
        assert isinstance(target, forms.ChoiceField)
        target.choices = _targets(meeting)


class ProxyForm(forms.Form):
    holder_number = forms.CharField(
        max_length=20,
        label=gettext_lazy("Membership number of the attendee who will vote for you"),
        help_text=gettext_lazy("They must be signed in as present."),
    )


class ProxyBlockForm(forms.Form):
    block = forms.CharField(
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        label=gettext_lazy("Proxies, one a line: the giver's membership number, then the holder's"),
    )


class SpeakForm(forms.Form):
    side = forms.ChoiceField(
        choices=Side.choices, initial=Side.NEITHER, label=gettext_lazy("You speak")
    )
    gender = forms.ChoiceField(
        choices=Gender.choices,
        required=False,
        label=gettext_lazy("Gender (only for a list that alternates; optional)"),
    )


class KioskForm(forms.Form):
    code = forms.CharField(
        max_length=20, label=gettext_lazy("Voting code"), help_text=gettext_lazy("As on the card")
    )


def read_choice(vote: LiveVote, data: QueryDict) -> list[int]:
    """The marks on the vote's form as option indices; ValueError with the reason."""
    count = len(vote.options)
    if vote.method in (VoteMethod.YESNO, VoteMethod.SINGLE):
        value = data.get("choice", "")
        if not value.isdigit() or int(value) >= count:
            raise ValueError(gettext("Choose one of the options."))
        return [int(value)]
    if vote.method == VoteMethod.APPROVAL:
        values = data.getlist("choice")
        if not values or any(not v.isdigit() or int(v) >= count for v in values):
            raise ValueError(gettext("Mark at least one of the options."))
        return sorted({int(v) for v in values})
    ranks: dict[int, int] = {}
    for index in range(count):
        raw = data.get(f"rank_{index}", "").strip()
        if not raw:
            continue
        if not raw.isdigit() or not 1 <= int(raw) <= count:
            raise ValueError(
                gettext("Number the choices 1 to %(count)s; %(raw)s is not one of those.")
                % {"count": count, "raw": repr(raw)}
            )
        if int(raw) in ranks:
            raise ValueError(gettext("Each number once: %(raw)s is given twice.") % {"raw": raw})
        ranks[int(raw)] = index
    if not ranks:
        raise ValueError(gettext("Put 1 beside your first choice."))
    order = sorted(ranks)
    if order != list(range(1, len(order) + 1)):
        raise ValueError(gettext("Number your choices 1, 2, 3 ... without a gap."))
    return [ranks[r] for r in order]
