"""Ballot proofs, the tellers' key ceremony and threshold decryption: complete and sound."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grassroots.ledger.e2e.ceremony import (
    CeremonyError,
    TellerCommitment,
    check_commitment,
    check_secret_share,
    check_share,
    combine_decryptions,
    combine_received_shares,
    deal,
    decryption_shares,
    election_public_key,
    verification_key,
)
from grassroots.ledger.e2e.elgamal import Ciphertext, decrypt, encrypt_points
from grassroots.ledger.e2e.group import L, base_mul, random_scalar
from grassroots.ledger.e2e.proofs import (
    BallotProof,
    DecryptionProof,
    ballot_proof_is_valid,
    decryption_proof_is_valid,
    prove_ballot,
    prove_decryption,
)

ELECTION = "2026-ncm"


def _ballot(width: int) -> tuple[bytes, tuple[Ciphertext, ...], tuple[int, ...]]:
    public = base_mul(random_scalar())
    ballot, randomness = encrypt_points(public, [base_mul(i) for i in range(width)])
    return public, ballot, randomness


def _statement(public, ballot, credential="voter-1", question="q1", election=ELECTION):
    return {
        "election_id": election,
        "question": question,
        "credential": credential,
        "public_key": public,
        "ballot": ballot,
    }


@settings(max_examples=15, deadline=None)
@given(st.integers(min_value=1, max_value=5), st.text(min_size=1, max_size=20))
def test_an_honest_ballot_proof_verifies(width, credential):
    public, ballot, randomness = _ballot(width)
    statement = _statement(public, ballot, credential)
    proof = prove_ballot(**statement, randomness=randomness)
    assert ballot_proof_is_valid(**statement, proof=proof)
    assert BallotProof.from_json(proof.to_json()) == proof


@settings(max_examples=15, deadline=None)
@given(st.integers(min_value=1, max_value=4), st.data())
def test_a_ballot_proof_fails_for_any_other_statement_or_response(width, data):
    public, ballot, randomness = _ballot(width)
    proof = prove_ballot(**_statement(public, ballot), randomness=randomness)
    # A ballot copied from another voter, moved to another question or election.
    assert not ballot_proof_is_valid(**_statement(public, ballot, "voter-2"), proof=proof)
    assert not ballot_proof_is_valid(**_statement(public, ballot, question="q2"), proof=proof)
    assert not ballot_proof_is_valid(**_statement(public, ballot, election="other"), proof=proof)
    # A ciphertext re-randomised or replaced by someone who does not know its randomness.
    j = data.draw(st.integers(0, width - 1))
    changed = list(ballot)
    changed[j] = Ciphertext(ballot[j].alpha, base_mul(random_scalar()))
    assert not ballot_proof_is_valid(**_statement(public, tuple(changed)), proof=proof)
    delta = data.draw(st.integers(1, L - 1))
    responses = list(proof.responses)
    responses[j] = (responses[j] + delta) % L
    forged = dataclasses.replace(proof, responses=tuple(responses))
    assert not ballot_proof_is_valid(**_statement(public, ballot), proof=forged)
    assert not ballot_proof_is_valid(
        **_statement(public, ballot),
        proof=dataclasses.replace(proof, responses=proof.responses[1:]),
    )


def test_a_proof_made_with_the_wrong_randomness_fails():
    public, ballot, randomness = _ballot(2)
    wrong = (randomness[0] + 1, randomness[1])
    proof = prove_ballot(**_statement(public, ballot), randomness=wrong)
    assert not ballot_proof_is_valid(**_statement(public, ballot), proof=proof)


def _ceremony(threshold: int, tellers: int):
    dealt = [
        deal(election_id=ELECTION, teller=i, threshold=threshold, tellers=tellers)
        for i in range(1, tellers + 1)
    ]
    commitments = [c for c, _ in dealt]
    secrets = {
        t: combine_received_shares(commitments, t, {c.teller: s[t] for c, s in dealt})
        for t in range(1, tellers + 1)
    }
    return commitments, secrets, dealt


@settings(max_examples=8, deadline=None)
@given(st.integers(1, 4), st.integers(0, 3), st.data())
def test_any_k_tellers_decrypt_what_was_encrypted_to_the_joint_key(threshold, extra, data):
    tellers = threshold + extra
    commitments, secrets, _ = _ceremony(threshold, tellers)
    for commitment in commitments:
        check_commitment(
            election_id=ELECTION, commitment=commitment, threshold=threshold, tellers=tellers
        )
        assert TellerCommitment.from_json(commitment.to_json()) == commitment
    public = election_public_key(commitments)
    for t, x in secrets.items():
        assert base_mul(x) == verification_key(commitments, t)
        check_secret_share(commitments, t, x)
    messages = [base_mul(random_scalar()) for _ in range(3)]
    ballot, _ = encrypt_points(public, messages)
    chosen = data.draw(st.permutations(range(1, tellers + 1)))[:threshold]
    alphas = [c.alpha for c in ballot]
    shares = {t: decryption_shares(secrets[t], alphas) for t in chosen}
    for t in chosen:
        proof = prove_decryption(
            election_id=ELECTION, teller=t, secret_share=secrets[t], alphas=alphas, shares=shares[t]
        )
        assert decryption_proof_is_valid(
            election_id=ELECTION,
            teller=t,
            verification_key=verification_key(commitments, t),
            alphas=alphas,
            shares=shares[t],
            proof=proof,
        )
    assert combine_decryptions([c.beta for c in ballot], shares) == messages
    if threshold > 1:
        fewer = {t: shares[t] for t in chosen[:-1]}
        assert combine_decryptions([c.beta for c in ballot], fewer) != messages


@settings(max_examples=10, deadline=None)
@given(st.integers(min_value=0, max_value=3), st.integers(min_value=1, max_value=L - 1))
def test_a_wrong_decryption_share_fails_its_proof(position, delta):
    secret = random_scalar()
    public = base_mul(secret)
    ballot, _ = encrypt_points(public, [base_mul(i) for i in range(4)])
    alphas = [c.alpha for c in ballot]
    shares = decryption_shares(secret, alphas)
    proof = prove_decryption(
        election_id=ELECTION, teller=1, secret_share=secret, alphas=alphas, shares=shares
    )
    statement = {"election_id": ELECTION, "teller": 1, "verification_key": public, "alphas": alphas}
    assert decryption_proof_is_valid(**statement, shares=shares, proof=proof)
    wrong = list(shares)
    wrong[position] = base_mul(random_scalar())
    assert not decryption_proof_is_valid(**statement, shares=wrong, proof=proof)
    # Even a prover who proves over the wrong shares cannot make them pass.
    dishonest = prove_decryption(
        election_id=ELECTION, teller=1, secret_share=secret, alphas=alphas, shares=wrong
    )
    assert not decryption_proof_is_valid(**statement, shares=wrong, proof=dishonest)
    forged = DecryptionProof(proof.challenge, (proof.response + delta) % L)
    assert not decryption_proof_is_valid(**statement, shares=shares, proof=forged)
    assert decrypt(secret, ballot[0]) == base_mul(0)


def test_a_share_that_does_not_match_its_commitment_names_the_teller():
    commitments, _, dealt = _ceremony(2, 3)
    received = {c.teller: s[3] for c, s in dealt}
    received[2] = (received[2] + 1) % L
    with pytest.raises(CeremonyError, match="share teller 2 sent to teller 3 is not the share"):
        combine_received_shares(commitments, 3, received)
    with pytest.raises(CeremonyError, match="teller 1"):
        check_share(commitments[0], 2, dealt[0][1][3])
    with pytest.raises(CeremonyError, match="not the share teller 2 committed to"):
        check_secret_share(commitments, 2, random_scalar())
    with pytest.raises(CeremonyError, match=r"no share from teller\(s\) \[3\]"):
        combine_received_shares(commitments, 1, {1: 1, 2: 2})


def test_forged_commitments_fail_the_proof_of_knowledge():
    commitments, _, _ = _ceremony(2, 2)
    forged = dataclasses.replace(
        commitments[1], commitments=(base_mul(random_scalar()), commitments[1].commitments[1])
    )
    with pytest.raises(CeremonyError, match="teller 2's proof of knowledge"):
        check_commitment(election_id=ELECTION, commitment=forged, threshold=2, tellers=2)
    with pytest.raises(CeremonyError, match="teller 1 published 2 commitments, not 3"):
        check_commitment(election_id=ELECTION, commitment=commitments[0], threshold=3, tellers=3)
    with pytest.raises(CeremonyError, match="proof of knowledge"):
        check_commitment(election_id="other", commitment=commitments[0], threshold=2, tellers=2)
    with pytest.raises(CeremonyError, match="cannot be read"):
        TellerCommitment.from_json(
            {"teller": 1, "commitments": ["00"], "proof": {"c": "", "s": ""}}
        )
