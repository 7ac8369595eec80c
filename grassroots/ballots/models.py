"""Ballots: the questions put to members, the frozen roll, the ballot box and its public log.

Secrecy is a property of these tables together, so it is stated here (docs/ballots.md has the
full argument):

- ``RollEntry`` says *who* has voted; ``UnsealedBallot`` and ``BallotBoxEntry`` hold *what* was
  voted. They share no key, no timestamp and no sequence: box rows have random UUID keys, no
  creation time, and a log position given only by the sealer, which moves unsealed ballots into
  the box in a freshly shuffled order, in its own transaction, with new random ids.
- ``ReceiptKeeper`` lets a retried submission find its original receipt. It names no member and
  its receipt is encrypted under a key derived from the voter's own idempotency key, which the
  server never stores; the rows are deleted when the poll closes.
"""

from __future__ import annotations

import datetime
import uuid
from typing import ClassVar

from django.db import models
from django.db.models import Q

from grassroots import clock
from grassroots.ledger.heads import key_fingerprint
from grassroots.organisation.models import ScopeLevel, scope_matches_level


class BallotStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    NOMINATIONS = "nominations", "Nominations open"
    READY = "ready", "Ready to open"
    OPEN = "open", "Open for voting"
    CLOSED = "closed", "Closed"
    COUNTED = "counted", "Counted"
    PUBLISHED = "published", "Results published"


class QuestionKind(models.TextChoices):
    YESNO = "yesno", "Yes or no"
    SINGLE = "single", "Choose one"
    APPROVAL = "approval", "Choose any number (approval)"
    IRV = "irv", "Rank the candidates, one seat (alternative vote)"
    STV = "stv", "Rank the candidates, several seats (single transferable vote)"


class StvRule(models.TextChoices):
    SCOTTISH = "scottish", "Scottish STV (SSI 2007/42)"
    ERS97 = "ers97", "ERS97"
    MEEK = "meek", "Meek"


