"""The tellers' key ceremony without a dealer (Pedersen's joint Feldman VSS), and decryption.

n tellers numbered 1..n, any k of whom can decrypt. Each teller i, on their own device:
  1. picks a random polynomial f_i(z) = a_i0 + a_i1·z + ... + a_i(k-1)·z^(k-1) over Z_L;
  2. publishes the commitments A_ij = a_ij·B (j = 0..k-1) with a Schnorr proof of knowledge of
     a_i0 bound to the election id, their number and all their commitments;
  3. sends teller l the share f_i(l), sealed so only l can read it (cli.py seals with the
     recipient's X25519 key, a libsodium sealed box).
Each teller l checks every share it received against its sender's commitments,
    f_i(l)·B = Σ_j l^j·A_ij,
and a share that fails names its sender (:class:`CeremonyError`). Teller l's secret share is
x_l = Σ_i f_i(l); nobody ever holds x = Σ_i a_i0. Public, from the commitments alone:
    the election key          Y = Σ_i A_i0                (= x·B)
    teller l's verification key Y_l = Σ_i Σ_j l^j·A_ij   (= x_l·B)
so a share entered at the count is checked at once: x_l·B must equal Y_l.

Threshold decryption: teller l publishes D = x_l·alpha for every ciphertext, with a batched
Chaum-Pedersen proof (proofs.py). With decryption shares from a set S of at least k tellers,
    M = beta - Σ_{l in S} λ_l·D_l,   λ_l = Π_{m in S, m ≠ l} m / (m - l)  (mod L),
the Lagrange coefficients at 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from grassroots.ledger.e2e.group import (
    GroupError,
    L,
    Transcript,
    base_mul,
    linear_combination,
    mul,
    point_from_hex,
    random_scalar,
    scalar_from_hex,
    scalar_hex,
    sub,
    total,
)
from grassroots.ledger.e2e.parallel import Term, linear_combinations, worker_pool

MAX_TELLERS = 255


class CeremonyError(ValueError):
    """A teller's commitments, proof or share that does not hold; the message names the teller."""


@dataclass(frozen=True, slots=True)
class TellerCommitment:
    teller: int
    commitments: tuple[bytes, ...]  # A_i0 .. A_i(k-1)
    challenge: int  # the Schnorr proof of knowledge of a_i0
    response: int

    def to_json(self) -> dict[str, object]:
        return {
            "teller": self.teller,
            "commitments": [a.hex() for a in self.commitments],
            "proof": {"c": scalar_hex(self.challenge), "s": scalar_hex(self.response)},
        }

    @classmethod
    def from_json(cls, value: object) -> TellerCommitment:
        if not isinstance(value, dict):
            raise CeremonyError("a teller's commitments are a JSON object")
        teller, commitments, proof = (
            value.get("teller"),
            value.get("commitments"),
            value.get("proof"),
        )
        if not isinstance(teller, int) or not isinstance(commitments, list) or not commitments:
            raise CeremonyError("a teller's commitments need 'teller' and 'commitments'")
        if not isinstance(proof, dict):
            raise CeremonyError(f"teller {teller}'s commitments have no proof of knowledge")
        try:
            return cls(
                teller,
                tuple(point_from_hex(a) for a in commitments),
                scalar_from_hex(proof.get("c")),
                scalar_from_hex(proof.get("s")),
            )
        except GroupError as error:
            raise CeremonyError(f"teller {teller}'s commitments cannot be read: {error}") from error


def _commitment_challenge(
    election_id: str, teller: int, commitments: Sequence[bytes], t: bytes
) -> int:
    transcript = Transcript("teller-key", election_id).integer(teller).points(commitments)
    return transcript.point(t).challenge()


def _check_numbers(teller: int, threshold: int, tellers: int) -> None:
    if not 1 <= threshold <= tellers <= MAX_TELLERS:
        raise CeremonyError(f"need 1 <= threshold <= tellers <= {MAX_TELLERS}")
    if not 1 <= teller <= tellers:
        raise CeremonyError(f"teller {teller} is not one of tellers 1 to {tellers}")


def deal(
    *, election_id: str, teller: int, threshold: int, tellers: int
) -> tuple[TellerCommitment, dict[int, int]]:
    """Teller ``teller``'s public commitments and the shares f(l) for l = 1..tellers."""
    _check_numbers(teller, threshold, tellers)
    coefficients = [random_scalar() for _ in range(threshold)]
    commitments = tuple(base_mul(a) for a in coefficients)
    k = random_scalar()
    c = _commitment_challenge(election_id, teller, commitments, base_mul(k))
    shares = {t: _evaluate(coefficients, t) for t in range(1, tellers + 1)}
    return TellerCommitment(teller, commitments, c, (k + c * coefficients[0]) % L), shares


