"""Known-answer vectors for the voter's encryption: what the browser's code must reproduce.

tests/data/e2e/ballot_vectors.json holds, for a few papers, every input (keys, randomness,
nonces, all derived from labels below) and every output (messages, ciphertexts, proof,
tracker). The browser page's tests (issue 14, @noble/curves) read the same file.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from grassroots.ledger.e2e.elgamal import ballot_to_json, encrypt_points
from grassroots.ledger.e2e.files import E2EQuestion
from grassroots.ledger.e2e.group import L, base_mul, scalar_hex
from grassroots.ledger.e2e.papers import Encoding, Paper, PaperForm, PaperKind, encode_paper
from grassroots.ledger.e2e.proofs import ballot_proof_is_valid, prove_ballot
from grassroots.ledger.e2e.voter import ballot_tracker

VECTORS = Path(__file__).resolve().parents[2] / "data" / "e2e" / "ballot_vectors.json"
CASES = [
    ("stv-20-packed", PaperKind.RANKED, 20, Encoding.PACKED, (3, 0, 19, 7)),
    ("stv-4-slots", PaperKind.RANKED, 4, Encoding.SLOTS, (2, 0)),
    ("approval-5-packed", PaperKind.APPROVAL, 5, Encoding.PACKED, (0, 3, 4)),
    ("motion-slots", PaperKind.YESNO, 2, Encoding.SLOTS, (1,)),
    ("single-blank-packed", PaperKind.SINGLE, 3, Encoding.PACKED, ()),
]


def derived_scalar(label: str) -> int:
    """SHA-512("grassroots-e2e test vector" || 0x00 || label) read little-endian, mod L."""
    digest = hashlib.sha512(b"grassroots-e2e test vector\x00" + label.encode()).digest()
    return int.from_bytes(digest, "little") % L


def compute_vector(name: str, kind: PaperKind, candidates: int, encoding: Encoding, marks):
    election_id, credential = "vectors-2026", f"roll-{name}"
    question = E2EQuestion(name, PaperForm(kind, candidates), encoding)
    secret = derived_scalar(f"{name}/secret key")
    public = base_mul(secret)
    messages = encode_paper(question.form, encoding, Paper(tuple(marks)))
    randomness = [derived_scalar(f"{name}/r/{j}") for j in range(len(messages))]
    nonces = [derived_scalar(f"{name}/k/{j}") for j in range(len(messages))]
    ballot, _ = encrypt_points(public, messages, randomness)
    proof = prove_ballot(
        election_id=election_id,
        question=name,
        credential=credential,
        public_key=public,
        ballot=ballot,
        randomness=randomness,
        nonces=nonces,
    )
    assert ballot_proof_is_valid(
        election_id=election_id,
        question=name,
        credential=credential,
        public_key=public,
        ballot=ballot,
        proof=proof,
    )
    return {
        "election_id": election_id,
        "question": {
            "id": name,
            "kind": str(kind),
            "candidates": candidates,
            "encoding": str(encoding),
        },
        "credential": credential,
        "marks": list(marks),
        "secret_key": scalar_hex(secret),
        "public_key": public.hex(),
        "messages": [m.hex() for m in messages],
        "randomness": [scalar_hex(r) for r in randomness],
        "nonces": [scalar_hex(k) for k in nonces],
        "ballot": ballot_to_json(ballot),
        "proof": proof.to_json(),
        "tracker": ballot_tracker(election_id, ballot),
    }


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_the_published_vectors_are_what_this_code_computes(case):
    stored = {v["question"]["id"]: v for v in json.loads(VECTORS.read_text())}
    assert compute_vector(*case) == stored[case[0]]


def write_vectors() -> None:
    """Regenerate the file (only when the specification changes on purpose)."""
    vectors = [compute_vector(*case) for case in CASES]
    VECTORS.write_text(json.dumps(vectors, indent=1) + "\n")
