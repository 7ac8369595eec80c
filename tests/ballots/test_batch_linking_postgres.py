"""Issue 20, item 1: one read of the live database placed every voter in their sealing batch.

The attack, as an outside reviewer ran it: a roll mark's ``xmin`` is its casting transaction's
id and each signed head's ``xmin`` its sealing transaction's, and transaction ids grow, so the
first head written after a mark is the batch that sealed that voter's ballot; the log positions
between that head and the one before it are the batch. A voter alone in a batch (the last one,
sealed at the close whatever its size) is linked to their own papers.

The fixes, tested here on PostgreSQL after the close (docs/ballots.md, "Secrecy"): the close
rewrites every roll mark in its own transaction, so no mark keeps its casting transaction's id;
and the sealer never seals a batch below the minimum, holding back a random minimum of the
pending ballots while the poll is open, so the close's batch mixes a late voter with earlier
ones.
"""

from __future__ import annotations

import itertools
import secrets

import pytest
from django.db import connection

from grassroots.ballots.models import LogHead, RollEntry
from grassroots.ballots.services.casting import cast_ballot
from grassroots.ballots.services.lifecycle import close_ballot
from grassroots.ballots.services.sealing import seal_pending
from tests.ballots.conftest import Clock, SetUp, candidate_ids, make_ballot, open_with_voters

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("transactional_db")]

MIN_BATCH = 5


def _cast(setup: SetUp, voter, number: int) -> set[str]:  # type: ignore[no-untyped-def]
    ids = candidate_ids(setup.stv)
    receipt = cast_ballot(
        actor=voter.user,
        ballot=setup.ballot,
        answers={setup.stv.pk: [ids[number % 4]]},
        idempotency_key=secrets.token_urlsafe(24),
    )
    return {tracker for _, tracker in receipt.trackers}


def _place_by_xmin(setup: SetUp) -> dict[int, set[str]]:
    """The reviewer's one read: for each voter, the trackers of the batch the xmins put them in."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT member_id, xmin::text::bigint FROM {RollEntry._meta.db_table} "
            "WHERE ballot_id = %s AND has_voted",
            [setup.ballot.pk],
        )
        marks = cursor.fetchall()
        cursor.execute(
            f"SELECT tree_size, xmin::text::bigint FROM {LogHead._meta.db_table} "
            "WHERE ballot_id = %s ORDER BY tree_size, xmin::text::bigint",
            [setup.ballot.pk],
        )
        heads = cursor.fetchall()
    log = list(setup.ballot.box.order_by("log_index").values_list("tracker", flat=True))
    placed = {}
    for member_id, mark_xmin in marks:
        before = 0
        for size, head_xmin in heads:
            if head_xmin > mark_xmin and size > before:
                placed[member_id] = set(log[before:size])
                break
            before = max(before, size)
    return placed


def test_one_read_of_the_database_after_the_close_does_not_place_voters_in_their_batch(
    frozen_clock: Clock,
) -> None:
    setup = make_ballot()
    voters = open_with_voters(setup, 40)
    papers: dict[int, set[str]] = {}
    for start in (0, 13, 26):  # three busy spells, the sealer running after each
        for number in range(start, start + 13):
            papers[voters[number].pk] = _cast(setup, voters[number], number)
        seal_pending(setup.ballot, min_batch=MIN_BATCH)
    late = voters[39]  # one voter after the last seal, alone until the close
    papers[late.pk] = _cast(setup, late, 39)
    frozen_clock.advance(hours=2)
    close_ballot(actor=setup.officer.user, ballot=setup.ballot)

    placed = _place_by_xmin(setup)
    correctly = [m for m, batch in placed.items() if papers[m] <= batch]
    # Before the fix: 40 of 40 placed correctly, and the late voter's batch held only their
    # own two papers. Now every mark carries the close's transaction id, which is also the last
    # head's, so the read places nobody.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(DISTINCT xmin::text) FROM {RollEntry._meta.db_table} "
            "WHERE ballot_id = %s AND has_voted",
            [setup.ballot.pk],
        )
        assert cursor.fetchone()[0] == 1
    assert correctly == []
    # And the close's batch mixes the late voter's two papers with at least MIN_BATCH held
    # back at random from earlier voters.
    sizes = list(setup.ballot.heads.order_by("id").values_list("tree_size", flat=True))
    last_batch = set(
        setup.ballot.box.order_by("log_index").values_list("tracker", flat=True)[sizes[-2] :]
    )
    assert papers[late.pk] <= last_batch
    assert len(last_batch) >= MIN_BATCH + len(papers[late.pk])
    assert len([m for m, own in papers.items() if own & last_batch]) > 1


def test_no_batch_is_sealed_below_the_minimum_and_the_close_mixes_the_last_voter_in(
    frozen_clock: Clock,
) -> None:
    setup = make_ballot()
    voters = open_with_voters(setup, 9)
    sealed = []
    for number, voter in enumerate(voters[:-1]):  # two papers a voter: STV and the motion
        _cast(setup, voter, number)
        sealed.append(seal_pending(setup.ballot, min_batch=MIN_BATCH))
    # Nothing until 2 x MIN_BATCH papers wait (the fifth voter), then all but MIN_BATCH.
    assert sealed == [0, 0, 0, 0, 10 - MIN_BATCH, 0, 0, 11 - MIN_BATCH]
    _cast(setup, voters[-1], 8)  # the late voter, alone since the last seal
    frozen_clock.advance(hours=2)
    close_ballot(actor=setup.officer.user, ballot=setup.ballot)
    sizes = list(setup.ballot.heads.order_by("id").values_list("tree_size", flat=True))
    batches = [b - a for a, b in itertools.pairwise(sizes) if b != a]
    assert sum(batches) == 18
    assert batches[-1] == MIN_BATCH + 2  # the close: MIN_BATCH held back plus the late two
    assert all(batch >= MIN_BATCH for batch in batches)
