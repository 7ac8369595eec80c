"""Issue 17: a secret live vote stores no link from voter to choice, as ballots do.

The attack a database administrator would try, on PostgreSQL: a mark's ``xmin`` is the id of
the transaction that wrote it, and a paper written in the same transaction has the same one; or
the papers' physical order (``ctid``) or ids follow the order of casting. Each voter here picks
a different choice, so a paper's choice names its voter and any link would show.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
from django.db import connection

from grassroots.assembly.models import LiveBallot, UnsealedLiveBallot, VoteMark
from grassroots.assembly.services import sealing
from grassroots.assembly.services.votes import cast_vote, close_vote, open_vote
from tests.assembly.builders import build_session, sign_in

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

GROUPS = (("Leeds Central", 300, 24), ("Harrogate", 150, 12), ("Skipton", 90, 9))


def _rows(sql: str, params: list[object]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _concordance(order_a: list[int], order_b: list[int]) -> float:
    """Share of pairs two orderings put the same way round (0.5 for unrelated orders)."""
    rank_b = {item: i for i, item in enumerate(order_b)}
    pairs = same = 0
    for i in range(len(order_a)):
        for j in range(i + 1, len(order_a)):
            pairs += 1
            same += rank_b[order_a[i]] < rank_b[order_a[j]]
    return same / pairs


def _election(session, voters: int):
    sign_in(session, session.delegates)
    return open_vote(
        actor=session.chair,
        meeting=session.meeting,
        subject="election",
        method="single",
        question="Chair of the regional committee",
        options=[f"Candidate {n}" for n in range(voters)],
    )


def _ctid(text: str) -> tuple[int, int]:
    page, _, item = text.strip("()").partition(",")
    return int(page), int(item)


def _cast_all(session, vote) -> dict[int, str]:
    """Voter ``i`` (in casting order) picks choice ``i``; returns each mark's casting xmin."""
    for index, member in enumerate(session.delegates):
        cast_vote(actor=member.user, meeting=session.meeting, vote_id=vote.pk, choice=[index])
    table = VoteMark._meta.db_table
    return dict(_rows(f"SELECT member_id, xmin::text FROM {table} WHERE vote_id = %s", [vote.pk]))


def test_papers_are_sealed_in_batches_apart_from_the_marks_while_the_vote_is_open():
    session = build_session(groups=GROUPS, secret=True, extra_members=0)
    voters = len(session.delegates)
    assert voters == 45
    vote = _election(session, voters)
    cast_xmins = _cast_all(session, vote)
    assert len(set(cast_xmins.values())) == voters  # one casting transaction each

    sealed = _rows(
        f"SELECT xmin::text FROM {LiveBallot._meta.db_table} WHERE vote_id = %s",
        [vote.pk],
    )
    waiting = _rows(
        f"SELECT xmin::text FROM {UnsealedLiveBallot._meta.db_table} WHERE vote_id = %s",
        [vote.pk],
    )
    # Seals at 20, 30 and 40 papers waiting, each sealing all but a random 10 held back.
    assert len(sealed) == 30 and len(waiting) == 15
    batches = Counter(row[0] for row in sealed)
    assert all(size >= sealing.MIN_BATCH for size in batches.values())
    assert not set(batches) & set(cast_xmins.values())
    # The ten held back by each seal were written back by the sealer: the last seal's carry its
    # transaction id, not their casters'; the five cast since wait with their casters' ids.
    held = [row[0] for row in waiting if row[0] in batches]
    assert len(held) == sealing.MIN_BATCH and len(set(held)) == 1
    assert len([row for row in waiting if row[0] in set(cast_xmins.values())]) == 5

    vote = close_vote(actor=session.chair, meeting=session.meeting, vote_id=vote.pk)
    assert vote.result["voters"] == voters
    assert sorted(r["heads"] for r in vote.result["rows"]) == [1] * voters
    assert not UnsealedLiveBallot.objects.exists()
    marks = _rows(
        f"SELECT xmin::text FROM {VoteMark._meta.db_table} WHERE vote_id = %s",
        [vote.pk],
    )
    # The close rewrote every mark in its own transaction: no mark keeps its cast's id.
    assert len({row[0] for row in marks}) == 1
    assert not {row[0] for row in marks} & set(cast_xmins.values())
    papers = _rows(
        f"SELECT xmin::text FROM {LiveBallot._meta.db_table} WHERE vote_id = %s",
        [vote.pk],
    )
    assert len(papers) == voters
    assert not {row[0] for row in papers} & set(cast_xmins.values())
    assert set(LiveBallot.objects.values_list("voter", "cast_by")) == {(None, None)}


def test_no_column_and_no_order_of_the_papers_follows_the_order_of_casting(monkeypatch):
    # One batch, the close's: the order within a batch is what is tested here.
    monkeypatch.setattr(sealing, "MIN_BATCH", 1000)
    session = build_session(groups=GROUPS, secret=True, extra_members=0)
    vote = _election(session, len(session.delegates))
    _cast_all(session, vote)
    assert LiveBallot.objects.count() == 0
    close_vote(actor=session.chair, meeting=session.meeting, vote_id=vote.pk)

    columns = {
        row[0]
        for row in _rows(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s",
            [LiveBallot._meta.db_table],
        )
    }
    # voter and cast_by are filled in named votes only (checked empty above).
    assert columns == {
        "id",
        "vote_id",
        "choice",
        "weight_numerator",
        "weight_denominator",
        "voter_id",
        "cast_by_id",
    }
    unsealed = {
        row[0]
        for row in _rows(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s",
            [UnsealedLiveBallot._meta.db_table],
        )
    }
    assert unsealed == {"id", "vote_id", "choice", "weight_numerator", "weight_denominator"}
    rows = _rows(
        f"SELECT choice, ctid::text, id::text FROM {LiveBallot._meta.db_table} WHERE vote_id = %s",
        [vote.pk],
    )
    casting = list(range(len(rows)))
    by_ctid = [json.loads(row[0])[0] for row in sorted(rows, key=lambda row: _ctid(row[1]))]
    by_id = [json.loads(row[0])[0] for row in sorted(rows, key=lambda row: row[2])]
    for name, order in (("ctid", by_ctid), ("id", by_id)):
        assert sorted(order) == casting
        concordance = _concordance(casting, order)
        assert 0.25 < concordance < 0.75, f"{name} order follows casting ({concordance:.2f})"
