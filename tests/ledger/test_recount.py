"""Ballot papers: one canonical plaintext per answer, and the package stays free of Django."""

from __future__ import annotations

import subprocess
import sys

import pytest

from grassroots.ledger.record import Question
from grassroots.ledger.recount import BallotPaperError, ballot_plaintext, parse_plaintext

STV = Question(id="ncm", title="NC", rule="scottish", seats=2, candidates=("A", "B", "C"))
APPROVAL = Question(id="v", title="Venue", rule="approval", seats=1, candidates=("X", "Y"))
QUESTIONS = {q.id: q for q in (STV, APPROVAL)}


def test_papers_have_one_canonical_form() -> None:
    assert ballot_plaintext(STV, [2, 0]) == b'{"question":"ncm","ranking":[2,0]}'
    assert ballot_plaintext(APPROVAL, [1, 0]) == b'{"choices":[0,1],"question":"v"}'
    assert parse_plaintext(b'{"question":"ncm","ranking":[2,0]}', QUESTIONS).marks == (2, 0)
    assert parse_plaintext(b'{"question":"ncm","ranking":[]}', QUESTIONS).marks == ()


@pytest.mark.parametrize(
    "plaintext",
    [
        b'{"question": "ncm", "ranking": [2, 0]}',  # not compact
        b'{"ranking":[2,0],"question":"ncm"}',  # keys not sorted
        b'{"question":"ncm","ranking":[2,2]}',  # repeated preference
        b'{"question":"ncm","ranking":[3]}',  # no such candidate
        b'{"question":"ncm","choices":[0]}',  # wrong kind of paper
        b'{"choices":[1,0],"question":"v"}',  # marks not ascending
        b'{"question":"other","ranking":[0]}',
        b'{"question":"ncm","ranking":[true]}',
        b"\xff",
        b"[]",
    ],
)
def test_anything_else_is_not_a_ballot_paper(plaintext: bytes) -> None:
    with pytest.raises(BallotPaperError):
        parse_plaintext(plaintext, QUESTIONS)


def test_the_ledger_and_its_verifier_import_no_django() -> None:
    code = (
        "import sys, grassroots.ledger.__main__, grassroots.ledger.build; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('django', 'allauth')]; "
        "sys.exit(1 if bad else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_published_figures_are_positional_decimals_never_exponents() -> None:
    # Meek's zero keep factors and totals came out as Python's "0E-9", which an outside
    # verifier had to learn from the data (issue 20, item 11).
    import json

    from grassroots.ledger.recount import result_to_json
    from grassroots.tally import count
    from grassroots.tally.types import Ballot, Election

    election = Election(
        candidates=("A", "B", "C", "D"),
        seats=2,
        ballots=(Ballot(ranking=(0, 1)), Ballot(ranking=(0, 2)), Ballot(ranking=(1,))),
    )
    text = json.dumps(result_to_json(count(election, rule="meek", seed=1)))
    assert "E-" not in text and "0.000000000" in text
