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
from django.utils.translation import gettext_lazy as _


class MembershipStatus(models.TextChoices):
    MEMBER = "member", _("Member")
    SUPPORTER = "supporter", _("Supporter")
    LAPSED = "lapsed", _("Lapsed")
    SUSPENDED = "suspended", _("Suspended")
    EXPELLED = "expelled", _("Expelled")


# A suspended or expelled member votes in no ballot, whatever statuses the ballot takes.
NEVER_ELIGIBLE = ("suspended", "expelled")


class ConsentSource(models.TextChoices):
    JOIN_FORM = "join_form", _("Joining form")
    PROFILE = "profile", _("Member's own profile")
    IMPORT = "import", _("Imported record")
    EVENT = "event", _("Event sign-up")
    PAPER = "paper", _("Paper form")
    # The member asked an officer who contacted them not to be contacted again.
    CONTACT_OUTCOME = "contact_outcome", _("Told an officer who contacted them")


class Language(models.TextChoices):
    """The languages a member may read the site and their mail in (``settings.LANGUAGES``),
    each named in itself so a reader finds their own whatever the page's language."""

    ENGLISH = "en-gb", "English"
    WELSH = "cy", "Cymraeg"


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
    # The last renewal reminder sent for the current renewal date (people.lifecycle).
    renewal_reminded_on = models.DateField(null=True, blank=True)
    consent_to_contact = models.BooleanField(default=False)
    consent_recorded_at = models.DateTimeField(null=True, blank=True)
    consent_source = models.CharField(max_length=20, choices=ConsentSource.choices, blank=True)
    home_group = models.ForeignKey(
        "organisation.Group", on_delete=models.PROTECT, related_name="home_members"
    )
    other_groups = models.ManyToManyField(
        "organisation.Group", blank=True, related_name="associate_members"
    )
    # The member's language for pages and mail (docs/i18n.md): empty until their first login
    # sets it from the browser's choice; mail to a member without one is in LANGUAGE_CODE.
    language = models.CharField(max_length=8, choices=Language.choices, blank=True, default="")
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
            # The nightly lapse and the reminders read members by status and renewal date.
            models.Index(fields=["status", "renewal_due_on"], name="member_status_renewal"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def mail_language(self) -> str:
        """The language mail to this member is written in."""
        return self.language or settings.LANGUAGE_CODE

    @property
    def is_in_good_standing(self) -> bool:
        return self.status == MembershipStatus.MEMBER

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


class StatusCause(models.TextChoices):
    """What made a member's status what it became (``MemberStatusChange.cause``)."""

    JOINED = "joined", _("Joined")
    IMPORT = "import", _("Member import")
    SEED = "seed", _("Demo or benchmark data")
    LAPSE = "lapse", _("Not renewed within the grace period")
    RENEWAL = "renewal", _("Renewed")
    REJOIN = "rejoin", _("Rejoined")
    DISCIPLINE = "discipline", _("Disciplinary decision")
    APPEAL = "appeal", _("Appeal upheld")
    REINSTATE = "reinstate", _("Suspension ended")
    # The history began with migration people 0005: each member's status then, from the day
    # they joined. Earlier changes were not recorded.
    BACKFILL = "backfill", _("Status when the history began")


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
    REACHED = "reached", _("Reached")
    LEFT_MESSAGE = "left_message", _("Left a message")
    NO_ANSWER = "no_answer", _("No answer")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    DO_NOT_CONTACT = "do_not_contact", _("Asked not to be contacted")


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


# --- Joining (docs/organisation.md) --------------------------------------------------------------


class JoinApplication(models.Model):
    """Someone asked to join on the public join page. Becomes a member only once the address is
    verified by the signed link mailed to it (``people.joining``); the consent wording shown
    is kept word for word."""

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(max_length=254)
    postcode = models.CharField(max_length=10)
    group = models.ForeignKey("organisation.Group", on_delete=models.PROTECT, related_name="+")
    consent_to_contact = models.BooleanField(default=False)
    consent_wording = models.TextField()
    created_at = models.DateTimeField()
    verified_at = models.DateTimeField(null=True, blank=True)
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # An existing member record this application matched (same address, or same name and
    # postcode): kept for the Data Manager, never merged automatically.
    duplicate_of = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [models.Index(Lower("email"), name="join_email_ci")]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.created_at:%Y-%m-%d})"


# --- Discipline (docs/organisation.md) -----------------------------------------------------------


class Sanction(models.TextChoices):
    SUSPEND = "suspend", _("Suspension")
    EXPEL = "expel", _("Expulsion")


class CaseOutcome(models.TextChoices):
    PENDING = "pending", _("Awaiting a decision")
    SANCTIONED = "sanctioned", _("Sanction imposed")
    NO_ACTION = "no_action", _("No action")


