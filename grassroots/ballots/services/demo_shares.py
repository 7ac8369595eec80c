"""Demo only: a demo ballot keeps its tellers' shares so that a visitor can count it."""

from __future__ import annotations

import json
from collections.abc import Mapping

from django.conf import settings
from django.db import transaction

from grassroots.ballots.keys import open_with_server_key, seal_with_server_key
from grassroots.ballots.models import Ballot, Teller
from grassroots.ballots.services._common import audit_ballot, locked_ballot
from grassroots.ballots.services.errors import BallotError

DEMO_SHARES_PURPOSE = "demo-teller-shares"


@transaction.atomic(durable=True)
def keep_demo_shares(*, ballot: Ballot, shares: Mapping[int, str]) -> None:
    """Demo only: keep the tellers' shares so a visitor can close, count and publish.

    Refused unless ``settings.GRASSROOTS_DEMO_KEEPS_SHARES`` is on (the demo's settings only),
    so seeding the demo on a production configuration keeps no share; a check constraint keeps
    shares off every ballot not marked as a demo.
    """
    if not getattr(settings, "GRASSROOTS_DEMO_KEEPS_SHARES", False):
        raise BallotError("Only the demo keeps tellers' shares.")
    ballot = locked_ballot(ballot)
    ballot.is_demo = True
    ballot.demo_shares_sealed = seal_with_server_key(
        json.dumps({str(index): share for index, share in shares.items()}).encode(),
        purpose=DEMO_SHARES_PURPOSE,
    )
    ballot.save(update_fields=["is_demo", "demo_shares_sealed"])
    audit_ballot(None, "keep_demo_shares", ballot, tellers=len(shares))


def demo_share_for(teller: Teller) -> str | None:
    """The teller's share on a demo ballot that kept its shares; None on every other ballot."""
    ballot = teller.ballot
    if not ballot.is_demo or ballot.demo_shares_sealed is None:
        return None
    shares = json.loads(
        open_with_server_key(bytes(ballot.demo_shares_sealed), purpose=DEMO_SHARES_PURPOSE)
    )
    share = shares.get(str(teller.share_index))
    return str(share) if share is not None else None
