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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grassroots.ballots import quotas
from grassroots.ballots.models import (
    Ballot,
    Candidate,
    Question,
    QuestionKind,
    StvRule,
    equal_preferences_problem,
)
from grassroots.ballots.papers import paper_problems, ranking_from_numbers, ranks_from_numbers
from grassroots.ballots.photos import PhotoError, read_photo
from grassroots.ballots.queries import EVERY_VOTER, Voter, ballot_paper
from grassroots.ballots.resolutions import CarriedMotion
from grassroots.ballots.result_display import YESNO_LABELS, answer_label
from grassroots.bounds import SANE_DATE
from grassroots.organisation.models import Group, Region
from grassroots.people.models import MembershipStatus
from grassroots.tally.types import CategoryConstraint

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class BallotForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(
        max_length=4000, widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("Who votes"), help_text=gettext_lazy("The part of the movement voting")
    )
    opens_at = forms.DateTimeField(
        validators=[SANE_DATE], label=gettext_lazy("Voting opens"), widget=DATETIME_WIDGET
    )
    closes_at = forms.DateTimeField(
        validators=[SANE_DATE], label=gettext_lazy("Voting closes"), widget=DATETIME_WIDGET
    )
    eligible_statuses = forms.MultipleChoiceField(
        label=gettext_lazy("Membership statuses that may vote"),
        choices=MembershipStatus.choices,
        initial=[MembershipStatus.MEMBER],
        widget=forms.CheckboxSelectMultiple,
    )
    joined_before = forms.DateField(
        validators=[SANE_DATE],
        required=False,
        label=gettext_lazy("Joined before"),
        help_text=gettext_lazy("Leave empty to include everyone, however recently they joined"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    tellers_count = forms.IntegerField(
        label=gettext_lazy("Number of tellers"), min_value=1, max_value=20
    )
    threshold = forms.IntegerField(
        label=gettext_lazy("Tellers needed to count"),
        min_value=1,
        max_value=20,
        help_text=gettext_lazy("For example 2 of 3"),
    )
    end_to_end = forms.BooleanField(
        required=False,
        label=gettext_lazy("End-to-end verifiable"),
        help_text=gettext_lazy(
            "Papers are encrypted in each voter's browser to a key the tellers make on their own "
            "devices, so not even whoever runs this server can read a ballot; voting then needs "
            "JavaScript. Untick to have the server encrypt each paper as it is cast instead."
        ),
    )

    categories_private = forms.BooleanField(
        required=False,
        label=gettext_lazy("Candidates' categories are private"),
        help_text=gettext_lazy(
            "The categories candidates declare are shown only to them and to the ballot's "
            "officers; only those a quota rule uses are printed beside their names on the "
            "ballot paper and in the election record, which the count and its check need."
        ),
    )

    def __init__(self, *args: Any, scope_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = scope_choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("Voting must close after it opens."))
        tellers, threshold = data.get("tellers_count"), data.get("threshold")
        if tellers and threshold and threshold > tellers:
            self.add_error("threshold", _("No more than the number of tellers."))
        return data


class QuestionForm(forms.Form):
    title = forms.CharField(max_length=300, label=gettext_lazy("Question or post"))
    kind = forms.ChoiceField(label=gettext_lazy("How members answer"), choices=QuestionKind.choices)
    stv_rule = forms.ChoiceField(
        label=gettext_lazy("STV counting rule"),
        choices=[("", gettext_lazy("Not STV")), *StvRule.choices],
        required=False,
    )
    seats = forms.IntegerField(
        min_value=1, max_value=50, initial=1, label=gettext_lazy("Seats to fill")
    )
    quota_rules = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label=gettext_lazy("Quota rules (STV)"),
        help_text=gettext_lazy(
            'One a line: a category, a colon, its limits, e.g. "women: at least 2", '
            '"men: at most 3", "bame: at least 1, at most 4". A candidate can be in '
            "several categories. Leave empty for none."
        ),
    )

    equal_preferences = forms.BooleanField(
        required=False,
        label=gettext_lazy("Voters may rank candidates equally (Meek only)"),
        help_text=gettext_lazy(
            "A voter may then give two or more candidates the same number (1, 2, 2, 3): their "
            "vote is shared equally between them. Only Meek STV defines how to count that."
        ),
    )
    section = forms.TypedChoiceField(
        required=False,
        choices=lambda: [
            ("", _("Every member on the roll")),
            *(
                (r.pk, _("Members in %(region)s") % {"region": r.name})
                for r in Region.objects.order_by("name")
            ),
        ],
        coerce=int,
        empty_value=None,
        label=gettext_lazy("Section: who answers it"),
        help_text=gettext_lazy(
            "A section of a selection ballot is answered (and stood for, and supported) only "
            "by the members of its region, as the roll records them when voting opens."
        ),
    )
    section_supporters = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=10_000,
        label=gettext_lazy("Supporting members a nomination needs in this section"),
        help_text=gettext_lazy("Leave empty for the ballot's own threshold"),
    )
    section_groups = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=1_000,
        label=gettext_lazy("Or supporters from this many groups"),
        help_text=gettext_lazy("Leave empty for the ballot's own threshold"),
    )

    def chosen_section(self) -> Region | None:
        region_id = self.cleaned_data.get("section")
        return None if region_id is None else Region.objects.get(pk=region_id)

    def clean_quota_rules(self) -> tuple[CategoryConstraint, ...]:
        try:
            return quotas.parse_rules(self.cleaned_data.get("quota_rules", ""))
        except quotas.QuotaError as error:
            raise forms.ValidationError(str(error)) from error

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == QuestionKind.STV and not data.get("stv_rule"):
            self.add_error("stv_rule", _("Choose the STV rule."))
        if data.get("equal_preferences"):
            problem = equal_preferences_problem(data.get("kind", ""), data.get("stv_rule", ""))
            if problem:
                self.add_error("equal_preferences", problem)
        rules = data.get("quota_rules") or ()
        if rules and data.get("kind") != QuestionKind.STV:
            self.add_error("quota_rules", _("Quota rules apply to STV questions only."))
        elif rules and data.get("seats"):
            problem = quotas.seats_problem(data["seats"], rules)
            if problem:
                self.add_error("quota_rules", problem)
        return data

    def constraints(self) -> list[dict[str, object]]:
        return quotas.to_json(self.cleaned_data.get("quota_rules") or ())


