"""On PostgreSQL, at the sizes of issue 4: one member one vote under 500 x 6 simultaneous
submissions, and many casters racing the close.

Each submitting thread keeps its own database connection for its whole life (as a gunicorn
worker would), and the sealer runs in its own thread at the same time, so the casting locks,
the sealer's lock and the close's lock all meet. On the 2-core machine: about 30 s for the
first test and 10 s for each of the three runs of the second (marked slow).
"""

from __future__ import annotations

import queue
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connection

from grassroots.ballots.models import (
    Ballot,
    BallotBoxEntry,
    BallotStatus,
    RollEntry,
    UnsealedBallot,
)
from grassroots.ballots.services.casting import Receipt, cast_ballot
from grassroots.ballots.services.counting import count_ballot
from grassroots.ballots.services.errors import AlreadyVoted, PollNotOpen
from grassroots.ballots.services.lifecycle import close_ballot
from grassroots.ballots.services.sealing import seal_pending
from grassroots.ballots.services.tellers import reveal_share
from grassroots.people.models import Member
from tests.ballots.conftest import candidate_ids, make_ballot, open_with_voters

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.usefixtures("transactional_db"),
]

MEMBERS = 500
SUBMISSIONS = 6
THREADS = 24


@dataclass
class Outcome:
    member_pk: int
    key: str
    receipt: Receipt | None = None
    refusal: str = ""
    started: float = 0.0


def _run_in_threads(
    jobs: Iterable[Any], work: Callable[[Any], Outcome], threads: int
) -> list[Outcome]:
    """Run ``work`` over ``jobs`` in ``threads`` threads, each with its own connection."""
    pending: queue.SimpleQueue[Any] = queue.SimpleQueue()
    for job in jobs:
        pending.put(job)
    outcomes: list[Outcome] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            while True:
                try:
                    job = pending.get_nowait()
                except queue.Empty:
                    return
                outcomes.append(work(job))
        except BaseException as error:  # surfaced in the test thread below
            errors.append(error)
        finally:
            connection.close()

    started = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in started), "a submitting thread hung"
    if errors:
        raise errors[0]
    return outcomes


@dataclass
class Sealer:
    """The sealer task, in a thread, sealing batches of 10 while casts go on."""

    ballot: Ballot
    stop: threading.Event = field(default_factory=threading.Event)
    sealed: int = 0
    errors: list[BaseException] = field(default_factory=list)

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                self.sealed += seal_pending(self.ballot, min_batch=10)
                time.sleep(0.02)
        except BaseException as error:
            self.errors.append(error)
        finally:
            connection.close()

    def __enter__(self) -> Sealer:
        self.thread = threading.Thread(target=self.run)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=60)
        assert not self.thread.is_alive(), "the sealer hung"
        if self.errors:
            raise self.errors[0]


def _box_trackers(ballot: Ballot) -> list[str]:
    return list(BallotBoxEntry.objects.filter(ballot=ballot).values_list("tracker", flat=True))


def test_five_hundred_members_six_simultaneous_submissions_each_give_five_hundred_ballots(
    frozen_clock,
):
    setup = make_ballot()
    voters = open_with_voters(setup, MEMBERS)
    answers = {setup.stv.pk: candidate_ids(setup.stv)[:3], setup.motion.pk: []}
    # A third of the members retry one form six times (double clicks, lost replies), a third
    # open six tabs (six keys), a third do both (three with one key, three with their own).
    jobs: list[tuple[Member, str]] = []
    first_key: dict[int, str] = {}
    for number, voter in enumerate(voters):
        shared = secrets.token_urlsafe(24)
        first_key[voter.pk] = shared
        style = number % 3
        for attempt in range(SUBMISSIONS):
            same = style == 0 or (style == 2 and attempt < 3)
            jobs.append((voter, shared if same else secrets.token_urlsafe(24)))
    # A member's six submissions stay next to each other in the queue, so six threads take
    # them up at the same moment; the members themselves come in random order.
    by_member = [jobs[i : i + SUBMISSIONS] for i in range(0, len(jobs), SUBMISSIONS)]
    secrets.SystemRandom().shuffle(by_member)
    ordered = [job for group in by_member for job in group]

    def submit(job: tuple[Member, str]) -> Outcome:
        voter, key = job
        outcome = Outcome(member_pk=voter.pk, key=key)
        try:
            outcome.receipt = cast_ballot(
                actor=voter.user, ballot=setup.ballot, answers=answers, idempotency_key=key
            )
        except AlreadyVoted as refusal:
            outcome.refusal = type(refusal).__name__
        return outcome

    with Sealer(setup.ballot):
        outcomes = _run_in_threads(ordered, submit, THREADS)
    assert len(outcomes) == MEMBERS * SUBMISSIONS
    # The close seals the last batch: what was left, with the ballots the sealer held back.
    frozen_clock.advance(hours=2)
    close_ballot(actor=setup.officer.user, ballot=setup.ballot)

    # Exactly one first acknowledgement per member; every repeat is the same form's receipt.
    firsts: dict[int, Receipt] = {}
    for outcome in outcomes:
        if outcome.receipt is not None and not outcome.receipt.is_repeat:
            assert outcome.member_pk not in firsts, "a member was acknowledged twice"
            firsts[outcome.member_pk] = outcome.receipt
    assert len(firsts) == MEMBERS
    first_keys = {o.member_pk: o.key for o in outcomes if o.receipt and not o.receipt.is_repeat}
    for outcome in outcomes:
        if outcome.receipt is not None and outcome.receipt.is_repeat:
            assert outcome.key == first_keys[outcome.member_pk]
            assert outcome.receipt.trackers == firsts[outcome.member_pk].trackers
        elif outcome.receipt is None:
            assert outcome.key != first_keys[outcome.member_pk]  # refused: another form

    # Roll marks = ballots in the box = members; every acknowledged tracker is in the box.
    marks = RollEntry.objects.filter(ballot=setup.ballot, has_voted=True).count()
    box = _box_trackers(setup.ballot)
    assert marks == MEMBERS
    assert not UnsealedBallot.objects.filter(ballot=setup.ballot).exists()
    assert len(box) == len(set(box)) == MEMBERS * 2  # one paper per question per ballot
    acknowledged = {t for o in outcomes if o.receipt for _, t in o.receipt.trackers}
    assert acknowledged == set(box)

    # And the tellers' count sees exactly 500 papers for each question.
    for teller, share in list(zip(setup.tellers, setup.shares, strict=True))[:2]:
        reveal_share(
            actor=teller.user, teller=setup.ballot.tellers.get(member=teller), share_text=share
        )
    count_ballot(actor=setup.officer.user, ballot=setup.ballot)
    for question in setup.ballot.questions.all():
        assert question.result is not None
    setup.ballot.refresh_from_db()
    assert setup.ballot.voted_count == MEMBERS
    assert BallotBoxEntry.objects.filter(ballot=setup.ballot, plaintext__isnull=True).count() == 0


