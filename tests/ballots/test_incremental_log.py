"""The sealer appends to the log's stored frontier (issue 22): each head's root is the root a
full rebuild over the box gives, and a pass reads no leaf it has already hashed."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grassroots.ballots.models import Ballot, BallotBoxEntry
from grassroots.ballots.services.sealing import log_frontier, seal_pending
from grassroots.ledger.merkle import MerkleLog
from tests.ballots.conftest import SetUp, cast_orders, open_with_voters

pytestmark = pytest.mark.django_db


def _rebuilt_root(ballot: Ballot, size: int) -> bytes:
    trackers = (
        BallotBoxEntry.objects.filter(ballot=ballot, log_index__lt=size)
        .order_by("log_index")
        .values_list("tracker", flat=True)
    )
    return MerkleLog.from_leaves(bytes.fromhex(t) for t in trackers).root()


def test_each_head_signed_from_the_frontier_has_the_full_rebuilds_root(ready_ballot: SetUp):
    voters = open_with_voters(ready_ballot, 9)
    ballot = ready_ballot.ballot
    for start in range(0, 9, 3):
        cast_orders(ready_ballot, voters[start : start + 3], [[0], [1, 0], [2, 3]])
        with CaptureQueriesContext(connection) as queries:
            assert seal_pending(ballot, min_batch=1) > 0
        # A rebuild is a SELECT of the box's trackers in log order (the seal's own move
        # statement, a DELETE ... RETURNING into an INSERT, writes in log order but reads none).
        reads = [
            q["sql"]
            for q in queries.captured_queries
            if "tracker" in q["sql"] and q["sql"].lstrip().upper().startswith("SELECT")
        ]
        assert not any("ORDER BY" in sql and "log_index" in sql for sql in reads), (
            "a pass never reads the log back to rebuild it"
        )
    heads = list(ballot.heads.order_by("sequence"))
    assert (
        len(heads) >= 4
        and heads[-1].tree_size == BallotBoxEntry.objects.filter(ballot=ballot).count()
    )
    for head in heads:
        assert bytes(head.root_hash) == _rebuilt_root(ballot, head.tree_size)


def test_a_missing_or_stale_frontier_is_rebuilt_from_the_box(ready_ballot: SetUp):
    voters = open_with_voters(ready_ballot, 4)
    ballot = ready_ballot.ballot
    cast_orders(ready_ballot, voters[:2], [[0], [1]])
    seal_pending(ballot, min_batch=1)
    sealed = BallotBoxEntry.objects.filter(ballot=ballot).count()
    stored = Ballot.objects.get(pk=ballot.pk)
    assert stored.log_frontier_size == sealed and len(log_frontier(stored)) == sealed
    Ballot.objects.filter(pk=ballot.pk).update(log_frontier=None, log_frontier_size=None)
    assert log_frontier(Ballot.objects.get(pk=ballot.pk)).root() == _rebuilt_root(ballot, sealed)
    Ballot.objects.filter(pk=ballot.pk).update(log_frontier=b"", log_frontier_size=0)
    assert len(log_frontier(Ballot.objects.get(pk=ballot.pk))) == sealed, "stale: rebuilt"
    cast_orders(ready_ballot, voters[2:], [[2], [3]])
    seal_pending(ballot, min_batch=1)
    head = ballot.heads.order_by("-sequence").first()
    assert bytes(head.root_hash) == _rebuilt_root(ballot, head.tree_size)