class QuotaRulesForm(forms.Form):
    """A question's quota rules, changed before voting opens (after nominations close, when
    the rules the candidates cannot meet must change)."""

    quota_rules = QuestionForm.base_fields["quota_rules"]
    clean_quota_rules = QuestionForm.clean_quota_rules


class CollegesForm(forms.Form):
    """An electoral college question's colleges and their published weights."""

    colleges = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label=gettext_lazy("Colleges and their weights"),
        help_text=gettext_lazy(
            "One a line: the college's name, a colon and its weight, e.g. "
            "“Elected members: 1/3” and “Public office holders: 2/3”. The weights add up to "
            "1; each college's valid papers share its weight equally. Leave empty for none."
        ),
    )
    everyone_else = forms.CharField(
        required=False,
        max_length=100,
        label=gettext_lazy("The college of everyone else on the roll"),
        help_text=gettext_lazy(
            "The name of the college every voter no list names is in; leave empty and they "
            "have no paper for this question."
        ),
    )


class CollegeMembersForm(forms.Form):
    college = forms.TypedChoiceField(coerce=int, label=gettext_lazy("College"))
    membership_numbers = forms.CharField(
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        label=gettext_lazy("Membership numbers"),
        help_text=gettext_lazy(
            "One a line. They replace the college's list; any problem imports nothing."
        ),
    )

    def __init__(self, *args: Any, names: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        college = self.fields["college"]
        assert isinstance(college, forms.TypedChoiceField)
        college.choices = list(enumerate(names))


class CandidateForm(forms.Form):
    name = forms.CharField(max_length=200)
    statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=4000
    )
    categories = forms.CharField(
        required=False, max_length=200, help_text=gettext_lazy("Comma-separated, e.g. women")
    )

    def category_list(self) -> list[str]:
        return [c for c in self.cleaned_data.get("categories", "").split(",") if c.strip()]


