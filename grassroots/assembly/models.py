"""A meeting in session: its standing orders, live votes, proxies, the speakers' list and the
one-time voting codes for those without a device.

Built beside ``grassroots.meetings`` (which it points at and never the other way) and above
``grassroots.delegation`` (a delegate's vote carries their group's weight). OpenSlides is the
model for running an assembly; what it lacks and this has is the weight of a delegation taken
from the apportionment of delegates by group size.

Secret votes keep no link from voter to choice, as ballots do: a ``VoteMark`` says who has
voted, a ``LiveBallot`` holds a choice, and they share no key (a ballot's id is random and it
has no time); a secret paper waits as an ``UnsealedLiveBallot`` until it is sealed in a shuffled
batch in a transaction of its own (``services.sealing``). Named votes put the voter on the
ballot.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy

from grassroots.assembly.counting import RULE_WORDS


class Balance(models.TextChoices):
    NONE = "none", gettext_lazy("In the order asked")
    GENDER = "gender", gettext_lazy("Alternate women and non-binary speakers with men")
    SIDE = "side", gettext_lazy("Alternate speakers for and against")


class Weighting(models.TextChoices):
    NONE = "none", gettext_lazy("One member, one vote")
    DELEGATION = (
        "delegation",
        gettext_lazy("A delegate's vote carries their group's membership, shared"),
    )


class StandingOrders(models.Model):
    """How one meeting runs its business in session; a meeting without a row uses the
    defaults (``queries.standing_orders``)."""

    meeting = models.OneToOneField(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="standing_orders"
    )
    secret_votes = models.BooleanField(default=False)
    weighting = models.CharField(max_length=12, choices=Weighting.choices, default=Weighting.NONE)
    proxies_per_holder = models.PositiveSmallIntegerField(default=1)
    speaking_seconds = models.PositiveIntegerField(default=180)
    balance = models.CharField(max_length=10, choices=Balance.choices, default=Balance.NONE)
    prefer_first_time = models.BooleanField(default=True)
    set_by = models.ForeignKey(
        "people.Member", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "standing orders"
        constraints: ClassVar = [
            models.CheckConstraint(
                name="speaking_time_sensible",
                condition=Q(speaking_seconds__gte=15, speaking_seconds__lte=3600),
            ),
            models.CheckConstraint(
                name="proxies_per_holder_sensible", condition=Q(proxies_per_holder__lte=50)
            ),
        ]

    def __str__(self) -> str:
        return f"Standing orders of meeting {self.meeting_id}"


class VoteSubject(models.TextChoices):
    MOTION = "motion", gettext_lazy("A motion")
    AMENDMENT = "amendment", gettext_lazy("An amendment")
    PROCEDURAL = "procedural", gettext_lazy("A procedural question")
    ELECTION = "election", gettext_lazy("An election")


class VoteMethod(models.TextChoices):
    YESNO = "yesno", gettext_lazy("For, against or abstain")
    SINGLE = "single", gettext_lazy("One choice")
    APPROVAL = "approval", gettext_lazy("Approval: any number of choices")
    RANKED = "ranked", gettext_lazy("Ranked: number the choices in order")


class LiveVote(models.Model):
    """One question put to those present, open from ``opened_at`` until the chair closes it or
    ``closes_at`` passes. ``result`` is written when it closes (``services.votes.close_vote``):
    each option's weighted and head count, the winners and the count's notes."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(max_length=12, choices=VoteSubject.choices)
    method = models.CharField(max_length=10, choices=VoteMethod.choices)
    motion = models.ForeignKey(
        "meetings.Motion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amendment = models.ForeignKey(
        "meetings.Amendment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    question = models.CharField(max_length=300)
    options = models.JSONField()
    seats = models.PositiveSmallIntegerField(default=1)
    majority = models.CharField(max_length=12, default="majority")
    is_secret = models.BooleanField()
    is_weighted = models.BooleanField()
    quorum_override = models.TextField(blank=True)
    opened_by = models.ForeignKey("people.Member", on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField()
    closes_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)
    # What became of the result: the outcome recorded for the motion or amendment, or why not.
    outcome_note = models.TextField(blank=True)

    class Meta:
        ordering: ClassVar = ["opened_at", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["meeting"],
                condition=Q(closed_at__isnull=True),
                name="one_open_live_vote_per_meeting",
            ),
            models.CheckConstraint(
                name="live_vote_subject_fits",
                condition=Q(subject="motion", motion__isnull=False, amendment__isnull=True)
                | Q(subject="amendment", motion__isnull=False, amendment__isnull=False)
                | Q(subject__in=["procedural", "election"], amendment__isnull=True),
            ),
            models.CheckConstraint(
                name="live_vote_result_when_closed",
                condition=Q(closed_at__isnull=True, result__isnull=True)
                | Q(closed_at__isnull=False, result__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.question

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    # What the pages show of the vote, in the reader's language: a yes/no vote's options and
    # winner and every result's sentence are kept as msgids (assembly.counting); the names
    # of candidates and options as typed.
    def _said(self, words: str) -> str:
        return gettext(words) if self.method == VoteMethod.YESNO else words

    @property
    def options_shown(self) -> list[str]:
        return [self._said(option) for option in self.options or []]

    @property
    def winners_shown(self) -> list[str]:
        return [self._said(winner) for winner in (self.result or {}).get("winners", [])]

    @property
    def rows_shown(self) -> list[dict[str, Any]]:
        return [
            {**row, "option": self._said(str(row["option"]))}
            for row in (self.result or {}).get("rows", [])
        ]

    @property
    def notes_shown(self) -> str:
        """The result's sentence in the reader's language (a result counted before its words
        were kept apart shows its stored English), then the engine's own notes."""
        result = self.result or {}
        said = result.get("said")
        if not said:
            return str(result.get("notes", ""))
        figures = dict(said["figures"])
        english = said["words"] % {**figures, **_rule_words(figures, translate=False)}
        try:
            sentence = gettext(said["words"]) % {**figures, **_rule_words(figures)}
        except (KeyError, TypeError, ValueError):
            sentence = english
        return f"{sentence} {result.get('engine_notes', '')}".strip()


def _rule_words(figures: dict[str, Any], *, translate: bool = True) -> dict[str, str]:
    rule = figures.get("rule")
    if rule is None:
        return {}
    words = RULE_WORDS.get(str(rule), str(rule))
    return {"rule": gettext(words) if translate else words}


class VoteMark(models.Model):
    """``member``'s vote has been cast (by them, their proxy holder or with a code). One per
    member per vote: the database refuses a second."""

    vote = models.ForeignKey(LiveVote, on_delete=models.CASCADE, related_name="marks")
    member = models.ForeignKey("people.Member", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["vote", "member"], name="one_live_vote_per_member")
        ]

    def __str__(self) -> str:
        return f"Member {self.member_id} voted in {self.vote_id}"


class LiveBallot(models.Model):
    """One choice. Its weight is a fraction (a delegate carries their group's members shared
    among its delegates), kept exact. ``voter``, ``cast_by`` are empty in a secret vote."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vote = models.ForeignKey(LiveVote, on_delete=models.CASCADE, related_name="ballots")
    # Option indices: one for yes/no and single, any for approval, in order for ranked.
    choice = models.JSONField()
    weight_numerator = models.PositiveIntegerField(default=1)
    weight_denominator = models.PositiveIntegerField(default=1)
    voter = models.ForeignKey(
        "people.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cast_by = models.ForeignKey(
        "people.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(
                name="live_ballot_weight_positive",
                condition=Q(weight_numerator__gte=1, weight_denominator__gte=1),
            ),
        ]

    def __str__(self) -> str:
        return f"A ballot in {self.vote_id}"


class UnsealedLiveBallot(models.Model):
    """A secret vote's paper as cast, waiting for the sealer (``services.sealing``): written in
    the casting transaction, so until it is sealed its row version carries the caster's
    transaction id, like the ballots app's ``UnsealedBallot``. Sealing moves it into
    ``LiveBallot`` with a new id, in a shuffled batch, in the sealer's own transaction."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vote = models.ForeignKey(LiveVote, on_delete=models.CASCADE, related_name="+")
    choice = models.JSONField()
    weight_numerator = models.PositiveIntegerField(default=1)
    weight_denominator = models.PositiveIntegerField(default=1)

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(
                name="unsealed_live_ballot_weight_positive",
                condition=Q(weight_numerator__gte=1, weight_denominator__gte=1),
            ),
        ]

    def __str__(self) -> str:
        return f"An unsealed ballot in {self.vote_id}"


class Proxy(models.Model):
    """``principal`` lets ``holder`` vote for them at one meeting; revoked rows stay."""

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="+")
    principal = models.ForeignKey("people.Member", on_delete=models.CASCADE, related_name="+")
    holder = models.ForeignKey("people.Member", on_delete=models.CASCADE, related_name="+")
    given_at = models.DateTimeField()
    entered_by = models.ForeignKey(
        "people.Member", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["given_at", "id"]
        verbose_name_plural = "proxies"
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["meeting", "principal"],
                condition=Q(revoked_at__isnull=True),
                name="one_live_proxy_per_principal",
            ),
            models.CheckConstraint(
                name="proxy_not_to_oneself", condition=~Q(holder=models.F("principal"))
            ),
        ]

    def __str__(self) -> str:
        return f"Proxy of {self.principal_id} to {self.holder_id}"


