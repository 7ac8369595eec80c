"""What the voter's browser does, in Python: encrypt a paper with its proof, and audit it.

The browser page (a later step of issue 14) does the same with @noble/curves; these functions
are the reference it is tested against, and what the tests, the benchmark and the demo use.
The server calls :func:`cast_ballot_failure` on every e2e ballot before storing it.
"""

from __future__ import annotations

from collections.abc import Sequence

from grassroots.ledger.crypto import tracker
from grassroots.ledger.e2e.elgamal import EncryptedBallot, encrypt_points
from grassroots.ledger.e2e.files import CastBallot, E2EQuestion
from grassroots.ledger.e2e.group import base_mul, mul, sub
from grassroots.ledger.e2e.papers import InvalidPaper, Paper, decode_paper, encode_paper
from grassroots.ledger.e2e.proofs import ballot_proof_is_valid, prove_ballot


def encrypt_paper(
    *,
    election_id: str,
    question: E2EQuestion,
    credential: str,
    public_key: bytes,
    paper: Paper,
) -> tuple[CastBallot, tuple[int, ...]]:
    """The cast ballot (ciphertexts and proof) and its randomness, kept only for an audit."""
    messages = encode_paper(question.form, question.encoding, paper)
    ballot, randomness = encrypt_points(public_key, messages)
    proof = prove_ballot(
        election_id=election_id,
        question=question.id,
        credential=credential,
        public_key=public_key,
        ballot=ballot,
        randomness=randomness,
    )
    return CastBallot(credential, ballot, proof), randomness


def audit_ballot(
    *,
    question: E2EQuestion,
    public_key: bytes,
    ballot: EncryptedBallot,
    randomness: Sequence[int],
) -> Paper | InvalidPaper:
    """A Benaloh audit: the paper this ballot encrypts, given its revealed randomness.

    Recomputes alpha_j = r_j·B and reads M_j = beta_j - r_j·Y; an InvalidPaper if the
    randomness does not match the ballot or the messages are not a paper.
    """
    if len(randomness) != len(ballot) or len(ballot) != question.width:
        return InvalidPaper("the randomness does not match the ballot's ciphertexts")
    messages = []
    for ciphertext, r in zip(ballot, randomness, strict=True):
        if base_mul(r) != ciphertext.alpha:
            return InvalidPaper("the randomness does not match the ballot's ciphertexts")
        messages.append(sub(ciphertext.beta, mul(r, public_key)))
    return decode_paper(question.form, question.encoding, messages)


def cast_ballot_failure(
    *, election_id: str, question: E2EQuestion, public_key: bytes, cast: CastBallot
) -> str | None:
    """The server's check of a ballot before it is stored: None, or why it is refused."""
    if len(cast.ballot) != question.width:
        return f"this question's ballot has {question.width} ciphertexts, not {len(cast.ballot)}"
    if not ballot_proof_is_valid(
        election_id=election_id,
        question=question.id,
        credential=cast.credential,
        public_key=public_key,
        ballot=cast.ballot,
        proof=cast.proof,
    ):
        return "the ballot's proof does not hold for this voter"
    return None


def ballot_bytes(ballot: EncryptedBallot) -> bytes:
    """alpha_1 || beta_1 || alpha_2 || ... : 64 bytes per ciphertext."""
    return b"".join(c.alpha + c.beta for c in ballot)


def ballot_tracker(election_id: str, ballot: EncryptedBallot) -> str:
    """The voter's receipt and the ballot's leaf: ledger.crypto.tracker over ballot_bytes."""
    return tracker(election_id, ballot_bytes(ballot))
