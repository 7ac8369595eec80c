"""The vote page's encryption (static/js/e2e-vote.js over the vendored @noble/curves) run in
headless Chromium on the known-answer vectors, compared byte for byte with the Python
reference that produced them (grassroots.ledger.e2e.voter; no Node involved)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grassroots.ledger.e2e.elgamal import ballot_from_json
from grassroots.ledger.e2e.files import E2EQuestion
from grassroots.ledger.e2e.group import base_mul, point_from_hex, random_scalar, scalar_from_hex
from grassroots.ledger.e2e.papers import Encoding, Paper, PaperForm, PaperKind
from grassroots.ledger.e2e.proofs import BallotProof, ballot_proof_is_valid
from grassroots.ledger.e2e.voter import audit_ballot

pytestmark = [pytest.mark.django_db(transaction=True)]
VECTORS = Path(__file__).resolve().parents[1] / "data" / "e2e" / "ballot_vectors.json"

RUN_VECTORS = """async (vectors) => {
  const e2e = await import("/static/js/e2e-vote.js");
  return vectors.map((v) => e2e.encryptPaper({
    electionId: v.election_id, question: v.question, credential: v.credential,
    publicKey: v.public_key, marks: v.marks, randomness: v.randomness, nonces: v.nonces,
  }));
}"""

FRESH = """async (v) => {
  const e2e = await import("/static/js/e2e-vote.js");
  return e2e.encryptPaper({
    electionId: v.election_id, question: v.question, credential: v.credential,
    publicKey: v.public_key, marks: v.marks,
  });
}"""


def test_the_browser_encrypts_and_proves_exactly_as_the_python_reference(page):
    vectors = json.loads(VECTORS.read_text())
    page.goto("/ballots/about/")
    results = page.evaluate(RUN_VECTORS, vectors)
    for vector, result in zip(vectors, results, strict=True):
        name = vector["question"]["id"]
        assert result["messages"] == vector["messages"], name
        assert result["ballot"] == vector["ballot"], name
        assert result["proof"] == vector["proof"], name
        assert result["tracker"] == vector["tracker"], name


def test_a_fresh_browser_encryption_passes_the_servers_check(page):
    vector = json.loads(VECTORS.read_text())[0]
    page.goto("/ballots/about/")
    result = page.evaluate(FRESH, vector)
    assert result["ballot"] != vector["ballot"]  # fresh randomness
    spec = vector["question"]
    question = E2EQuestion(
        spec["id"],
        PaperForm(PaperKind(spec["kind"]), spec["candidates"]),
        Encoding(spec["encoding"]),
    )
    assert ballot_proof_is_valid(
        election_id=vector["election_id"],
        question=question.id,
        credential=vector["credential"],
        public_key=point_from_hex(vector["public_key"]),
        ballot=ballot_from_json(result["ballot"], question.width),
        proof=BallotProof.from_json(result["proof"]),
    )


RANDOMISED = """async ({items, publicKey}) => {
  const e2e = await import("/static/js/e2e-vote.js");
  return items.map((item) => e2e.encryptPaper({
    electionId: "hypothesis-2026", question: item.question, credential: "v-random",
    publicKey, marks: item.marks,
  }));
}"""


@st.composite
def papers(draw: st.DrawFn) -> dict[str, object]:
    kind = draw(st.sampled_from(["ranked", "single", "approval", "yesno"]))
    candidates = 2 if kind == "yesno" else draw(st.integers(1, 40))
    encoding = draw(st.sampled_from(["packed", "slots"]))
    if kind == "ranked":
        marks = draw(st.permutations(range(candidates)))[: draw(st.integers(0, candidates))]
    elif kind == "approval":
        marks = sorted(draw(st.sets(st.integers(0, candidates - 1))))
    else:
        marks = draw(st.lists(st.integers(0, candidates - 1), max_size=1))
    question = {"id": "q", "kind": kind, "candidates": candidates, "encoding": encoding}
    return {"question": question, "marks": list(marks)}


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(items=st.lists(papers(), min_size=1, max_size=6))
def test_the_browser_encrypts_any_paper_as_the_python_reference_reads_it(page, items):
    """Random papers of every kind and encoding, encrypted in Chromium: the Python reference
    audits each back to the same marks, and its proof holds (completeness across the kinds)."""
    secret = random_scalar()
    public_key = base_mul(secret)
    if page.url == "about:blank":
        page.goto("/ballots/about/")
    results = page.evaluate(RANDOMISED, {"items": items, "publicKey": public_key.hex()})
    for item, result in zip(items, results, strict=True):
        spec = item["question"]
        question = E2EQuestion(
            "q", PaperForm(PaperKind(spec["kind"]), spec["candidates"]), Encoding(spec["encoding"])
        )
        ballot = ballot_from_json(result["ballot"], question.width)
        randomness = [scalar_from_hex(r) for r in result["randomness"]]
        audited = audit_ballot(
            question=question, public_key=public_key, ballot=ballot, randomness=randomness
        )
        assert audited == Paper(tuple(item["marks"])), item
        assert ballot_proof_is_valid(
            election_id="hypothesis-2026",
            question="q",
            credential="v-random",
            public_key=public_key,
            ballot=ballot,
            proof=BallotProof.from_json(result["proof"]),
        )
