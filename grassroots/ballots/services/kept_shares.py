"""Handing a ballot's tellers' shares to the deployment's share keeper, and reading one back.

Off by default and in production: only a deployment whose settings name a share keeper
(``grassroots.ballots.custody``) keeps shares, and then only for a ballot it is asked to.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext

from grassroots.audit.actions import AuditAction
from grassroots.ballots.custody import share_keeper
from grassroots.ballots.models import Ballot, Teller
from grassroots.ballots.services._common import audit_ballot, locked_ballot
from grassroots.ballots.services.errors import BallotError


@transaction.atomic(durable=True)
def keep_tellers_shares(*, ballot: Ballot, shares: Mapping[int, str]) -> None:
    """Hand ``shares`` (share index -> share) to the share keeper, so that each teller finds
    theirs filled in after the close. Refused where the settings name no keeper."""
    keeper = share_keeper()
    if keeper is None:
        raise BallotError(gettext("This site keeps no teller's share: only the tellers hold them."))
    ballot = locked_ballot(ballot)
    keeper.keep(ballot, shares)
    audit_ballot(None, AuditAction.KEEP_TELLERS_SHARES, ballot, tellers=len(shares))


def kept_share_for(teller: Teller) -> str | None:
    """The teller's share if the share keeper holds it; None otherwise (and always where the
    settings name no keeper)."""
    keeper = share_keeper()
    return keeper.share_for(teller) if keeper is not None else None
