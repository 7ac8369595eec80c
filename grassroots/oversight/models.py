"""Members' oversight of their committees (docs/oversight.md).

- The decisions register: each committee meeting's decisions, votes, papers and minutes,
  published to members within the days the rules allow (``OversightRules``).
- Member initiatives: a proposal or a call-in that gathers members' signatures and, at the
  threshold the rules set, goes to the body the rules name or to an all-member ballot.
  Who signed is private to each signer; the count and the timeline are public to members.
- Commitments: what the national committee promised, by when, and the evidence.
"""

from __future__ import annotations

import datetime
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy, ngettext

from grassroots import clock


class Body(models.TextChoices):
    NATIONAL_COMMITTEE = "national_committee", gettext_lazy("National Committee")
    REGIONAL_COMMITTEE = "regional_committee", gettext_lazy("Regional committee")


def _body_has_region() -> Q:
    return Q(body="national_committee", region__isnull=True) | Q(
        body="regional_committee", region__isnull=False
    )


class Route(models.TextChoices):
    BALLOT = "ballot", gettext_lazy("An all-member yes/no ballot")
    NATIONAL_COMMITTEE = "national_committee", gettext_lazy("The National Committee")


class Combine(models.TextChoices):
    ALL = "all", gettext_lazy("Every criterion set must be met")
    ANY = "any", gettext_lazy("Any one criterion set is enough")


class OversightRules(models.Model):
    """The rules as the movement adopted them, recorded by the national office. One row (id 1).

    Initiatives copy the thresholds and route when they start, so a later change of the rules
    never moves the goalposts of an initiative already collecting signatures.
    """

    publish_within_days = models.PositiveIntegerField(
        gettext_lazy("Publish a meeting's record within (days)"), default=14
    )
    national_votes_named = models.BooleanField(
        gettext_lazy("The National Committee records how each member voted"), default=True
    )
    regional_votes_named = models.BooleanField(
        gettext_lazy("Regional committees record how each member voted"), default=False
    )
    signature_percent = models.DecimalField(
        gettext_lazy("Signatures needed (% of members in scope)"),
        max_digits=5,
        decimal_places=2,
        default=2,
        help_text=gettext_lazy("0 to drop this criterion"),
    )
    groups_needed = models.PositiveIntegerField(
        gettext_lazy("Signatures from at least this many groups"),
        default=10,
        help_text=gettext_lazy("0 to drop"),
    )
    regions_needed = models.PositiveIntegerField(
        gettext_lazy("…in at least this many regions"),
        default=3,
        help_text=gettext_lazy("0 to drop"),
    )
    combine = models.CharField(
        gettext_lazy("How the criteria combine"),
        max_length=3,
        choices=Combine.choices,
        default=Combine.ALL,
    )
    signing_days = models.PositiveIntegerField(
        gettext_lazy("Days an initiative collects signatures"), default=90
    )
    policy_route = models.CharField(
        gettext_lazy("A policy proposal goes to"),
        max_length=20,
        choices=Route.choices,
        default=Route.BALLOT,
    )
    rule_change_route = models.CharField(
        gettext_lazy("A rule change goes to"),
        max_length=20,
        choices=Route.choices,
        default=Route.BALLOT,
    )
    call_in_route = models.CharField(
        gettext_lazy("A call-in goes to"),
        max_length=20,
        choices=Route.choices,
        default=Route.BALLOT,
    )
    response_days = models.PositiveIntegerField(
        gettext_lazy("Days the named body has to answer"), default=28
    )
    ballot_days = models.PositiveIntegerField(
        gettext_lazy("Days an initiative ballot is open"), default=14
    )
    returning_officer = models.ForeignKey(
        "people.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=gettext_lazy("Runs initiative ballots; must hold a national office role"),
    )
    standing_tellers = models.ManyToManyField(
        "people.Member",
        blank=True,
        related_name="+",
        help_text=gettext_lazy("Hold the prepared keys' shares"),
    )
    tellers_threshold = models.PositiveSmallIntegerField(
        gettext_lazy("Tellers needed to count an initiative ballot"), default=2
    )
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "oversight rules"
        constraints: ClassVar = [
            models.CheckConstraint(name="oversight_rules_single_row", condition=Q(id=1)),
            models.CheckConstraint(
                name="oversight_rules_some_threshold",
                condition=Q(signature_percent__gt=0) | Q(groups_needed__gt=0),
            ),
            models.CheckConstraint(
                name="oversight_rules_percent_range",
                condition=Q(signature_percent__gte=0) & Q(signature_percent__lte=100),
            ),
            models.CheckConstraint(
                name="oversight_rules_positive_days",
                condition=Q(signing_days__gte=1) & Q(ballot_days__gte=1) & Q(response_days__gte=1),
            ),
        ]

    def __str__(self) -> str:
        return "Oversight rules"

    def route_for(self, kind: str) -> str:
        return {
            InitiativeKind.POLICY: self.policy_route,
            InitiativeKind.RULE_CHANGE: self.rule_change_route,
            InitiativeKind.CALL_IN: self.call_in_route,
        }[InitiativeKind(kind)]


