"""The count reads the box grouped in the database (equal plaintexts once, with their number):
on a real sectioned ballot, cast through the services, every published result and report is
exactly what counting the papers one by one in the log's order gives (the count before the
grouping), and the verifier, which recounts the papers one by one, agrees."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from grassroots.ballots.models import BallotBoxEntry
from grassroots.ballots.publication import election_parameters, election_record
from grassroots.ledger.record import write_record
from grassroots.ledger.recount import count_question, parse_plaintext, result_to_json
from grassroots.ledger.verify import verify_directory
from grassroots.tally.report import render_html
from tests.ballots.conftest import Clock
from tests.ballots.test_sections import _cast, _open, _publish, _selection
from tests.factories import MemberWithLoginFactory

pytestmark = pytest.mark.django_db


def test_a_grouped_count_publishes_what_the_papers_one_by_one_give(
    frozen_clock: Clock, tmp_path: Path
):
    selection = _selection()
    rng = random.Random(16)
    voters = [MemberWithLoginFactory(home_group=selection.midlands_group) for _ in range(14)] + [
        MemberWithLoginFactory(home_group=selection.south_west_group) for _ in range(8)
    ]
    shares = _open(selection)
    for voter in voters:
        own = (
            selection.midlands_q
            if voter.home_group_id == selection.midlands_group.pk
            else selection.south_west_q
        )
        size = own.candidates.count()
        # Skewed, short rankings: several voters leave the same paper, some a blank one.
        ranking = sorted(range(size), key=lambda c: rng.random() * (c + 1))[: rng.randint(0, 3)]
        _cast(selection, voter, {own: ranking, selection.chair_q: [rng.randint(0, 1)]})
    ballot = _publish(selection, shares, frozen_clock)

    questions = {q.id: q for q in election_parameters(ballot).questions}
    plaintexts = list(
        BallotBoxEntry.objects.filter(ballot=ballot)
        .order_by("log_index")
        .values_list("plaintext", flat=True)
    )
    papers = [parse_plaintext(bytes(p), questions) for p in plaintexts]
    assert len(set(plaintexts)) < len(plaintexts)  # the grouping had equal papers to group
    for stored in ballot.questions.all():
        one_by_one = count_question(
            questions[stored.ledger_id], papers, roll_size=ballot.roll_size or 0
        )
        assert stored.result == result_to_json(one_by_one)
        assert stored.report_html == render_html(one_by_one, chart_id=f"chart-{stored.ledger_id}")
    assert ballot.count_done == len(plaintexts)

    write_record(election_record(ballot), tmp_path / "record")
    assert all(check.passed for check in verify_directory(tmp_path / "record"))
