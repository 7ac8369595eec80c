"""Forms for running a ballot and for the ballot paper itself."""

from __future__ import annotations

import copy
import re
import secrets
from dataclasses import dataclass
from typing import Any

from django import forms
from django.forms.boundfield import BoundField, BoundWidget
from django.urls import reverse

from grassroots.ballots.models import Ballot, Candidate, Question, QuestionKind, StvRule
from grassroots.ballots.papers import PaperError, ranking_from_numbers
from grassroots.ballots.photos import PhotoError, read_photo
from grassroots.ballots.queries import ballot_paper
from grassroots.ballots.resolutions import CarriedMotion
from grassroots.organisation.models import Group
from grassroots.people.models import MembershipStatus

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class BallotForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    scope = forms.ChoiceField(label="Who votes", help_text="The part of the movement voting")
    opens_at = forms.DateTimeField(label="Voting opens", widget=DATETIME_WIDGET)
    closes_at = forms.DateTimeField(label="Voting closes", widget=DATETIME_WIDGET)
    eligible_statuses = forms.MultipleChoiceField(
        label="Membership statuses that may vote",
        choices=MembershipStatus.choices,
        initial=[MembershipStatus.MEMBER],
        widget=forms.CheckboxSelectMultiple,
    )
    joined_before = forms.DateField(
        required=False,
        label="Joined before",
        help_text="Leave empty to include everyone, however recently they joined",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    tellers_count = forms.IntegerField(label="Number of tellers", min_value=1, max_value=20)
    threshold = forms.IntegerField(
        label="Tellers needed to count", min_value=1, max_value=20, help_text="For example 2 of 3"
    )

    def __init__(self, *args: Any, scope_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = scope_choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", "Voting must close after it opens.")
        tellers, threshold = data.get("tellers_count"), data.get("threshold")
        if tellers and threshold and threshold > tellers:
            self.add_error("threshold", "No more than the number of tellers.")
        return data


class QuestionForm(forms.Form):
    title = forms.CharField(max_length=300, label="Question or post")
    kind = forms.ChoiceField(label="How members answer", choices=QuestionKind.choices)
    stv_rule = forms.ChoiceField(
        label="STV counting rule", choices=[("", "Not STV"), *StvRule.choices], required=False
    )
    seats = forms.IntegerField(min_value=1, max_value=50, initial=1, label="Seats to fill")
    constraint_category = forms.CharField(
        required=False, max_length=40, label="Category with a minimum", help_text="e.g. women"
    )
    constraint_minimum = forms.IntegerField(
        required=False, min_value=1, max_value=50, label="At least this many elected"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == QuestionKind.STV and not data.get("stv_rule"):
            self.add_error("stv_rule", "Choose the STV rule.")
        if data.get("constraint_category") and not data.get("constraint_minimum"):
            self.add_error("constraint_minimum", "Give the minimum for the category.")
        return data

    def constraints(self) -> list[dict[str, Any]]:
        category = self.cleaned_data.get("constraint_category", "").strip().lower()
        if not category:
            return []
        return [
            {
                "category": category,
                "minimum": self.cleaned_data["constraint_minimum"],
                "maximum": None,
            }
        ]


class CandidateForm(forms.Form):
    name = forms.CharField(max_length=200)
    statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=4000
    )
    categories = forms.CharField(
        required=False, max_length=200, help_text="Comma-separated, e.g. women"
    )

    def category_list(self) -> list[str]:
        return [c for c in self.cleaned_data.get("categories", "").split(",") if c.strip()]


class TellersForm(forms.Form):
    membership_numbers = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Tellers' membership numbers",
        help_text="One a line",
        max_length=2000,
    )

    def numbers(self) -> list[str]:
        return [n.strip().upper() for n in self.cleaned_data["membership_numbers"].split() if n]


class ShareForm(forms.Form):
    share = forms.CharField(
        max_length=200,
        label="Your key share",
        help_text="Exactly as it was shown to you when you collected it",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class ReminderScheduleForm(forms.Form):
    hours_before_close = forms.CharField(
        required=False,
        max_length=100,
        label="Send reminders this many hours before the close",
        help_text="Whole hours, separated by commas, e.g. 48, 2. Leave empty for none",
    )
    to_everyone = forms.BooleanField(
        required=False,
        label="Send them to everyone on the roll, not only members who have not voted",
        help_text=(
            "Reminding only members who have not voted keeps, in the mail records, a dated list "
            "of who had not voted at each reminder; anyone with the database could tell that a "
            "member voted between two reminders. Sending to everyone keeps no such list."
        ),
    )

    def clean_hours_before_close(self) -> list[int]:
        text = self.cleaned_data["hours_before_close"]
        hours = []
        for part in text.replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            if not part.isdigit() or int(part) < 1:
                raise forms.ValidationError(f"“{part}” is not a whole number of hours (1 or more).")
            hours.append(int(part))
        return hours


class RejectNominationForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        label="Why the nomination fails the rules",
        help_text="The nominee and every member who can see the nominations report will read this",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Give the reason for rejecting the nomination; the nominee will see it."
        },
    )


