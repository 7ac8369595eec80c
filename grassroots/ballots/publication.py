"""A ballot as the ledger sees it: its parameters, its signed heads and its election record.

Everything here turns rows into ``grassroots.ledger`` dataclasses, so that what the server signs
and publishes is exactly what ``python -m grassroots.ledger verify`` recomputes.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

from grassroots.ballots.keys import open_with_server_key
from grassroots.ballots.models import Ballot, BallotBoxEntry, Question, QuestionKind
from grassroots.ledger.heads import SignedTreeHead, TreeHead
from grassroots.ledger.record import (
    Constraint,
    ElectionParameters,
    ElectionRecord,
    Roll,
    ScopeTurnout,
    SealedBallot,
    sign_record,
    write_record,
)
from grassroots.ledger.record import Question as LedgerQuestion
from grassroots.ledger.recount import parse_plaintext
from grassroots.tally.blt import write_blt
from grassroots.tally.types import Ballot as TallyBallot
from grassroots.tally.types import Election

ELECTION_KEY_PURPOSE = "election-signing-key"
YESNO_ANSWERS = ("Yes", "No", "Abstain")


def election_private_key(ballot: Ballot) -> bytes:
    return open_with_server_key(
        bytes(ballot.election_private_key_sealed), purpose=ELECTION_KEY_PURPOSE
    )


def ledger_question(question: Question) -> LedgerQuestion:
    candidates = list(question.candidates.all())
    return LedgerQuestion(
        id=question.ledger_id,
        title=question.title,
        rule=question.counting_rule,
        seats=question.seats if question.kind != QuestionKind.YESNO else 1,
        candidates=tuple(c.name for c in candidates),
        categories={i: tuple(c.categories) for i, c in enumerate(candidates) if c.categories},
        constraints=tuple(
            Constraint(
                category=str(item["category"]),
                minimum=int(item.get("minimum") or 0),
                maximum=None if item.get("maximum") is None else int(item["maximum"]),
            )
            for item in question.constraints
        ),
        withdrawn=tuple(i for i, c in enumerate(candidates) if c.withdrawn),
        seed=question.seed,
    )


def election_parameters(ballot: Ballot) -> ElectionParameters:
    if ballot.tellers_public_key is None:
        raise ValueError("the tellers' key is not set up yet")
    return ElectionParameters(
        election_id=ballot.election_id,
        title=ballot.title,
        questions=tuple(
            ledger_question(q) for q in ballot.questions.prefetch_related("candidates")
        ),
        election_public_key=bytes(ballot.election_public_key),
        tellers_public_key=bytes(ballot.tellers_public_key),
        tellers=ballot.tellers_count,
        threshold=ballot.threshold,
        share_hashes=tuple(
            ballot.tellers.order_by("share_index").values_list("share_hash", flat=True)
        ),
    )


class MissingHead(ValueError):
    """The database's heads are not numbered 0, 1, 2... without a gap: the record would be
    incomplete, so it is not built."""


def signed_heads(ballot: Ballot) -> list[SignedTreeHead]:
    """Every head ever signed for the ballot, in order (each one's number is its position)."""
    heads = [
        SignedTreeHead(
            head=TreeHead(
                election_id=ballot.election_id,
                sequence=h.sequence,
                tree_size=h.tree_size,
                root_hash=bytes(h.root_hash),
                parameters_hash=_parameters_hash(ballot),
                timestamp=h.timestamp,
            ),
            signature=bytes(h.signature),
        )
        for h in ballot.heads.order_by("sequence")
    ]
    for position, signed in enumerate(heads):
        if signed.head.sequence != position:
            raise MissingHead(
                f"ballot {ballot.election_id}: head {position} is missing from the database "
                f"(the next stored is head {signed.head.sequence})"
            )
    return heads


def _parameters_hash(ballot: Ballot) -> bytes:
    from grassroots.ledger.record import parameters_hash

    cached: bytes | None = getattr(ballot, "_parameters_hash", None)
    if cached is None:
        cached = parameters_hash(election_parameters(ballot))
        ballot._parameters_hash = cached  # type: ignore[attr-defined]
    return cached


def election_record(ballot: Ballot) -> ElectionRecord:
    """The signed election record of a counted ballot, ready for ``write_record``."""
    entries = list(BallotBoxEntry.objects.filter(ballot=ballot).order_by("log_index"))
    if any(e.plaintext is None for e in entries):
        raise ValueError("the ballot has not been decrypted yet")
    record = ElectionRecord(
        parameters=election_parameters(ballot),
        roll=Roll(
            size=ballot.roll_size or 0,
            voted=ballot.voted_count or 0,
            scopes=tuple(
                ScopeTurnout(
                    scope=str(row["scope"]),
                    roll_size=int(row["roll_size"]),
                    voted=int(row["voted"]),
                )
                for row in ballot.turnout
            ),
        ),
        results={q.ledger_id: q.result or {} for q in ballot.questions.all()},
        key_shares=tuple(
            t.revealed_share for t in ballot.tellers.order_by("share_index") if t.revealed_share
        ),
        ballots=tuple(
            SealedBallot(tracker=e.tracker, ciphertext=bytes(e.ciphertext)) for e in entries
        ),
        heads=tuple(signed_heads(ballot)),
        plaintexts=tuple(bytes(e.plaintext) for e in entries if e.plaintext is not None),
    )
    return sign_record(record, election_private_key(ballot))


def record_zip(ballot: Ballot) -> bytes:
    """The election record's files as one zip (in a directory named after the election)."""
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch) / ballot.election_id
        write_record(election_record(ballot), directory)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(directory.iterdir()):
                archive.write(path, f"{ballot.election_id}/{path.name}")
    return buffer.getvalue()


def question_blt(question: Question) -> str:
    """A ranked question's opened ballots as BLT, for recounting with any other STV program.

    Blank papers (no preference) are left out, as BLT has no use for them; the candidates,
    withdrawals and ballots are otherwise exactly those the count used.
    """
    ledger = ledger_question(question)
    questions = {q.id: q for q in election_parameters(question.ballot).questions}
    papers = []
    entries = BallotBoxEntry.objects.filter(ballot=question.ballot).order_by("log_index")
    for plaintext in entries.values_list("plaintext", flat=True).iterator():
        if plaintext is None:
            raise ValueError("the ballot has not been decrypted yet")
        paper = parse_plaintext(bytes(plaintext), questions)
        if paper.question == ledger.id and paper.marks:
            papers.append(TallyBallot(ranking=paper.marks))
    election = Election(
        candidates=tuple(name.replace('"', "'") for name in ledger.candidates),
        seats=ledger.seats,
        ballots=tuple(papers),
        withdrawn=frozenset(ledger.withdrawn),
        title=f"{question.ballot.title}: {question.title}".replace('"', "'"),
    )
    return write_blt(election)
