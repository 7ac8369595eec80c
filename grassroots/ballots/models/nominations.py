"""Nominations for a candidate question: a member put forward, the members and the groups that
support them."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q

from grassroots.ballots.models.ballot import Candidate, Question
from grassroots.ballots.models.choices import NominationStatus


class Nomination(models.Model):
    """A member put forward for a candidate question, by themselves or by another member.

    A nomination by another member waits for the nominee's consent (they add their statement
    and categories then). After the close of nominations the returning officer confirms every
    valid one into a :class:`Candidate`.
    """

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="nominations")
    member = models.ForeignKey("people.Member", on_delete=models.PROTECT, related_name="+")
    nominated_by = models.ForeignKey("people.Member", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    statement = models.TextField(blank=True)
    photo = models.FileField(upload_to="ballots/photos/", blank=True, max_length=200)
    categories = models.JSONField(default=list, blank=True)  # self-declared, e.g. ["women"]
    status = models.CharField(max_length=10, choices=NominationStatus.choices)
    status_reason = models.CharField(max_length=300, blank=True)
    candidate = models.OneToOneField(
        Candidate, null=True, blank=True, on_delete=models.SET_NULL, related_name="nomination"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["question", "created_at", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["question", "member"], name="nomination_once"),
        ]

    def __str__(self) -> str:
        return self.name


class NominationSupport(models.Model):
    """A member's support for a nomination; their home group counts towards the group threshold."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="supports")
    member = models.ForeignKey("people.Member", on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey(
        "organisation.Group", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["nomination", "member"], name="support_once"),
        ]

    def __str__(self) -> str:
        return f"Support {self.pk}"


class GroupSupport(models.Model):
    """A local group's support for a nomination, by resolution of the group.

    One of the group's officers (``NOMINATE_BY_RESOLUTION``) records that the group resolved
    to support the nominee, on which day and where that is minuted; where the meeting is
    recorded in ``grassroots.meetings``, the carried motion is linked (by its outcome's id:
    ballots sits below meetings, so no foreign key reaches up to it). It counts
    towards the "M groups" threshold while it stands and the group is recognised. Withdrawing
    keeps the row (``withdrawn_at``), so the report and the audit agree on what happened.
    """

    nomination = models.ForeignKey(
        Nomination, on_delete=models.CASCADE, related_name="group_supports"
    )
    group = models.ForeignKey("organisation.Group", on_delete=models.PROTECT, related_name="+")
    resolved_on = models.DateField()
    reference = models.CharField(max_length=200)
    # The motion the group's meeting carried, when the meeting is recorded in meetings
    # (grassroots.ballots.resolutions): its outcome's id, and its label and link as recorded.
    carried_motion_id = models.PositiveIntegerField(null=True, blank=True)
    carried_motion_label = models.CharField(max_length=300, blank=True)
    carried_motion_url = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey("people.Member", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        "people.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["nomination", "recorded_at", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["nomination", "group"],
                condition=Q(withdrawn_at__isnull=True),
                name="group_support_once",
            ),
            models.CheckConstraint(
                name="group_support_withdrawn_by_whom",
                condition=Q(withdrawn_at__isnull=True, withdrawn_by__isnull=True)
                | Q(withdrawn_at__isnull=False, withdrawn_by__isnull=False),
            ),
            models.CheckConstraint(name="group_support_has_reference", condition=~Q(reference="")),
        ]

    def __str__(self) -> str:
        return f"Group support {self.pk}"