def _evaluate(coefficients: Sequence[int], at: int) -> int:
    value = 0
    for coefficient in reversed(coefficients):
        value = (value * at + coefficient) % L
    return value


def check_commitment(
    *, election_id: str, commitment: TellerCommitment, threshold: int, tellers: int
) -> None:
    """The commitments have the agreed number of terms and the proof of knowledge holds."""
    teller = commitment.teller
    _check_numbers(teller, threshold, tellers)
    if len(commitment.commitments) != threshold:
        raise CeremonyError(
            f"teller {teller} published {len(commitment.commitments)} commitments, "
            f"not {threshold} (the threshold)"
        )
    c = commitment.challenge
    t = sub(base_mul(commitment.response), mul(c, commitment.commitments[0]))
    if _commitment_challenge(election_id, teller, commitment.commitments, t) != c:
        raise CeremonyError(f"teller {teller}'s proof of knowledge of their key does not hold")


def committed_share_point(commitment: TellerCommitment, recipient: int) -> bytes:
    """Σ_j recipient^j·A_ij: what f_i(recipient)·B must be."""
    powers = [pow(recipient, j, L) for j in range(len(commitment.commitments))]
    return linear_combination(powers, commitment.commitments)


def check_share(commitment: TellerCommitment, recipient: int, share: int) -> None:
    if base_mul(share) != committed_share_point(commitment, recipient):
        raise CeremonyError(
            f"the share teller {commitment.teller} sent to teller {recipient} "
            f"is not the share teller {commitment.teller} committed to"
        )


def combine_received_shares(
    commitments: Sequence[TellerCommitment], recipient: int, shares: Mapping[int, int]
) -> int:
    """Teller ``recipient``'s secret share x_l, after checking each share against its sender."""
    senders = {c.teller for c in commitments}
    if set(shares) != senders:
        missing = sorted(senders - set(shares))
        raise CeremonyError(f"teller {recipient} has no share from teller(s) {missing}")
    for commitment in commitments:
        check_share(commitment, recipient, shares[commitment.teller])
    return sum(shares.values()) % L


def election_public_key(commitments: Sequence[TellerCommitment]) -> bytes:
    return total(c.commitments[0] for c in commitments)


def verification_key(commitments: Sequence[TellerCommitment], teller: int) -> bytes:
    return total(committed_share_point(c, teller) for c in commitments)


def check_secret_share(commitments: Sequence[TellerCommitment], teller: int, share: int) -> None:
    """A share entered at the count: x_l·B must be teller l's published verification key."""
    if base_mul(share) != verification_key(commitments, teller):
        raise CeremonyError(f"this is not the share teller {teller} committed to")


def lagrange_at_zero(tellers: Sequence[int]) -> dict[int, int]:
    if len(set(tellers)) != len(tellers) or any(t < 1 for t in tellers):
        raise CeremonyError("decryption needs distinct teller numbers from 1")
    coefficients = {}
    for teller in tellers:
        numerator, denominator = 1, 1
        for other in tellers:
            if other != teller:
                numerator = numerator * other % L
                denominator = denominator * (other - teller) % L
        coefficients[teller] = numerator * pow(denominator, -1, L) % L
    return coefficients


def decryption_shares(secret_share: int, alphas: Sequence[bytes], workers: int = 1) -> list[bytes]:
    """x_l·alpha for every alpha."""
    return _sums([[(secret_share, alpha)] for alpha in alphas], workers)


def combine_decryptions(
    betas: Sequence[bytes], shares_by_teller: Mapping[int, Sequence[bytes]], workers: int = 1
) -> list[bytes]:
    """The messages M_i = beta_i - Σ λ_l·D_l,i from at least k tellers' decryption shares."""
    coefficients = lagrange_at_zero(sorted(shares_by_teller))
    for shares in shares_by_teller.values():
        if len(shares) != len(betas):
            raise CeremonyError("a teller's decryption shares do not match the ciphertexts")
    return _sums(
        [
            [(1, beta)] + [(-coefficients[t] % L, s[i]) for t, s in shares_by_teller.items()]
            for i, beta in enumerate(betas)
        ],
        workers,
    )


def _sums(sums: list[list[Term]], workers: int) -> list[bytes]:
    pool = worker_pool(workers)
    try:
        return linear_combinations(sums, pool)
    finally:
        if pool is not None:
            pool.shutdown()
