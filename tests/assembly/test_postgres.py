"""Issue 17 on PostgreSQL: 500 attendees vote in the same ten seconds, each counted exactly
once, with retries (a transient database error is retried; a vote re-sent after a lost answer
is refused as already cast); and a close racing the casts counts every acknowledged vote and
no paper lands after the count."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction

import pytest
from django.db import OperationalError, connection

from grassroots.assembly.models import LiveBallot, LiveVote, VoteMark
from grassroots.assembly.services.common import AssemblyError
from grassroots.assembly.services.votes import cast_vote, close_vote, open_vote
from tests.assembly.builders import build_session, sign_in

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

GROUPS = (("Leeds Central", 3000, 250), ("Harrogate", 1500, 150), ("Skipton", 500, 100))
WORKERS = 24  # PostgreSQL's default 100 connections, shared with the other sessions


def _cast_with_retries(session, member, vote_id: int, choice: int) -> str:
    for _ in range(6):
        try:
            cast_vote(actor=member.user, meeting=session.meeting, vote_id=vote_id, choice=[choice])
            return "counted"
        except OperationalError:
            time.sleep(0.05)
        except AssemblyError as error:
            return str(error)
        finally:
            connection.close()
    return "gave up"


def test_500_attendees_vote_in_the_same_ten_seconds_each_counted_once():
    session = build_session(groups=GROUPS, extra_members=0)
    sign_in(session, session.delegates)
    vote = open_vote(
        actor=session.chair, meeting=session.meeting, subject="motion", motion=session.motion
    )
    voters = session.delegates
    assert len(voters) == 500
    start = time.monotonic()

    def attendee(index: int) -> tuple[str, str]:
        # Spread over ten seconds, as a hall does when the chair says "vote now".
        time.sleep(max(0.0, index * 10 / len(voters) - (time.monotonic() - start)))
        member = voters[index]
        first = _cast_with_retries(session, member, vote.pk, index % 3)
        # The answer was lost on the way back: the phone sends it again.
        again = _cast_with_retries(session, member, vote.pk, (index + 1) % 3)
        return first, again

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        answers = list(pool.map(attendee, range(len(voters))))
    elapsed = time.monotonic() - start
    assert [first for first, _ in answers] == ["counted"] * 500
    assert all("already voted" in again for _, again in answers)
    assert VoteMark.objects.filter(vote=vote).count() == 500
    assert LiveBallot.objects.filter(vote=vote).count() == 500
    vote = close_vote(actor=session.chair, meeting=session.meeting, vote_id=vote.pk)
    assert vote.result["voters"] == 500
    assert sum(r["heads"] for r in vote.result["rows"]) == 500
    weighted = sum(Fraction(r["weighted"]) for r in vote.result["rows"])
    assert weighted == 5000  # every group's whole membership, once
    assert elapsed < 60, f"500 votes took {elapsed:.1f} s"


def test_a_close_racing_the_casts_counts_every_acknowledged_vote_and_nothing_after():
    session = build_session(
        groups=(("Leeds Central", 300, 60), ("Harrogate", 100, 20)), extra_members=0
    )
    sign_in(session, session.delegates)
    vote = open_vote(
        actor=session.chair, meeting=session.meeting, subject="motion", motion=session.motion
    )
    acknowledged: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(WORKERS + 1)

    def attendee(index: int) -> None:
        if index < WORKERS:
            barrier.wait()
        if _cast_with_retries(session, session.delegates[index], vote.pk, 0) == "counted":
            with lock:
                acknowledged.append(index)

    def chair() -> None:
        barrier.wait()
        time.sleep(0.2)
        close_vote(actor=session.chair, meeting=session.meeting, vote_id=vote.pk)
        connection.close()

    closer = threading.Thread(target=chair)
    closer.start()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        list(pool.map(attendee, range(len(session.delegates))))
    closer.join(timeout=60)
    vote = LiveVote.objects.get(pk=vote.pk)
    assert vote.closed_at is not None
    stored = LiveBallot.objects.filter(vote=vote).count()
    assert stored == len(acknowledged) == vote.result["voters"]
