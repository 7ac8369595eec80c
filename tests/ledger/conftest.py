"""A small published election, built once: an STV question with a women's minimum, a motion
and an approval question, a few hundred ballots, heads every 20 ballots, 3 of 5 shares."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from grassroots.ledger.build import build_record, election_parameters, new_election_keys
from grassroots.ledger.record import Constraint, ElectionRecord, Question, Roll, ScopeTurnout
from grassroots.ledger.recount import ballot_plaintext

QUESTIONS = (
    Question(
        id="ncm",
        title="National committee members",
        rule="scottish",
        seats=3,
        candidates=("Asha", "Bryn", "Cait", "Dara", "Eilidh", "Fergus"),
        categories={0: ("women",), 2: ("women",), 4: ("women",)},
        constraints=(Constraint("women", minimum=2),),
        seed=20260501,
    ),
    Question(
        id="motion-7",
        title="Motion 7: open selections",
        rule="yesno",
        seats=1,
        candidates=("Yes", "No", "Abstain"),
        options={"threshold": "2/3"},
    ),
    Question(
        id="venue",
        title="Conference venues",
        rule="approval",
        seats=2,
        candidates=("Leeds", "Perth", "Cardiff", "Derry"),
        seed=7,
    ),
)


def random_plaintexts(count: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    plaintexts = []
    for number in range(count):
        question = QUESTIONS[number % len(QUESTIONS)]
        if question.rule == "yesno":
            marks = [rng.choice([0, 0, 1, 2])]
        else:
            n = len(question.candidates)
            marks = rng.sample(range(n), rng.randint(0, n))
        plaintexts.append(ballot_plaintext(question, marks))
    return plaintexts


def make_record(ballots: int = 240, seed: int = 1) -> ElectionRecord:
    keys = new_election_keys(tellers=5, threshold=3)
    voted = ballots // len(QUESTIONS)  # one paper per question from every voter
    parameters = election_parameters(
        election_id="2026-national", title="Spring ballot", questions=QUESTIONS, keys=keys
    )
    return build_record(
        parameters=parameters,
        election_private_key=keys.election.private,
        revealed_shares=keys.shares[1:4],
        plaintexts=random_plaintexts(ballots, seed),
        roll=Roll(
            size=400,
            voted=voted,
            scopes=(
                ScopeTurnout("Scotland", 120, voted // 2),
                ScopeTurnout("Wales", 90, voted // 4),
                ScopeTurnout("No group", 190, voted - voted // 2 - voted // 4),
            ),
        ),
        opened_at=datetime(2026, 5, 1, 9, 0, tzinfo=UTC),
        head_every=20,
    )


@pytest.fixture(scope="session")
def election_record() -> ElectionRecord:
    return make_record()
