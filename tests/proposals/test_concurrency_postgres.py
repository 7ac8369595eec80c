"""2,000 members take positions on one proposal within the same minute, on PostgreSQL: each
is counted exactly once, none is lost, and the close that races them counts what committed
before it and nothing after."""

from __future__ import annotations

import queue
import threading
import time

import pytest
from django.db import connection

from grassroots.proposals.models import Position, PositionChange, ProposalStatus
from grassroots.proposals.services.closing import close_due_proposals
from grassroots.proposals.services.positions import take_position
from tests.proposals.builders import bulk_members
from tests.proposals.conftest import propose

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

MEMBERS = 2_000
THREADS = 16


def _in_threads(jobs: list, work, threads: int = THREADS) -> list[BaseException]:
    pending: queue.SimpleQueue = queue.SimpleQueue()
    for job in jobs:
        pending.put(job)
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def worker() -> None:
        try:
            start.wait()
            while True:
                try:
                    job = pending.get_nowait()
                except queue.Empty:
                    return
                work(job)
        except BaseException as error:  # surfaced in the test thread
            errors.append(error)
        finally:
            connection.close()

    running = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join(timeout=300)
    assert not any(t.is_alive() for t in running), "a thread hung"
    return errors


def test_two_thousand_members_in_the_same_minute_are_each_counted_once(branch, moving_clock):
    members = bulk_members(branch.group, MEMBERS)
    proposal = propose(branch, process="consensus")
    assert proposal.eligible_count == MEMBERS + 5
    # Every member answers, and a quarter of them change their mind at once (a second request
    # racing the first): both changes kept in the history, one position counted.
    jobs = [(m, "agree") for m in members] + [(m, "disagree") for m in members[::4]]
    began = time.monotonic()
    errors = _in_threads(
        jobs,
        lambda job: take_position(actor=job[0].user, proposal=proposal, choice=job[1]),
    )
    took = time.monotonic() - began
    assert not errors, errors[:3]
    assert took < 60, f"{MEMBERS} positions took {took:.1f} s: not within a minute"
    assert Position.objects.filter(proposal=proposal).count() == MEMBERS
    assert PositionChange.objects.filter(proposal=proposal).count() == len(jobs)
    assert Position.objects.filter(proposal=proposal).values("member").distinct().count() == MEMBERS
    moving_clock.advance(days=3)
    close_due_proposals()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.CLOSED
    counts = proposal.outcome_counts
    assert sum(counts.values()) == MEMBERS
    assert counts["agree"] + counts["disagree"] == MEMBERS


def test_positions_racing_the_close_are_counted_if_and_only_if_they_committed_first(
    branch, moving_clock
):
    members = bulk_members(branch.group, 300, prefix="racer")
    proposal = propose(branch)
    moving_clock.advance(days=2, seconds=-1)  # one second before the close
    accepted: list[int] = []
    refused: list[int] = []
    closer_done = threading.Event()

    def answer(member) -> None:
        from grassroots.proposals.services.common import ProposalError

        try:
            take_position(actor=member.user, proposal=proposal, choice="consent")
            accepted.append(member.pk)
        except ProposalError:
            refused.append(member.pk)

    def close_when_due() -> None:
        try:
            time.sleep(0.2)
            moving_clock.advance(seconds=2)
            close_due_proposals()
        finally:
            closer_done.set()
            connection.close()

    closer = threading.Thread(target=close_when_due)
    closer.start()
    errors = _in_threads(members, answer, threads=8)
    closer.join(timeout=60)
    assert not errors, errors[:3]
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.CLOSED
    counted = proposal.outcome_counts["consent"]
    assert counted == len(accepted) == Position.objects.filter(proposal=proposal).count()
    assert len(accepted) + len(refused) == 300


def test_officers_sending_a_proposal_on_at_the_same_moment_make_one_agenda_item(branch):
    from grassroots.audit.actions import AuditAction
    from grassroots.audit.models import AuditEntry
    from grassroots.meetings.models import AgendaItem
    from grassroots.proposals.models import Escalation
    from grassroots.proposals.services.closing import close_proposal_now
    from grassroots.proposals.services.escalation import send_to_agenda

    proposal = propose(branch)
    take_position(actor=branch.blocker.user, proposal=proposal, choice="block", reason="No")
    close_proposal_now(actor=branch.secretary.user, proposal=proposal)
    # Double clicks by both officers: eight requests racing one another.
    clicks = [branch.secretary, branch.chair] * 4
    sent: list[int | None] = []
    errors = _in_threads(
        clicks,
        lambda officer: sent.append(
            send_to_agenda(actor=officer.user, proposal=proposal).agenda_item_id
        ),
        threads=len(clicks),
    )
    assert not errors, errors[:3]
    item = AgendaItem.objects.get(title="Proposal: Run a stall on Saturday")
    assert sent == [item.pk] * len(clicks)
    proposal.refresh_from_db()
    assert proposal.escalated_to == Escalation.AGENDA and proposal.agenda_item_id == item.pk
    assert AuditEntry.objects.filter(action=AuditAction.ESCALATE_PROPOSAL).count() == 1


def test_a_step_of_another_use_case_refuses_to_run_outside_a_transaction(branch):
    from grassroots.meetings.services.agenda import add_agenda_item_within

    with pytest.raises(RuntimeError, match="inside the caller's transaction"):
        add_agenda_item_within(
            actor=branch.secretary.user, meeting=branch.meeting, kind="other", title="Late item"
        )
