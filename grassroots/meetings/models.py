"""Meetings that allow debate: meetings and campaign events, their agendas, motions, amendments,
the debate on them, attendance, the outcomes the chair records and the minutes.

A meeting belongs to one body (a group, an area, a region or the nation), with the same
``level`` plus scope-column shape as role assignments and ballots. Members in that scope are
the ones invited, who may submit motions and amendments and take part in the debate.

A motion's text is a list of paragraphs separated by blank lines; amendments insert, delete or
replace one paragraph (numbered from 1), so the diff a member sees is exact. Every change to a
motion's text (submission, a friendly or carried amendment) is kept as a ``MotionRevision``;
every edit of a comment as a ``CommentRevision``.

Other apps hold foreign keys to ``Meeting``, ``Motion`` and ``Outcome`` (delegation forwards
motions upward): add fields, never rename them.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from grassroots.meetings.texts import split_paragraphs
from grassroots.organisation.models import ScopeLevel, scope_matches_level


class MeetingKind(models.TextChoices):
    MEETING = "meeting", _("Meeting")
    GENERAL_MEETING = "general_meeting", _("General meeting / AGM")
    CANVASSING = "canvassing", _("Canvassing session")
    PICKET = "picket", _("Picket support")
    STALL = "stall", _("Street stall")
    ACTION = "action", _("Other campaign action")


# Kinds that take motions and an agenda; the rest are events with RSVP.
DEBATING_KINDS = frozenset({MeetingKind.MEETING, MeetingKind.GENERAL_MEETING})


class MeetingFormat(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("In person and online")


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")
    HELD = "held", _("Held")


class Meeting(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=MeetingKind.choices, default=MeetingKind.MEETING)
    format = models.CharField(
        max_length=10, choices=MeetingFormat.choices, default=MeetingFormat.IN_PERSON
    )
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
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    address = models.TextField(blank=True)
    online_link = models.URLField(max_length=500, blank=True)
    accessibility_notes = models.TextField(blank=True)
    # Events: how many may come (None: no limit). Counted from "going" RSVPs.
    capacity = models.PositiveIntegerField(null=True, blank=True)
    # Motions and amendments must be in by this moment (None: no motions taken).
    motions_deadline = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    created_by = models.ForeignKey("people.Member", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # Bumped on every change so calendar clients pick the change up (RFC 5545 SEQUENCE).
    sequence = models.PositiveIntegerField(default=0)
    invitations_sent_at = models.DateTimeField(null=True, blank=True)
    invitation_mailout = models.ForeignKey(
        "messaging.Mailout", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["starts_at", "id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                name="meeting_scope_matches_level", condition=scope_matches_level()
            ),
            models.CheckConstraint(
                name="meeting_ends_after_start", condition=Q(ends_at__gt=models.F("starts_at"))
            ),
            models.CheckConstraint(
                name="meeting_deadline_before_start",
                condition=Q(motions_deadline__isnull=True)
                | Q(motions_deadline__lte=models.F("starts_at")),
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["group", "starts_at"]),
            models.Index(fields=["level", "starts_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def scope_name(self) -> str:
        scope = self.group or self.area or self.region
        return str(scope) if scope else "National"

    @property
    def takes_motions(self) -> bool:
        return self.kind in DEBATING_KINDS

    @property
    def is_event(self) -> bool:
        return self.kind not in DEBATING_KINDS


class QuorumRule(models.Model):
    """A body's quorum: at least ``minimum_present`` members, and at least ``percent_of_members``
    per cent of its members in good standing, whichever is more. One rule per body; a body
    without one uses ``DEFAULT_QUORUM`` (grassroots.meetings.queries)."""

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
    minimum_present = models.PositiveIntegerField(default=3)
    percent_of_members = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(
                name="quorum_scope_matches_level", condition=scope_matches_level()
            ),
            models.CheckConstraint(
                name="quorum_percent_at_most_100", condition=Q(percent_of_members__lte=100)
            ),
            models.UniqueConstraint(
                fields=["level"], condition=Q(level="nation"), name="one_national_quorum_rule"
            ),
        ]

    def __str__(self) -> str:
        return f"Quorum: at least {self.minimum_present}, {self.percent_of_members}% of members"


class QuorumRuleChange(models.Model):
    """One change of a body's quorum rule: the rule before (None: the default) and after, who
    changed it, when and why. Written only by ``services.set_quorum_rule``, with the rule.

    A meeting is held to the rule in force when it started (``queries.quorum_rule_in_force``,
    read from these rows), so a change made during a meeting, or after it, does not move the
    goalposts for that meeting; meetings not yet started get the new rule."""

    level = models.CharField(max_length=10, choices=ScopeLevel.choices)
    group = models.ForeignKey(
        "organisation.Group", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    area = models.ForeignKey(
        "organisation.Area", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    region = models.ForeignKey(
        "organisation.Region", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    previous_minimum_present = models.PositiveIntegerField(null=True, blank=True)
    previous_percent_of_members = models.PositiveSmallIntegerField(null=True, blank=True)
    minimum_present = models.PositiveIntegerField()
    percent_of_members = models.PositiveSmallIntegerField()
    reason = models.TextField()
    changed_by = models.ForeignKey(
        "people.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["-changed_at", "-id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                name="quorum_change_scope_matches_level", condition=scope_matches_level()
            ),
            models.CheckConstraint(
                name="quorum_change_percent_at_most_100",
                condition=Q(percent_of_members__lte=100)
                & (
                    Q(previous_percent_of_members__isnull=True)
                    | Q(previous_percent_of_members__lte=100)
                ),
            ),
            models.CheckConstraint(
                name="quorum_change_minimum_at_least_1", condition=Q(minimum_present__gte=1)
            ),
            models.CheckConstraint(name="quorum_change_has_reason", condition=~Q(reason="")),
        ]
        indexes: ClassVar = [
            models.Index(fields=["level", "group", "area", "region", "changed_at"]),
        ]

    def __str__(self) -> str:
        return f"Quorum changed {self.changed_at:%Y-%m-%d %H:%M}"


class AgendaItemKind(models.TextChoices):
    REPORT = "report", _("Report")
    MOTIONS = "motions", _("Motions")
    ELECTION = "election", _("Election")
    AOB = "aob", _("Any other business")
    OTHER = "other", _("Other item")


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=AgendaItemKind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering: ClassVar = ["position", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["meeting", "position"], name="agenda_position_unique_in_meeting"
            )
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class RsvpResponse(models.TextChoices):
    GOING = "going", _("Going")
    NOT_GOING = "not_going", _("Not going")


class Rsvp(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="rsvps")
    member = models.ForeignKey("people.Member", on_delete=models.CASCADE, related_name="+")
    response = models.CharField(max_length=10, choices=RsvpResponse.choices)
    responded_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["meeting", "member"], name="one_rsvp_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.response} to meeting {self.meeting_id}"


class Presence(models.TextChoices):
    ROOM = "room", _("In the room")
    ONLINE = "online", _("Online")


class SignInMethod(models.TextChoices):
    SELF = "self", _("Signed in themselves")
    SECRETARY = "secretary", _("Signed in by an officer")


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey("people.Member", on_delete=models.CASCADE, related_name="+")
    signed_in_at = models.DateTimeField()
    signed_in_by = models.ForeignKey(
        "people.Member", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    method = models.CharField(max_length=10, choices=SignInMethod.choices)
    # A hybrid meeting counts those in the room and those online separately (both count for
    # the quorum and vote alike).
    presence = models.CharField(max_length=10, choices=Presence.choices, default=Presence.ROOM)

    class Meta:
        ordering: ClassVar = ["signed_in_at", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["meeting", "member"], name="one_attendance_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} at meeting {self.meeting_id}"


class MotionStatus(models.TextChoices):
    AWAITING_SECONDER = "awaiting_seconder", _("Awaiting a seconder")
    SUBMITTED = "submitted", _("Submitted")
    IN_ORDER = "in_order", _("Ruled in order")
    OUT_OF_ORDER = "out_of_order", _("Ruled out of order")
    CARRIED = "carried", _("Carried")
    FALLEN = "fallen", _("Fallen")
    REMITTED = "remitted", _("Remitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SENT_TO_BALLOT = "sent_to_ballot", _("Sent to a ballot of members")


# A motion in one of these states takes no more amendments or comments.
CLOSED_MOTION_STATUSES = frozenset(
    {
        MotionStatus.OUT_OF_ORDER,
        MotionStatus.CARRIED,
        MotionStatus.FALLEN,
        MotionStatus.REMITTED,
        MotionStatus.WITHDRAWN,
        MotionStatus.SENT_TO_BALLOT,
    }
)


class Motion(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="motions")
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="motions"
    )
    number = models.PositiveIntegerField()  # 1, 2, ... within the meeting
    title = models.CharField(max_length=200)
    # The text as submitted, and as it stands now (after friendly or carried amendments).
    original_text = models.TextField()
    text = models.TextField()
    # Whether the mover used the notes / believes / resolves structure (its headings are
    # paragraphs of the text, so amendments treat every part alike).
    is_structured = models.BooleanField(default=False)
    proposer = models.ForeignKey("people.Member", on_delete=models.PROTECT, related_name="+")
    seconder = models.ForeignKey("people.Member", on_delete=models.PROTECT, related_name="+")
    seconded_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField()
    status = models.CharField(
        max_length=20, choices=MotionStatus.choices, default=MotionStatus.AWAITING_SECONDER
    )
    ruled_by = models.ForeignKey(
        "people.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ruled_at = models.DateTimeField(null=True, blank=True)
    ruling_reason = models.TextField(blank=True)
    # A chair can close the online debate early; it closes anyway once the outcome is recorded.
    debate_closed_at = models.DateTimeField(null=True, blank=True)
    ballot = models.ForeignKey(
        "ballots.Ballot", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["meeting", "number"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["meeting", "number"], name="motion_number_unique"),
            models.CheckConstraint(
                name="motion_seconder_not_proposer",
                condition=~Q(seconder=models.F("proposer")),
            ),
        ]

    def __str__(self) -> str:
        return f"Motion {self.number}: {self.title}"

    @property
    def paragraphs(self) -> list[str]:
        return split_paragraphs(self.text)

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_MOTION_STATUSES


class MotionRevision(models.Model):
    """The motion's text after each change: submission, or an amendment accepted or carried."""

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="revisions")
    text = models.TextField()
    amendment = models.ForeignKey(
        "Amendment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=200)
    created_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Motion {self.motion_id}: {self.note}"


class AmendmentKind(models.TextChoices):
    INSERT = "insert", _("Insert a new paragraph after paragraph")
    DELETE = "delete", _("Delete paragraph")
    REPLACE = "replace", _("Replace paragraph")


class AmendmentStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED_FRIENDLY = "friendly", _("Accepted by the mover as friendly")
    OUT_OF_ORDER = "out_of_order", _("Ruled out of order")
    CARRIED = "carried", _("Carried")
    FALLEN = "fallen", _("Fallen")
    REMITTED = "remitted", _("Remitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


CLOSED_AMENDMENT_STATUSES = frozenset(set(AmendmentStatus) - {AmendmentStatus.PROPOSED})


class Amendment(models.Model):
    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="amendments")
    number = models.PositiveIntegerField()  # 1, 2, ... within the motion
    proposer = models.ForeignKey("people.Member", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=AmendmentKind.choices)
    # 1-based paragraph of the motion's text when proposed; for INSERT, 0 inserts at the start.
    paragraph = models.PositiveIntegerField()
    new_text = models.TextField(blank=True)
    # The motion's text the amendment was written against, for the diff and for applying it.
    base_text = models.TextField()
    submitted_at = models.DateTimeField()
    status = models.CharField(
        max_length=12, choices=AmendmentStatus.choices, default=AmendmentStatus.PROPOSED
    )
    ruled_by = models.ForeignKey(
        "people.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ruled_at = models.DateTimeField(null=True, blank=True)
    ruling_reason = models.TextField(blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["motion", "number"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["motion", "number"], name="amendment_number_unique"),
            models.CheckConstraint(
                name="amendment_text_fits_kind",
                condition=Q(kind="delete", new_text="")
                | (Q(kind__in=["insert", "replace"]) & ~Q(new_text="")),
            ),
            models.CheckConstraint(
                name="amendment_paragraph_from_one",
                condition=Q(kind="insert") | Q(paragraph__gte=1),
            ),
        ]

    def __str__(self) -> str:
        return f"Amendment {self.number} to motion {self.motion.number}"

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_AMENDMENT_STATUSES


class CommentStatus(models.TextChoices):
    VISIBLE = "visible", _("Visible")
    HIDDEN = "hidden", _("Hidden by a moderator")
    DELETED = "deleted", _("Deleted by its author")


class DebateThread(models.Model):
    """A debate that belongs to no motion: a discussion another app owns and points at (a
    proposal's, ``grassroots.proposals``). The owner decides who may read, post and moderate;
    comments, replies, edits with their history, reports and moderation are the motion debate's
    own (``services.debate``'s ``*_within`` steps, ``debate_html``)."""

    # What it discusses, in words ("Proposal 12: Run a stall"): the subject-access export and
    # the admin show a comment's thread by it.
    about = models.CharField(max_length=200)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.about


class Comment(models.Model):
    """A comment in the online debate on a motion, or on one of its amendments, or in a
    ``DebateThread`` another app owns (exactly one of ``motion`` and ``thread``); replies thread
    under ``parent``."""

    motion = models.ForeignKey(
        Motion, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    thread = models.ForeignKey(
        DebateThread, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    amendment = models.ForeignKey(
        Amendment, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey("people.Member", on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=CommentStatus.choices, default=CommentStatus.VISIBLE
    )
    moderated_by = models.ForeignKey(
        "people.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderation_reason = models.TextField(blank=True)

    class Meta:
        ordering: ClassVar = ["created_at", "id"]
        indexes: ClassVar = [
            models.Index(fields=["motion", "created_at"]),
            models.Index(fields=["thread", "created_at"]),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                name="comment_on_a_motion_or_in_a_thread",
                condition=(Q(motion__isnull=False) & Q(thread__isnull=True))
                | (Q(motion__isnull=True) & Q(thread__isnull=False) & Q(amendment__isnull=True)),
            )
        ]

    def __str__(self) -> str:
        if self.motion_id is None:
            return f"Comment {self.pk} in thread {self.thread_id}"
        return f"Comment {self.pk} on motion {self.motion_id}"


class CommentRevision(models.Model):
    """A comment's earlier text, kept when its author edits it."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    written_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["written_at", "id"]

    def __str__(self) -> str:
        return f"Earlier text of comment {self.comment_id}"


class CommentReport(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey("people.Member", on_delete=models.CASCADE, related_name="+")
    reason = models.TextField()
    reported_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        "people.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.TextField(blank=True)

    class Meta:
        ordering: ClassVar = ["reported_at", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["comment", "reporter"], name="one_report_per_member")
        ]

    def __str__(self) -> str:
        return f"Report on comment {self.comment_id}"


class OutcomeResult(models.TextChoices):
    CARRIED = "carried", _("Carried")
    FALLEN = "fallen", _("Fallen")
    REMITTED = "remitted", _("Remitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SENT_TO_BALLOT = "sent_to_ballot", _("Sent to a ballot of members")


class Majority(models.TextChoices):
    """The majority a decision needs, in the words of ``grassroots.tally``'s thresholds."""

    SIMPLE = "majority", _("Simple majority")
    TWO_THIRDS = "two-thirds", _("Two-thirds majority")


class Outcome(models.Model):
    """What the meeting decided on one motion or one amendment, as the chair recorded it.

    ``quorum_override``: the meeting was not quorate when the outcome was recorded and the chair
    went on anyway, for this reason (shown in the minutes); empty when it was quorate."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="outcomes")
    motion = models.OneToOneField(
        Motion, null=True, blank=True, on_delete=models.CASCADE, related_name="outcome"
    )
    amendment = models.OneToOneField(
        Amendment, null=True, blank=True, on_delete=models.CASCADE, related_name="outcome"
    )
    result = models.CharField(max_length=20, choices=OutcomeResult.choices)
    votes_for = models.PositiveIntegerField(null=True, blank=True)
    votes_against = models.PositiveIntegerField(null=True, blank=True)
    votes_abstain = models.PositiveIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)
    majority = models.CharField(max_length=12, choices=Majority.choices, default=Majority.SIMPLE)
    quorum_override = models.TextField(blank=True)
    recorded_by = models.ForeignKey("people.Member", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["recorded_at", "id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                name="outcome_for_motion_or_amendment",
                condition=Q(motion__isnull=False, amendment__isnull=True)
                | Q(motion__isnull=True, amendment__isnull=False),
            ),
            models.CheckConstraint(
                name="amendment_not_sent_to_ballot",
                condition=Q(amendment__isnull=True) | ~Q(result="sent_to_ballot"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_result_display()} (recorded {self.recorded_at:%Y-%m-%d})"


class BallotResultChoice(models.TextChoices):
    CARRIED = "carried", _("Carried")
    FALLEN = "fallen", _("Fallen")


class MinutesStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")


class Minutes(models.Model):
    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="minutes")
    text = models.TextField()
    status = models.CharField(
        max_length=10, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT
    )
    drafted_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        "people.Member", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The later meeting of the same body that approved them as a true record.
    approved_at_meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="approved_minutes"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "minutes"

    def __str__(self) -> str:
        return f"Minutes of meeting {self.meeting_id}"


class MinutesRevision(models.Model):
    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="revisions")
    text = models.TextField()
    written_at = models.DateTimeField()
    written_by = models.ForeignKey(
        "people.Member", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["written_at", "id"]

    def __str__(self) -> str:
        return f"Minutes {self.minutes_id} at {self.written_at:%Y-%m-%d %H:%M}"


class BallotResult(models.Model):
    """The published result of the ballot of members a motion was sent to, written back when
    the ballot's returning officer publishes it (``services.record_ballot_result``).

    ``is_addendum``: the meeting's minutes had already been approved, so the result is shown
    after them as an addendum rather than written into a record the meeting approved.
    """

    motion = models.OneToOneField(Motion, on_delete=models.CASCADE, related_name="ballot_result")
    ballot = models.OneToOneField("ballots.Ballot", on_delete=models.PROTECT, related_name="+")
    result = models.CharField(max_length=10, choices=BallotResultChoice.choices)
    votes_yes = models.PositiveIntegerField()
    votes_no = models.PositiveIntegerField()
    votes_abstain = models.PositiveIntegerField()
    election_id = models.CharField(max_length=64)
    published_at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    is_addendum = models.BooleanField(default=False)

    class Meta:
        ordering: ClassVar = ["published_at", "id"]

    def __str__(self) -> str:
        return f"Ballot result for motion {self.motion_id}: {self.result}"

    @property
    def figures(self) -> str:
        return gettext("%(yes)s yes, %(no)s no, %(abstain)s abstaining") % {
            "yes": self.votes_yes,
            "no": self.votes_no,
            "abstain": self.votes_abstain,
        }

    @property
    def summary(self) -> str:
        """One line for the motion page and the minutes."""
        return gettext(
            "%(result)s by a ballot of members (%(figures)s), result published %(day)s"
        ) % {
            "result": self.get_result_display(),
            "figures": self.figures,
            "day": date_format(self.published_at, "d F Y"),
        }