class Ballot(models.Model):
    election_id = models.CharField(max_length=64, unique=True)
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
    status = models.CharField(
        max_length=12, choices=BallotStatus.choices, default=BallotStatus.DRAFT
    )
    nominations_close_at = models.DateTimeField(null=True, blank=True)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    # Eligibility: membership statuses allowed, and (optionally) joined before this date.
    eligible_statuses = models.JSONField(default=list)
    joined_before = models.DateField(null=True, blank=True)
    returning_officer = models.ForeignKey(
        "people.Member", on_delete=models.PROTECT, related_name="+"
    )
    # The election key signs tree heads and the record. Its private half is kept sealed with a
    # key derived from SECRET_KEY (grassroots.ballots.keys): a database dump alone cannot sign.
    election_public_key = models.BinaryField(max_length=32)
    election_private_key_sealed = models.BinaryField(max_length=128)
    tellers_public_key = models.BinaryField(max_length=32, null=True, blank=True)
    tellers_count = models.PositiveSmallIntegerField(default=3)
    threshold = models.PositiveSmallIntegerField(default=2)
    roll_size = models.PositiveIntegerField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    counted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    voted_count = models.PositiveIntegerField(null=True, blank=True)  # set at close
    # A nomination stands if it has this many supporters, or supporters from this many groups
    # (0 and 0: no supporters needed).
    nomination_supporters = models.PositiveIntegerField(default=0)
    nomination_groups = models.PositiveIntegerField(default=0)
    # Per group within the ballot's scope, from the frozen roll at the close:
    # [{"scope": "Leeds Central", "roll_size": 120, "voted": 80}, ...]
    turnout = models.JSONField(default=list, blank=True)
    invitations_sent_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    # Scheduled reminders (ScheduledReminder) go only to members who have not voted, unless
    # this is set: then to everyone, which keeps no dated list of non-voters (docs/ballots.md).
    reminders_to_everyone = models.BooleanField(default=False)
    # The count runs as a background task for large ballots; these show its progress.
    count_requested_at = models.DateTimeField(null=True, blank=True)
    count_total = models.PositiveIntegerField(null=True, blank=True)
    count_done = models.PositiveIntegerField(default=0)
    # Once every ballot is decrypted: how many questions have been counted so far.
    count_questions_done = models.PositiveSmallIntegerField(default=0)
    count_error = models.TextField(blank=True)
    # The published result handed back to the motion or initiative that asked for the ballot
    # (grassroots.ballots.results): when it was, or why it has not been yet.
    result_delivered_at = models.DateTimeField(null=True, blank=True)
    result_delivery_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["-opens_at", "-id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                name="ballot_scope_matches_level",
                condition=scope_matches_level(),
            ),
            models.CheckConstraint(
                name="ballot_closes_after_opening", condition=Q(closes_at__gt=models.F("opens_at"))
            ),
            models.CheckConstraint(
                name="ballot_threshold_within_tellers",
                condition=Q(threshold__gte=1) & Q(threshold__lte=models.F("tellers_count")),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def scope_name(self) -> str:
        scope = self.group or self.area or self.region
        return str(scope) if scope else "National"

    @property
    def election_key_hex(self) -> str:
        """The election's public key as ``--election-key`` takes it (64 hex digits)."""
        return bytes(self.election_public_key).hex()

    @property
    def election_key_fingerprint(self) -> str:
        return key_fingerprint(bytes(self.election_public_key))

    @property
    def is_open(self) -> bool:
        """Open iff the status says so and the database clock is inside the polling window."""
        moment = clock.now()
        return self.status == BallotStatus.OPEN and self.opens_at <= moment < self.closes_at

    @property
    def is_editable(self) -> bool:
        return self.status in (BallotStatus.DRAFT, BallotStatus.NOMINATIONS)

    @property
    def nominations_are_open(self) -> bool:
        """Open iff the status says so and the database clock is before the close of nominations."""
        return (
            self.status == BallotStatus.NOMINATIONS
            and self.nominations_close_at is not None
            and clock.now() < self.nominations_close_at
        )

    @property
    def is_counting(self) -> bool:
        return self.status == BallotStatus.CLOSED and self.count_requested_at is not None


class KeptShares(models.Model):
    """A ballot's tellers' shares held by the deployment's share keeper
    (``grassroots.ballots.custody.ServerSealedShares``), sealed under the server key. Only a
    deployment whose settings name a share keeper writes here; production's never do."""

    ballot = models.OneToOneField(Ballot, on_delete=models.CASCADE, related_name="kept_shares")
    sealed = models.BinaryField(max_length=2048)
    kept_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "kept shares"

    def __str__(self) -> str:
        return f"Kept shares of ballot {self.ballot_id}"


class Question(models.Model):
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=10, choices=QuestionKind.choices)
    stv_rule = models.CharField(max_length=10, choices=StvRule.choices, blank=True)
    seats = models.PositiveSmallIntegerField(default=1)
    # [{"category": "women", "minimum": 2, "maximum": null}, ...]
    constraints = models.JSONField(default=list, blank=True)
    # Seed for lots the rules cannot settle; fixed (and published) before the poll opens.
    seed = models.BigIntegerField()
    result = models.JSONField(null=True, blank=True)
    report_html = models.TextField(blank=True)

    class Meta:
        ordering: ClassVar = ["ballot", "position"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["ballot", "position"], name="question_position_unique"),
            models.CheckConstraint(name="question_has_seats", condition=Q(seats__gte=1)),
            models.CheckConstraint(
                name="question_stv_has_rule",
                condition=Q(kind="stv", stv_rule__in=["scottish", "ers97", "meek"])
                | (~Q(kind="stv") & Q(stv_rule="")),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def ledger_id(self) -> str:
        return f"q{self.position}"

    @property
    def counting_rule(self) -> str:
        return {
            QuestionKind.YESNO: "yesno",
            QuestionKind.SINGLE: "plurality",
            QuestionKind.APPROVAL: "approval",
            QuestionKind.IRV: "irv",
        }.get(QuestionKind(self.kind), self.stv_rule)

    @property
    def is_ranked(self) -> bool:
        return self.kind in (QuestionKind.IRV, QuestionKind.STV)


class Candidate(models.Model):
    """A candidate, or for a yes/no question one of the answers (Yes, No, Abstain)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="candidates")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    statement = models.TextField(blank=True)
    member = models.ForeignKey(
        "people.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    categories = models.JSONField(default=list, blank=True)  # e.g. ["women"]
    withdrawn = models.BooleanField(default=False)
    photo = models.FileField(upload_to="ballots/photos/", blank=True, max_length=200)

    class Meta:
        ordering: ClassVar = ["question", "position"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["question", "position"], name="candidate_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Teller(models.Model):
    """A teller holds one share of the tellers' private key.

    The share exists on the server only until the teller collects it (sealed with the server
    key meanwhile); the ballot cannot open until every teller has collected theirs. After the
    close the teller enters it again, and it is kept, because the election record publishes it.
    """

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="tellers")
    member = models.ForeignKey("people.Member", on_delete=models.PROTECT, related_name="+")
    share_index = models.PositiveSmallIntegerField()
    pending_share_sealed = models.BinaryField(max_length=256, null=True, blank=True)
    has_collected_share = models.BooleanField(default=False)
    revealed_share = models.CharField(max_length=200, blank=True)
    # grassroots.ledger.crypto.share_hash of the share made for this teller, kept from set-up
    # and published in the election's parameters: a share entered at the count must match it.
    share_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering: ClassVar = ["ballot", "share_index"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["ballot", "member"], name="teller_once_per_ballot"),
            models.UniqueConstraint(
                fields=["ballot", "share_index"], name="teller_share_index_unique"
            ),
            models.CheckConstraint(
                name="teller_collected_share_is_gone",
                condition=Q(has_collected_share=False) | Q(pending_share_sealed__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"Teller {self.share_index}"


class RollEntry(models.Model):
    """One member's place on the frozen roll. ``has_voted`` is the only trace of a vote here."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="roll")
    member = models.ForeignKey("people.Member", on_delete=models.PROTECT, related_name="+")
    # The member's home group when the roll was frozen, for the published turnout by group.
    group = models.ForeignKey(
        "organisation.Group", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    has_voted = models.BooleanField(default=False)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["ballot", "member"], name="roll_entry_once"),
        ]
        indexes: ClassVar = [models.Index(fields=["member", "ballot"])]

    def __str__(self) -> str:
        return f"Roll entry {self.pk}"


