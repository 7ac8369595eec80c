"""Personal voting links: a signed token that lets one member vote in one ballot, and nothing else.

The token is ``django.core.signing`` over the member's roll entry, with a salt naming the ballot's
election id, so a link for one ballot is forged for every other, and it carries no session: it
does not log anyone in. It expires after ``LINK_MAX_AGE`` and in any case stops working when
the poll closes (the cast checks the clock). Once the member has voted, the link shows that a
vote was recorded, and nothing more.
"""

from __future__ import annotations

import datetime

from django.core import signing
from django.utils.translation import gettext_lazy

from grassroots.ballots.models import Ballot, RollEntry

LINK_MAX_AGE = datetime.timedelta(days=45)


class LinkError(Exception):
    """A personal link that cannot be used, with the page's status and message."""

    http_status = 404
    message = gettext_lazy(
        "This voting link is not valid. Check that you copied the whole link from the mail, "
        "or log in and vote from the Ballots page."
    )

    def __str__(self) -> str:
        return str(self.message)


class LinkExpired(LinkError):
    http_status = 410
    message = gettext_lazy(
        "This voting link has expired. If the ballot is still open, log in and vote from the "
        "Ballots page."
    )


def _salt(ballot: Ballot) -> str:
    return f"grassroots.ballots.link:{ballot.election_id}"


def link_signer(ballot: Ballot) -> signing.TimestampSigner:
    """The signer of the ballot's links; ``signer.sign_object({"r": id}, compress=False)`` is
    ``signing.dumps`` with the same salt, made once for a whole roll."""
    return signing.TimestampSigner(salt=_salt(ballot))


def personal_link_token(entry: RollEntry) -> str:
    return signing.dumps({"r": entry.pk}, salt=_salt(entry.ballot), compress=False)


def roll_entry_for_link(ballot: Ballot, token: str) -> RollEntry:
    """The roll entry a link stands for, or :class:`LinkError` (forged, other ballot, expired)."""
    if len(token) > 200:
        raise LinkError()
    try:
        value = signing.loads(token, salt=_salt(ballot), max_age=LINK_MAX_AGE)
    except signing.SignatureExpired as error:
        raise LinkExpired() from error
    except signing.BadSignature as error:
        raise LinkError() from error
    entry_id = value.get("r") if isinstance(value, dict) else None
    entry = (
        RollEntry.objects.select_related("member", "ballot")
        .filter(pk=entry_id, ballot=ballot)
        .first()
        if isinstance(entry_id, int)
        else None
    )
    if entry is None:
        raise LinkError()
    return entry
