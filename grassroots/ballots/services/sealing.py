"""Sealing: moving cast ballots into the public log in a fresh random order, and signing
the log's heads.
"""

from __future__ import annotations

import datetime
import secrets

from django.db import transaction

from grassroots import clock
from grassroots.ballots.models import Ballot, BallotBoxEntry, BallotStatus, LogHead, UnsealedBallot
from grassroots.ballots.publication import election_parameters, election_private_key
from grassroots.ballots.services._common import locked_ballot
from grassroots.ledger.heads import TreeHead, format_timestamp, sign_head
from grassroots.ledger.merkle import MerkleLog
from grassroots.ledger.record import parameters_hash


def seal_locked(
    ballot: Ballot,
    *,
    final: bool = False,
    min_batch: int = 1,
    head_every: datetime.timedelta | None = None,
) -> int:
    """Move unsealed ballots into the log in a fresh random order and sign a head.

    Runs inside a transaction holding the ballot's row lock. New rows get new random ids and are
    inserted in the shuffled order, so neither id, physical position nor transaction id carries
    anything over from the casting transactions; the unsealed rows are deleted.
    """
    pending = list(UnsealedBallot.objects.filter(ballot=ballot).only("id", "ciphertext", "tracker"))
    if not final and len(pending) < min_batch:
        pending = []
    secrets.SystemRandom().shuffle(pending)
    start = BallotBoxEntry.objects.filter(ballot=ballot).count()
    UnsealedBallot.objects.filter(pk__in=[p.pk for p in pending]).delete()
    BallotBoxEntry.objects.bulk_create(
        [
            BallotBoxEntry(
                ballot=ballot,
                log_index=start + i,
                ciphertext=bytes(p.ciphertext),
                tracker=p.tracker,
            )
            for i, p in enumerate(pending)
        ],
        batch_size=1000,
    )
    size = start + len(pending)
    last = ballot.heads.order_by("-id").first()
    moment = clock.now()
    is_stale = (
        last is not None
        and head_every is not None
        and last.timestamp <= format_timestamp(moment - head_every)
    )
    if last is None or last.tree_size != size or is_stale:
        log = MerkleLog()
        for leaf in (
            BallotBoxEntry.objects.filter(ballot=ballot)
            .order_by("log_index")
            .values_list("tracker", flat=True)
            .iterator()
        ):
            log.append(bytes.fromhex(leaf))
        head = TreeHead(
            election_id=ballot.election_id,
            tree_size=size,
            root_hash=log.root(),
            parameters_hash=parameters_hash(election_parameters(ballot)),
            timestamp=format_timestamp(moment),
        )
        signed = sign_head(head, election_private_key(ballot))
        LogHead.objects.create(
            ballot=ballot,
            tree_size=size,
            root_hash=head.root_hash,
            timestamp=head.timestamp,
            signature=signed.signature,
        )
    return len(pending)


def seal_pending(
    ballot: Ballot, *, min_batch: int = 1, head_every: datetime.timedelta | None = None
) -> int:
    """The sealer's one step for one ballot (manage.py seal_ballots); returns ballots sealed.

    Batches smaller than ``min_batch`` wait (unless the poll has closed), so that a batch of one
    cannot be matched to the one roll mark set in the same minute. With ``head_every``, a new
    head is signed when the last is that old even if no ballot was sealed: members watching the
    log see it is alive, and a rewrite would have to match every head already seen.
    """
    with transaction.atomic(durable=True):
        locked = locked_ballot(ballot, no_key=True)
        if locked.status not in (BallotStatus.OPEN, BallotStatus.CLOSED):
            return 0
        return seal_locked(
            locked,
            final=locked.status == BallotStatus.CLOSED,
            min_batch=min_batch,
            head_every=head_every if locked.status == BallotStatus.OPEN else None,
        )
