"""Who may hold a teller's share besides the teller, and whether a poll may close early: choices
of the deployment, named in its settings, never marks on a ballot.

By default neither: only a teller holds their share (collected once, never stored), and a poll
closes at its published time. A deployment may name, in its settings module:

* ``GRASSROOTS_SHARE_KEEPER``: the dotted path of a :class:`ShareKeeper`, which may be handed a
  ballot's shares when they are made and fills in each teller's share on the page where they
  enter it after the close. :class:`ServerSealedShares` keeps them sealed under the server key,
  which means whoever runs the server can decrypt the ballot: fit for a demonstration or a
  training site, not for a ballot that matters.
* ``GRASSROOTS_EARLY_CLOSE``: the dotted path of a policy ``(ballot) -> bool`` that lets the
  returning officer close a poll before its published time (:func:`when_shares_are_kept`:
  exactly the ballots whose shares the keeper holds, so a visitor can try the count).

The demo's settings (``grassroots.settings.dev``) name both; production's set both off, whatever
the environment says (``grassroots.settings.prod``). docs/ballots.md has the demo's path.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from grassroots import clock
from grassroots.ballots.keys import open_with_server_key, seal_with_server_key
from grassroots.ballots.models import Ballot, KeptShares, Teller

# The label the first kept shares were sealed under (when only the demo kept them); kept so
# that they still open.
KEPT_SHARES_PURPOSE = "demo-teller-shares"


class ShareKeeper(Protocol):
    def keep(self, ballot: Ballot, shares: Mapping[int, str]) -> None:
        """Hold ``shares`` (share index -> share text) for ``ballot``; called inside the
        service's transaction with the ballot locked."""

    def share_for(self, teller: Teller) -> str | None:
        """The teller's share, if it is held; None otherwise."""

    def holds_shares_of(self, ballot: Ballot) -> bool: ...


class ServerSealedShares:
    """Shares kept in the database, sealed under a key derived from the server's secret."""

    def keep(self, ballot: Ballot, shares: Mapping[int, str]) -> None:
        sealed = seal_with_server_key(
            json.dumps({str(index): share for index, share in shares.items()}).encode(),
            purpose=KEPT_SHARES_PURPOSE,
        )
        KeptShares.objects.update_or_create(
            ballot=ballot, defaults={"sealed": sealed, "kept_at": clock.now()}
        )

    def share_for(self, teller: Teller) -> str | None:
        kept = KeptShares.objects.filter(ballot_id=teller.ballot_id).first()
        if kept is None:
            return None
        shares = json.loads(open_with_server_key(bytes(kept.sealed), purpose=KEPT_SHARES_PURPOSE))
        share = shares.get(str(teller.share_index))
        return str(share) if share is not None else None

    def holds_shares_of(self, ballot: Ballot) -> bool:
        return KeptShares.objects.filter(ballot=ballot).exists()


def share_keeper() -> ShareKeeper | None:
    """The deployment's share keeper, or None (the default: nobody but a teller holds a share)."""
    path = getattr(settings, "GRASSROOTS_SHARE_KEEPER", "")
    return import_string(path)() if path else None


def may_close_early(ballot: Ballot) -> bool:
    """Whether the deployment's policy lets ``ballot`` close before its published time."""
    path = getattr(settings, "GRASSROOTS_EARLY_CLOSE", "")
    if not path:
        return False
    policy: Callable[[Ballot], bool] = import_string(path)
    return bool(policy(ballot))


def when_shares_are_kept(ballot: Ballot) -> bool:
    """An early-close policy: a ballot whose shares the share keeper holds may close early (it is
    a ballot that someone is meant to try the count of; it has no secrecy from the server)."""
    keeper = share_keeper()
    return keeper is not None and keeper.holds_shares_of(ballot)
