"""Members and supporters: personal data, which the movement holds as political-opinion data.

Reads of another member's record go through ``people.queries`` (scoped and audited); writes go
through ``people.services``.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower


class MembershipStatus(models.TextChoices):
    MEMBER = "member", "Member"
    SUPPORTER = "supporter", "Supporter"
    LAPSED = "lapsed", "Lapsed"
    SUSPENDED = "suspended", "Suspended"


class ConsentSource(models.TextChoices):
    JOIN_FORM = "join_form", "Joining form"
    PROFILE = "profile", "Member's own profile"
    IMPORT = "import", "Imported record"
    EVENT = "event", "Event sign-up"
    PAPER = "paper", "Paper form"
    # The member asked an officer who contacted them not to be contacted again.
    CONTACT_OUTCOME = "contact_outcome", "Told an officer who contacted them"


class Member(models.Model):
    membership_number = models.CharField(max_length=20, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(max_length=254)
    phone = models.CharField(max_length=30, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    status = models.CharField(
        max_length=10, choices=MembershipStatus.choices, default=MembershipStatus.MEMBER
    )
    joined_on = models.DateField()
    renewal_due_on = models.DateField(null=True, blank=True)
    consent_to_contact = models.BooleanField(default=False)
    consent_recorded_at = models.DateTimeField(null=True, blank=True)
    consent_source = models.CharField(max_length=20, choices=ConsentSource.choices, blank=True)
    home_group = models.ForeignKey(
        "organisation.Group", on_delete=models.PROTECT, related_name="home_members"
    )
    other_groups = models.ManyToManyField(
        "organisation.Group", blank=True, related_name="associate_members"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when the record was pseudonymised (grassroots.people.erasure); the row stays, so the
    # ballot rolls and role history that point at it keep their counts.
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["last_name", "first_name", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(Lower("email"), name="member_email_unique_ci"),
            models.CheckConstraint(
                name="member_consent_has_date_and_source",
                condition=Q(consent_to_contact=False)
                | Q(consent_recorded_at__isnull=False) & ~Q(consent_source=""),
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["home_group", "last_name", "first_name"]),
            models.Index(fields=["status"]),
            models.Index(fields=["postcode"]),
            models.Index(Lower("last_name"), name="member_last_name_ci"),
            # The member list's order, so a page of 50 is read from the index, not sorted.
            models.Index(fields=["last_name", "first_name", "id"], name="member_list_order"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_in_good_standing(self) -> bool:
        return self.status == MembershipStatus.MEMBER

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


class StatusCause(models.TextChoices):
    """What made a member's status what it became (``MemberStatusChange.cause``)."""

    JOINED = "joined", "Joined"
    IMPORT = "import", "Member import"
    SEED = "seed", "Demo or benchmark data"
    # The history began with migration people 0005: each member's status then, from the day
    # they joined. Earlier changes were not recorded.
    BACKFILL = "backfill", "Status when the history began"


class MemberStatusChange(models.Model):
    """One change of a member's status: what it became, from which day, and why.

    Written by every code path that sets ``Member.status`` through
    ``grassroots.people.standing.record_status_changes``; on PostgreSQL a deferred trigger
    refuses to commit a member whose status differs from their latest entry (migration 0005).
    "In good standing on D" reads the latest entry effective on or before D
    (``standing.members_in_good_standing_on``)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(max_length=10, choices=MembershipStatus.choices)
    effective_on = models.DateField()
    cause = models.CharField(max_length=10, choices=StatusCause.choices)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["member", "effective_on", "id"]
        indexes: ClassVar = [
            # The status on a date is one probe per member: the last entry on or before it.
            models.Index(fields=["member", "effective_on", "id"], name="member_status_on_date"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.status} from {self.effective_on:%Y-%m-%d}"


class ErasedAddress(models.Model):
    """The suppression list: an HMAC of each erased member's email address, so an import can
    refuse the address again without the movement keeping the address itself
    (``grassroots.people.erasure.suppression_digest``; docs/data-protection.md)."""

    digest = models.CharField(max_length=64, unique=True)
    erased_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "erased addresses"

    def __str__(self) -> str:
        return self.digest[:12]


class ContactOutcomeKind(models.TextChoices):
    REACHED = "reached", "Reached"
    LEFT_MESSAGE = "left_message", "Left a message"
    NO_ANSWER = "no_answer", "No answer"
    WRONG_NUMBER = "wrong_number", "Wrong number"
    DO_NOT_CONTACT = "do_not_contact", "Asked not to be contacted"


class ContactOutcome(models.Model):
    """What happened when an officer contacted a member to follow up (a new joiner, a lapsed
    member); written by ``people.services.record_contact_outcome``."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="contact_outcomes")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField()
    outcome = models.CharField(max_length=20, choices=ContactOutcomeKind.choices)
    note = models.TextField(max_length=500, blank=True)

    class Meta:
        ordering: ClassVar = ["-recorded_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["member", "-recorded_at"])]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.recorded_at:%Y-%m-%d})"
