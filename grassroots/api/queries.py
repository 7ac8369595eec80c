"""Reads of the API app: tokens, and the ballot box's log as proofs.

Everything else the API reads comes from the apps' own queries (ballots, people, meetings):
the API answers the same questions as the pages, from the same functions.
"""

from __future__ import annotations

import threading

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.api.models import ApiToken
from grassroots.api.services import TOKEN_PREFIX, hash_token
from grassroots.ballots.models import Ballot, BallotBoxEntry, BallotStatus
from grassroots.ledger.merkle import MerkleLog

# Statuses in which a ballot's log, and so its heads and proofs, are public (as on the log page).
PUBLIC_STATUSES = (
    BallotStatus.OPEN,
    BallotStatus.CLOSED,
    BallotStatus.COUNTED,
    BallotStatus.PUBLISHED,
)


def tokens_of(actor: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user_id=actor.pk)


def get_token_for(actor: User, token_id: int) -> ApiToken:
    token = tokens_of(actor).filter(pk=token_id).first()
    if token is None:
        raise Http404(gettext("No such token."))
    return token


def active_token(secret: str) -> ApiToken | None:
    """The unrevoked, unexpired token with this secret whose holder may log in, or None."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(secret), revoked_at__isnull=True, expires_at__gt=clock.now())
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    return token


def public_ballots(status: str | None = None) -> QuerySet[Ballot]:
    """Ballots whose poll has opened, newest first: their logs and (once published) results
    are public, as on the pages."""
    ballots = Ballot.objects.filter(status__in=PUBLIC_STATUSES).select_related(
        "group", "area", "region"
    )
    if status:
        ballots = ballots.filter(status=status)
    return ballots.order_by("-opens_at", "-id")


_LOGS: dict[tuple[int, str, int], MerkleLog] = {}
_LOGS_LOCK = threading.Lock()
_LOGS_KEPT = 16


def ballot_log(ballot: Ballot, size: int) -> MerkleLog:
    """The Merkle log of the first ``size`` sealed ballots of ``ballot``, for proofs.

    The log is append-only (the sealer only adds entries past the last index), so the first
    ``size`` entries never change once a head of that size is signed: a built log is kept per
    process for the few heads asked about most, keyed by election id as well as the ballot's id.
    """
    key = (ballot.pk, ballot.election_id, size)
    kept = _LOGS.get(key)
    if kept is not None:
        return kept
    log = MerkleLog()
    trackers = (
        BallotBoxEntry.objects.filter(ballot=ballot, log_index__lt=size)
        .order_by("log_index")
        .values_list("tracker", flat=True)
    )
    for tracker in trackers.iterator(chunk_size=5000):
        log.append(bytes.fromhex(tracker))
    if len(log) != size:
        raise Http404(gettext("No such log size."))
    with _LOGS_LOCK:
        if len(_LOGS) >= _LOGS_KEPT:
            _LOGS.pop(next(iter(_LOGS)))
        _LOGS[key] = log
    return log