class TellersForm(forms.Form):
    membership_numbers = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label=gettext_lazy("Tellers' membership numbers"),
        help_text=gettext_lazy("One a line"),
        max_length=2000,
    )

    def numbers(self) -> list[str]:
        return [n.strip().upper() for n in self.cleaned_data["membership_numbers"].split() if n]


class ShareForm(forms.Form):
    share = forms.CharField(
        max_length=200,
        label=gettext_lazy("Your key share"),
        help_text=gettext_lazy("Exactly as it was shown to you when you collected it"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class ReminderScheduleForm(forms.Form):
    hours_before_close = forms.CharField(
        required=False,
        max_length=100,
        label=gettext_lazy("Send reminders this many hours before the close"),
        help_text=gettext_lazy(
            "Whole hours, separated by commas, e.g. 48, 2. Leave empty for none"
        ),
    )
    to_everyone = forms.BooleanField(
        required=False,
        label=gettext_lazy(
            "Send them to everyone on the roll, not only members who have not voted"
        ),
        help_text=gettext_lazy(
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
                raise forms.ValidationError(
                    _("“%(part)s” is not a whole number of hours (1 or more).") % {"part": part}
                )
            hours.append(int(part))
        return hours


class RejectNominationForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        label=gettext_lazy("Why the nomination fails the rules"),
        help_text=gettext_lazy(
            "The nominee and every member who can see the nominations report will read this"
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Give the reason for rejecting the nomination; the nominee will see it."
        },
    )


class ReceiptLookupForm(forms.Form):
    tracker = forms.RegexField(
        regex=r"^\s*[0-9a-fA-F]{64}\s*$",
        max_length=80,
        label=gettext_lazy("Your receipt (tracker)"),
        help_text=gettext_lazy("64 letters and digits, as shown when you voted"),
        error_messages={"invalid": gettext_lazy("A tracker is 64 letters (a to f) and digits.")},
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
    categories: tuple[str, ...] = ()  # those a quota rule of the question uses


def paper_fields(questions: list[Question]) -> dict[str, forms.Field]:
    """The ballot paper's form fields: radio buttons, tick boxes or numbered boxes."""
    fields: dict[str, forms.Field] = {}
    for question in questions:
        standing = [c for c in question.candidates.all() if not c.withdrawn]
        choices: list[tuple[str, Any]] = [(str(c.pk), c.name) for c in standing]
        if question.kind == QuestionKind.YESNO:
            # Lazy: the paper's fields are kept between requests in different languages.
            choices = [(str(c.pk), YESNO_LABELS.get(c.name, c.name)) for c in standing]
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
_PAPER_FIELDS: dict[
    tuple[int, int | None, frozenset[int]], tuple[object, dict[str, forms.Field]]
] = {}


class VoteForm(forms.Form):
    """The ballot paper: radio buttons, tick boxes or numbered boxes, one group per question."""

    idempotency_key = forms.RegexField(
        regex=r"^[A-Za-z0-9_-]{16,64}$", widget=forms.HiddenInput, max_length=64
    )

    def __init__(
        self,
        *args: Any,
        ballot: Ballot,
        validate_only: bool = False,
        voter: Voter = EVERY_VOTER,
        **kwargs: Any,
    ) -> None:
        """``validate_only``: the form checks a paper and is never drawn (the lean cast), so
        it uses the paper's shared field objects instead of copies. Checking does not change
        a field (errors are kept on the form), so sharing them between requests is safe; a
        form that is drawn gets its own copies, as Django forms do. ``voter``: where the voter
        stands on a ballot with sections or electoral colleges (the paper shows only the
        questions they answer)."""
        super().__init__(*args, **kwargs)
        self.initial.setdefault("idempotency_key", secrets.token_urlsafe(24))
        self.paper = ballot_paper(ballot)
        self.questions = list(self.paper.questions_for(voter))
        # Which college the voter is in, for each electoral college question they answer.
        self.college_notes = [
            (
                q.title,
                str(q.colleges[voter.colleges[q.pk]]["name"]),
                str(q.colleges[voter.colleges[q.pk]]["weight"]),
            )
            for q in self.questions
            if q.colleges and q.pk in voter.colleges
        ]
        # The paper's fields are made once per paper and copied, as Django copies a form
        # class's declared fields for each form (every cast builds this form).
        key = (id(self.paper), voter.region_id, frozenset(voter.colleges))
        prototype = _PAPER_FIELDS.get(key)
        if prototype is None or prototype[0] is not self.paper:
            prototype = (self.paper, paper_fields(self.questions))
            if len(_PAPER_FIELDS) >= 64:
                _PAPER_FIELDS.clear()
            _PAPER_FIELDS[key] = prototype
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
                PaperRow(
                    entry,
                    standing[pk],
                    candidate_photo_url(question.ballot_id, standing[pk]),
                    tuple(question.quota_categories_of(standing[pk])),
                )
                for entry, pk in entries
            ]
            if field is None:
                self._describe_boxes(question, lines)
            rows.append((question, field, lines))
        return rows

    def _describe_boxes(self, question: Question, lines: list[PaperRow]) -> None:
        """Each numbered box is described by the question's numbering hint, and a box with a
        mistake by its error first (the error's text is beside it, with that id)."""
        hint = f"q{question.pk}-hint"
        for line in lines:
            box = line.input
            assert isinstance(box, BoundField)
            described = f"{box.auto_id}_error {hint}" if box.errors else hint
            box.field.widget.attrs["aria-describedby"] = described

    def error_summary(self) -> list[tuple[str, str]]:
        """The paper's mistakes for the summary at the top, as (the id of the box or group to
        jump to, the message), in ballot-paper order: a message shared by several boxes (a
        number given twice) is listed once, linking to the first of them."""
        found: dict[str, str] = {}
        for field in self:
            for error in field.errors:
                found.setdefault(str(error), field.id_for_label or str(field.auto_id))
        for error in self.non_field_errors():
            found.setdefault(str(error), "")
        return [(anchor, message) for message, anchor in found.items()]

    def review(self) -> list[tuple[Question, list[str]]]:
        """Each question and the voter's choices in words, in the order they count (a ranked
        question's first preference first), for the review step before the cast; an empty
        list is a blank paper for that question. Only for a valid form."""
        answers = self.cleaned_data["answers"]
        shown = []
        for question in self.questions:
            by_pk = {c.pk: c for c in question.candidates.all()}
            names = [
                _("Equally: %(names)s")
                % {"names": ", ".join(_named(question, by_pk[pk]) for pk in choice)}
                if isinstance(choice, list)
                else _named(question, by_pk[choice])
                for choice in answers.get(question.pk, [])
            ]
            shown.append((question, names))
        return shown

    def carried(self) -> list[tuple[str, str]]:
        """The paper as posted, (name, value) for each mark, to carry through the review step
        in hidden fields (the cast re-checks it all)."""
        pairs = []
        for name in self.fields:
            for value in self.data.getlist(name) if hasattr(self.data, "getlist") else []:
                if value != "":
                    pairs.append((name, value))
        return pairs

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        stray = self._stray_paper_field()
        if stray:
            raise forms.ValidationError(stray)
        answers: dict[int, list[int | list[int]]] = {}
        for question in self.questions:
            if question.is_ranked:
                entries = [
                    (c.pk, c.name, str(data.get(field_name(question, c.pk)) or ""))
                    for c in question.candidates.all()
                    if not c.withdrawn
                ]
                equal = question.allows_equal_preferences
                problems = paper_problems(entries, allow_equal=equal)
                for problem in problems:
                    self.add_error(field_name(question, problem.candidate), problem.message)
                if not problems:
                    answers[question.pk] = (
                        _equal_ranking(ranks_from_numbers(entries))
                        if equal
                        else list(ranking_from_numbers(entries))
                    )
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
                section = next(
                    (q for q in self.paper.questions if q.pk == int(match["question"])), None
                )
                if section is not None:
                    return _("“%(question)s” is not on your ballot paper.") % {
                        "question": section.title
                    }
                return _("The ballot paper has a question that is not on this ballot.")
            candidate_id = match["candidate"]
            candidates = {c.pk: c for c in question.candidates.all()}
            candidate = candidates.get(int(candidate_id)) if candidate_id else None
            if candidate is None and candidate_id:
                return _("“%(question)s”: that is not a candidate on this ballot.") % {
                    "question": question.title
                }
            if candidate is not None and candidate.withdrawn:
                return _("“%(question)s”: %(name)s has withdrawn.") % {
                    "question": question.title,
                    "name": candidate.name,
                }
            return _("“%(question)s”: that mark is not one this ballot paper takes.") % {
                "question": question.title
            }
        return ""


def _named(question: Question, candidate: Candidate) -> str:
    """A candidate as the review step names them: with the categories a quota rule uses, or a
    yes/no answer in the page's language."""
    if question.kind == QuestionKind.YESNO:
        return answer_label(candidate.name)
    categories = question.quota_categories_of(candidate)
    return f"{candidate.name} ({', '.join(categories)})" if categories else candidate.name


def _equal_ranking(ranks: list[list[int]]) -> list[int | list[int]]:
    """Preferences as the cast takes them: a candidate id, or a list of the ids marked equal."""
    return [rank[0] if len(rank) == 1 else rank for rank in ranks]


class NominationsOpenForm(forms.Form):
    close_at = forms.DateTimeField(
        validators=[SANE_DATE], label=gettext_lazy("Nominations close"), widget=DATETIME_WIDGET
    )
    supporters_needed = forms.IntegerField(
        label=gettext_lazy("Supporting members needed"),
        min_value=0,
        max_value=10_000,
        initial=0,
        help_text=gettext_lazy("0 for none"),
    )
    groups_needed = forms.IntegerField(
        label=gettext_lazy("Or supporters from this many groups"),
        min_value=0,
        max_value=1_000,
        initial=0,
        help_text=gettext_lazy("A nomination stands if it meets either threshold; 0 for none"),
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
        label=gettext_lazy("Candidate statement"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=4000,
        help_text=gettext_lazy("What members will read about you; up to 4,000 characters"),
    )
    categories = forms.CharField(
        label=gettext_lazy("Categories you declare"),
        required=False,
        max_length=200,
        help_text=gettext_lazy(
            "For quota questions, e.g. women; comma-separated; leave empty for none"
        ),
    )
    photo = PhotoField(
        label=gettext_lazy("Photo"),
        required=False,
        help_text=gettext_lazy(
            "JPEG or PNG, at most 2 MB. If you become a candidate it is shown beside your name "
            "on the ballot paper, to anyone, from the opening of the poll"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )

    def category_list(self) -> list[str]:
        return [c for c in self.cleaned_data.get("categories", "").split(",") if c.strip()]


class NominationForm(CandidateDetailsForm):
    question = forms.ChoiceField(label=gettext_lazy("Post"))
    nominee = forms.CharField(
        label=gettext_lazy("Who you nominate"),
        required=False,
        max_length=20,
        help_text=gettext_lazy(
            "Leave empty to nominate yourself, or give the member's membership number"
        ),
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

    group = forms.TypedChoiceField(label=gettext_lazy("Group"), coerce=int)
    resolved_on = forms.DateField(
        validators=[SANE_DATE],
        label=gettext_lazy("Date the group resolved"),
        help_text=gettext_lazy("The day of the meeting that passed the resolution"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reference = forms.CharField(
        label=gettext_lazy("Where it is recorded"),
        max_length=200,
        help_text=gettext_lazy("For example “Minutes of the general meeting, item 4”"),
    )
    outcome = forms.TypedChoiceField(
        label=gettext_lazy("The motion carried at the meeting (if the meeting is recorded here)"),
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
