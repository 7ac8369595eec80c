"""Ballot mail: the invitation when voting opens and reminders while it is open.

Each member on the roll gets their own personal link (grassroots.ballots.links) through
``grassroots.messaging.send_to_members``, which sends in the background and never shows the
officer an address.

A reminder an officer sends by hand goes to **everyone** on the roll, voted or not: a reminder
sent only to those who have not voted leaves a dated list of who had not yet voted, and two such
lists bracket when each member voted, which could be lined up against the sealer's batches.
Scheduled reminders (``ScheduledReminder``) go only to members who have not voted, unless the
ballot's officer chose everyone: fewer mails to people who have voted, at the cost of that list
(docs/ballots.md, "Personal links, invitations and reminders"). The mail says that anyone who
has voted can ignore it (and that the ballot page shows their roll mark).
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import dateformat, timezone

from grassroots.ballots.links import personal_link_token
from grassroots.ballots.models import Ballot, RollEntry

INVITATION_BODY = """Dear $first_name,

Voting is open in "{title}" ({scope}). It closes on {closes}.

Vote with your personal link. It works for this ballot only and nothing else, so please do not
forward it:

$link

Or log in to Grassroots and choose Ballots. What the secrecy of your vote does and does not
rest on: {about}

Keep this mail: this ballot's election key has the fingerprint

    {fingerprint}

The results page will show the key and how to check the published record with it
(python -m grassroots.ledger verify ... --election-key KEY). If the fingerprint shown there
is not this one, the record is not the one this ballot opened with.
"""

REMINDER_BODY = """Dear $first_name,

A reminder: voting in "{title}" ({scope}) closes on {closes}.

If you have already voted, thank you: you need do nothing. The ballot page shows whether a vote
has been recorded in your name. If you have not voted yet, your personal link is:

$link

It works for this ballot only; please do not forward it.
"""


def _text(value: str) -> str:
    """Officers' words inside a string.Template body: a "$" stays a "$"."""
    return value.replace("$", "$$")


def personal_link_url(ballot: Ballot, entry: RollEntry) -> str:
    path = reverse("ballot_vote_by_link", args=[ballot.pk, personal_link_token(entry)])
    return settings.GRASSROOTS_SITE_URL.rstrip("/") + path


def ballot_mail(
    ballot: Ballot, *, reminder: bool, only_not_voted: bool = False
) -> tuple[str, str, dict[int, dict[str, str]]]:
    """Subject, body and each member's personal link, for every member on the roll (or, with
    ``only_not_voted``, those on it who have not voted)."""
    closes = dateformat.format(timezone.localtime(ballot.closes_at), r"j F Y \a\t H:i")
    body = (REMINDER_BODY if reminder else INVITATION_BODY).format(
        title=_text(ballot.title),
        scope=_text(ballot.scope_name),
        closes=closes,
        about=settings.GRASSROOTS_SITE_URL.rstrip("/") + reverse("ballot_guarantees"),
        fingerprint=ballot.election_key_fingerprint,
    )
    subject = f"{'Reminder: ' if reminder else ''}your vote in {ballot.title}"[:150]
    entries = RollEntry.objects.filter(ballot=ballot)
    if only_not_voted:
        entries = entries.filter(has_voted=False)
    personal = {
        entry.member_id: {"link": personal_link_url(ballot, entry)}
        for entry in entries.select_related("ballot").iterator()
    }
    return subject, body, personal
