"""The bodies above the groups: how many delegates each group sends to an area or regional
meeting, who they are, and motions that travel upward from a group to its area, region and the
nation.

A meeting itself, its agenda and its motions belong to ``grassroots.meetings``; this app holds
foreign keys to them and adds nothing to their tables (docs/decisions.md).

Allocations keep their inputs (the membership counted for each group, its recognition status,
the seats, the minimum and any seed), so anyone can re-derive them with ``grassroots.tally``.
A forwarded motion is a chain: each ``MotionForward`` points at the carried motion of the stage
below and, once the receiving body's officers put it on an agenda, at the motion it became.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

from grassroots.organisation.models import GroupStatus, ScopeLevel

# The bodies a motion can be forwarded to, and that hold delegate meetings.
UPPER_LEVELS = (ScopeLevel.AREA, ScopeLevel.REGION, ScopeLevel.NATION)


def upper_scope_matches_level() -> Q:
    return (
        Q(to_level="area", to_area__isnull=False, to_region__isnull=True)
        | Q(to_level="region", to_area__isnull=True, to_region__isnull=False)
        | Q(to_level="nation", to_area__isnull=True, to_region__isnull=True)
    )


class DelegateAllocation(models.Model):
    """How many delegates each group sends to one area or regional meeting, by Sainte-Laguë
    over its members in good standing on ``counted_on``, at least ``minimum`` per recognised
    group. Replaced (``superseded_at``) only while no delegate has been recorded."""

    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.PROTECT, related_name="delegate_allocations"
    )
    counted_on = models.DateField()
    seats = models.PositiveIntegerField()
    minimum = models.PositiveIntegerField()
    method = models.CharField(max_length=20, default="sainte-lague")
    # The published seed, kept only when the count needed a lot.
    seed = models.BigIntegerField(null=True, blank=True)
    # The tally's rounds: each seat given by quotient and every group's quotient then.
    rounds = models.JSONField(default=list)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    made_by_label = models.CharField(max_length=254)
    made_at = models.DateTimeField()
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-made_at", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["meeting"],
                condition=Q(superseded_at__isnull=True),
                name="one_current_allocation_per_meeting",
            ),
            models.CheckConstraint(name="allocation_seats_positive", condition=Q(seats__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.seats} delegates to meeting {self.meeting_id}"


class AllocationLine(models.Model):
    """One group's inputs and share: its members counted, whether it was recognised, its seats."""

    allocation = models.ForeignKey(
        DelegateAllocation, on_delete=models.CASCADE, related_name="lines"
    )
    group = models.ForeignKey("organisation.Group", on_delete=models.PROTECT, related_name="+")
    recognition_status = models.CharField(max_length=16)
    is_recognised = models.BooleanField()
    members = models.PositiveIntegerField()
    delegates = models.PositiveIntegerField()

    class Meta:
        ordering: ClassVar = ["group__name"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["allocation", "group"], name="one_line_per_group_per_allocation"
            ),
            models.CheckConstraint(
                name="unrecognised_group_gets_no_delegates",
                condition=Q(is_recognised=True) | Q(delegates=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group_id}: {self.delegates}"

    @property
    def recognition_label(self) -> str:
        return str(GroupStatus(self.recognition_status).label)


class ElectedBy(models.TextChoices):
    MEETING = "meeting", gettext_lazy("Elected at a group meeting")
    BALLOT = "ballot", gettext_lazy("Elected by a ballot")


class WithdrawnHow(models.TextChoices):
    WITHDREW = "withdrew", gettext_lazy("Withdrew")
    REMOVED = "removed", gettext_lazy("Withdrawn by the group")


class Delegate(models.Model):
    """A member elected by their group to represent it at an area or regional meeting.

    A delegate holds their seat until they withdraw, or the group's officers withdraw them
    (with a reason); the row stays, with when and why the seat was given up, and the member
    the group elected in their place points back at it (``replaces``), so the list shows who
    held each seat when. Only a delegate not withdrawn (``withdrawn_at`` empty) is a delegate."""

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey("organisation.Group", on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey("people.Member", on_delete=models.PROTECT, related_name="+")
    elected_by = models.CharField(max_length=10, choices=ElectedBy.choices)
    group_meeting = models.ForeignKey(
        "meetings.Meeting", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ballot = models.ForeignKey(
        "ballots.Ballot", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by_label = models.CharField(max_length=254)
    recorded_at = models.DateTimeField()
    # The seat's previous holder, withdrawn, whom the group elected this delegate to replace.
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_how = models.CharField(max_length=10, choices=WithdrawnHow.choices, blank=True)
    withdrawal_reason = models.TextField(blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_by_label = models.CharField(max_length=254, blank=True)

    class Meta:
        ordering: ClassVar = ["group__name", "recorded_at", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["meeting", "member"],
                condition=Q(withdrawn_at__isnull=True),
                name="current_delegate_once_per_meeting",
            ),
            models.CheckConstraint(
                name="delegate_elected_with_evidence",
                condition=Q(elected_by="meeting", group_meeting__isnull=False, ballot__isnull=True)
                | Q(elected_by="ballot", group_meeting__isnull=True, ballot__isnull=False),
            ),
            # The group's officers give a reason; a delegate may simply stand down.
            models.CheckConstraint(
                name="delegate_withdrawal_recorded_whole",
                condition=Q(withdrawn_at__isnull=True, withdrawn_how="", withdrawal_reason="")
                | Q(withdrawn_at__isnull=False, withdrawn_how="withdrew")
                | (
                    Q(withdrawn_at__isnull=False, withdrawn_how="removed")
                    & ~Q(withdrawal_reason="")
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"Delegate {self.member_id} of group {self.group_id}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class ForwardStatus(models.TextChoices):
    AWAITING = "awaiting", gettext_lazy("Awaiting a place on an agenda")
    ON_AGENDA = "on_agenda", gettext_lazy("On an agenda")
    COMPOSITED = "composited", gettext_lazy("Composited with other motions")


class MotionForward(models.Model):
    """A carried motion sent up to a body (an area, a region or the nation).

    ``motion`` is the carried motion at the stage below; ``placed_motion`` is the motion it
    became on the receiving meeting's agenda, itself open to amendment there and, once carried,
    to forwarding on. The previous stage of a forwarded motion is therefore
    ``forward.motion.arrived_by`` (or ``.composited_from``), back to the group it started in."""

    motion = models.OneToOneField(
        "meetings.Motion", on_delete=models.PROTECT, related_name="forward"
    )
    to_level = models.CharField(max_length=10, choices=ScopeLevel.choices)
    to_area = models.ForeignKey(
        "organisation.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_region = models.ForeignKey(
        "organisation.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Who moves it at the receiving body, and confirms any composite: by default the member
    # who proposed it below.
    mover = models.ForeignKey("people.Member", on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    forwarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    forwarded_by_label = models.CharField(max_length=254)
    forwarded_at = models.DateTimeField()
    status = models.CharField(
        max_length=12, choices=ForwardStatus.choices, default=ForwardStatus.AWAITING
    )
    placed_motion = models.OneToOneField(
        "meetings.Motion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="arrived_by",
    )
    placed_by_label = models.CharField(max_length=254, blank=True)
    placed_at = models.DateTimeField(null=True, blank=True)
    composite = models.ForeignKey(
        "Composite", null=True, blank=True, on_delete=models.PROTECT, related_name="parts"
    )

    class Meta:
        ordering: ClassVar = ["-forwarded_at", "-id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                name="forward_scope_matches_level", condition=upper_scope_matches_level()
            ),
            models.CheckConstraint(
                name="forward_placed_when_on_agenda",
                condition=Q(status="on_agenda", placed_motion__isnull=False)
                | Q(status="awaiting", placed_motion__isnull=True)
                | Q(status="composited", composite__isnull=False),
            ),
        ]
        indexes: ClassVar = [
            models.Index(
                fields=["to_level", "to_area", "to_region", "status"], name="forward_inbox"
            )
        ]

    def __str__(self) -> str:
        return f"Forward of motion {self.motion_id} to {self.to_level}"

    @property
    def to_name(self) -> str:
        scope = self.to_area or self.to_region
        return str(scope) if scope else "National"


class CompositeStatus(models.TextChoices):
    PROPOSED = "proposed", gettext_lazy("Awaiting the movers' agreement")
    ON_AGENDA = "on_agenda", gettext_lazy("On an agenda")


class Composite(models.Model):
    """One motion drafted by the receiving body's officers from several forwarded motions on the
    same subject. It goes on an agenda, in place of its parts, only once every part's mover has
    agreed to the text."""

    to_level = models.CharField(max_length=10, choices=ScopeLevel.choices)
    to_area = models.ForeignKey(
        "organisation.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_region = models.ForeignKey(
        "organisation.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(max_length=200)
    text = models.TextField()
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_by_label = models.CharField(max_length=254)
    proposed_at = models.DateTimeField()
    status = models.CharField(
        max_length=12, choices=CompositeStatus.choices, default=CompositeStatus.PROPOSED
    )
    placed_motion = models.OneToOneField(
        "meetings.Motion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="composited_from",
    )
    placed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-proposed_at", "-id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                name="composite_scope_matches_level", condition=upper_scope_matches_level()
            ),
            models.CheckConstraint(
                name="composite_placed_when_on_agenda",
                condition=Q(status="on_agenda", placed_motion__isnull=False)
                | Q(status="proposed", placed_motion__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"Composite: {self.title}"

    @property
    def to_name(self) -> str:
        scope = self.to_area or self.to_region
        return str(scope) if scope else "National"


class CompositeAgreement(models.Model):
    """A part's mover agreed to the composite's text."""

    composite = models.ForeignKey(Composite, on_delete=models.CASCADE, related_name="agreements")
    forward = models.ForeignKey(MotionForward, on_delete=models.CASCADE, related_name="+")
    agreed_by = models.ForeignKey("people.Member", on_delete=models.PROTECT, related_name="+")
    agreed_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["composite", "forward"], name="one_agreement_per_part")
        ]

    def __str__(self) -> str:
        return f"Agreement to composite {self.composite_id} for forward {self.forward_id}"
