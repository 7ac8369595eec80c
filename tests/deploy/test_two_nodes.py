"""Two stateless app nodes, one task worker and the ballot scheduler against one PostgreSQL,
as deployed (docs/deploy.md): every voter sends two ballot papers at the same moment, one
through each node. Exactly one is acknowledged per member, every acknowledged tracker is in the
box, the scheduler seals and signs heads while polling, the task worker runs the count, and the
published record passes the independent verifier."""

from __future__ import annotations

import secrets
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count

from grassroots import clock
from grassroots.ballots.forms import field_name
from grassroots.ballots.models import (
    Ballot,
    BallotBoxEntry,
    BallotStatus,
    RollEntry,
    UnsealedBallot,
)
from grassroots.ballots.services.counting import request_count
from grassroots.ballots.services.lifecycle import close_ballot
from grassroots.ballots.services.publishing import publish_results
from grassroots.ballots.services.tellers import reveal_share
from grassroots.people.models import Member
from tests.ballots.conftest import make_ballot, open_with_voters
from tests.deploy.servers import (
    ROOT,
    TRACKER,
    Browser,
    database_url,
    gunicorn_node,
    node_environment,
    session_for,
    task_worker,
)

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

VOTERS = 24


def test_ballots_cast_through_two_nodes_at_once_keep_one_member_one_vote(tmp_path: Path, settings):
    setup = make_ballot()
    voters = open_with_voters(setup, VOTERS)
    ballot = setup.ballot
    stv = list(setup.stv.candidates.order_by("position"))
    motion = list(setup.motion.candidates.order_by("position"))
    path = f"/ballots/{ballot.pk}/vote/"
    sessions = {voter.pk: session_for(voter) for voter in voters}

    environ = node_environment(database_url())
    with (
        gunicorn_node(environ, tmp_path / "a.log", workers=2) as node_a,
        gunicorn_node(environ, tmp_path / "b.log", workers=2) as node_b,
        task_worker(environ, tmp_path / "worker.log") as worker,
    ):

        def vote(voter: Member) -> list[tuple[int, tuple[str, ...]]]:
            browsers = [Browser(node.url, sessions[voter.pk], path) for node in (node_a, node_b)]
            forms = [browser.form() for browser in browsers]
            rng = secrets.SystemRandom()
            ranked = rng.sample(stv, rng.randint(1, len(stv)))
            for form in forms:
                form.update({field_name(setup.stv, c.pk): str(n) for n, c in enumerate(ranked, 1)})
                form[field_name(setup.motion)] = str(rng.choice(motion).pk)
            results: list[tuple[int, tuple[str, ...]]] = [(0, ())] * 2
            together = threading.Barrier(2)

            def post(i: int) -> None:
                together.wait()
                status, text = browsers[i].request(forms[i])
                results[i] = (status, tuple(TRACKER.findall(text)))

            threads = [threading.Thread(target=post, args=(i,)) for i in (0, 1)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            return results

        with ThreadPoolExecutor(max_workers=6) as pool:
            outcomes = list(pool.map(vote, voters))

        # The scheduler, as cron or its systemd timer runs it: seals and signs a head.
        scheduler = subprocess.run(
            [sys.executable, "manage.py", "run_ballot_scheduler", "--once"],
            cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert scheduler.returncode == 0, scheduler.stderr

        acknowledged: set[str] = set()
        for results in outcomes:
            receipts = [trackers for status, trackers in results if status == 200 and trackers]
            assert len(receipts) == 1, results  # one paper acknowledged, the other refused
            assert len(receipts[0]) == 2
            acknowledged.update(receipts[0])
            refused = [status for status, trackers in results if not trackers]
            assert refused and refused[0] in (200, 409), results

        marks = RollEntry.objects.filter(ballot=ballot, has_voted=True)
        assert marks.count() == VOTERS
        assert not marks.values("member").annotate(n=Count("id")).filter(n__gt=1).exists()
        # The scheduler's sealer holds back a random minimum while the poll is open (issue 20,
        # item 1); the close seals them. Every acknowledged paper is in one place or the other.
        waiting = UnsealedBallot.objects.filter(ballot=ballot).values_list("tracker", flat=True)
        box = set(BallotBoxEntry.objects.filter(ballot=ballot).values_list("tracker", flat=True))
        assert box | set(waiting) == acknowledged and len(box) + len(waiting) == 2 * VOTERS

        # Close, the tellers' shares, and the count run by the task worker.
        Ballot.objects.filter(pk=ballot.pk).update(closes_at=clock.now())
        close_ballot(actor=setup.officer.user, ballot=Ballot.objects.get(pk=ballot.pk))
        ballot = Ballot.objects.get(pk=ballot.pk)
        for teller, share in list(zip(setup.tellers, setup.shares, strict=True))[:2]:
            reveal_share(
                actor=teller.user, teller=ballot.tellers.get(member=teller), share_text=share
            )
        settings.TASKS = {
            "default": {
                "BACKEND": "django_tasks_db.DatabaseBackend",
                "QUEUES": ["default", "mail"],
            }
        }
        request_count(actor=setup.officer.user, ballot=Ballot.objects.get(pk=ballot.pk))
        deadline = time.monotonic() + 60
        while Ballot.objects.get(pk=ballot.pk).status != BallotStatus.COUNTED:
            assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()[-3000:]
            assert worker.poll() is None
            time.sleep(0.3)
        publish_results(actor=setup.officer.user, ballot=Ballot.objects.get(pk=ballot.pk))

    # The count ran in the worker process, and each node took one paper from every voter.
    assert "count_ballot_task state=SUCCESSFUL" in (tmp_path / "worker.log").read_text()
    for log in ("a.log", "b.log"):
        assert (tmp_path / log).read_text().count(f'"POST {path} ') == VOTERS

    record = tmp_path / "record"
    call_command("export_record", "--election", ballot.election_id, str(record))
    verify = subprocess.run(
        [sys.executable, "-m", "grassroots.ledger", "verify", str(record),
         "--election-key", Ballot.objects.get(pk=ballot.pk).election_key_hex],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert verify.returncode == 0, verify.stdout
    assert Ballot.objects.get(pk=ballot.pk).voted_count == VOTERS
