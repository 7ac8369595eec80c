"""End-to-end ballots: the mix-net at scale, and the server's check of one cast ballot.

Run: .venv/bin/python bench/e2e_mix.py --ballots 10000 --candidates 20 --encoding slots
     .venv/bin/python bench/e2e_mix.py --ballots 10000 --candidates 20 --encoding packed
(figures go in docs/benchmarks.md, with the load average printed at the start and the end)

Steps, each timed: voters encrypt N ranked papers with their proofs (the browser's work, here
in Python); the server checks a sample of cast ballots' proofs (per ballot, one process);
mixers 1 and 2 each shuffle and prove; a verifier checks both stages; k = 2 of 3 tellers
decrypt with proofs and the papers are decoded. Every step is linear in N (the shuffle proof
is O(N) multiplications), so the figure at 500,000 is 50 times the one at 10,000; run with a
second --ballots to see the growth measured.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grassroots.ledger.e2e.ceremony import (
    TellerCommitment,
    combine_decryptions,
    combine_received_shares,
    deal,
    decryption_shares,
    election_public_key,
    verification_key,
)
from grassroots.ledger.e2e.checks import check_e2e
from grassroots.ledger.e2e.elgamal import EncryptedBallot
from grassroots.ledger.e2e.files import (
    CastBallot,
    Deal,
    Decryption,
    E2EElection,
    E2EQuestion,
    MixStage,
    cast_from_json,
    cast_to_json,
    deal_to_json,
    decryption_to_json,
    election_to_json,
    mix_to_json,
    paper_to_json,
    write_json,
)
from grassroots.ledger.e2e.papers import (
    Encoding,
    InvalidPaper,
    Paper,
    PaperForm,
    PaperKind,
    SlotTable,
    decode_paper,
)
from grassroots.ledger.e2e.proofs import (
    decryption_proof_is_valid,
    prove_decryption,
)
from grassroots.ledger.e2e.shuffle import (
    ShuffleProof,
    prove_shuffle,
    shuffle,
    shuffle_proof_failure,
)
from grassroots.ledger.e2e.voter import ballot_tracker, cast_ballot_failure, encrypt_paper

ELECTION = "bench-e2e"


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f}"


def _timed(label: str, started: float) -> float:
    elapsed = time.perf_counter() - started
    print(f"{label}: {elapsed:.1f} s", flush=True)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ballots", type=int, default=10_000)
    parser.add_argument("--candidates", type=int, default=20)
    parser.add_argument("--encoding", choices=[e.value for e in Encoding], default="slots")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sample", type=int, default=300, help="ballot proofs checked")
    parser.add_argument(
        "--cast-only", action="store_true", help="stop after the per-ballot server figure"
    )
    parser.add_argument(
        "--record", type=Path, help="also write the e2e/ folder here and time checks 10-14 on it"
    )
    arguments = parser.parse_args()
    n, workers = arguments.ballots, arguments.workers
    question = E2EQuestion(
        "q", PaperForm(PaperKind.RANKED, arguments.candidates), Encoding(arguments.encoding)
    )
    print(
        f"{n:,} ballots, {arguments.candidates}-candidate ranking, encoding "
        f"{question.encoding} ({question.width} ciphertext(s) a ballot), {workers} worker(s); "
        f"{os.cpu_count()} cores; {_load()}",
        flush=True,
    )
    dealt = [deal(election_id=ELECTION, teller=t, threshold=2, tellers=3) for t in (1, 2, 3)]
    commitments = [c for c, _ in dealt]
    secrets = {
        t: combine_received_shares(commitments, t, {c.teller: s[t] for c, s in dealt})
        for t in (1, 2, 3)
    }
    public = election_public_key(commitments)

    rng = random.Random(1)
    papers = []
    for _ in range(n):
        ranking = list(range(arguments.candidates))
        rng.shuffle(ranking)
        papers.append(Paper(tuple(ranking[: rng.randint(1, arguments.candidates)])))
    started = time.perf_counter()
    cast = [
        encrypt_paper(
            election_id=ELECTION,
            question=question,
            credential=f"roll-{i}",
            public_key=public,
            paper=paper,
        )[0]
        for i, paper in enumerate(papers)
    ]
    _timed(f"voters encrypt {n:,} papers with proofs (one process)", started)

    # The server's work per cast ballot: parse the posted JSON (every point checked), check
    # the proof against the voter's credential, compute the tracker.
    posted = [json.dumps(cast_to_json(c)) for c in cast[: arguments.sample]]
    started = time.perf_counter()
    for text, item in zip(posted, cast, strict=False):
        data = json.loads(text)
        parsed = cast_from_json(
            {"ballot": data["ballot"], "proof": data["proof"]},
            width=question.width,
            credential=item.credential,
        )
        failure = cast_ballot_failure(
            election_id=ELECTION, question=question, public_key=public, cast=parsed
        )
        assert failure is None, failure
        ballot_tracker(ELECTION, parsed.ballot)
    per_ballot = (time.perf_counter() - started) / len(posted)
    print(
        f"server's work per cast ballot (parse, check the proof, tracker): "
        f"{per_ballot * 1000:.2f} ms ({1 / per_ballot:.0f} ballots/s on one core)",
        flush=True,
    )
    if arguments.cast_only:
        return

    stages = [[c.ballot for c in cast]]
    proofs = []
    mixing = 0.0
    for stage in (1, 2):
        started = time.perf_counter()
        outputs, permutation, randomness = shuffle(public, stages[-1], workers=workers)
        proof = prove_shuffle(
            election_id=ELECTION,
            stage=stage,
            public_key=public,
            inputs=stages[-1],
            outputs=outputs,
            permutation=permutation,
            randomness=randomness,
            workers=workers,
        )
        mixing += _timed(f"mixer {stage}: shuffle and prove", started)
        stages.append(outputs)
        proofs.append(proof)
    print(f"mixing by two mixers with proofs: {mixing:.1f} s", flush=True)

    started = time.perf_counter()
    for stage in (1, 2):
        failure = shuffle_proof_failure(
            election_id=ELECTION,
            stage=stage,
            public_key=public,
            inputs=stages[stage - 1],
            outputs=stages[stage],
            proof=proofs[stage - 1],
            workers=workers,
        )
        assert failure is None, failure
    _timed("verifying both mix stages", started)

    alphas = [c.alpha for ballot in stages[-1] for c in ballot]
    betas = [c.beta for ballot in stages[-1] for c in ballot]
    started = time.perf_counter()
    shares = {}
    decryptions = []
    for teller in (1, 3):
        shares[teller] = decryption_shares(secrets[teller], alphas, workers)
        decryption_proof = prove_decryption(
            election_id=ELECTION,
            teller=teller,
            secret_share=secrets[teller],
            alphas=alphas,
            shares=shares[teller],
            workers=workers,
        )
        assert decryption_proof_is_valid(
            election_id=ELECTION,
            teller=teller,
            verification_key=verification_key(commitments, teller),
            alphas=alphas,
            shares=shares[teller],
            proof=decryption_proof,
            workers=workers,
        )
        width = question.width
        rows = [tuple(shares[teller][i : i + width]) for i in range(0, len(alphas), width)]
        decryptions.append(Decryption(teller, rows, decryption_proof))
    _timed("two tellers' decryption shares with proofs, proved and checked", started)
    started = time.perf_counter()
    messages = combine_decryptions(betas, shares, workers)
    table = SlotTable(question.form)
    width = question.width
    decoded = [
        decode_paper(question.form, question.encoding, messages[i * width : (i + 1) * width], table)
        for i in range(n)
    ]
    _timed("combining and decoding the papers", started)
    assert sorted(p.marks for p in decoded if isinstance(p, Paper)) == sorted(
        p.marks for p in papers
    )
    print(f"every paper decrypted as cast; {_load()}", flush=True)
    if arguments.record is not None:
        _write_record(
            arguments.record,
            question,
            public,
            commitments,
            cast,
            stages,
            proofs,
            decryptions,
            decoded,
        )
        started = time.perf_counter()
        results = check_e2e(arguments.record, workers=workers)
        assert all(r.passed for r in results), [r.line() for r in results]
        _timed("the verifier's checks 10-14 on the written e2e/ folder (parsing included)", started)
        print(_load())


def _write_record(
    folder: Path,
    question: E2EQuestion,
    public: bytes,
    commitments: list[TellerCommitment],
    cast: list[CastBallot],
    stages: list[list[EncryptedBallot]],
    proofs: list[ShuffleProof],
    decryptions: list[Decryption],
    decoded: list[Paper | InvalidPaper],
) -> None:
    (folder / "tellers").mkdir(parents=True)
    (folder / question.id).mkdir()
    election = E2EElection(ELECTION, 2, 3, public, (question,))
    write_json(folder / "election.json", election_to_json(election))
    for commitment in commitments:
        deal_file = Deal(ELECTION, 2, 3, commitment, {})
        write_json(folder / "tellers" / f"deal-{commitment.teller}.json", deal_to_json(deal_file))
    lines = "".join(json.dumps(cast_to_json(c)) + "\n" for c in cast)
    (folder / question.id / "cast.jsonl").write_text(lines)
    for stage, proof in enumerate(proofs, start=1):
        mix = MixStage(stage, f"mixer {stage}", stages[stage], proof)
        write_json(folder / question.id / f"mix-{stage}.json", mix_to_json(mix))
    for decryption in decryptions:
        path = folder / question.id / f"decryption-{decryption.teller}.json"
        write_json(path, decryption_to_json(decryption))
    lines = "".join(json.dumps(paper_to_json(p)) + "\n" for p in decoded)
    (folder / question.id / "plaintexts.jsonl").write_text(lines)


if __name__ == "__main__":
    main()
