"""Mail to members: a mailout, one delivery row per member it is addressed to, and the members'
own unsubscribes.

The sender of a mailout sees its counts and never its recipients: no page or query that a
sender reaches returns a delivery's member or address.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MailKind(models.TextChoices):
    # Campaign mail goes only to members who consented and have not unsubscribed.
    CAMPAIGN = "campaign", _("Message from officers")
    # Ballot invitations, reminders and receipts, and statutory notices (AGMs, rule changes):
    # every member on the roll must get them, so consent and unsubscribes do not apply.
    BALLOT = "ballot", _("Ballot mail")
    NOTICE = "notice", _("Statutory notice")
    # What a member asked to be told (grassroots.notifications): sent only as their
    # preferences say, and stopped by the footer's unsubscribe link.
    NOTIFICATION = "notify", _("Notification")


TRANSACTIONAL_KINDS = frozenset({MailKind.BALLOT, MailKind.NOTICE})

# The unsubscribe scope of notification mail: a member unsubscribed from it (or from "all")
# gets no notification mail, whatever their notification preferences say.
NOTIFICATIONS_SCOPE_KEY = "notifications"


class MailoutState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class ScopeLevel(models.TextChoices):
    GROUP = "group", _("Group")
    AREA = "area", _("Area")
    REGION = "region", _("Region")
    NATION = "nation", _("Nation")
    # System mail (ballot invitations) goes to a list of members the caller chose.
    MEMBERS = "members", _("Chosen members")


class Mailout(models.Model):
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mailouts",
    )
    sender_label = models.CharField(max_length=254)
    kind = models.CharField(max_length=10, choices=MailKind.choices, default=MailKind.CAMPAIGN)
    scope_level = models.CharField(max_length=10, choices=ScopeLevel.choices)
    group = models.ForeignKey(
        "organisation.Group", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        "organisation.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        "organisation.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    statuses = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=150)
    body = models.TextField()
    # System mail written by the site, in every other language it speaks: {"cy": {"subject":
    # ..., "body": ...}}. Each member gets the text in their own language (``text_for``), so
    # one mailout still goes to the whole roll in batches; an officer's own message has none.
    translations = models.JSONField(default=dict, blank=True)
    purpose = models.CharField(max_length=200)
    created_at = models.DateTimeField(db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(
        max_length=10, choices=MailoutState.choices, default=MailoutState.QUEUED
    )
    # Counts for the delivery report; the rows behind them are never shown to the sender.
    recipients = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    skipped_no_consent = models.PositiveIntegerField(default=0)
    skipped_unsubscribed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                name="mailout_scope_matches_level",
                condition=(
                    Q(scope_level="group", group__isnull=False, area__isnull=True)
                    & Q(region__isnull=True)
                    | Q(scope_level="area", group__isnull=True, area__isnull=False)
                    & Q(region__isnull=True)
                    | Q(scope_level="region", group__isnull=True, area__isnull=True)
                    & Q(region__isnull=False)
                    | Q(scope_level__in=["nation", "members"], group__isnull=True)
                    & Q(area__isnull=True, region__isnull=True)
                ),
            ),
            models.CheckConstraint(
                name="mailout_counts_add_up",
                condition=Q(sent__lte=models.F("recipients") - models.F("failed")),
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["sender", "created_at"])]

    def __str__(self) -> str:
        return f"{self.subject} ({self.scope_name})"

    def text_for(self, language: str) -> tuple[str, str]:
        """The subject and body in ``language``, or as written when it has no such text."""
        text = self.translations.get(language) if self.translations else None
        if not text:
            return self.subject, self.body
        return str(text["subject"]), str(text["body"])

    @property
    def scope_name(self) -> str:
        if self.scope_level == ScopeLevel.NATION:
            return str(_("All members nationally"))
        if self.scope_level == ScopeLevel.MEMBERS:
            return str(_("Chosen members"))
        scope = self.group or self.area or self.region
        return str(scope)

    @property
    def scope_key(self) -> str:
        """What an unsubscribe from this mailout's footer refers to (see ``Unsubscribe``)."""
        if self.kind == MailKind.NOTIFICATION:
            return NOTIFICATIONS_SCOPE_KEY
        if self.scope_level in (ScopeLevel.NATION, ScopeLevel.MEMBERS):
            return str(self.scope_level)
        return f"{self.scope_level}:{self.group_id or self.area_id or self.region_id}"

    @property
    def pending(self) -> int:
        return max(self.recipients - self.sent - self.failed, 0)

    @property
    def is_finished(self) -> bool:
        return self.state in (MailoutState.SENT, MailoutState.FAILED)

    @property
    def percent_done(self) -> int:
        if not self.recipients:
            return 100
        return (self.sent + self.failed) * 100 // self.recipients


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One member a mailout is addressed to. Written when the mailout is queued, so the
    recipients are those of that moment, and so a worker that dies part way resumes where it
    stopped instead of mailing anyone twice."""

    # No index of its own: (mailout, member) covers it, one index less to write per delivery
    # in a 500,000-member ballot's invitation (issue 22).
    mailout = models.ForeignKey(
        Mailout, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    member = models.ForeignKey("people.Member", on_delete=models.CASCADE, related_name="+")
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    # Values for the $placeholders of system mail (a ballot's personal voting link); cleared
    # once the message has gone, so no personal link outlives its sending here.
    personal = models.JSONField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["mailout", "member"], name="delivery_once_per_member")
        ]
        indexes: ClassVar = [
            models.Index(
                fields=["mailout", "id"],
                condition=Q(state="pending"),
                name="delivery_pending",
            )
        ]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.mailout_id}/{self.member_id}: {self.state}"


class Unsubscribe(models.Model):
    """A member's refusal of campaign mail from one scope (``group:12``, ``area:3``,
    ``region:1``, ``nation``) or from all of it (``all``). Ballot mail and statutory notices
    still reach them: the rules require it."""

    ALL = "all"

    member = models.ForeignKey("people.Member", on_delete=models.CASCADE, related_name="+")
    scope_key = models.CharField(max_length=40)
    created_at = models.DateTimeField()
    # "one-click" (the mail client's List-Unsubscribe-Post) or "page" (the unsubscribe page).
    via = models.CharField(max_length=20)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["member", "scope_key"], name="unsubscribe_once")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} from {self.scope_key}"
