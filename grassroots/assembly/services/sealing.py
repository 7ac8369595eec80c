"""Sealing a secret live vote's papers, so that nothing stored links a voter to a choice.

A cast writes the voter's ``VoteMark`` and an ``UnsealedLiveBallot`` in one transaction, so
until it is sealed the paper's row version carries the same transaction id (``xmin``) as the
mark. The sealer, as the ballots app's (``ballots.services.sealing``; docs/ballots.md,
"Secrecy"), moves waiting papers into ``LiveBallot`` in a transaction of its own: shuffled,
with new random ids, inserted in the shuffled order, so neither id, physical order nor
transaction id carries anything over from the casts.

- While the vote is open, nothing is sealed until ``2 * MIN_BATCH`` papers wait, and a random
  ``MIN_BATCH`` of them are held back, written back with new ids in the sealer's transaction (so
  they carry the sealer's transaction id, not their casters'): no batch is smaller than
  ``MIN_BATCH`` and a voter's place among the batches does not bound their paper's.
- The close seals everything left (the late voters mixed with those held back) and rewrites
  every mark of the vote in its own transaction, so after the close no mark keeps its casting
  transaction's id (the vote's printed codes, whose use was written by the cast, are deleted
  with it); then the tables are vacuumed (PostgreSQL) so the old row versions go.

The sealer runs after each secret cast has committed (``transaction.on_commit``): a vote in a
hall lasts minutes, so waiting for a scheduler's minute would leave every paper linked for most
of it. It takes the vote's row lock FOR SHARE, as a cast does, so the close (FOR UPDATE) waits
for a seal under way, and one sealer at a time per vote (a transaction-scoped advisory lock on
PostgreSQL; a second one skips, the next cast's sealer takes what is left).
"""

from __future__ import annotations

import secrets

from django.db import connection, transaction

from grassroots.assembly.models import (
    LiveBallot,
    LiveVote,
    UnsealedLiveBallot,
    VoteMark,
    VotingCode,
)
from grassroots.assembly.services.common import share_vote_lock

MIN_BATCH = 10
# The advisory lock's first key: "live" in ASCII, so no other app's advisory locks collide.
_LOCK_SPACE = 0x6C697665


def seal_locked(vote: LiveVote, *, final: bool) -> int:
    """Seal waiting papers of ``vote`` inside the caller's transaction (which holds the vote's
    row lock); returns how many were sealed. ``final``: the close, everything is sealed."""
    pending = list(UnsealedLiveBallot.objects.filter(vote=vote).select_for_update())
    if not final and len(pending) < 2 * MIN_BATCH:
        return 0
    secrets.SystemRandom().shuffle(pending)
    held: list[UnsealedLiveBallot] = []
    if not final:
        held, pending = pending[:MIN_BATCH], pending[MIN_BATCH:]
    UnsealedLiveBallot.objects.filter(pk__in=[p.pk for p in pending + held]).delete()
    UnsealedLiveBallot.objects.bulk_create(
        UnsealedLiveBallot(
            vote=vote,
            choice=p.choice,
            weight_numerator=p.weight_numerator,
            weight_denominator=p.weight_denominator,
        )
        for p in held
    )
    LiveBallot.objects.bulk_create(
        LiveBallot(
            vote=vote,
            choice=p.choice,
            weight_numerator=p.weight_numerator,
            weight_denominator=p.weight_denominator,
        )
        for p in pending
    )
    return len(pending)


def _sole_sealer(vote_id: int) -> bool:
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [_LOCK_SPACE, vote_id % 2**31])
        row = cursor.fetchone()
    return bool(row and row[0])


def seal_pending(vote_id: int) -> int:
    """The sealer's step after a secret cast: seals a batch once enough papers wait."""
    if UnsealedLiveBallot.objects.filter(vote_id=vote_id).count() < 2 * MIN_BATCH:
        return 0
    with transaction.atomic(durable=True):
        vote = share_vote_lock(vote_id)
        if vote is None or not vote.is_open or not _sole_sealer(vote_id):
            return 0
        return seal_locked(vote, final=False)


def seal_at_close(vote: LiveVote) -> None:
    """In the close's transaction (the vote locked FOR UPDATE): seal what is left and rewrite
    every mark, so no mark's row version keeps its casting transaction's id."""
    seal_locked(vote, final=True)
    VoteMark.objects.filter(vote=vote).update(vote=vote)


def vacuum_after_close() -> None:
    """Reclaim the marks' and the unsealed papers' old row versions (PostgreSQL; outside a
    transaction only), so their casting transaction ids cannot be read back from the pages."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        for model in (VoteMark, UnsealedLiveBallot, VotingCode):
            cursor.execute(f"VACUUM {connection.ops.quote_name(model._meta.db_table)}")
