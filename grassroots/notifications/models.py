"""Notifications: what the apps tell a member (a ballot opened, a motion waits for a seconder,
a meeting was called), kept in an in-app inbox and mailed as the member's preferences say.

A notification is written once per member it concerns. Whether and when it is mailed is fixed
when it is written, from the member's preference for its kind (or the kind's default): at once,
in the next daily or weekly digest, or never. Reading it in the app before the digest goes
takes it out of the digest.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grassroots.notifications.messages import render


class Kind(models.TextChoices):
    BALLOT = "ballot", _("Ballots opening and results published")
    MOTION = "motion", _("Motions waiting for you to second them")
    MEETING = "meeting", _("Meetings and events called in your groups")
    SURVEY = "survey", _("Surveys opened in your groups")
    INITIATIVE = "initiative", _("Member initiatives collecting signatures")
    PROPOSAL = "proposal", _("Proposals to decide between meetings")
    ROLE = "role", _("Work for a role you hold")


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", _("By email straight away")
    DAILY = "daily", _("In a daily email digest")
    WEEKLY = "weekly", _("In a weekly email digest")
    IN_APP = "in_app", _("Only here, no email")


DIGESTS = (Delivery.DAILY, Delivery.WEEKLY)

# Ballot invitations and results already reach every voter by ballot mail (the rules require
# it), so a ballot notification is in-app unless the member asks for more.
DEFAULT_DELIVERY: dict[str, str] = {
    Kind.BALLOT: Delivery.IN_APP,
    Kind.MOTION: Delivery.WEEKLY,
    Kind.MEETING: Delivery.DAILY,
    Kind.SURVEY: Delivery.WEEKLY,
    Kind.INITIATIVE: Delivery.WEEKLY,
    Kind.PROPOSAL: Delivery.DAILY,
    Kind.ROLE: Delivery.DAILY,
}


class Notification(models.Model):
    member = models.ForeignKey("people.Member", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # What it says (notifications.messages): a message key and its parameters, put into words
    # in the reader's language when it is read. ``title`` is those words in the movement's
    # default language, as written; a row with no key (older, or a caller's own words) shows it.
    message = models.CharField(max_length=40, blank=True, default="")
    params = models.JSONField(default=dict, blank=True)
    title = models.CharField(max_length=200)
    # A path on this site ("/ballots/12/"): the thing the notification is about.
    url = models.CharField(max_length=300)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    # The digest that will mail it ("daily" or "weekly"), or "" when it is not waiting for one.
    digest = models.CharField(max_length=8, blank=True, default="")
    mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [
            # The inbox, newest first, and the unread count in the header.
            models.Index(fields=["member", "-created_at", "-id"], name="notification_inbox"),
            models.Index(
                fields=["member"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
            # The digest run: what waits for each frequency, member by member.
            models.Index(
                fields=["digest", "member", "id"],
                condition=~Q(digest=""),
                name="notification_digest_due",
            ),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                name="notification_digest_known",
                condition=Q(digest__in=["", *DIGESTS]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.title}"

    @property
    def text(self) -> str:
        """What it says, in the active language."""
        return render(self.message, self.params, self.title)


class Preference(models.Model):
    """A member's choice for one kind; a kind without a row has its default."""

    member = models.ForeignKey("people.Member", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    delivery = models.CharField(max_length=10, choices=Delivery.choices)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["member", "kind"], name="notification_pref_once"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.kind}: {self.delivery}"


class DigestRun(models.Model):
    """One digest sent for one period (a day, or a week by its Monday): the unique period
    makes a second run of the same period, on this node or another, do nothing."""

    frequency = models.CharField(max_length=8, choices=[(d.value, d.label) for d in DIGESTS])
    period = models.DateField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    members = models.PositiveIntegerField(default=0)
    notifications = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["frequency", "period"], name="digest_once_a_period"),
        ]

    def __str__(self) -> str:
        return f"{self.frequency} digest for {self.period}"