@pytest.mark.parametrize("close_after", [1, 60, 200])
def test_many_casts_racing_the_close_none_lost_none_after_it(frozen_clock, close_after):
    """300 members, 32 threads, the sealer running, and the close landing part way through.

    Each member submits twice with one key (a retry after a lost reply). Checked: every
    acknowledged tracker is in the box; the box holds exactly the papers of the roll marks;
    nothing is left unsealed, so nothing committed after the close's final seal; and every
    submission that began after the close had committed was refused.
    """
    setup = make_ballot()
    voters = open_with_voters(setup, 300)
    answers = {setup.stv.pk: candidate_ids(setup.stv)[:2]}
    acknowledged: set[int] = set()
    closed_at: list[float] = []

    def submit(job: tuple[Member, str]) -> Outcome:
        voter, key = job
        outcome = Outcome(member_pk=voter.pk, key=key, started=time.monotonic())
        try:
            outcome.receipt = cast_ballot(
                actor=voter.user, ballot=setup.ballot, answers=answers, idempotency_key=key
            )
            acknowledged.add(voter.pk)
        except (PollNotOpen, AlreadyVoted) as refusal:
            outcome.refusal = type(refusal).__name__
        return outcome

    def close_part_way() -> None:
        try:
            deadline = time.monotonic() + 60
            while len(acknowledged) < close_after and time.monotonic() < deadline:
                time.sleep(0.0005)
            frozen_clock.advance(hours=2)
            close_ballot(actor=setup.officer.user, ballot=setup.ballot)
            closed_at.append(time.monotonic())
        finally:
            connection.close()

    jobs = []
    for voter in voters:
        key = secrets.token_urlsafe(24)
        jobs += [(voter, key), (voter, key)]
    closer = threading.Thread(target=close_part_way)
    with Sealer(setup.ballot):
        closer.start()
        outcomes = _run_in_threads(jobs, submit, 32)
        closer.join(timeout=60)
    assert closed_at, "the close did not happen"

    setup.ballot.refresh_from_db()
    assert setup.ballot.status == BallotStatus.CLOSED
    box = _box_trackers(setup.ballot)
    acked = {t for o in outcomes if o.receipt for _, t in o.receipt.trackers}
    marks = RollEntry.objects.filter(ballot=setup.ballot, has_voted=True).count()
    assert not UnsealedBallot.objects.exists()  # nothing committed after the final seal
    assert acked <= set(box)  # no acknowledged vote lost
    assert len(box) == len(set(box)) == 2 * marks == 2 * setup.ballot.voted_count
    assert marks == len({o.member_pk for o in outcomes if o.receipt})  # no mark without a receipt
    # A submission that began after the close committed is refused: a new vote because the
    # poll is closed, a retry because the member has voted (the receipt keepers went with the
    # close, so not even a repeat of a receipt comes back).
    voted = {o.member_pk for o in outcomes if o.receipt}
    late = [o for o in outcomes if o.started > closed_at[0]]
    assert all(o.receipt is None for o in late)
    for outcome in late:
        expected = "AlreadyVoted" if outcome.member_pk in voted else "PollNotOpen"
        assert outcome.refusal == expected
    assert 0 < marks < len(voters)  # the close really landed in the middle of the casting
