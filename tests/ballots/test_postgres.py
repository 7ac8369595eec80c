"""On PostgreSQL: one member one vote under concurrent submissions, and the roll and the box
cannot be linked through xmin, ctid, ids or log order once the sealer has run."""

from __future__ import annotations

import secrets
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from grassroots.ballots.models import BallotBoxEntry, ReceiptKeeper, RollEntry, UnsealedBallot
from grassroots.ballots.services.casting import cast_ballot
from grassroots.ballots.services.errors import AlreadyVoted, PollNotOpen
from grassroots.ballots.services.lifecycle import close_ballot
from grassroots.ballots.services.sealing import seal_pending
from tests.ballots.conftest import SetUp, candidate_ids, make_ballot, open_with_voters

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("transactional_db")]


def _vote(setup: SetUp, voter_number: int) -> dict[int, list[int]]:
    ids = candidate_ids(setup.stv)
    # A different ranking per voter, so each sealed paper can be traced back in the test.
    order = [ids[(voter_number + k) % 4] for k in range(1 + voter_number % 4)]
    rotated = [ids[(voter_number // 4 + k) % 4] for k in range(4)]
    return {setup.stv.pk: order if voter_number < 4 else rotated[: 1 + voter_number % 4]}


def test_fifty_members_six_simultaneous_submissions_each_give_fifty_ballots():
    setup = make_ballot()
    voters = open_with_voters(setup, 50)
    same_keys = {v.pk: secrets.token_urlsafe(24) for v in voters}
    jobs = []
    for voter in voters:
        for attempt in range(6):
            # Three "double clicks" with one key, three "other tabs" with their own keys.
            chosen = same_keys[voter.pk] if attempt < 3 else secrets.token_urlsafe(24)
            jobs.append((voter, chosen))
    secrets.SystemRandom().shuffle(jobs)

    def submit(job):
        voter, chosen = job
        try:
            return (
                voter.pk,
                chosen,
                cast_ballot(
                    actor=voter.user,
                    ballot=setup.ballot,
                    answers={setup.stv.pk: candidate_ids(setup.stv)[:2]},
                    idempotency_key=chosen,
                ),
            )
        except AlreadyVoted:
            return voter.pk, chosen, None
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=24) as pool:
        outcomes = list(pool.map(submit, jobs))

    assert RollEntry.objects.filter(ballot=setup.ballot, has_voted=True).count() == 50
    papers = UnsealedBallot.objects.filter(ballot=setup.ballot).count()
    assert papers == 50 * 2  # one paper per question per voter
    first_receipts: dict[int, tuple] = {}
    for voter_pk, _chosen, receipt in outcomes:
        if receipt is not None and not receipt.is_repeat:
            assert voter_pk not in first_receipts
            first_receipts[voter_pk] = receipt.trackers
    assert len(first_receipts) == 50
    for voter_pk, chosen, receipt in outcomes:
        if receipt is not None and receipt.is_repeat:
            assert chosen == same_keys[voter_pk]
            assert receipt.trackers == first_receipts[voter_pk]


def _concordance(order_a: list[str], order_b: list[str]) -> float:
    """Share of pairs that two orderings put the same way round (0.5 for unrelated orders)."""
    rank_b = {item: i for i, item in enumerate(order_b)}
    pairs = same = 0
    for i in range(len(order_a)):
        for j in range(i + 1, len(order_a)):
            pairs += 1
            same += rank_b[order_a[i]] < rank_b[order_a[j]]
    return same / pairs


def test_after_sealing_nothing_links_the_roll_to_the_box(frozen_clock):
    setup = make_ballot()
    voters = open_with_voters(setup, 40)
    cast_order: list[str] = []
    for number, voter in enumerate(voters):
        receipt = cast_ballot(
            actor=voter.user,
            ballot=setup.ballot,
            answers=_vote(setup, number),
            idempotency_key=secrets.token_urlsafe(24),
        )
        cast_order.append(receipt.trackers[0][1])
    seal_pending(setup.ballot)
    frozen_clock.advance(hours=2)
    close_ballot(actor=setup.officer.user, ballot=setup.ballot)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s",
            [BallotBoxEntry._meta.db_table],
        )
        columns = {row[0] for row in cursor.fetchall()}
        assert columns == {"id", "ballot_id", "log_index", "ciphertext", "tracker", "plaintext"}

        cursor.execute(
            f"SELECT tracker, xmin::text, ctid::text, id::text, log_index "
            f"FROM {BallotBoxEntry._meta.db_table} WHERE ballot_id = %s",
            [setup.ballot.pk],
        )
        box = cursor.fetchall()
        cursor.execute(
            f"SELECT xmin::text FROM {RollEntry._meta.db_table} WHERE ballot_id = %s AND has_voted",
            [setup.ballot.pk],
        )
        roll_xmins = {row[0] for row in cursor.fetchall()}

    assert not UnsealedBallot.objects.exists()
    assert not ReceiptKeeper.objects.exists()
    # The close rewrote every roll mark in its own transaction (issue 20, item 1), so no mark
    # keeps its casting transaction's id; tests/ballots/test_batch_linking_postgres.py tries
    # the placement attack itself.
    assert len(roll_xmins) == 1
    box_xmins = {row[1] for row in box}
    # Every box row was written by a sealing transaction: the sealer's batch, and the close's
    # batch of what the sealer held back.
    assert len(box_xmins) == 2

    stv_trackers = set(cast_order)
    rows = [row for row in box if row[0] in stv_trackers]
    assert len(rows) == 40

    def ctid_key(row):
        page, _, item = row[2].strip("()").partition(",")
        return (int(page), int(item))

    for name, key in (
        ("ctid", ctid_key),
        ("id", lambda row: row[3]),
        ("log index", lambda row: row[4]),
    ):
        order = [row[0] for row in sorted(rows, key=key)]
        concordance = _concordance(cast_order, order)
        assert 0.25 < concordance < 0.75, f"{name} order follows the casting order ({concordance})"


def test_casts_racing_the_close_are_all_kept_and_none_lands_after_it(frozen_clock):
    setup = make_ballot()
    voters = open_with_voters(setup, 40)
    acknowledged: list[tuple[str, ...]] = []
    refused = 0

    def submit(voter):
        nonlocal refused
        try:
            receipt = cast_ballot(
                actor=voter.user,
                ballot=setup.ballot,
                answers={setup.stv.pk: candidate_ids(setup.stv)[:1]},
                idempotency_key=secrets.token_urlsafe(24),
            )
            acknowledged.append(tuple(t for _, t in receipt.trackers))
        except PollNotOpen:
            refused += 1
        finally:
            connections.close_all()

    def close_half_way():
        try:
            while len(acknowledged) < 10:
                time.sleep(0.001)
            frozen_clock.advance(hours=2)
            close_ballot(actor=setup.officer.user, ballot=setup.ballot)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=9) as pool:
        closer = pool.submit(close_half_way)
        list(pool.map(submit, voters))
        closer.result()

    setup.ballot.refresh_from_db()
    box = set(BallotBoxEntry.objects.filter(ballot=setup.ballot).values_list("tracker", flat=True))
    assert not UnsealedBallot.objects.exists()  # nothing committed after the close's final seal
    assert all(set(trackers) <= box for trackers in acknowledged)  # no acknowledged vote lost
    assert len(box) == 2 * len(acknowledged) == 2 * setup.ballot.voted_count
    assert setup.ballot.voted_count == RollEntry.objects.filter(has_voted=True).count()
    assert refused == 40 - len(acknowledged) and refused > 0
