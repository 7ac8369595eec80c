"""The voter's proof of knowledge of a ballot's randomness, and the tellers' decryption proofs.

Both are Fiat-Shamir proofs whose challenge hashes the whole statement and the election id
(group.Transcript). Written with additive notation, B the base point, c the challenge:

Ballot proof (Schnorr, one per ciphertext of the ballot, one shared challenge). Statement:
the election id, the question, the voter's roll credential, the election key Y and the ballot's
ciphertexts (alpha_j, beta_j). Witness: r_j with alpha_j = r_j·B.
    prover:   k_j random; T_j = k_j·B; c = H("ballot", election, question, credential, Y,
              ciphertexts, T_1..T_w); s_j = k_j + c·r_j.  Proof: (c, s_1..s_w).
    verifier: T_j = s_j·B - c·alpha_j; accept iff c = H(... the same, with these T_j).
A ballot copied from another voter carries a proof bound to that voter's credential, and
changing any ciphertext or the credential changes c: the copy fails (docs/e2e.md).

Decryption proof (Chaum-Pedersen, batched over a teller's whole list). Statement: teller l's
verification key Y_l = x_l·B, the alphas A_1..A_m and the teller's decryption shares
D_i = x_l·A_i. Weights z_1..z_m = H("decryption-weights", statement).challenges(m) fold the
list into A = Σ z_i·A_i and D = Σ z_i·D_i; then a proof that log_B Y_l = log_A D:
    prover:   k random; T1 = k·B; T2 = k·A; c = H("decryption", statement digest, A, D, T1, T2);
              s = k + c·x_l.  Proof: (c, s).
    verifier: T1 = s·B - c·Y_l; T2 = s·A - c·D; accept iff c is the hash above.
If any D_i ≠ x_l·A_i, then D ≠ x_l·A except with probability 1/L over the weights, which are
fixed only after every D_i is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from grassroots.ledger.e2e.elgamal import EncryptedBallot
from grassroots.ledger.e2e.group import (
    GroupError,
    L,
    Transcript,
    base_mul,
    mul,
    random_scalar,
    scalar_from_hex,
    scalar_hex,
    sub,
)
from grassroots.ledger.e2e.parallel import linear_combinations, worker_pool


@dataclass(frozen=True, slots=True)
class BallotProof:
    challenge: int
    responses: tuple[int, ...]

    def to_json(self) -> dict[str, object]:
        return {"c": scalar_hex(self.challenge), "s": [scalar_hex(s) for s in self.responses]}

    @classmethod
    def from_json(cls, value: object) -> BallotProof:
        if not isinstance(value, dict) or not isinstance(value.get("s"), list):
            raise GroupError("a ballot proof is {'c': scalar, 's': [scalars]}")
        return cls(scalar_from_hex(value.get("c")), tuple(scalar_from_hex(s) for s in value["s"]))


def _ballot_transcript(
    election_id: str, question: str, credential: str, public_key: bytes, ballot: EncryptedBallot
) -> Transcript:
    transcript = Transcript("ballot", election_id).text(question).text(credential)
    transcript.point(public_key).integer(len(ballot))
    for ciphertext in ballot:
        transcript.point(ciphertext.alpha).point(ciphertext.beta)
    return transcript


def prove_ballot(
    *,
    election_id: str,
    question: str,
    credential: str,
    public_key: bytes,
    ballot: EncryptedBallot,
    randomness: Sequence[int],
    nonces: Sequence[int] | None = None,
) -> BallotProof:
    """The proof; ``nonces`` (the k_j) are fresh unless given, as only known-answer tests do."""
    if len(randomness) != len(ballot):
        raise GroupError("one random scalar per ciphertext is needed to prove a ballot")
    if nonces is None:
        nonces = [random_scalar() for _ in ballot]
    if len(nonces) != len(ballot):
        raise GroupError("one nonce per ciphertext is needed to prove a ballot")
    transcript = _ballot_transcript(election_id, question, credential, public_key, ballot)
    challenge = transcript.points([base_mul(k) for k in nonces]).challenge()
    return BallotProof(
        challenge, tuple((k + challenge * r) % L for k, r in zip(nonces, randomness, strict=True))
    )


def ballot_proof_is_valid(
    *,
    election_id: str,
    question: str,
    credential: str,
    public_key: bytes,
    ballot: EncryptedBallot,
    proof: BallotProof,
) -> bool:
    """Whether ``proof`` shows knowledge of every ciphertext's randomness, for this voter."""
    if len(proof.responses) != len(ballot):
        return False
    c = proof.challenge
    commitments = [
        sub(base_mul(s), mul(c, ciphertext.alpha))
        for s, ciphertext in zip(proof.responses, ballot, strict=True)
    ]
    transcript = _ballot_transcript(election_id, question, credential, public_key, ballot)
    return transcript.points(commitments).challenge() == c


