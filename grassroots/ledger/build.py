"""Making an election record: the steps the ballot box takes, run in one go.

The ballots app does the same steps spread over the poll (seal at casting, append and sign
heads in the sealer task, reveal shares and count after close); tests and demos call
:func:`build_record` to get a complete, consistent record from plaintext ballot papers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from grassroots.ledger.crypto import (
    Share,
    generate_tellers_key,
    seal_ballot,
    share_hash,
    split_secret,
    tracker,
)
from grassroots.ledger.heads import (
    KeyPair,
    SignedTreeHead,
    TreeHead,
    format_timestamp,
    generate_signing_key,
    sign_head,
)
from grassroots.ledger.merkle import MerkleLog
from grassroots.ledger.record import (
    ElectionParameters,
    ElectionRecord,
    Question,
    Roll,
    SealedBallot,
    parameters_hash,
    sign_record,
)
from grassroots.ledger.recount import count_question, parse_plaintext, result_to_json


@dataclass(frozen=True, slots=True)
class ElectionKeys:
    """The keys made when the tellers set up a ballot.

    ``election`` signs heads and the record (kept by the server); the tellers' private key is
    never kept whole: only ``shares`` exist after set-up, one per teller.
    """

    election: KeyPair
    tellers_public_key: bytes
    shares: tuple[Share, ...]
    threshold: int


def new_election_keys(*, tellers: int, threshold: int) -> ElectionKeys:
    tellers_private, tellers_public = generate_tellers_key()
    return ElectionKeys(
        election=generate_signing_key(),
        tellers_public_key=tellers_public,
        shares=tuple(split_secret(tellers_private, threshold=threshold, shares=tellers)),
        threshold=threshold,
    )


def election_parameters(
    *, election_id: str, title: str, questions: Sequence[Question], keys: ElectionKeys
) -> ElectionParameters:
    return ElectionParameters(
        election_id=election_id,
        title=title,
        questions=tuple(questions),
        election_public_key=keys.election.public,
        tellers_public_key=keys.tellers_public_key,
        tellers=len(keys.shares),
        threshold=keys.threshold,
        share_hashes=tuple(share_hash(s.to_text()) for s in sorted(keys.shares, key=_index)),
    )


def _index(share: Share) -> int:
    return share.index


def build_record(
    *,
    parameters: ElectionParameters,
    election_private_key: bytes,
    revealed_shares: Sequence[Share],
    plaintexts: Sequence[bytes],
    roll: Roll,
    opened_at: datetime,
    head_every: int = 50,
    seconds_per_ballot: float = 1.0,
    seal: Callable[[bytes, bytes], bytes] = seal_ballot,
) -> ElectionRecord:
    """Seal, log, sign heads, reveal shares and count: a record the verifier accepts.

    A head is signed after every ``head_every`` ballots and once more at the close (if the last
    batch was partial), timed as if a ballot arrived every ``seconds_per_ballot`` seconds.
    """
    election_id = parameters.election_id
    questions = {q.id: q for q in parameters.questions}
    papers = [parse_plaintext(p, questions) for p in plaintexts]
    committed = parameters_hash(parameters)
    log = MerkleLog()
    ballots: list[SealedBallot] = []
    heads: list[SignedTreeHead] = []

    def sign_at(size: int) -> None:
        moment = opened_at + timedelta(seconds=seconds_per_ballot * size)
        head = TreeHead(
            election_id=election_id,
            sequence=len(heads),
            tree_size=size,
            root_hash=log.root(size),
            parameters_hash=committed,
            timestamp=format_timestamp(moment),
        )
        heads.append(sign_head(head, election_private_key))

    sign_at(0)
    for plaintext in plaintexts:
        ciphertext = seal(plaintext, parameters.tellers_public_key)
        receipt = tracker(election_id, ciphertext)
        ballots.append(SealedBallot(tracker=receipt, ciphertext=ciphertext))
        log.append(bytes.fromhex(receipt))
        if len(log) % head_every == 0:
            sign_at(len(log))
    if heads[-1].head.tree_size != len(log):
        sign_at(len(log))

    results = {
        q.id: result_to_json(count_question(q, papers, roll_size=roll.size))
        for q in parameters.questions
    }
    record = ElectionRecord(
        parameters=parameters,
        roll=roll,
        results=results,
        key_shares=tuple(share.to_text() for share in revealed_shares),
        ballots=tuple(ballots),
        heads=tuple(heads),
        plaintexts=tuple(plaintexts),
    )
    return sign_record(record, election_private_key)