class ReceiptLookupForm(forms.Form):
    tracker = forms.RegexField(
        regex=r"^\s*[0-9a-fA-F]{64}\s*$",
        max_length=80,
        label="Your receipt (tracker)",
        help_text="64 letters and digits, as shown when you voted",
        error_messages={"invalid": "A tracker is 64 letters (a to f) and digits."},
    )


# The name of any paper field: a question's own (``q12``) or one candidate's box (``q12_c34``).
PAPER_FIELD = re.compile(r"q(?P<question>[0-9]{1,18})(?:_c(?P<candidate>[0-9]{1,18}))?")


def field_name(question: Question, candidate_id: int | None = None) -> str:
    if candidate_id is None:
        return f"q{question.pk}"
    return f"q{question.pk}_c{candidate_id}"


def candidate_photo_url(ballot_id: int, candidate: Candidate) -> str:
    """The link to the candidate's photo, or "" when they gave none (no query)."""
    if not candidate.photo:
        return ""
    return reverse("ballot_candidate_photo", args=[ballot_id, candidate.pk])


@dataclass(frozen=True)
class PaperRow:
    """One candidate's line on the ballot paper: its input, the candidate, its photo link."""

    input: BoundField | BoundWidget
    candidate: Candidate
    photo_url: str


def paper_fields(questions: list[Question]) -> dict[str, forms.Field]:
    """The ballot paper's form fields: radio buttons, tick boxes or numbered boxes."""
    fields: dict[str, forms.Field] = {}
    for question in questions:
        standing = [c for c in question.candidates.all() if not c.withdrawn]
        choices = [(str(c.pk), c.name) for c in standing]
        if question.kind in (QuestionKind.YESNO, QuestionKind.SINGLE):
            fields[field_name(question)] = forms.ChoiceField(
                label=question.title, choices=choices, required=False, widget=forms.RadioSelect
            )
        elif question.kind == QuestionKind.APPROVAL:
            fields[field_name(question)] = forms.MultipleChoiceField(
                label=question.title,
                choices=choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        else:
            for candidate in standing:
                fields[field_name(question, candidate.pk)] = forms.CharField(
                    label=candidate.name,
                    required=False,
                    max_length=3,
                    widget=forms.TextInput(
                        attrs={"inputmode": "numeric", "size": 3, "class": "preference"}
                    ),
                )
    return fields


# Fields by paper (keyed by the paper object's id, checked against the paper itself, since
# an id can be reused once a paper is gone; ballot_paper keeps an open ballot's paper).
_PAPER_FIELDS: dict[int, tuple[object, dict[str, forms.Field]]] = {}


class VoteForm(forms.Form):
    """The ballot paper: radio buttons, tick boxes or numbered boxes, one group per question."""

    idempotency_key = forms.RegexField(
        regex=r"^[A-Za-z0-9_-]{16,64}$", widget=forms.HiddenInput, max_length=64
    )

    def __init__(
        self, *args: Any, ballot: Ballot, validate_only: bool = False, **kwargs: Any
    ) -> None:
        """``validate_only``: the form checks a paper and is never drawn (the lean cast), so
        it uses the paper's shared field objects instead of copies. Checking does not change
        a field (errors are kept on the form), so sharing them between requests is safe; a
        form that is drawn gets its own copies, as Django forms do."""
        super().__init__(*args, **kwargs)
        self.initial.setdefault("idempotency_key", secrets.token_urlsafe(24))
        self.paper = ballot_paper(ballot)
        self.questions = list(self.paper.questions)
        # The paper's fields are made once per paper and copied, as Django copies a form
        # class's declared fields for each form (every cast builds this form).
        prototype = _PAPER_FIELDS.get(id(self.paper))
        if prototype is None or prototype[0] is not self.paper:
            prototype = (self.paper, paper_fields(self.questions))
            if len(_PAPER_FIELDS) >= 64:
                _PAPER_FIELDS.clear()
            _PAPER_FIELDS[id(self.paper)] = prototype
        self.fields.update(prototype[1] if validate_only else copy.deepcopy(prototype[1]))

    def question_rows(self) -> list[tuple[Question, forms.BoundField | None, list[PaperRow]]]:
        """Each question, its one field (None for numbered preferences, one field each) and a
        row per candidate with its input and photo, in ballot-paper order (for the template).

        Built from the per-process ballot paper: the photo links need no query."""
        rows = []
        for question in self.questions:
            standing = {c.pk: c for c in question.candidates.all() if not c.withdrawn}
            field = None if question.is_ranked else self[field_name(question)]
            entries: list[tuple[BoundField | BoundWidget, int]]
            if field is None:
                entries = [(self[field_name(question, pk)], pk) for pk in standing]
            else:
                entries = [(w, int(w.data["value"])) for w in field.subwidgets]
            lines = [
                PaperRow(entry, standing[pk], candidate_photo_url(question.ballot_id, standing[pk]))
                for entry, pk in entries
            ]
            rows.append((question, field, lines))
        return rows

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        stray = self._stray_paper_field()
        if stray:
            raise forms.ValidationError(stray)
        answers: dict[int, list[int]] = {}
        for question in self.questions:
            if question.is_ranked:
                entries = [
                    (c.pk, c.name, str(data.get(field_name(question, c.pk)) or ""))
                    for c in question.candidates.all()
                    if not c.withdrawn
                ]
                try:
                    answers[question.pk] = ranking_from_numbers(entries)
                except PaperError as error:
                    self.add_error(field_name(question, error.candidate), error.message)
            else:
                value = data.get(field_name(question))
                picked = value if isinstance(value, list) else ([value] if value else [])
                answers[question.pk] = [int(v) for v in picked]
        data["answers"] = answers
        return data

    def _stray_paper_field(self) -> str:
        """Why a posted field that names a question or candidate (``q<id>`` or
        ``q<id>_c<id>``) is not on this paper, or "". Such a field would otherwise be ignored
        and its mark lost, leaving a blank paper or a shorter ranking (issue 20, item 5)."""
        by_id = {q.pk: q for q in self.questions}
        for name in self.data:
            match = PAPER_FIELD.fullmatch(name)
            if match is None or name in self.fields:
                continue
            question = by_id.get(int(match["question"]))
            if question is None:
                return "The ballot paper has a question that is not on this ballot."
            candidate_id = match["candidate"]
            candidates = {c.pk: c for c in question.candidates.all()}
            candidate = candidates.get(int(candidate_id)) if candidate_id else None
            if candidate is None and candidate_id:
                return f"“{question.title}”: that is not a candidate on this ballot."
            if candidate is not None and candidate.withdrawn:
                return f"“{question.title}”: {candidate.name} has withdrawn."
            return f"“{question.title}”: that mark is not one this ballot paper takes."
        return ""


class NominationsOpenForm(forms.Form):
    close_at = forms.DateTimeField(label="Nominations close", widget=DATETIME_WIDGET)
    supporters_needed = forms.IntegerField(
        label="Supporting members needed",
        min_value=0,
        max_value=10_000,
        initial=0,
        help_text="0 for none",
    )
    groups_needed = forms.IntegerField(
        label="Or supporters from this many groups",
        min_value=0,
        max_value=1_000,
        initial=0,
        help_text="A nomination stands if it meets either threshold; 0 for none",
    )


class PhotoField(forms.FileField):
    """A JPEG or PNG of at most 2 MB, checked by its bytes (grassroots.ballots.photos)."""

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if upload:
            try:
                read_photo(upload, size=upload.size)
            except PhotoError as error:
                raise forms.ValidationError(str(error)) from error
            upload.seek(0)
        return upload


class CandidateDetailsForm(forms.Form):
    statement = forms.CharField(
        label="Candidate statement",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=4000,
        help_text="What members will read about you; up to 4,000 characters",
    )
    categories = forms.CharField(
        label="Categories you declare",
        required=False,
        max_length=200,
        help_text="For quota questions, e.g. women; comma-separated; leave empty for none",
    )
    photo = PhotoField(
        label="Photo",
        required=False,
        help_text=(
            "JPEG or PNG, at most 2 MB. If you become a candidate it is shown beside your name "
            "on the ballot paper, to anyone, from the opening of the poll"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )

    def category_list(self) -> list[str]:
        return [c for c in self.cleaned_data.get("categories", "").split(",") if c.strip()]


class NominationForm(CandidateDetailsForm):
    question = forms.ChoiceField(label="Post")
    nominee = forms.CharField(
        label="Who you nominate",
        required=False,
        max_length=20,
        help_text="Leave empty to nominate yourself, or give the member's membership number",
    )
    field_order = ["question", "nominee", "statement", "categories", "photo"]

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["question"].choices = [  # type: ignore[attr-defined]
            (str(q.pk), q.title) for q in questions
        ]
        self.questions = {str(q.pk): q for q in questions}

    def chosen_question(self) -> Question:
        return self.questions[self.cleaned_data["question"]]


class GroupSupportForm(forms.Form):
    """A group's officer records the group's resolution to support a nomination."""

    group = forms.TypedChoiceField(label="Group", coerce=int)
    resolved_on = forms.DateField(
        label="Date the group resolved",
        help_text="The day of the meeting that passed the resolution",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reference = forms.CharField(
        label="Where it is recorded",
        max_length=200,
        help_text="For example “Minutes of the general meeting, item 4”",
    )
    outcome = forms.TypedChoiceField(
        label="The motion carried at the meeting (if the meeting is recorded here)",
        coerce=int,
        required=False,
        empty_value=None,
    )

    def __init__(
        self, *args: Any, groups: list[Group], motions: list[CarriedMotion], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.groups = {g.pk: g for g in groups}
        self.fields["group"].choices = [(g.pk, g.name) for g in groups]  # type: ignore[attr-defined]
        self.fields["outcome"].choices = [  # type: ignore[attr-defined]
            ("", "Not recorded here"),
            *[(m.outcome_id, m.label) for m in motions],
        ]

    def chosen_group(self) -> Group:
        return self.groups[self.cleaned_data["group"]]

    def chosen_motion(self) -> int | None:
        value = self.cleaned_data.get("outcome")
        return int(value) if value is not None else None
