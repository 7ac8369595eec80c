"""A ballot, its questions and their candidates (or answers), and a college's weighted members."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext

from grassroots import clock
from grassroots.ballots import quotas
from grassroots.ballots.models.choices import (
    BackgroundStep,
    BallotStatus,
    MixStageStatus,
    QuestionKind,
    StvRule,
)
from grassroots.ledger.heads import key_fingerprint
from grassroots.organisation.models import ScopeLevel, scope_matches_level

if TYPE_CHECKING:
    from grassroots.ballots.models.tellers import MixStage


def equal_preferences_problem(kind: str, stv_rule: str) -> str:
    """Why a question of this kind and rule cannot take equal preferences ("" if it can), naming
    the rule: only Meek defines how to count them (docs/tally.md)."""
    if kind == QuestionKind.STV and stv_rule == StvRule.MEEK:
        return ""
    if kind == QuestionKind.STV and stv_rule:
        rule = StvRule(stv_rule).label
        return (
            f"The {rule} rule does not define how to count equal preferences: only Meek does. "
            "Choose Meek, or leave equal preferences off."
        )
    label = QuestionKind(kind).label if kind in QuestionKind.values else "this kind of question"
    return (
        f"Equal preferences are counted only by Meek STV, not by “{label}”. "
        "Choose STV with the Meek rule, or leave equal preferences off."
    )


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
    # Server mode: the tellers' X25519 key. End-to-end mode: the ElGamal election key
    # Y = Σ A_i0 from the tellers' commitments (ledger.e2e.ceremony), set when every deal is in.
    tellers_public_key = models.BinaryField(max_length=32, null=True, blank=True)
    # End-to-end verifiable (issue 14, docs/e2e.md): papers are encrypted in the voter's browser
    # to a key no server ever holds, mixed and decrypted with proofs. Off: the server seals each
    # paper to the tellers' key as it is cast (it sees the paper then).
    is_end_to_end = models.BooleanField(default=False)
    # Declared categories seen only by nominee and officers; paper and record: quota's only.
    categories_private = models.BooleanField(default=False)
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
    # Opening, closing and publishing do their per-voter work in a background task
    # (services.background): the step it is on, its progress, and why it stopped, if it did.
    background_step = models.CharField(
        max_length=12, choices=BackgroundStep.choices, blank=True, default=BackgroundStep.NONE
    )
    background_done = models.PositiveIntegerField(default=0)
    background_total = models.PositiveIntegerField(null=True, blank=True)
    background_error = models.TextField(blank=True)
    # The invitation's (and a reminder's, while it is written) mailout and the last roll entry
    # (by id) it has a delivery for, so a stopped task resumes without mailing anyone twice.
    invitation_mailout = models.ForeignKey(
        "messaging.Mailout", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_through = models.PositiveBigIntegerField(default=0)
    reminder_mailout = models.ForeignKey(
        "messaging.Mailout", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded_through = models.PositiveBigIntegerField(default=0)
    # The Merkle log's frontier (ledger.merkle.MerkleFrontier) after ``log_frontier_size``
    # leaves, so each seal hashes only the new leaves; None: rebuild it from the box once.
    log_frontier = models.BinaryField(null=True, blank=True)
    log_frontier_size = models.PositiveIntegerField(null=True, blank=True)
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
        return str(self.group or self.area or self.region or "National")

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
        return self.status == BallotStatus.OPEN and self.opens_at <= clock.now() < self.closes_at

    @property
    def is_editable(self) -> bool:
        return self.status in (BallotStatus.DRAFT, BallotStatus.NOMINATIONS)

    @property
    def nominations_are_open(self) -> bool:
        """Open iff the status says so and the database clock is before the close of nominations."""
        close = self.nominations_close_at
        return self.status == BallotStatus.NOMINATIONS and close is not None and clock.now() < close

    @property
    def is_counting(self) -> bool:
        return self.status == BallotStatus.CLOSED and self.count_requested_at is not None


class Question(models.Model):
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=10, choices=QuestionKind.choices)
    stv_rule = models.CharField(max_length=10, choices=StvRule.choices, blank=True)
    seats = models.PositiveSmallIntegerField(default=1)
    # [{"category": "women", "minimum": 2, "maximum": null}, ...]
    constraints = models.JSONField(default=list, blank=True)
    # Voters may give candidates the same number (equal preferences): only for a rule that
    # defines how to count them (Meek, docs/tally.md), set by the returning officer.
    allows_equal_preferences = models.BooleanField(default=False)
    # A section of a selection ballot (issue 16): answered by the members of this region (as
    # ``RollEntry.region`` records it); None: by every member on the roll (docs/slates.md).
    section_region = models.ForeignKey(
        "organisation.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The section's own nomination threshold; None: the ballot's.
    nomination_supporters = models.PositiveIntegerField(null=True, blank=True)
    nomination_groups = models.PositiveIntegerField(null=True, blank=True)
    # An electoral college (issue 16, grassroots.tally.colleges): [{"name": "Elected members",
    # "weight": "1/3", "everyone_else": false}, ...]. A voter is in the college that lists them
    # (CollegeMember), else in the one marked "everyone_else", else answers no paper for it.
    colleges = models.JSONField(default=list, blank=True)
    # Seed for lots the rules cannot settle; fixed (and published) before the poll opens.
    seed = models.BigIntegerField()
    # End-to-end mode: the decrypted papers of the last mix stage (plaintexts.jsonl), in order.
    e2e_papers = models.TextField(blank=True)
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
            models.CheckConstraint(
                name="question_equal_preferences_meek_only",
                condition=Q(allows_equal_preferences=False) | Q(stv_rule="meek"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def accepted_mixes(self) -> models.QuerySet[MixStage]:
        """The mix stages whose proof of shuffle held: the only ones mixed further, decrypted
        and published."""
        return self.mix_stages.filter(status=MixStageStatus.ACCEPTED)

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

    @property
    def is_section(self) -> bool:
        return self.section_region_id is not None

    def is_on_roll(self, region_id: int | None) -> bool:
        """Whether a voter whose frozen roll entry has ``region_id`` answers this question."""
        return self.section_region_id is None or self.section_region_id == region_id

    @property
    def supporters_needed(self) -> int:
        if self.nomination_supporters is None:
            return self.ballot.nomination_supporters
        return self.nomination_supporters

    @property
    def groups_needed(self) -> int:
        if self.nomination_groups is None:
            return self.ballot.nomination_groups
        return self.nomination_groups

    @property
    def takes_colleges(self) -> bool:
        """One seat elected by the alternative vote or by choosing one: what an electoral
        college counts (grassroots.tally.colleges)."""
        return self.kind in (QuestionKind.IRV, QuestionKind.SINGLE)

    @property
    def everyone_else_college(self) -> int | None:
        """The college of every voter no college lists (its index), if there is one."""
        return next((i for i, c in enumerate(self.colleges) if c.get("everyone_else")), None)

    @property
    def has_own_threshold(self) -> bool:
        return self.nomination_supporters is not None or self.nomination_groups is not None

    @property
    def threshold_text(self) -> str:
        """What a nomination for this question needs to stand, in words."""
        return threshold_text(self.supporters_needed, self.groups_needed)

    @property
    def quota_rules(self) -> list[str]:
        """The quota rules as sentences (``At least 2 women``), for every page that shows them."""
        return [quotas.sentence(rule) for rule in quotas.stored(self.constraints)]

    def quota_categories_of(self, candidate: Candidate) -> list[str]:
        """The candidate's categories that a quota rule of this question uses: what voters see."""
        rules = quotas.stored(self.constraints)
        used = {part for rule in rules for part in quotas.parts_of(rule.category)}
        return [c for c in candidate.categories if c in used]


def threshold_text(supporters: int, groups: int) -> str:
    members = gettext("%(supporters)s supporting members") % {"supporters": supporters}
    by_groups = gettext(
        "the support of %(groups)s groups (by resolution of a recognised group, or a supporter "
        "whose home group it is)"
    ) % {"groups": groups}
    if supporters and groups:
        return gettext("%(members)s or %(groups)s") % {"members": members, "groups": by_groups}
    if supporters:
        return members
    return by_groups if groups else gettext("no supporters needed")


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


class CollegeMember(models.Model):
    """A member listed in one college of an electoral college question (imported by the
    returning officer before voting opens); read when they vote and for the record's figures."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="college_members")
    member = models.ForeignKey("people.Member", on_delete=models.PROTECT, related_name="+")
    college = models.PositiveSmallIntegerField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["question", "member"], name="college_member_once"),
        ]

    def __str__(self) -> str:
        return f"College member {self.pk}"