@dataclass(frozen=True, slots=True)
class DecryptionProof:
    challenge: int
    response: int

    def to_json(self) -> dict[str, str]:
        return {"c": scalar_hex(self.challenge), "s": scalar_hex(self.response)}

    @classmethod
    def from_json(cls, value: object) -> DecryptionProof:
        if not isinstance(value, dict):
            raise GroupError("a decryption proof is {'c': scalar, 's': scalar}")
        return cls(scalar_from_hex(value.get("c")), scalar_from_hex(value.get("s")))


def _decryption_statement(
    election_id: str,
    teller: int,
    verification_key: bytes,
    alphas: Sequence[bytes],
    shares: Sequence[bytes],
    workers: int,
) -> tuple[bytes, bytes, bytes]:
    """(digest of the statement, A, D): the list folded with weights drawn from its hash."""
    if len(alphas) != len(shares):
        raise GroupError("a decryption share is needed for every ciphertext")
    transcript = Transcript("decryption-weights", election_id).integer(teller)
    transcript.point(verification_key).points(alphas).points(shares)
    weights = transcript.challenges(len(alphas))
    pool = worker_pool(workers)
    try:
        folded, folded_share = linear_combinations(
            [list(zip(weights, alphas, strict=True)), list(zip(weights, shares, strict=True))], pool
        )
    finally:
        if pool is not None:
            pool.shutdown()
    return transcript.digest(), folded, folded_share


def _decryption_challenge(
    election_id: str, digest: bytes, folded: bytes, folded_share: bytes, t1: bytes, t2: bytes
) -> int:
    transcript = Transcript("decryption", election_id).data(digest)
    return transcript.point(folded).point(folded_share).point(t1).point(t2).challenge()


def prove_decryption(
    *,
    election_id: str,
    teller: int,
    secret_share: int,
    alphas: Sequence[bytes],
    shares: Sequence[bytes],
    workers: int = 1,
) -> DecryptionProof:
    verification_key = base_mul(secret_share)
    digest, folded, folded_share = _decryption_statement(
        election_id, teller, verification_key, alphas, shares, workers
    )
    k = random_scalar()
    c = _decryption_challenge(
        election_id, digest, folded, folded_share, base_mul(k), mul(k, folded)
    )
    return DecryptionProof(c, (k + c * secret_share) % L)


def decryption_proof_is_valid(
    *,
    election_id: str,
    teller: int,
    verification_key: bytes,
    alphas: Sequence[bytes],
    shares: Sequence[bytes],
    proof: DecryptionProof,
    workers: int = 1,
) -> bool:
    if len(alphas) != len(shares):
        return False
    digest, folded, folded_share = _decryption_statement(
        election_id, teller, verification_key, alphas, shares, workers
    )
    c, s = proof.challenge, proof.response
    t1 = sub(base_mul(s), mul(c, verification_key))
    t2 = sub(mul(s, folded), mul(c, folded_share))
    return _decryption_challenge(election_id, digest, folded, folded_share, t1, t2) == c
