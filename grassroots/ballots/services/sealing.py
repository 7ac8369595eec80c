"""Sealing: moving cast ballots into the public log in a fresh random order, and signing
the log's numbered heads.

No batch is sealed below the minimum (issue 20, item 1): while the poll is open the sealer waits
for twice the minimum and holds back a random minimum of the waiting ballots, written back to the
outbox with new ids in its own transaction, so they carry the sealer's transaction id rather
than their casters'. The batch at the close takes what is left: the late voters mixed with at
least the minimum held back from earlier batches (as the survey mixer's ``MIX_POOL`` does).
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
    anything over from the casting transactions; the unsealed rows are deleted. While the poll
    is open (not ``final``) nothing is sealed until ``2 * min_batch`` ballots wait, and then a
    random ``min_batch`` of them are held back for a later batch.
    """
    pending = list(UnsealedBallot.objects.filter(ballot=ballot).only("id", "ciphertext", "tracker"))
    held: list[UnsealedBallot] = []
    if not final and len(pending) < 2 * min_batch:
        pending = []
    secrets.SystemRandom().shuffle(pending)
    if not final and pending:
        held, pending = pending[:min_batch], pending[min_batch:]
    start = BallotBoxEntry.objects.filter(ballot=ballot).count()
    UnsealedBallot.objects.filter(pk__in=[p.pk for p in pending + held]).delete()
    UnsealedBallot.objects.bulk_create(
        [
            UnsealedBallot(ballot=ballot, ciphertext=bytes(p.ciphertext), tracker=p.tracker)
            for p in held
        ]
    )
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
    last = ballot.heads.order_by("-sequence").first()
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
            sequence=0 if last is None else last.sequence + 1,
            tree_size=size,
            root_hash=log.root(),
            parameters_hash=parameters_hash(election_parameters(ballot)),
            timestamp=format_timestamp(moment),
        )
        signed = sign_head(head, election_private_key(ballot))
        LogHead.objects.create(
            ballot=ballot,
            sequence=head.sequence,
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

    Nothing is sealed until ``2 * min_batch`` wait, and a random ``min_batch`` are held back for
    later (unless the poll has closed), so no batch is smaller than ``min_batch`` and the last
    one mixes late voters with earlier ballots (docs/ballots.md, "Secrecy"). With
    ``head_every``, a new head is signed when the last is that old even if no ballot was sealed:
    members watching the log see it is alive, and a rewrite would have to match every head
    already seen.
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
