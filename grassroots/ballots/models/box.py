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

from grassroots.ballots.models.ballot import Ballot
from grassroots.ballots.models.choices import AdmittedBy


class RollEntry(models.Model):
    """One member's place on the frozen roll. ``has_voted`` is the only trace of a vote here."""

    # The open freezes the whole roll in one statement (issue 22): no index that another covers
    # (``roll_entry_once`` leads with the ballot, the (member, ballot) index with the member),
    # and the ballot, group and region are kept by Django's rules (CASCADE, PROTECT: the ORM
    # checks them on delete) without the database's deferred per-row foreign-key check, which
    # at commit cost more than writing the rows (docs/benchmarks.md, issue 22). The member's
    # foreign key stays in the database.
    ballot = models.ForeignKey(
        Ballot, on_delete=models.CASCADE, related_name="roll", db_index=False, db_constraint=False
    )
    member = models.ForeignKey(
        "people.Member", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # The member's home group when the roll was frozen, for the published turnout by group.
    group = models.ForeignKey(
        "organisation.Group",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    # The home group's region when the roll was frozen: which sections the member answers.
    region = models.ForeignKey(
        "organisation.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    has_voted = models.BooleanField(default=False)
    # Which rule admitted the member, written by the freeze's one INSERT ... SELECT. Shown to
    # the returning officer (as counts) and to the member; never published (docs/slates.md).
    admitted_by = models.CharField(
        max_length=12, choices=AdmittedBy.choices, default=AdmittedBy.STATUS
    )

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
    # The count writes each plaintext onto its row: no ballot-only or LIKE index, and on
    # PostgreSQL the table is at fillfactor 40 (migration 0023) so that update stays on its
    # page (HOT) and writes no index entry at all (issue 22).
    ballot = models.ForeignKey(Ballot, models.CASCADE, related_name="box", db_index=False)
    log_index = models.PositiveIntegerField()
    ciphertext = models.BinaryField()
    tracker = models.CharField(max_length=64)
    plaintext = models.BinaryField(null=True, blank=True)  # filled by the tellers' decryption

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["ballot", "log_index"], name="box_log_index_unique"),
            models.UniqueConstraint(fields=["tracker"], name="box_tracker_unique"),
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


class PublishedFile(models.Model):
    """A file of the published result, built once at publication: the election record's zip
    and each ranked question's BLT. Served as stored, with its SHA-256 on the results page."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="published_files")
    name = models.CharField(max_length=100)  # "record.zip", "q1.blt"
    file = models.FileField(upload_to="ballots/published/", max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["ballot", "name"], name="published_file_once"),
        ]

    def __str__(self) -> str:
        return f"{self.name} of ballot {self.ballot_id}"


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
