"""The ballots' choices: the statuses and kinds that views and templates compare against."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class BallotStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    NOMINATIONS = "nominations", _("Nominations open")
    READY = "ready", _("Ready to open")
    OPEN = "open", _("Open for voting")
    CLOSED = "closed", _("Closed")
    COUNTED = "counted", _("Counted")
    PUBLISHED = "published", _("Results published")


class QuestionKind(models.TextChoices):
    YESNO = "yesno", _("Yes or no")
    SINGLE = "single", _("Choose one")
    APPROVAL = "approval", _("Choose any number (approval)")
    IRV = "irv", _("Rank the candidates, one seat (alternative vote)")
    STV = "stv", _("Rank the candidates, several seats (single transferable vote)")


class StvRule(models.TextChoices):
    SCOTTISH = "scottish", _("Scottish STV (SSI 2007/42)")
    ERS97 = "ers97", _("ERS97")
    MEEK = "meek", _("Meek")


class BackgroundStep(models.TextChoices):
    """Work a lifecycle step hands to a background task (grassroots.ballots.tasks): the page
    records the decision and the task does the per-voter work, with its progress on the ballot."""

    NONE = "", _("None")
    OPENING = "opening", _("Freezing the roll")
    INVITING = "inviting", _("Sending the invitations")
    REMINDING = "reminding", _("Sending a reminder")
    # A scheduled reminder (ScheduledReminder): to members who have not voted, unless the
    # officer chose everyone.
    SCHEDULED_REMINDER = "scheduled", _("Sending a scheduled reminder")
    CLOSING = "closing", _("Closing the poll")
    PUBLISHING = "publishing", _("Building the election record")


class NominationStatus(models.TextChoices):
    AWAITING_CONSENT = "awaiting", _("Awaiting the nominee's consent")
    STANDING = "standing", _("Standing")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    CONFIRMED = "confirmed", _("Confirmed as a candidate")
    INVALID = "invalid", _("Not valid")
    REJECTED = "rejected", _("Rejected by the returning officer")


class MixStageStatus(models.TextChoices):
    """A mix stage is kept as soon as it is uploaded, then its proof of shuffle is checked by a
    background task (minutes for a large ballot, too long for a web request)."""

    CHECKING = "checking", "Being checked"
    ACCEPTED = "accepted", "Accepted"
    REFUSED = "refused", "Refused"


class AdmittedBy(models.TextChoices):
    """Which of the ballot's rules put a member on its roll, recorded when the roll is frozen
    (``grassroots.ballots.eligibility.admission``). Every admission also needs the rules all
    voters meet: not suspended or expelled, the ballot's scope, joined before its cut-off and
    dues paid up by its date, where it sets them."""

    STATUS = "status", _("Membership status")
    STATUS_AND_ORGANISATION = (
        "status_org",
        _("Membership status and membership of another organisation"),
    )
    ORGANISATION = "organisation", _("A supporter's membership of another organisation")


class RuleMode(models.TextChoices):
    REQUIRED = "required", _("Required of every voter, as well as the ballot's other rules")
    ALSO_ADMITS = "also", _("Also admits supporters who are members of it")
