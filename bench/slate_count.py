"""Counting a selection ballot with sections at app level (issue 16): 5 regions, 12 seats,
100,000 voters, from the stored papers to the stored results.

A national ballot is made through the services with one section per region (seats 4, 2, 2,
2, 2; 10 candidates each, in overlapping categories; quota rules "women: at least half the
seats" and "bame: at least 1"). Each voter leaves one paper per section, as the cast does: a
ranking in their own region's section and a blank paper in the four others, so the box holds
5 papers a voter (500,000 for 100,000 voters), stored already decrypted (the tellers'
decryption is not timed here: it is the same per paper with or without sections, and
docs/benchmarks.md has it). Timed: ``counting._count_questions`` (every plaintext read from
the database and parsed, each section counted with its quota rules, each report drawn) and
``_finish_count`` (the results stored), as the count task runs them; wall and CPU time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gr_slates_bench \\
        PYTHONPATH=. .venv/bin/python bench/slate_count.py [--voters N] [--repeat N]

The database is created and migrated if it is empty. Target: at most 2 s.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import os
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECTIONS = (("North", 4), ("Midlands", 2), ("London", 2), ("Wales", 2), ("South West", 2))
CANDIDATES = 10


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--voters", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings.test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    import factory

    from grassroots import clock
    from grassroots.ballots.models import Ballot, BallotBoxEntry, BallotStatus, Question
    from grassroots.ballots.publication import election_parameters
    from grassroots.ballots.services import counting
    from grassroots.ballots.services.setup import add_candidate, add_question, create_ballot
    from grassroots.ledger.recount import ballot_plaintext
    from grassroots.organisation.models import Role
    from grassroots.organisation.permissions import NATION
    from tests import factories
    from tests.factories import AreaFactory, RoleFactory

    # Factories number their rows from 0 in each process: start past any earlier run's.
    offset = int(time.time()) % 1_000_000 * 100
    for made in vars(factories).values():
        if isinstance(made, type) and issubclass(made, factory.Factory) and made._meta.model:
            made.reset_sequence(offset, force=True)
    rng = random.Random(16)
    officer = RoleFactory(role=Role.NATIONAL_OFFICE).member.user
    now = clock.now()
    ballot = create_ballot(
        actor=officer,
        title=f"Bench selection {now:%H%M%S}",
        description="",
        level="nation",
        scope=NATION,
        opens_at=now - datetime.timedelta(days=2),
        closes_at=now - datetime.timedelta(days=1),
    )
    questions = []
    for name, seats in SECTIONS:
        region = AreaFactory(region__name=f"{name} {now:%H%M%S}").region
        question = add_question(
            actor=officer,
            ballot=ballot,
            title=name,
            kind="stv",
            stv_rule="scottish",
            seats=seats,
            constraints=[
                {"category": "women", "minimum": seats // 2, "maximum": None},
                {"category": "bame", "minimum": 1, "maximum": None},
            ],
            section=region,
        )
        for i in range(CANDIDATES):
            categories = [c for c, yes in (("women", i % 2 == 1), ("bame", i % 3 == 2)) if yes]
            add_candidate(
                actor=officer, question=question, name=f"{name} {i + 1}", categories=categories
            )
        questions.append(question)
    Ballot.objects.filter(pk=ballot.pk).update(
        status=BallotStatus.CLOSED,
        tellers_public_key=bytes(32),
        roll_size=args.voters,
        voted_count=args.voters,
    )
    ballot = Ballot.objects.get(pk=ballot.pk)
    ledger = election_parameters(ballot).questions
    papers_made = time.monotonic()
    rows = []
    index = 0
    for _ in range(args.voters):
        home = rng.randrange(len(SECTIONS))
        for number, question in enumerate(ledger):
            if number == home:
                popular = sorted(range(CANDIDATES), key=lambda c: rng.random() * (c + 1))
                marks = popular[: rng.randint(1, 6)]
            else:
                marks = []
            plaintext = ballot_plaintext(question, marks)
            digest = hashlib.sha256(f"{ballot.election_id}/{index}".encode()).hexdigest()
            rows.append(
                BallotBoxEntry(
                    ballot=ballot,
                    log_index=index,
                    ciphertext=b"",
                    tracker=digest,
                    plaintext=plaintext,
                )
            )
            index += 1
    with transaction.atomic():
        BallotBoxEntry.objects.bulk_create(rows, batch_size=10_000)
    print(f"{index:,} papers stored in {time.monotonic() - papers_made:.1f} s")
    by_id = {q.id: q for q in ledger}
    load = os.getloadavg()
    for attempt in range(1, args.repeat + 1):
        Ballot.objects.filter(pk=ballot.pk).update(status=BallotStatus.CLOSED)
        wall, started = time.monotonic(), cpu()
        count = counting._count_questions(ballot, by_id)
        counting._finish_count(ballot.pk, count)
        print(
            f"run {attempt}: {time.monotonic() - wall:.2f} s wall, {cpu() - started:.2f} s CPU "
            f"(load avg {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}, {connection.vendor})"
        )
    for question in Question.objects.filter(ballot=ballot).order_by("position"):
        result = question.result or {}
        elected = [result["candidates"][i] for i in result.get("elected", [])]
        print(f"  {question.title}: {result.get('valid_poll')} valid, elected {elected}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