# --- The decisions register ----------------------------------------------------------------


class Meeting(models.Model):
    """One meeting of a committee. A draft is seen only by those who record for the body;
    once published it cannot be changed (a correction is a new record at a later meeting)."""

    body = models.CharField(max_length=20, choices=Body.choices)
    region = models.ForeignKey(
        "organisation.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(max_length=200)
    held_on = models.DateField()
    minutes = models.TextField(blank=True)
    # held_on + the rules' days when the record was started: the deadline it is measured by.
    publish_by = models.DateField()
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["-held_on", "-id"]
        constraints: ClassVar = [
            models.CheckConstraint(name="meeting_region_matches_body", condition=_body_has_region())
        ]
        indexes: ClassVar = [models.Index(fields=["published_at", "held_on"])]

    def __str__(self) -> str:
        return f"{self.body_name}, {self.held_on:%d %B %Y}"

    @property
    def body_name(self) -> str:
        if self.body == Body.REGIONAL_COMMITTEE and self.region is not None:
            return gettext("%(region)s regional committee") % {"region": self.region}
        return str(Body(self.body).label)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def days_late(self) -> int:
        """Days past the deadline it was published (or, unpublished, is now); 0 if on time."""
        day = self.published_at.date() if self.published_at is not None else clock.today()
        return max(0, (day - self.publish_by).days)

    @property
    def is_late(self) -> bool:
        return self.days_late > 0


class Outcome(models.TextChoices):
    AGREED = "agreed", gettext_lazy("Agreed")
    REJECTED = "rejected", gettext_lazy("Rejected")


class CallInResult(models.TextChoices):
    UPHELD = "upheld", gettext_lazy("Upheld")
    OVERTURNED = "overturned", gettext_lazy("Overturned")


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    text = models.TextField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    # Totals, when the vote was counted; each member's vote is in DecisionVote where the rules
    # say votes are recorded by name. None: agreed without a vote.
    votes_for = models.PositiveIntegerField(null=True, blank=True)
    votes_against = models.PositiveIntegerField(null=True, blank=True)
    abstentions = models.PositiveIntegerField(null=True, blank=True)
    # Called in by members and put to an all-member ballot: what the members decided, when the
    # result was published, and the ballot (for the link to its published result).
    call_in_result = models.CharField(max_length=10, choices=CallInResult.choices, blank=True)
    call_in_decided_at = models.DateTimeField(null=True, blank=True)
    call_in_ballot = models.ForeignKey(
        "ballots.Ballot", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["meeting", "position"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["meeting", "position"], name="decision_position_once"),
            models.CheckConstraint(
                name="decision_totals_all_or_none",
                condition=Q(
                    votes_for__isnull=True, votes_against__isnull=True, abstentions__isnull=True
                )
                | Q(
                    votes_for__isnull=False, votes_against__isnull=False, abstentions__isnull=False
                ),
            ),
            models.CheckConstraint(
                name="decision_call_in_result_complete",
                condition=Q(
                    call_in_result="", call_in_decided_at__isnull=True, call_in_ballot__isnull=True
                )
                | (
                    Q(call_in_result__in=["upheld", "overturned"])
                    & Q(call_in_decided_at__isnull=False, call_in_ballot__isnull=False)
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def reference(self) -> str:
        return f"D{self.pk}"

    @property
    def was_voted(self) -> bool:
        return self.votes_for is not None


class Vote(models.TextChoices):
    FOR = "for", gettext_lazy("For")
    AGAINST = "against", gettext_lazy("Against")
    ABSTAIN = "abstain", gettext_lazy("Abstained")
    ABSENT = "absent", gettext_lazy("Absent")


class DecisionVote(models.Model):
    """How one committee member voted; their name as it was then is kept with it."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="named_votes")
    member = models.ForeignKey("people.Member", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    vote = models.CharField(max_length=10, choices=Vote.choices)

    class Meta:
        ordering: ClassVar = ["decision", "name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["decision", "member"], name="decision_vote_once")
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.vote}"


class Paper(models.Model):
    """A paper put to the meeting: checked by its bytes (grassroots.oversight.papers), stored
    under a random name, served only through the register's permission-checked view."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="papers")
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to="oversight/papers/", max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering: ClassVar = ["meeting", "id"]

    def __str__(self) -> str:
        return self.title


# --- Member initiatives --------------------------------------------------------------------


class InitiativeKind(models.TextChoices):
    POLICY = "policy", gettext_lazy("Policy proposal")
    RULE_CHANGE = "rule_change", gettext_lazy("Rule change")
    CALL_IN = "call_in", gettext_lazy("Call-in (reverse a committee decision)")


class InitiativeStatus(models.TextChoices):
    COLLECTING = "collecting", gettext_lazy("Collecting signatures")
    REACHED = "reached", gettext_lazy("Threshold reached: the ballot is being prepared")
    BALLOT = "ballot", gettext_lazy("Put to an all-member ballot")
    REFERRED = "referred", gettext_lazy("Sent to the body the rules name")
    ANSWERED = "answered", gettext_lazy("Answered by the body the rules name")
    CLOSED = "closed", gettext_lazy("Closed short of its threshold")
    CARRIED = "carried", gettext_lazy("Carried by the members' ballot")
    NOT_CARRIED = "not_carried", gettext_lazy("Not carried by the members' ballot")


# An initiative in one of these states has had its ballot's result written back to it.
DECIDED_BY_BALLOT = frozenset({InitiativeStatus.CARRIED, InitiativeStatus.NOT_CARRIED})


class Initiative(models.Model):
    kind = models.CharField(max_length=12, choices=InitiativeKind.choices)
    title = models.CharField(max_length=200)
    text = models.TextField()
    decision = models.ForeignKey(
        Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="call_ins"
    )
    # Who may sign: every member (region empty) or the members of one region, for a call-in of
    # a regional committee's decision.
    region = models.ForeignKey(
        "organisation.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_by = models.ForeignKey("people.Member", on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    status = models.CharField(
        max_length=12, choices=InitiativeStatus.choices, default=InitiativeStatus.COLLECTING
    )
    # The rules as they stood when it started.
    route = models.CharField(max_length=20, choices=Route.choices)
    members_in_scope = models.PositiveIntegerField()
    signatures_needed = models.PositiveIntegerField()  # 0: not a criterion
    groups_needed = models.PositiveIntegerField()
    regions_needed = models.PositiveIntegerField()
    combine = models.CharField(max_length=3, choices=Combine.choices)
    # Kept under the initiative's row lock by services.sign_initiative.
    signature_count = models.PositiveIntegerField(default=0)
    group_count = models.PositiveIntegerField(default=0)
    region_count = models.PositiveIntegerField(default=0)
    reached_at = models.DateTimeField(null=True, blank=True)
    ballot = models.OneToOneField(
        "ballots.Ballot", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    response_due_on = models.DateField(null=True, blank=True)
    response = models.TextField(blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    # Closed at its deadline short of the threshold (services.close_lapsed_initiatives).
    closed_at = models.DateTimeField(null=True, blank=True)
    # The all-member ballot's published result (services.record_ballot_result).
    votes_yes = models.PositiveIntegerField(null=True, blank=True)
    votes_no = models.PositiveIntegerField(null=True, blank=True)
    votes_abstain = models.PositiveIntegerField(null=True, blank=True)
    result_published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-started_at", "-id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                name="initiative_call_in_names_decision",
                condition=Q(kind="call_in", decision__isnull=False)
                | (~Q(kind="call_in") & Q(decision__isnull=True)),
            ),
            models.UniqueConstraint(
                fields=["decision"],
                condition=Q(status="collecting"),
                name="one_collecting_call_in_per_decision",
            ),
            models.CheckConstraint(
                name="initiative_reached_is_dated",
                condition=Q(status__in=["collecting", "closed"]) | Q(reached_at__isnull=False),
            ),
            models.CheckConstraint(
                name="initiative_ballot_when_balloting",
                condition=~Q(status__in=["ballot", "carried", "not_carried"])
                | Q(ballot__isnull=False),
            ),
            models.CheckConstraint(
                name="initiative_closed_is_dated",
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
            ),
            models.CheckConstraint(
                name="initiative_ballot_result_complete",
                condition=~Q(status__in=["carried", "not_carried"])
                | Q(
                    votes_yes__isnull=False,
                    votes_no__isnull=False,
                    votes_abstain__isnull=False,
                    result_published_at__isnull=False,
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def scope_name(self) -> str:
        return f"Members in {self.region}" if self.region_id else "All members"

    @property
    def is_collecting(self) -> bool:
        """Still short of its threshold, and still open for signatures."""
        return self.status == InitiativeStatus.COLLECTING and self.is_signing_open

    @property
    def is_signing_open(self) -> bool:
        """Members may sign until the close, also after the threshold is reached: the count
        goes on showing how much support the initiative has."""
        return clock.now() < self.closes_at

    @property
    def has_lapsed(self) -> bool:
        """Past its deadline short of the threshold: closed, or about to be by the scheduler."""
        return self.status == InitiativeStatus.CLOSED or (
            self.status == InitiativeStatus.COLLECTING and clock.now() >= self.closes_at
        )

    @property
    def signatures_summary(self) -> str:
        """ "N of M signatures" (and the groups and regions, where the rules count them)."""
        parts = [
            ngettext(
                "%(count)s of %(needed)s signature",
                "%(count)s of %(needed)s signatures",
                self.signatures_needed,
            )
            % {"count": self.signature_count, "needed": self.signatures_needed}
            if self.signatures_needed
            else ngettext("%(count)s signature", "%(count)s signatures", self.signature_count)
            % {"count": self.signature_count}
        ]
        if self.groups_needed:
            parts.append(
                ngettext(
                    "%(count)s of %(needed)s group",
                    "%(count)s of %(needed)s groups",
                    self.groups_needed,
                )
                % {"count": self.group_count, "needed": self.groups_needed}
            )
        if self.regions_needed:
            parts.append(
                ngettext(
                    "%(count)s of %(needed)s region",
                    "%(count)s of %(needed)s regions",
                    self.regions_needed,
                )
                % {"count": self.region_count, "needed": self.regions_needed}
            )
        return ", ".join(parts)

    @property
    def ballot_figures(self) -> str:
        return gettext("%(yes)s yes, %(no)s no, %(abstain)s abstaining") % {
            "yes": self.votes_yes,
            "no": self.votes_no,
            "abstain": self.votes_abstain,
        }

    def threshold_met(self) -> bool:
        """The rules' test, on the counts kept on the row (read under its lock)."""
        tests = []
        if self.signatures_needed:
            tests.append(self.signature_count >= self.signatures_needed)
        if self.groups_needed or self.regions_needed:
            tests.append(
                self.group_count >= self.groups_needed and self.region_count >= self.regions_needed
            )
        if not tests:
            return False
        return all(tests) if self.combine == Combine.ALL else any(tests)


class Signature(models.Model):
    """One member's signature. Read only as counts, and by the signer themselves."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey("people.Member", on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey("organisation.Group", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("organisation.Region", on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["initiative", "member"], name="signature_once")
        ]
        indexes: ClassVar = [
            models.Index(fields=["initiative", "group"]),
            models.Index(fields=["initiative", "region"]),
        ]

    def __str__(self) -> str:
        return f"Signature {self.pk}"


class InitiativeEvent(models.Model):
    """The public timeline: started, threshold reached, ballot opened, referred, answered."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    text = models.CharField(max_length=500)

    class Meta:
        ordering: ClassVar = ["at", "id"]

    def __str__(self) -> str:
        return self.text


class PreparedKey(models.Model):
    """A tellers' key made in advance for one initiative ballot, split among the standing
    tellers. Usable once every teller has collected their share; used by exactly one ballot,
    because its shares are published in that ballot's election record after the count."""

    number = models.PositiveIntegerField(unique=True)
    public_key = models.BinaryField(max_length=32)
    threshold = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField()
    used_by = models.OneToOneField(
        Initiative, null=True, blank=True, on_delete=models.PROTECT, related_name="prepared_key"
    )

    class Meta:
        ordering: ClassVar = ["number"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"K-{self.number:04d}"


class PreparedShare(models.Model):
    key = models.ForeignKey(PreparedKey, on_delete=models.CASCADE, related_name="shares")
    member = models.ForeignKey("people.Member", on_delete=models.PROTECT, related_name="+")
    share_index = models.PositiveSmallIntegerField()
    pending_share_sealed = models.BinaryField(max_length=256, null=True, blank=True)
    has_collected_share = models.BooleanField(default=False)

    class Meta:
        ordering: ClassVar = ["key", "share_index"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["key", "member"], name="prepared_share_once"),
            models.CheckConstraint(
                name="prepared_collected_share_is_gone",
                condition=Q(has_collected_share=False) | Q(pending_share_sealed__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} share {self.share_index}"


# --- Accountability ------------------------------------------------------------------------


class CommitmentStatus(models.TextChoices):
    NOT_STARTED = "not_started", gettext_lazy("Not started")
    IN_PROGRESS = "in_progress", gettext_lazy("In progress")
    DONE = "done", gettext_lazy("Done")
    DROPPED = "dropped", gettext_lazy("Dropped (with reasons)")


class Commitment(models.Model):
    """Something the national committee said it would do, by a date."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    made_on = models.DateField()
    decision = models.ForeignKey(
        Decision, null=True, blank=True, on_delete=models.SET_NULL, related_name="commitments"
    )
    due_on = models.DateField()
    status = models.CharField(
        max_length=12, choices=CommitmentStatus.choices, default=CommitmentStatus.NOT_STARTED
    )
    evidence = models.TextField(blank=True)
    evidence_url = models.URLField(blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return (
            self.status
            in (
                CommitmentStatus.NOT_STARTED,
                CommitmentStatus.IN_PROGRESS,
            )
            and clock.today() > self.due_on
        )

    @property
    def days_overdue(self) -> int:
        return max(0, (clock.today() - self.due_on).days) if self.is_overdue else 0


class CommitmentUpdate(models.Model):
    """Each change of a commitment's status or evidence, shown as its history."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="updates")
    at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=CommitmentStatus.choices)
    note = models.TextField(blank=True)
    by_label = models.CharField(max_length=200)

    class Meta:
        ordering: ClassVar = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.commitment}: {self.status}"


def default_publish_by(held_on: datetime.date, days: int) -> datetime.date:
    return held_on + datetime.timedelta(days=days)
