"""The verifier's checks of the end-to-end part of a record (checks 10 to 14, docs/ledger.md).

``check_e2e(folder)`` reads ``e2e/`` and answers one result per check, in order; a check that
cannot run because an earlier one failed fails with that reason, never silently. ledger.verify
calls it once and prints its lines beside checks 1 to 9.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from grassroots.ledger.e2e.ceremony import (
    CeremonyError,
    check_commitment,
    combine_decryptions,
    election_public_key,
    verification_key,
)
from grassroots.ledger.e2e.elgamal import EncryptedBallot
from grassroots.ledger.e2e.files import (
    CastBallot,
    Deal,
    Decryption,
    E2EElection,
    E2EFileError,
    E2EQuestion,
    MixStage,
    election_from_json,
    read_cast,
    read_deals,
    read_decryptions,
    read_json,
    read_mixes,
    read_plaintexts,
)
from grassroots.ledger.e2e.papers import InvalidPaper, Paper, SlotTable, decode_paper
from grassroots.ledger.e2e.proofs import ballot_proof_is_valid, decryption_proof_is_valid
from grassroots.ledger.e2e.shuffle import shuffle_proof_failure
from grassroots.ledger.e2e.voter import ballot_tracker

MINIMUM_MIXES = 2

E2E_CHECK_NAMES = {
    10: "the tellers' commitments and proofs of knowledge hold and give the election key",
    11: "every cast ballot's proof holds for its voter's credential, one ballot per credential",
    12: "every mix stage's proof of shuffle holds, from the cast ballots to the last stage",
    13: "every teller's decryption shares of the last stage carry a valid proof",
    14: "the decryption shares decrypt the last stage to the published papers",
}


@dataclass(frozen=True, slots=True)
class E2ECheck:
    number: int
    name: str
    passed: bool
    reason: str = ""

    def line(self) -> str:
        status = "passed" if self.passed else f"failed: {self.reason}"
        return f"check {self.number}: {self.name}: {status}"


class _Failed(Exception):
    pass


@dataclass
class _Question:
    question: E2EQuestion
    cast: list[CastBallot] = field(default_factory=list)
    mixes: list[MixStage] = field(default_factory=list)
    decryptions: list[Decryption] = field(default_factory=list)
    papers: list[Paper | InvalidPaper] = field(default_factory=list)


@dataclass
class _Context:
    folder: Path
    election_id: str | None
    workers: int
    minimum_mixes: int
    election: E2EElection | None = None
    deals: list[Deal] = field(default_factory=list)
    questions: list[_Question] = field(default_factory=list)


def _read(ctx: _Context) -> None:
    """Every file parses (part of check 10; a file that does not fails it, naming the file)."""
    try:
        ctx.election = election_from_json(
            read_json(ctx.folder / "election.json"), str(ctx.folder / "election.json")
        )
        ctx.deals = read_deals(ctx.folder / "tellers")
        for question in ctx.election.questions:
            folder = ctx.folder / question.id
            item = _Question(question)
            item.cast = read_cast(folder / "cast.jsonl", question.width)
            item.mixes = read_mixes(folder, question.width)
            item.decryptions = read_decryptions(folder, question.width)
            item.papers = read_plaintexts(folder / "plaintexts.jsonl")
            ctx.questions.append(item)
    except E2EFileError as error:
        raise _Failed(str(error)) from error


def _check_ceremony(ctx: _Context) -> None:
    _read(ctx)
    election = _election(ctx)
    if ctx.election_id is not None and election.election_id != ctx.election_id:
        raise _Failed(f"e2e/election.json is for election {election.election_id!r}")
    numbers = [d.commitment.teller for d in ctx.deals]
    if numbers != list(range(1, election.tellers + 1)):
        raise _Failed(f"the deals are from tellers {numbers}, not 1 to {election.tellers}")
    for deal in ctx.deals:
        teller = deal.commitment.teller
        if deal.election_id != election.election_id:
            raise _Failed(f"teller {teller}'s deal is for election {deal.election_id!r}")
        if (deal.threshold, deal.tellers) != (election.threshold, election.tellers):
            raise _Failed(f"teller {teller} dealt for {deal.threshold} of {deal.tellers}")
        try:
            check_commitment(
                election_id=election.election_id,
                commitment=deal.commitment,
                threshold=election.threshold,
                tellers=election.tellers,
            )
        except CeremonyError as error:
            raise _Failed(str(error)) from error
    if election_public_key([d.commitment for d in ctx.deals]) != election.public_key:
        raise _Failed("the tellers' commitments do not add up to the published election key")


def _election(ctx: _Context) -> E2EElection:
    if ctx.election is None:
        raise _Failed("e2e/election.json was not read")
    return ctx.election


def _check_cast(ctx: _Context) -> None:
    election = _election(ctx)
    for item in ctx.questions:
        seen: dict[str, int] = {}
        for line, cast in enumerate(item.cast, start=1):
            where = f"{item.question.id}/cast.jsonl line {line}"
            if cast.credential in seen:
                raise _Failed(f"{where}: credential already cast at line {seen[cast.credential]}")
            seen[cast.credential] = line
            if not ballot_proof_is_valid(
                election_id=election.election_id,
                question=item.question.id,
                credential=cast.credential,
                public_key=election.public_key,
                ballot=cast.ballot,
                proof=cast.proof,
            ):
                raise _Failed(f"{where}: the ballot's proof does not hold for its credential")


def _check_mixes(ctx: _Context) -> None:
    election = _election(ctx)
    for item in ctx.questions:
        if not item.cast and not item.mixes:
            continue  # a question nobody answered (a section none of whose members voted)
        if len(item.mixes) < ctx.minimum_mixes:
            raise _Failed(
                f"{item.question.id}: {len(item.mixes)} mix stage(s), "
                f"at least {ctx.minimum_mixes} are required"
            )
        if not item.cast:
            raise _Failed(f"{item.question.id}: no cast ballots to mix")
        if len({m.mixer for m in item.mixes}) != len(item.mixes):
            raise _Failed(f"{item.question.id}: a mixer mixed twice")
        previous: list[EncryptedBallot] = [c.ballot for c in item.cast]
        for mix in item.mixes:
            failure = shuffle_proof_failure(
                election_id=election.election_id,
                stage=mix.stage,
                public_key=election.public_key,
                inputs=previous,
                outputs=mix.ballots,
                proof=mix.proof,
                workers=ctx.workers,
            )
            if failure is not None:
                raise _Failed(f"{item.question.id}/mix-{mix.stage}.json ({mix.mixer}): {failure}")
            previous = mix.ballots


def _last_alphas(item: _Question) -> list[bytes]:
    return [c.alpha for ballot in item.mixes[-1].ballots for c in ballot]


def _check_decryption_proofs(ctx: _Context) -> None:
    election = _election(ctx)
    commitments = [d.commitment for d in ctx.deals]
    for item in ctx.questions:
        if not item.mixes and not item.decryptions:
            continue  # nothing was mixed, so nothing to decrypt (check 12 holds it empty)
        tellers = [d.teller for d in item.decryptions]
        if len(set(tellers)) < election.threshold:
            raise _Failed(
                f"{item.question.id}: decryption shares from {len(set(tellers))} teller(s), "
                f"{election.threshold} are needed"
            )
        alphas = _last_alphas(item)
        for decryption in item.decryptions:
            if not 1 <= decryption.teller <= election.tellers:
                raise _Failed(f"{item.question.id}: no teller {decryption.teller}")
            shares = [d for row in decryption.shares for d in row]
            if len(decryption.shares) != len(
                item.mixes[-1].ballots
            ) or not decryption_proof_is_valid(
                election_id=election.election_id,
                teller=decryption.teller,
                verification_key=verification_key(commitments, decryption.teller),
                alphas=alphas,
                shares=shares,
                proof=decryption.proof,
                workers=ctx.workers,
            ):
                raise _Failed(
                    f"{item.question.id}/decryption-{decryption.teller}.json: "
                    f"teller {decryption.teller}'s decryption shares do not match their key"
                )


def _check_plaintexts(ctx: _Context) -> None:
    for item in ctx.questions:
        if not item.mixes:
            if item.papers:
                raise _Failed(f"{item.question.id}/plaintexts.jsonl has papers, but none was cast")
            continue
        last = item.mixes[-1].ballots
        if len(item.papers) != len(last):
            raise _Failed(
                f"{item.question.id}/plaintexts.jsonl has {len(item.papers)} papers "
                f"for {len(last)} ballots"
            )
        width = item.question.width
        betas = [c.beta for ballot in last for c in ballot]
        shares = {d.teller: [point for row in d.shares for point in row] for d in item.decryptions}
        messages = combine_decryptions(betas, shares, ctx.workers)
        table = SlotTable(item.question.form)
        for position, published in enumerate(item.papers, start=1):
            points = messages[(position - 1) * width : position * width]
            paper = decode_paper(item.question.form, item.question.encoding, points, table)
            if paper != published:
                raise _Failed(
                    f"{item.question.id}/plaintexts.jsonl line {position}: "
                    f"the ballot decrypts to {paper}, not {published}"
                )


CHECKS: dict[int, Callable[[_Context], None]] = {
    10: _check_ceremony,
    11: _check_cast,
    12: _check_mixes,
    13: _check_decryption_proofs,
    14: _check_plaintexts,
}


def check_e2e(
    folder: Path,
    *,
    election_id: str | None = None,
    workers: int = 1,
    minimum_mixes: int = MINIMUM_MIXES,
) -> list[E2ECheck]:
    """Checks 10 to 14 on the record's ``e2e/`` folder, each passed or failed with a reason."""
    ctx = _Context(folder, election_id, workers, minimum_mixes)
    results: list[E2ECheck] = []
    failed: int | None = None
    for number, check in CHECKS.items():
        name = E2E_CHECK_NAMES[number]
        if failed is not None:
            reason = f"not run because check {failed} failed"
            results.append(E2ECheck(number, name, False, reason))
            continue
        try:
            check(ctx)
        except _Failed as error:
            results.append(E2ECheck(number, name, False, str(error)))
            failed = number
        else:
            results.append(E2ECheck(number, name, True))
    return results


def decrypted_papers(folder: Path) -> dict[str, list[Paper | InvalidPaper]]:
    """The published papers per question, for the recount (after check_e2e has passed)."""
    election = election_from_json(read_json(folder / "election.json"), "e2e/election.json")
    return {q.id: read_plaintexts(folder / q.id / "plaintexts.jsonl") for q in election.questions}


def cast_trackers(folder: Path) -> dict[str, list[str]]:
    """Each question's cast ballots' trackers, in cast.jsonl order: the leaves ledger.verify
    must find in the Merkle log (checks 2-5), so that the ballots mixed are the ballots logged."""
    election = election_from_json(read_json(folder / "election.json"), "e2e/election.json")
    return {
        q.id: [
            ballot_tracker(election.election_id, cast.ballot)
            for cast in read_cast(folder / q.id / "cast.jsonl", q.width)
        ]
        for q in election.questions
    }
