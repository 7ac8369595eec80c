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
from django.utils.translation import gettext, gettext_lazy

from grassroots.ballots.links import link_signer, personal_link_token
from grassroots.ballots.models import Ballot, RollEntry
from grassroots.messaging.languages import Translations, in_every_language

INVITATION_BODY = gettext_lazy(
    "Dear $first_name,\n"
    "\n"
    'Voting is open in "%(title)s" (%(scope)s). It closes on %(closes)s.\n'
    "\n"
    "Vote with your personal link. It works for this ballot only and nothing else, so please do "
    "not forward it:\n"
    "\n"
    "$link\n"
    "\n"
    "Or log in to Grassroots and choose Ballots. What the secrecy of your vote does and does not "
    "rest on: %(about)s\n"
    "\n"
    "Keep this mail: this ballot's election key has the fingerprint\n"
    "\n"
    "    %(fingerprint)s\n"
    "\n"
    "The results page will show the key and how to check the published record with it "
    "(python -m grassroots.ledger verify ... --election-key KEY). If the fingerprint shown there "
    "is not this one, the record is not the one this ballot opened with.\n"
)

REMINDER_BODY = gettext_lazy(
    "Dear $first_name,\n"
    "\n"
    'A reminder: voting in "%(title)s" (%(scope)s) closes on %(closes)s.\n'
    "\n"
    "If you have already voted, thank you: you need do nothing. The ballot page shows whether a "
    "vote has been recorded in your name. If you have not voted yet, your personal link is:\n"
    "\n"
    "$link\n"
    "\n"
    "It works for this ballot only; please do not forward it.\n"
)


def _text(value: str) -> str:
    """Officers' words inside a string.Template body: a "$" stays a "$"."""
    return value.replace("$", "$$")


def personal_link_url(ballot: Ballot, entry: RollEntry) -> str:
    """One member's link, made the slow way (``reverse`` and a new signer): for a page or a
    test. Mail to the roll uses :class:`LinkMaker`, whose links are the same."""
    path = reverse("ballot_vote_by_link", args=[ballot.pk, personal_link_token(entry)])
    return settings.GRASSROOTS_SITE_URL.rstrip("/") + path


class LinkMaker:
    """Personal links for one ballot, for mail to the whole roll: the URL is reversed once
    and the signer made once, then each link is a formatted string and one signature."""

    def __init__(self, ballot: Ballot) -> None:
        path = reverse("ballot_vote_by_link", args=[ballot.pk, _TOKEN_MARK])
        self._before, self._after = (settings.GRASSROOTS_SITE_URL.rstrip("/") + path).split(
            _TOKEN_MARK
        )
        self._signer = link_signer(ballot)

    def url(self, roll_entry_id: int) -> str:
        token = self._signer.sign_object({"r": roll_entry_id}, compress=False)
        return f"{self._before}{token}{self._after}"


_TOKEN_MARK = "TOKEN-MARK"  # noqa: S105  # a placeholder in the URL, not a secret

MAIL_BATCH = 5000


def mail_text(ballot: Ballot, *, reminder: bool) -> tuple[str, str, Translations]:
    """The subject and body of the invitation or a reminder (``$first_name`` and ``$link``
    are each member's) in the movement's default language, whoever presses the button, and
    in each other language: each member gets theirs (docs/i18n.md)."""
    return in_every_language(lambda: _mail_words(ballot, reminder=reminder))


def _mail_words(ballot: Ballot, *, reminder: bool) -> tuple[str, str]:
    closes = dateformat.format(timezone.localtime(ballot.closes_at), "j F Y, H:i")
    body = str(REMINDER_BODY if reminder else INVITATION_BODY) % {
        "title": _text(ballot.title),
        "scope": _text(ballot.scope_name),
        "closes": closes,
        "about": settings.GRASSROOTS_SITE_URL.rstrip("/") + reverse("ballot_guarantees"),
        "fingerprint": ballot.election_key_fingerprint,
    }
    subject = (
        gettext("Reminder: your vote in %(title)s")
        if reminder
        else gettext("Your vote in %(title)s")
    ) % {"title": ballot.title}
    return subject[:150], body


def roll_batch(
    ballot: Ballot, *, after: int, limit: int = MAIL_BATCH, only_not_voted: bool = False
) -> list[tuple[int, int]]:
    """The next ``(roll entry id, member id)`` pairs after roll entry ``after``, as plain rows
    in id order (keyset pagination: each batch costs the same however far along it is)."""
    entries = RollEntry.objects.filter(ballot_id=ballot.pk, pk__gt=after)
    if only_not_voted:
        entries = entries.filter(has_voted=False)
    return list(entries.order_by("pk").values_list("pk", "member_id")[:limit])
