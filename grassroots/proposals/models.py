"""Decisions between meetings: proposals a body's members decide on online before a deadline.

A proposal belongs to one body (a group, an area, a region or the nation) with the usual
``level`` plus scope columns. Who may take part is fixed when it opens (``Participant``: the
body's members in good standing that day), so a count can be made again and agree. A member's
``Position`` is their latest stance, one row per member (the database holds it); every change is
kept as a ``PositionChange``. The outcome rules are in ``rules`` (no Django).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy

from grassroots.organisation.models import ScopeLevel, scope_matches_level
from grassroots.proposals.rules import CONTESTED, Process, Result


def say_outcome(sentence: Mapping[str, Any], *, fallback: str = "") -> str:
    """An outcome sentence (``rules.Sentence.as_json()``) in the active language; ``fallback``
    when there is none, or its translation does not fit its figures."""
    msgid, params = sentence.get("msgid"), sentence.get("params")
    if not isinstance(msgid, str) or not msgid or not isinstance(params, dict):
        return fallback
    try:
        return gettext(msgid) % params
    except (KeyError, TypeError, ValueError):
        try:
            return msgid % params
        except (KeyError, TypeError, ValueError):
            return fallback


class ProcessChoice(models.TextChoices):
    CONSENT = Process.CONSENT, gettext_lazy("Consent (passes unless someone blocks)")
    CONSENSUS = Process.CONSENSUS, gettext_lazy("Consensus (agree, abstain, disagree or block)")
    MAJORITY = Process.MAJORITY, gettext_lazy("Simple majority poll")
    DOT = Process.DOT, gettext_lazy("Dot vote across options")
    SCORE = Process.SCORE, gettext_lazy("Score vote across options")
    TIME = Process.TIME, gettext_lazy("Time poll (find a meeting date)")


# How a group's page names each process in a list (the label without its explanation).
PROCESS_SHORT = {
    Process.CONSENT: gettext_lazy("consent"),
    Process.CONSENSUS: gettext_lazy("consensus"),
    Process.MAJORITY: gettext_lazy("simple majority poll"),
    Process.DOT: gettext_lazy("dot vote across options"),
    Process.SCORE: gettext_lazy("score vote across options"),
    Process.TIME: gettext_lazy("time poll"),
}


class ResultChoice(models.TextChoices):
    PASSED = Result.PASSED, gettext_lazy("Passed")
    BLOCKED = Result.BLOCKED, gettext_lazy("Blocked")
    NOT_PASSED = Result.NOT_PASSED, gettext_lazy("Not passed")
    CHOSEN = Result.CHOSEN, gettext_lazy("Decided")
    NO_MAJORITY = Result.NO_MAJORITY, gettext_lazy("No majority")
    TIED = Result.TIED, gettext_lazy("Tied")
    NO_RESPONSES = Result.NO_RESPONSES, gettext_lazy("No responses")


class WhoMayPropose(models.TextChoices):
    MEMBERS = "members", gettext_lazy("Any member of the body")
    OFFICERS = "officers", gettext_lazy("Only the officers who run its meetings")


class ProposalStatus(models.TextChoices):
    OPEN = "open", gettext_lazy("Open")
    CLOSED = "closed", gettext_lazy("Closed")
    SUPERSEDED = "superseded", gettext_lazy("Replaced by an amended version")


class Escalation(models.TextChoices):
    AGENDA = "agenda", gettext_lazy("Sent to the next meeting's agenda")
    BALLOT = "ballot", gettext_lazy("Sent to a ballot of members")


class ProposalRules(models.Model):
    """A body's rules for its proposals; a body without a row uses the defaults below."""

    level = models.CharField(max_length=10, choices=ScopeLevel.choices)
    group = models.OneToOneField(
        "organisation.Group", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    area = models.OneToOneField(
        "organisation.Area", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    region = models.OneToOneField(
        "organisation.Region", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    who_may_propose = models.CharField(
        max_length=10, choices=WhoMayPropose.choices, default=WhoMayPropose.MEMBERS
    )
    consensus_max_blocks = models.PositiveSmallIntegerField(default=0)
    consensus_agree_percent = models.PositiveSmallIntegerField(default=50)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        "people.Member", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "proposal rules"
        constraints: ClassVar = [
            models.CheckConstraint(
                name="proposal_rules_scope_matches_level", condition=scope_matches_level()
            ),
            models.CheckConstraint(
                name="proposal_rules_percent_below_100",
                condition=Q(consensus_agree_percent__lt=100),
            ),
            models.UniqueConstraint(
                fields=["level"], condition=Q(level="nation"), name="one_national_proposal_rules"
            ),
        ]

    def __str__(self) -> str:
        return f"Proposal rules ({self.get_who_may_propose_display()})"


class Proposal(models.Model):
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
    title = models.CharField(max_length=200)
    text = models.TextField()
    process = models.CharField(max_length=10, choices=ProcessChoice.choices)
    proposer = models.ForeignKey("people.Member", on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    status = models.CharField(
        max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.OPEN
    )
    # The version this one amends (the earlier one is superseded, or closed already).
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="amended_versions"
    )
    version = models.PositiveSmallIntegerField(default=1)
    # The body's rule as it stood when the proposal opened, so a later change moves no goalposts.
    consensus_max_blocks = models.PositiveSmallIntegerField(default=0)
    consensus_agree_percent = models.PositiveSmallIntegerField(default=50)
    # Dot vote: dots each member may place; score vote: the top score.
    budget = models.PositiveSmallIntegerField(default=0)
    # Time poll: how long the meeting it finds will be, in minutes.
    meeting_minutes = models.PositiveSmallIntegerField(default=120)
    eligible_count = models.PositiveIntegerField(default=0)
    # The close: written once, by ``services.closing.close_proposal``.
    closed_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(max_length=12, choices=ResultChoice.choices, blank=True)
    # The outcome in English as it was stated at the close (the record, and all there is for
    # proposals closed before sentences were kept), and the same sentence as its marked msgid
    # and figures ({"msgid": ..., "params": {...}}, rules.Sentence) to say in each reader's
    # language: ``outcome_shown``.
    outcome_words = models.TextField(blank=True)
    outcome_sentence = models.JSONField(default=dict, blank=True)
    outcome_counts = models.JSONField(default=dict, blank=True)
    chosen_option = models.ForeignKey(
        "ProposalOption", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome_statement = models.TextField(blank=True)
    statement_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    # Escalation of a blocked or contested proposal, and the meeting a time poll found.
    escalated_to = models.CharField(max_length=10, choices=Escalation.choices, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalated_by = models.ForeignKey(
        "people.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agenda_item = models.ForeignKey(
        "meetings.AgendaItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ballot = models.ForeignKey(
        "ballots.Ballot", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scheduled_meeting = models.ForeignKey(
        "meetings.Meeting", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The discussion beside it: the meetings debate thread (replies, edits with their history,
    # reports and moderation), made with its first comment (services.discussion).
    thread = models.OneToOneField(
        "meetings.DebateThread",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposal",
    )

    class Meta:
        ordering: ClassVar = ["closes_at", "id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                name="proposal_scope_matches_level", condition=scope_matches_level()
            ),
            models.CheckConstraint(
                name="proposal_closes_after_opening",
                condition=Q(closes_at__gt=models.F("opened_at")),
            ),
            models.CheckConstraint(
                name="proposal_closed_has_result",
                condition=~Q(status="closed") | (Q(closed_at__isnull=False) & ~Q(result="")),
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["group", "status", "closes_at"]),
            models.Index(fields=["level", "status", "closes_at"]),
            models.Index(fields=["status", "closes_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def scope_name(self) -> str:
        scope = self.group or self.area or self.region
        return str(scope) if scope else "National"

    @property
    def is_open(self) -> bool:
        return self.status == ProposalStatus.OPEN

    @property
    def outcome_shown(self) -> str:
        """The outcome in the reader's (the active) language; the stored English words for a
        proposal closed before its sentence was kept."""
        return say_outcome(self.outcome_sentence, fallback=self.outcome_words)

    @property
    def process_short(self) -> str:
        return str(PROCESS_SHORT.get(Process(self.process), self.get_process_display()))

    @property
    def has_options(self) -> bool:
        return self.process in (Process.MAJORITY, Process.DOT, Process.SCORE, Process.TIME)

    @property
    def takes_scores(self) -> bool:
        return self.process in (Process.DOT, Process.SCORE, Process.TIME)

    @property
    def is_contested(self) -> bool:
        return self.status == ProposalStatus.CLOSED and self.result in CONTESTED

    @property
    def passed(self) -> bool:
        return self.result in (Result.PASSED, Result.CHOSEN)


class ProposalOption(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=200)
    starts_at = models.DateTimeField(null=True, blank=True)  # time polls

    class Meta:
        ordering: ClassVar = ["position", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["proposal", "position"], name="proposal_option_position_unique"
            )
        ]

    def __str__(self) -> str:
        return self.label


class Participant(models.Model):
    """A member who may take part: in good standing in the body on the day it opened."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="participants")
    member = models.ForeignKey("people.Member", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["proposal", "member"], name="participant_once")
        ]
        indexes: ClassVar = [models.Index(fields=["member", "proposal"])]

    def __str__(self) -> str:
        return f"{self.member_id} in proposal {self.proposal_id}"


class Position(models.Model):
    """A member's position as it stands: a choice with its reason, or scores across options."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="positions")
    member = models.ForeignKey("people.Member", on_delete=models.CASCADE, related_name="+")
    choice = models.CharField(max_length=20, blank=True)
    scores = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    first_taken_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["updated_at", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["proposal", "member"], name="one_position_per_member"),
            models.CheckConstraint(
                name="block_has_reason", condition=~Q(choice="block") | ~Q(reason="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} on proposal {self.proposal_id}: {self.choice or 'scores'}"


class PositionChange(models.Model):
    """Every position a member took or withdrew, in order: the history kept beside ``Position``."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="history")
    member = models.ForeignKey("people.Member", on_delete=models.CASCADE, related_name="+")
    choice = models.CharField(max_length=20, blank=True)
    scores = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    withdrawn = models.BooleanField(default=False)
    at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["at", "id"]
        indexes: ClassVar = [models.Index(fields=["proposal", "member", "at"])]

    def __str__(self) -> str:
        return f"{self.member_id} on proposal {self.proposal_id} at {self.at:%Y-%m-%d %H:%M}"