class AppealOutcome(models.TextChoices):
    NONE = "", _("No appeal")
    PENDING = "pending", _("Awaiting a decision")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


class DisciplinaryCase(models.Model):
    """Notice to a member of a proposed suspension or expulsion, with its reason; the member's
    response; the decision of the body the rules name; and the member's appeal."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="disciplinary_cases")
    sanction = models.CharField(max_length=10, choices=Sanction.choices)
    reason = models.TextField()
    # The body that decides (a role held nationally, e.g. the national committee).
    body = models.CharField(max_length=32)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_by_label = models.CharField(max_length=254)
    notice_given_at = models.DateTimeField()
    respond_by = models.DateField()
    response = models.TextField(blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(
        max_length=10, choices=CaseOutcome.choices, default=CaseOutcome.PENDING
    )
    decision_reasons = models.TextField(blank=True)
    suspended_until = models.DateField(null=True, blank=True)
    decided_by_label = models.CharField(max_length=254, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    appeal = models.CharField(
        max_length=10, choices=AppealOutcome.choices, blank=True, default=AppealOutcome.NONE
    )
    appeal_statement = models.TextField(blank=True)
    appeal_lodged_at = models.DateTimeField(null=True, blank=True)
    appeal_body = models.CharField(max_length=32, blank=True)
    appeal_reasons = models.TextField(blank=True)
    appeal_decided_by_label = models.CharField(max_length=254, blank=True)
    appeal_decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-notice_given_at", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(outcome="pending"),
                name="one_open_case_per_member",
            ),
            models.CheckConstraint(
                name="case_decided_with_reasons",
                condition=Q(outcome="pending", decided_at__isnull=True)
                | (~Q(outcome="pending") & Q(decided_at__isnull=False) & ~Q(decision_reasons="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_sanction_display()} case for member {self.member_id}"


# --- Dues (docs/organisation.md) -----------------------------------------------------------------


class DuesFrequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    ANNUAL = "annual", _("Annual")


class DuesSource(models.TextChoices):
    GOCARDLESS = "gocardless", _("GoCardless export")
    STRIPE = "stripe", _("Stripe export")
    MANUAL = "manual", _("Recorded by hand")


class DuesRecord(models.Model):
    """What a member pays and up to when they have paid (``people.dues``)."""

    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="dues")
    amount_pence = models.PositiveIntegerField(default=0)
    frequency = models.CharField(
        max_length=10, choices=DuesFrequency.choices, default=DuesFrequency.MONTHLY
    )
    paid_up_to = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=12, choices=DuesSource.choices)
    last_payment_ref = models.CharField(max_length=100, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        indexes: ClassVar = [models.Index(fields=["paid_up_to"])]

    def __str__(self) -> str:
        return f"Dues of member {self.member_id} to {self.paid_up_to}"


class PaidUpRequirement(models.Model):
    """Only members whose dues are paid up to ``paid_up_by`` take part in something: a ballot's
    roll, or the membership counted for a meeting's delegate allocation (``people.dues``). Named
    by kind and id, since people sits below the apps whose rows these are."""

    kind = models.CharField(max_length=20)
    object_id = models.PositiveBigIntegerField()
    paid_up_by = models.DateField()
    reason = models.TextField()
    set_by_label = models.CharField(max_length=254)
    set_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="one_paid_up_rule_each")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}: paid up by {self.paid_up_by}"


class HomeGroupCount(models.Model):
    """How many member records have each group as their home group, kept by the database.

    Triggers on the member table (migration 0008: statement-level on PostgreSQL, over the
    statement's transition tables, so an import of 100,000 rows makes one update per group;
    row-level on SQLite) keep it exact in every transaction, whoever writes members. The
    national overview reads it instead of counting 500,000 rows: counting them needed an
    index-only scan, which is fast only while the visibility map is fresh, so the page took
    1.1 s after a bulk update until autovacuum ran, and 31 ms after (issue 22).
    tests/people/test_home_group_counts.py holds it equal to a count of the rows.
    """

    group = models.OneToOneField(
        "organisation.Group", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    members = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.members} members in group {self.group_id}"


# Membership of other organisations lives in its own module; re-exported here for Django and
# for ``from grassroots.people.models import ...``.
from grassroots.people.affiliation_models import (  # noqa: E402
    DeclaredMembership as DeclaredMembership,
)
from grassroots.people.affiliation_models import (  # noqa: E402
    OrganisationList as OrganisationList,
)
from grassroots.people.affiliation_models import (  # noqa: E402
    OrganisationListEntry as OrganisationListEntry,
)
from grassroots.people.affiliation_models import (  # noqa: E402
    OtherOrganisation as OtherOrganisation,
)
