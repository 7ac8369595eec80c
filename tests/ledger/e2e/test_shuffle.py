"""The proof of shuffle: an honest mix verifies; dropped, duplicated, replaced or forged do not."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from grassroots.ledger.e2e.elgamal import Ciphertext, decrypt, encrypt_points, reencrypt
from grassroots.ledger.e2e.group import L, base_mul, random_scalar
from grassroots.ledger.e2e.shuffle import prove_shuffle, shuffle, shuffle_proof_failure

ELECTION = "2026-ncm"


def _setup(n: int, width: int):
    secret = random_scalar()
    public = base_mul(secret)
    ballots = [
        encrypt_points(public, [base_mul(1 + i * width + j) for j in range(width)])[0]
        for i in range(n)
    ]
    return secret, public, ballots


def _prove(public, inputs, outputs, permutation, randomness, stage=1):
    return prove_shuffle(
        election_id=ELECTION,
        stage=stage,
        public_key=public,
        inputs=inputs,
        outputs=outputs,
        permutation=permutation,
        randomness=randomness,
    )


def _failure(public, inputs, outputs, proof, stage=1, election=ELECTION):
    return shuffle_proof_failure(
        election_id=election,
        stage=stage,
        public_key=public,
        inputs=inputs,
        outputs=outputs,
        proof=proof,
    )


@settings(max_examples=10, deadline=None)
@given(st.integers(min_value=1, max_value=8), st.integers(min_value=1, max_value=3))
def test_an_honest_shuffle_verifies_and_keeps_every_plaintext(n, width):
    secret, public, ballots = _setup(n, width)
    outputs, permutation, randomness = shuffle(public, ballots)
    proof = _prove(public, ballots, outputs, permutation, randomness)
    assert _failure(public, ballots, outputs, proof) is None
    plain = sorted(tuple(decrypt(secret, c) for c in b) for b in ballots)
    assert sorted(tuple(decrypt(secret, c) for c in b) for b in outputs) == plain
    # The proof belongs to this election and this stage only.
    assert _failure(public, ballots, outputs, proof, stage=2) is not None
    assert _failure(public, ballots, outputs, proof, election="other") is not None


def test_two_workers_give_a_proof_that_verifies_with_one():
    _, public, ballots = _setup(30, 2)
    outputs, permutation, randomness = shuffle(public, ballots, workers=2)
    proof = prove_shuffle(
        election_id=ELECTION,
        stage=1,
        public_key=public,
        inputs=ballots,
        outputs=outputs,
        permutation=permutation,
        randomness=randomness,
        workers=2,
    )
    assert _failure(public, ballots, outputs, proof) is None
    assert (
        shuffle_proof_failure(
            election_id=ELECTION,
            stage=1,
            public_key=public,
            inputs=ballots,
            outputs=outputs,
            proof=proof,
            workers=2,
        )
        is None
    )


@settings(max_examples=10, deadline=None)
@given(st.integers(min_value=2, max_value=6), st.integers(min_value=1, max_value=2), st.data())
def test_a_mixer_that_drops_duplicates_or_replaces_a_ballot_is_caught(n, width, data):
    _, public, ballots = _setup(n, width)
    outputs, permutation, randomness = shuffle(public, ballots)
    i = data.draw(st.integers(0, n - 1), label="position")
    other = data.draw(st.integers(0, n - 1).filter(lambda k: k != i), label="other")
    tampering = data.draw(st.sampled_from(["drop", "duplicate", "replace", "add"]))
    changed = list(outputs)
    if tampering == "drop":
        del changed[i]
    elif tampering == "duplicate":  # one ballot dropped and another counted twice
        changed[i] = tuple(reencrypt(public, c, random_scalar()) for c in outputs[other])
    elif tampering == "replace":
        changed[i] = encrypt_points(public, [base_mul(999 + j) for j in range(width)])[0]
    else:
        changed.append(changed[i])
    # The mixer proves with the witness it has; no proof it can make holds.
    if len(changed) == n:
        dishonest = _prove(public, ballots, changed, permutation, randomness)
        assert _failure(public, ballots, changed, dishonest) is not None
    honest = _prove(public, ballots, outputs, permutation, randomness)
    assert _failure(public, ballots, changed, honest) is not None


@settings(max_examples=10, deadline=None)
@given(
    st.sampled_from(["t1", "t3", "t_hat", "s1", "s3", "s4", "s_hat", "s_prime", "chain"]),
    st.integers(min_value=1, max_value=L - 1),
)
def test_a_forged_shuffle_proof_fails(field, delta):
    _, public, ballots = _setup(4, 2)
    outputs, permutation, randomness = shuffle(public, ballots)
    proof = _prove(public, ballots, outputs, permutation, randomness)
    value = getattr(proof, field)
    if isinstance(value, int):
        forged_value: object = (value + delta) % L
    elif isinstance(value, bytes):
        forged_value = base_mul(random_scalar())
    elif isinstance(value[0], int):
        forged_value = ((value[0] + delta) % L, *value[1:])
    else:
        forged_value = (base_mul(random_scalar()), *value[1:])
    forged = dataclasses.replace(proof, **{field: forged_value})
    assert _failure(public, ballots, outputs, forged) is not None


def test_a_proof_for_another_shuffle_of_the_same_list_fails():
    _, public, ballots = _setup(5, 1)
    first = shuffle(public, ballots)
    second = shuffle(public, ballots)
    proof = _prove(public, ballots, *first)
    assert _failure(public, ballots, second[0], proof) is not None
    swapped = [first[0][1], first[0][0], *first[0][2:]]
    assert _failure(public, ballots, swapped, proof) is not None


def test_an_output_list_with_a_changed_width_is_refused_by_name():
    _, public, ballots = _setup(3, 2)
    outputs, permutation, randomness = shuffle(public, ballots)
    proof = _prove(public, ballots, outputs, permutation, randomness)
    narrow = [b[:1] for b in outputs]
    assert "different number of ciphertexts" in str(_failure(public, ballots, narrow, proof))
    fewer = outputs[:2]
    assert "2 ballots out for 3 in" in str(_failure(public, ballots, fewer, proof))
    assert isinstance(outputs[0][0], Ciphertext)
