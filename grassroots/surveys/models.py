"""Surveys: officers ask the members in a scope questions; each member answers once.

Anonymity is a property of these tables together (docs/surveys.md has the argument):

- ``Respondent`` says *who* has answered; it is the only per-member row for an anonymous survey.
- An anonymous survey's answers are first written as a ``PendingResponse`` (the outbox, in the
  same transaction as the mark, so an answer is never lost or doubled); the mixer moves pending
  responses into ``Response``/``Answer`` in batches, in a shuffled order, with new random ids and
  no member and no time, in its own transaction, and deletes the pending rows. Nothing left in
  the tables links a response to a respondent.
- A named (not anonymous) survey's response carries its member and time directly.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

from grassroots.organisation.models import ScopeLevel, scope_matches_level


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", gettext_lazy("Draft")
    OPEN = "open", gettext_lazy("Open for answers")
    CLOSED = "closed", gettext_lazy("Closed")


class QuestionKind(models.TextChoices):
    SINGLE = "single", gettext_lazy("Choose one")
    MULTIPLE = "multiple", gettext_lazy("Choose any number")
    SCALE = "scale", gettext_lazy("A scale")
    TEXT = "text", gettext_lazy("Free text")


class Survey(models.Model):
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    level = models.CharField(max_length=10, choices=ScopeLevel.choices)
    group = models.ForeignKey(
        "organisation.Group", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        "organisation.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        "organisation.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_anonymous = models.BooleanField(default=True)
    status = models.CharField(
        max_length=8, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    created_by = models.ForeignKey("people.Member", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                name="survey_scope_matches_level", condition=scope_matches_level()
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def scope_name(self) -> str:
        scope = self.group or self.area or self.region
        return str(scope) if scope else "National"


class SurveyQuestion(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)
    kind = models.CharField(max_length=8, choices=QuestionKind.choices)
    options = models.JSONField(default=list, blank=True)  # the choices, for single and multiple
    scale_min = models.SmallIntegerField(default=1)
    scale_max = models.SmallIntegerField(default=5)
    scale_min_label = models.CharField(max_length=60, blank=True)
    scale_max_label = models.CharField(max_length=60, blank=True)
    is_required = models.BooleanField(default=True)

    class Meta:
        ordering: ClassVar = ["survey", "position"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["survey", "position"], name="survey_question_position_unique"
            ),
            models.CheckConstraint(
                name="survey_scale_in_order", condition=Q(scale_max__gt=models.F("scale_min"))
            ),
        ]

    def __str__(self) -> str:
        return self.text


class Respondent(models.Model):
    """The "has answered" mark: a member answers a survey once. No time, no response id."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="respondents")
    member = models.ForeignKey("people.Member", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["survey", "member"], name="survey_answered_once"),
        ]

    def __str__(self) -> str:
        return f"Respondent {self.pk}"


class PendingResponse(models.Model):
    """An anonymous survey's answers waiting for the mixer; deleted when it moves them."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    answers = models.JSONField()  # {"<question id>": value}

    def __str__(self) -> str:
        return f"Pending response {self.pk}"


class Response(models.Model):
    """One member's answers. Anonymous: random id, no member, no time, placed by the mixer."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    member = models.ForeignKey(
        "people.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["survey", "member"],
                condition=Q(member__isnull=False),
                name="survey_named_response_once",
            ),
            models.CheckConstraint(
                name="survey_response_member_and_time_together",
                condition=Q(member__isnull=True, submitted_at__isnull=True)
                | Q(member__isnull=False, submitted_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"Response {self.pk}"


class Answer(models.Model):
    """One answer: option indices (single, multiple), a number (scale) or text (free text)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="answers")
    choices = models.JSONField(default=list, blank=True)
    number = models.SmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["response", "question"], name="survey_answer_once"),
        ]

    def __str__(self) -> str:
        return f"Answer {self.pk}"