class Side(models.TextChoices):
    FOR = "for", gettext_lazy("For")
    AGAINST = "against", gettext_lazy("Against")
    NEITHER = "neither", gettext_lazy("Neither / a question")


class Gender(models.TextChoices):
    """Said by the speaker, for a list that alternates; never asked elsewhere."""

    WOMAN = "woman", gettext_lazy("Woman")
    NON_BINARY = "non_binary", gettext_lazy("Non-binary")
    MAN = "man", gettext_lazy("Man")
    UNSAID = "", gettext_lazy("Rather not say")


class SpeakerStatus(models.TextChoices):
    WAITING = "waiting", gettext_lazy("Waiting")
    SPEAKING = "speaking", gettext_lazy("Speaking")
    DONE = "done", gettext_lazy("Spoke")
    WITHDRAWN = "withdrawn", gettext_lazy("Withdrew")


class SpeakerRequest(models.Model):
    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey("people.Member", on_delete=models.CASCADE, related_name="+")
    motion = models.ForeignKey(
        "meetings.Motion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    side = models.CharField(max_length=10, choices=Side.choices, default=Side.NEITHER)
    gender = models.CharField(max_length=12, choices=Gender.choices, blank=True)
    presence = models.CharField(max_length=10, default="room")
    asked_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=SpeakerStatus.choices, default=SpeakerStatus.WAITING
    )
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    seconds_allowed = models.PositiveIntegerField(default=180)

    class Meta:
        ordering: ClassVar = ["asked_at", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["meeting", "member"],
                condition=Q(status__in=["waiting", "speaking"]),
                name="one_place_in_the_speakers_list",
            ),
            models.UniqueConstraint(
                fields=["meeting"],
                condition=Q(status="speaking"),
                name="one_speaker_at_a_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Speaker {self.member_id} at meeting {self.meeting_id}"


class VotingCode(models.Model):
    """A one-time code bound to one attendee for one vote, printed for someone without a
    device. Only its hash is kept; it dies with the vote."""

    vote = models.ForeignKey(LiveVote, on_delete=models.CASCADE, related_name="codes")
    member = models.ForeignKey("people.Member", on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64, unique=True)
    made_by = models.ForeignKey(
        "people.Member", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    made_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["vote", "member"], name="one_code_per_member_per_vote")
        ]

    def __str__(self) -> str:
        return f"Code for member {self.member_id} in vote {self.vote_id}"