class UnsealedBallot(models.Model):
    """A cast ballot waiting for the sealer: written with the roll mark, deleted by the sealer.

    It is the outbox between casting and the public log, so nothing written in the casting
    transaction outlives the next seal.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="+")
    ciphertext = models.BinaryField()
    tracker = models.CharField(max_length=64, unique=True)

    def __str__(self) -> str:
        return self.tracker


class BallotBoxEntry(models.Model):
    """A sealed ballot in the public log: random id, no time, no member; placed by the sealer."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="box")
    log_index = models.PositiveIntegerField()
    ciphertext = models.BinaryField()
    tracker = models.CharField(max_length=64, unique=True)
    plaintext = models.BinaryField(null=True, blank=True)  # filled by the tellers' decryption

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["ballot", "log_index"], name="box_log_index_unique"),
        ]

    def __str__(self) -> str:
        return self.tracker


class LogHead(models.Model):
    """A signed tree head (grassroots.ledger.heads), published as it is signed.

    Heads are numbered 0, 1, 2... per ballot in the order signed; the number is in the signed
    bytes, and the election record must hold every one (check 5 of the verifier).
    """

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="heads")
    sequence = models.PositiveIntegerField()
    tree_size = models.PositiveIntegerField()
    root_hash = models.BinaryField(max_length=32)
    timestamp = models.CharField(max_length=20)
    signature = models.BinaryField(max_length=64)

    class Meta:
        ordering: ClassVar = ["ballot", "sequence"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["ballot", "sequence"], name="head_sequence_unique"),
        ]

    def __str__(self) -> str:
        return f"Head {self.sequence}: {self.tree_size} ballots at {self.timestamp}"


class ScheduledReminder(models.Model):
    """A reminder the scheduler sends once, ``hours_before_close`` hours before the close.

    ``sent_at`` is set in the transaction that queues the mail, under the row's lock, so two
    scheduler runs (or two nodes) cannot both send it; the unique constraint keeps one row per
    time.
    """

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="reminders")
    hours_before_close = models.PositiveIntegerField()
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["ballot", "-hours_before_close"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["ballot", "hours_before_close"], name="reminder_once_per_time"
            ),
            models.CheckConstraint(
                name="reminder_before_close", condition=Q(hours_before_close__gte=1)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hours_before_close} hours before the close"

    @property
    def due_at(self) -> datetime.datetime:
        return self.ballot.closes_at - datetime.timedelta(hours=self.hours_before_close)


class ReceiptKeeper(models.Model):
    """The receipt of one cast, found again only with the voter's own idempotency key.

    ``key_hash`` is SHA-256 over the ballot, the member and the key; ``receipt_sealed`` is the
    receipt sealed with a key derived from the idempotency key. Neither names the member, and
    without the key (held only by the voter's browser form) the receipt cannot be read.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="+")
    key_hash = models.CharField(max_length=64, unique=True)
    receipt_sealed = models.BinaryField()

    def __str__(self) -> str:
        return self.key_hash[:12]


class NominationStatus(models.TextChoices):
    AWAITING_CONSENT = "awaiting", "Awaiting the nominee's consent"
    STANDING = "standing", "Standing"
    WITHDRAWN = "withdrawn", "Withdrawn"
    CONFIRMED = "confirmed", "Confirmed as a candidate"
    INVALID = "invalid", "Not valid"
    REJECTED = "rejected", "Rejected by the returning officer"


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
