"""``python -m grassroots.ledger audit-ballot FILE``: a Benaloh audit of an encryption the vote
page revealed, checked independently of the page (docs/e2e.md, "Benaloh audit").

FILE is the text the page shows after "Audit this encryption":
``{"election_id", "public_key", "credential", "questions": [{"question": {"id", "kind",
"candidates", "encoding"}, "marks", "ballot", "proof", "randomness"}]}``. For each question
it recomputes alpha_j = r_j·B, reads the paper from beta_j - r_j·Y (``voter.audit_ballot``),
checks the ballot's proof for the credential, and compares the paper with the marks the page
said it encrypted. Exit status 0 every question matches, 1 one does not (the line says why).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from grassroots.ledger.e2e.elgamal import ballot_from_json
from grassroots.ledger.e2e.files import E2EFileError, E2EQuestion, read_json
from grassroots.ledger.e2e.group import GroupError, point_from_hex, scalar_from_hex
from grassroots.ledger.e2e.papers import Encoding, InvalidPaper, PaperError, PaperForm, PaperKind
from grassroots.ledger.e2e.proofs import BallotProof, ballot_proof_is_valid
from grassroots.ledger.e2e.voter import audit_ballot


def add_audit_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = commands.add_parser(
        "audit-ballot", help="check an encryption the vote page revealed for an audit"
    )
    audit.add_argument("file", type=Path, help="the audited encryption, as the page showed it")


def _audit_question(election_id: str, public_key: bytes, credential: str, item: object) -> str:
    if not isinstance(item, dict):
        raise E2EFileError("each question's audit is a JSON object")
    spec = item.get("question")
    if not isinstance(spec, dict):
        raise E2EFileError("a question's audit names its question")
    try:
        question = E2EQuestion(
            str(spec["id"]),
            PaperForm(PaperKind(spec["kind"]), int(spec["candidates"])),
            Encoding(spec["encoding"]),
        )
        ballot = ballot_from_json(item.get("ballot"), question.width)
        randomness = [scalar_from_hex(r) for r in item.get("randomness") or []]
        proof = BallotProof.from_json(item.get("proof"))
    except (KeyError, ValueError, TypeError, GroupError, PaperError) as error:
        raise E2EFileError(f"question {spec.get('id')!r}: {error}") from error
    paper = audit_ballot(
        question=question, public_key=public_key, ballot=ballot, randomness=randomness
    )
    if isinstance(paper, InvalidPaper):
        return f"question {question.id}: FAILED: {paper.reason}"
    if not ballot_proof_is_valid(
        election_id=election_id,
        question=question.id,
        credential=credential,
        public_key=public_key,
        ballot=ballot,
        proof=proof,
    ):
        return f"question {question.id}: FAILED: the ballot's proof does not hold"
    shown = item.get("marks")
    if shown != list(paper.marks):
        return (
            f"question {question.id}: FAILED: it encrypts marks {list(paper.marks)}, "
            f"but the page said {shown}"
        )
    return f"question {question.id}: encrypts marks {list(paper.marks)}, as the page said"


def run_audit(arguments: argparse.Namespace) -> int:
    try:
        data = read_json(arguments.file)
        if not isinstance(data, dict):
            raise E2EFileError("the audit is a JSON object")
        election_id, credential = data.get("election_id"), data.get("credential")
        if not isinstance(election_id, str) or not isinstance(credential, str):
            raise E2EFileError("the audit names its election_id and credential")
        public_key = point_from_hex(data.get("public_key"))
        questions = data.get("questions")
        if not isinstance(questions, list) or not questions:
            raise E2EFileError("the audit lists its questions")
        lines = [_audit_question(election_id, public_key, credential, q) for q in questions]
    except (E2EFileError, GroupError) as error:
        print(f"refused: {error}")
        return 2
    for line in lines:
        print(line)
    return 1 if any("FAILED" in line for line in lines) else 0
