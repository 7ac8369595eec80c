"""The server's side of casting end-to-end ballots, in-process on PostgreSQL: parse the posted
papers, check every proof against the voter's credential, and the durable cast (roll mark,
papers, receipt keeper), with N threads casting at once.

Run (your own database; it is dropped and migrated first):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gr_e2e_bench \\
        .venv/bin/python bench/e2e_cast.py --members 3000 --voters 2000 --threads 2

It seeds the demo organisation (``--members``), an e2e ballot (an STV question of 8
candidates, a yes/no motion) through the key ceremony, opens it, encrypts ``--voters`` papers
in advance (the browser's work), then times ``cast_e2e_ballot`` per voter. No HTTP: this is
the service's cost, a lower bound on bench/cast_load.py's (which goes through gunicorn).
Prints the load average, ballots per second, p50/p99 latency, and the process's CPU time.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings.test")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=3000)
    parser.add_argument("--voters", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=2)
    arguments = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("set DATABASE_URL to a PostgreSQL database of your own (it is recreated)")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    print(f"load average before: {os.getloadavg()}")
    call_command("migrate", verbosity=0)

    import datetime

    from grassroots import clock
    from grassroots.ballots.e2e import e2e_questions, voter_credential
    from grassroots.ballots.models import Ballot, QuestionKind, RollEntry
    from grassroots.ballots.services.e2e_casting import cast_e2e_ballot
    from grassroots.ballots.services.lifecycle import open_ballot
    from grassroots.ballots.services.setup import add_candidate, add_question, create_ballot
    from grassroots.ballots.services.tellers import set_up_tellers
    from grassroots.demo.e2e_ballot import _ceremony
    from grassroots.demo.people import (
        AUDITOR_LOGIN,
        COMMITTEE_LOGIN,
        NATIONAL_LOGIN,
        REGIONAL_LOGIN,
    )
    from grassroots.demo.seed import seed_demo
    from grassroots.ledger.e2e.files import cast_to_json
    from grassroots.ledger.e2e.papers import Paper
    from grassroots.ledger.e2e.voter import encrypt_paper
    from grassroots.people.models import Member

    if not Member.objects.exists():
        seed_demo(members=arguments.members)
    member = {m.user.email: m for m in Member.objects.filter(user__isnull=False)}
    officer = member[NATIONAL_LOGIN.email]
    tellers = [member[e.email] for e in (COMMITTEE_LOGIN, AUDITOR_LOGIN, REGIONAL_LOGIN)]
    now = clock.now()
    ballot = create_ballot(
        actor=officer.user,
        title=f"e2e cast bench {now:%H%M%S}",
        description="",
        level="nation",
        scope=None,
        opens_at=now - datetime.timedelta(minutes=1),
        closes_at=now + datetime.timedelta(hours=2),
        end_to_end=True,
    )
    stv = add_question(
        actor=officer.user,
        ballot=ballot,
        title="Committee",
        kind=QuestionKind.STV,
        stv_rule="scottish",
        seats=3,
    )
    for i in range(8):
        add_candidate(actor=officer.user, question=stv, name=f"Candidate {i + 1}")
    add_question(actor=officer.user, ballot=ballot, title="Motion?", kind="yesno")
    set_up_tellers(actor=officer.user, ballot=ballot, members=tellers)
    _ceremony(ballot, tellers)
    open_ballot(actor=officer.user, ballot=ballot)
    ballot = Ballot.objects.get(pk=ballot.pk)
    key = bytes(ballot.tellers_public_key or b"")
    questions = [q for _, q in e2e_questions(ballot)]
    entries = list(RollEntry.objects.filter(ballot=ballot).order_by("pk")[: arguments.voters])
    prepared = []
    started = time.monotonic()
    for entry in entries:
        credential = voter_credential(ballot, entry.pk)
        papers = {}
        for question in questions:
            cast, _ = encrypt_paper(
                election_id=ballot.election_id,
                question=question,
                credential=credential,
                public_key=key,
                paper=Paper((1, 0, 3) if question.id == "q1" else (0,)),
            )
            line = cast_to_json(cast)
            papers[question.id] = {"ballot": line["ballot"], "proof": line["proof"]}
        prepared.append((entry, papers))
    print(f"{len(prepared)} voters' papers encrypted in {time.monotonic() - started:.1f} s")
    connection.close()

    latencies: list[float] = []
    lock = threading.Lock()

    def caster(jobs: list) -> None:  # type: ignore[type-arg]
        mine = []
        for entry, papers in jobs:
            start = time.monotonic()
            cast_e2e_ballot(
                ballot=ballot,
                roll_entry=entry,
                papers=papers,
                idempotency_key=f"bench-e2e-{entry.pk:012d}",
            )
            mine.append(time.monotonic() - start)
        connections.close_all()
        with lock:
            latencies.extend(mine)

    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.monotonic()
    threads = [
        threading.Thread(target=caster, args=(prepared[i :: arguments.threads],))
        for i in range(arguments.threads)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    latencies.sort()
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    print(
        f"{len(latencies)} e2e casts (2 papers each) with {arguments.threads} threads in "
        f"{wall:.1f} s: {len(latencies) / wall:.0f} ballots/s; p50 "
        f"{statistics.median(latencies) * 1000:.1f} ms, p99 "
        f"{latencies[int(0.99 * (len(latencies) - 1))] * 1000:.1f} ms; this process's CPU "
        f"{cpu:.1f} s ({cpu / len(latencies) * 1000:.2f} ms a ballot; PostgreSQL's not counted)"
    )
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
