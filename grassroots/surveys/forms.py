from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext, gettext_lazy

from grassroots.surveys.models import QuestionKind, SurveyQuestion
from grassroots.surveys.services import MAX_TEXT, AnswerValue


class SurveyForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Why you are asking, and what will be done with the answers."),
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("Who is asked"),
        help_text=gettext_lazy("Members whose home group is here"),
    )
    is_anonymous = forms.BooleanField(
        required=False,
        initial=True,
        label=gettext_lazy("Anonymous: answers are kept with no link to who gave them"),
        help_text=gettext_lazy(
            "Untick to record who gave each answer; members are told before they answer."
        ),
    )

    def __init__(self, *args: Any, scope_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["scope"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = scope_choices


class QuestionForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Question"), max_length=300)
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of answer"), choices=QuestionKind.choices, widget=forms.RadioSelect
    )
    options = forms.CharField(
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("For a choice question: one option per line."),
    )
    scale_min = forms.IntegerField(
        label=gettext_lazy("Scale from"), initial=1, min_value=-10, max_value=10
    )
    scale_max = forms.IntegerField(
        label=gettext_lazy("Scale to"), initial=5, min_value=-10, max_value=20
    )
    scale_min_label = forms.CharField(
        label=gettext_lazy("Label for the lowest point"), required=False, max_length=60
    )
    scale_max_label = forms.CharField(
        label=gettext_lazy("Label for the highest point"), required=False, max_length=60
    )
    is_required = forms.BooleanField(
        label=gettext_lazy("Members must answer it"), required=False, initial=True
    )

    def option_list(self) -> list[str]:
        return [line.strip() for line in str(self.cleaned_data["options"]).splitlines()]


class AnswerForm(forms.Form):
    def __init__(self, *args: Any, questions: list[SurveyQuestion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            name = f"q{question.pk}"
            label = f"{question.position}. {question.text}"
            required = question.is_required
            field: forms.Field
            if question.kind == QuestionKind.SINGLE:
                field = forms.TypedChoiceField(
                    coerce=int,
                    choices=list(enumerate(question.options)),
                    widget=forms.RadioSelect,
                    error_messages={"required": gettext("Choose one option.")},
                )
            elif question.kind == QuestionKind.MULTIPLE:
                field = forms.TypedMultipleChoiceField(
                    coerce=int,
                    choices=list(enumerate(question.options)),
                    widget=forms.CheckboxSelectMultiple,
                    error_messages={"required": gettext("Choose at least one option.")},
                )
            elif question.kind == QuestionKind.SCALE:
                points = range(question.scale_min, question.scale_max + 1)
                field = forms.TypedChoiceField(
                    coerce=int,
                    choices=[(n, _point_label(question, n)) for n in points],
                    widget=forms.RadioSelect,
                    error_messages={"required": gettext("Choose a point on the scale.")},
                )
            else:
                field = forms.CharField(
                    max_length=MAX_TEXT,
                    widget=forms.Textarea(attrs={"rows": 4}),
                    error_messages={"required": gettext("Write your answer.")},
                )
            field.required = required
            field.label = label
            if not required:
                field.help_text = "Optional"
            self.fields[name] = field

    def answers(self) -> dict[int, AnswerValue]:
        found: dict[int, AnswerValue] = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"q{question.pk}")
            if value in (None, "", []):
                continue
            found[question.pk] = [value] if question.kind == QuestionKind.SINGLE else value
        return found


def _point_label(question: SurveyQuestion, n: int) -> str:
    if n == question.scale_min and question.scale_min_label:
        return f"{n} ({question.scale_min_label})"
    if n == question.scale_max and question.scale_max_label:
        return f"{n} ({question.scale_max_label})"
    return str(n)
