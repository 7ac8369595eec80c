"""``python -m grassroots.ledger teller ...``: a teller's steps, offline, on their own machine.

    transport-key  make the X25519 key other tellers seal your shares to
    deal           make your commitments and a sealed share for each teller (deal-<i>.json)
    receive        open the shares sealed to you, check each against its sender's commitments,
                   and keep your secret key share (naming any teller whose share is wrong)
    mix            re-encrypt and permute a question's last list, with a proof (mix-<s>.json)
    decrypt        your decryption shares of the last mix stage, with a proof
    publish        combine k tellers' decryption shares into the papers (plaintexts.jsonl)
    verify         run checks 10 to 14 on an e2e/ folder

Exit status: 0 done, 1 refused (the message says why), 2 wrong command line.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Sequence
from pathlib import Path

import nacl.exceptions
import nacl.public

from grassroots.ledger.e2e.ceremony import (
    CeremonyError,
    check_commitment,
    check_secret_share,
    combine_decryptions,
    combine_received_shares,
    deal,
    decryption_shares,
    election_public_key,
    verification_key,
)
from grassroots.ledger.e2e.checks import check_e2e
from grassroots.ledger.e2e.files import (
    Deal,
    Decryption,
    E2EElection,
    E2EFileError,
    E2EQuestion,
    MixStage,
    deal_to_json,
    decryption_to_json,
    election_from_json,
    mix_to_json,
    paper_to_json,
    read_cast,
    read_deals,
    read_decryptions,
    read_json,
    read_mixes,
    write_json,
)
from grassroots.ledger.e2e.group import GroupError, scalar_from_hex, scalar_hex
from grassroots.ledger.e2e.papers import SlotTable, decode_paper
from grassroots.ledger.e2e.proofs import decryption_proof_is_valid, prove_decryption
from grassroots.ledger.e2e.shuffle import ShuffleError, prove_shuffle, shuffle


class TellerError(Exception):
    """A step refused, with a message for the teller."""


def add_teller_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    teller = commands.add_parser("teller", help="a teller's key ceremony, mixing and decryption")
    steps = teller.add_subparsers(dest="step", required=True)

    transport = steps.add_parser("transport-key", help="make the key your shares are sealed to")
    transport.add_argument("--out", type=Path, required=True, help="private key file to write")

    dealing = steps.add_parser("deal", help="commit to your polynomial and seal its shares")
    _ceremony_arguments(dealing)
    dealing.add_argument("--recipients", type=Path, required=True, help='{"1": "<hex>", ...}')
    dealing.add_argument("--out", type=Path, required=True, help="deal-<i>.json to publish")

    receive = steps.add_parser("receive", help="check the shares sealed to you; keep yours")
    _ceremony_arguments(receive)
    receive.add_argument("--transport-key", type=Path, required=True)
    receive.add_argument("--deals", type=Path, required=True, help="folder of deal-<i>.json")
    receive.add_argument("--out", type=Path, required=True, help="your secret share file")

    mix = steps.add_parser("mix", help="re-encrypt and permute a question's ballots, with proof")
    _question_arguments(mix)
    mix.add_argument("--mixer", required=True, help="your name, as published with the stage")
    mix.add_argument("--workers", type=int, default=1, help="processes to use (default 1)")

    decrypt = steps.add_parser("decrypt", help="your decryption shares of the last stage")
    _question_arguments(decrypt)
    decrypt.add_argument("--teller", type=int, required=True)
    decrypt.add_argument("--share", type=Path, required=True, help="your secret share file")
    decrypt.add_argument("--workers", type=int, default=1, help="processes to use (default 1)")

    publish = steps.add_parser("publish", help="combine decryption shares into the papers")
    _question_arguments(publish)
    publish.add_argument("--workers", type=int, default=1, help="processes to use (default 1)")

    verify = steps.add_parser("verify", help="checks 10 to 14 of an e2e/ folder")
    verify.add_argument("record", type=Path, help="the record's e2e/ folder")
    verify.add_argument("--workers", type=int, default=1)


def _ceremony_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--election-id", required=True)
    parser.add_argument("--teller", type=int, required=True, help="your number, 1 to n")
    parser.add_argument("--threshold", type=int, required=True, help="k: tellers needed")
    parser.add_argument("--tellers", type=int, required=True, help="n: tellers in all")


def _question_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("record", type=Path, help="the e2e/ folder")
    parser.add_argument("--question", required=True, help="the question's id")


def run_teller(arguments: argparse.Namespace) -> int:
    try:
        message = STEPS[arguments.step](arguments)
    except (TellerError, E2EFileError, CeremonyError, ShuffleError, GroupError) as error:
        print(f"refused: {error}")
        return 1
    print(message)
    return 0


def _write_secret(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text + "\n")


def _transport_key(arguments: argparse.Namespace) -> str:
    key = nacl.public.PrivateKey.generate()
    try:
        _write_secret(arguments.out, bytes(key).hex())
    except FileExistsError as error:
        raise TellerError(f"{arguments.out} exists; a key is never overwritten") from error
    return f"transport key written to {arguments.out}; publish: {bytes(key.public_key).hex()}"


def _deal(arguments: argparse.Namespace) -> str:
    recipients = read_json(arguments.recipients)
    if not isinstance(recipients, dict) or set(recipients) != {
        str(t) for t in range(1, arguments.tellers + 1)
    }:
        raise TellerError(f"--recipients must map every teller 1 to {arguments.tellers} to a key")
    commitment, shares = deal(
        election_id=arguments.election_id,
        teller=arguments.teller,
        threshold=arguments.threshold,
        tellers=arguments.tellers,
    )
    sealed = {}
    for recipient, share in shares.items():
        try:
            box = nacl.public.SealedBox(
                nacl.public.PublicKey(bytes.fromhex(recipients[str(recipient)]))
            )
        except (ValueError, TypeError, nacl.exceptions.CryptoError) as error:
            raise TellerError(f"teller {recipient}'s transport key is not 64 hex digits") from error
        sealed[recipient] = box.encrypt(scalar_hex(share).encode())
    result = Deal(arguments.election_id, arguments.threshold, arguments.tellers, commitment, sealed)
    write_json(arguments.out, deal_to_json(result))
    return f"deal for teller {arguments.teller} written to {arguments.out}: publish it"


def _receive(arguments: argparse.Namespace) -> str:
    private = nacl.public.PrivateKey(_read_hex(arguments.transport_key))
    deals = read_deals(arguments.deals)
    opener = nacl.public.SealedBox(private)
    shares = {}
    for item in deals:
        sender = item.commitment.teller
        if (item.election_id, item.threshold, item.tellers) != (
            arguments.election_id,
            arguments.threshold,
            arguments.tellers,
        ):
            raise TellerError(f"teller {sender}'s deal is for another election or threshold")
        check_commitment(
            election_id=arguments.election_id,
            commitment=item.commitment,
            threshold=arguments.threshold,
            tellers=arguments.tellers,
        )
        box = item.sealed_shares.get(arguments.teller)
        if box is None:
            raise TellerError(f"teller {sender} sealed no share for teller {arguments.teller}")
        try:
            shares[sender] = scalar_from_hex(opener.decrypt(box).decode())
        except (nacl.exceptions.CryptoError, UnicodeDecodeError, GroupError) as error:
            raise TellerError(
                f"the share teller {sender} sealed to you cannot be opened with your key"
            ) from error
    commitments = [d.commitment for d in deals]
    if sorted(c.teller for c in commitments) != list(range(1, arguments.tellers + 1)):
        raise TellerError(
            f"--deals must hold one deal from each of tellers 1 to {arguments.tellers}"
        )
    secret = combine_received_shares(commitments, arguments.teller, shares)
    try:
        _write_secret(arguments.out, scalar_hex(secret))
    except FileExistsError as error:
        raise TellerError(f"{arguments.out} exists; a share is never overwritten") from error
    return (
        f"every share checked against its teller's commitments; yours is in {arguments.out}\n"
        f"election key: {election_public_key(commitments).hex()}\n"
        f"your verification key: {verification_key(commitments, arguments.teller).hex()}"
    )


def _read_hex(path: Path) -> bytes:
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError, UnicodeDecodeError) as error:
        raise TellerError(f"{path}: not a key file of hex digits") from error


def _question(record: Path, question_id: str) -> tuple[E2EElection, E2EQuestion]:
    election = election_from_json(
        read_json(record / "election.json"), str(record / "election.json")
    )
    for question in election.questions:
        if question.id == question_id:
            return election, question
    raise TellerError(f"e2e/election.json has no question {question_id!r}")


def _mix(arguments: argparse.Namespace) -> str:
    election, question = _question(arguments.record, arguments.question)
    folder = arguments.record / question.id
    mixes = read_mixes(folder, question.width)
    if any(m.mixer == arguments.mixer for m in mixes):
        raise TellerError(f"{arguments.mixer} has already mixed this question")
    inputs = (
        mixes[-1].ballots
        if mixes
        else [c.ballot for c in read_cast(folder / "cast.jsonl", question.width)]
    )
    stage = len(mixes) + 1
    outputs, permutation, randomness = shuffle(
        election.public_key, inputs, workers=arguments.workers
    )
    proof = prove_shuffle(
        election_id=election.election_id,
        stage=stage,
        public_key=election.public_key,
        inputs=inputs,
        outputs=outputs,
        permutation=permutation,
        randomness=randomness,
        workers=arguments.workers,
    )
    path = folder / f"mix-{stage}.json"
    write_json(path, mix_to_json(MixStage(stage, arguments.mixer, outputs, proof)))
    return f"mix stage {stage} of {len(outputs)} ballots written to {path}"


def _decrypt(arguments: argparse.Namespace) -> str:
    election, question = _question(arguments.record, arguments.question)
    commitments = [d.commitment for d in read_deals(arguments.record / "tellers")]
    secret = scalar_from_hex(_read_hex(arguments.share).hex())
    check_secret_share(commitments, arguments.teller, secret)
    folder = arguments.record / question.id
    mixes = read_mixes(folder, question.width)
    if not mixes:
        raise TellerError("this question has not been mixed yet")
    alphas = [c.alpha for ballot in mixes[-1].ballots for c in ballot]
    shares = decryption_shares(secret, alphas, arguments.workers)
    proof = prove_decryption(
        election_id=election.election_id,
        teller=arguments.teller,
        secret_share=secret,
        alphas=alphas,
        shares=shares,
        workers=arguments.workers,
    )
    width = question.width
    rows = [tuple(shares[i : i + width]) for i in range(0, len(shares), width)]
    path = folder / f"decryption-{arguments.teller}.json"
    write_json(path, decryption_to_json(Decryption(arguments.teller, rows, proof)))
    return f"decryption shares of {len(rows)} ballots written to {path}"


def _publish(arguments: argparse.Namespace) -> str:
    election, question = _question(arguments.record, arguments.question)
    folder = arguments.record / question.id
    last = read_mixes(folder, question.width)[-1].ballots
    decryptions = read_decryptions(folder, question.width)[: election.threshold]
    if len(decryptions) < election.threshold:
        raise TellerError(f"{election.threshold} tellers' decryption shares are needed")
    commitments = [d.commitment for d in read_deals(arguments.record / "tellers")]
    alphas = [c.alpha for ballot in last for c in ballot]
    for decryption in decryptions:
        if not decryption_proof_is_valid(
            election_id=election.election_id,
            teller=decryption.teller,
            verification_key=verification_key(commitments, decryption.teller),
            alphas=alphas,
            shares=[p for row in decryption.shares for p in row],
            proof=decryption.proof,
            workers=arguments.workers,
        ):
            raise TellerError(f"teller {decryption.teller}'s decryption shares do not hold")
    betas = [c.beta for ballot in last for c in ballot]
    messages = combine_decryptions(
        betas,
        {d.teller: [p for row in d.shares for p in row] for d in decryptions},
        arguments.workers,
    )
    table = SlotTable(question.form)
    width = question.width
    lines = []
    for i in range(len(last)):
        paper = decode_paper(
            question.form, question.encoding, messages[i * width : (i + 1) * width], table
        )
        lines.append(paper_to_json(paper))
    path = folder / "plaintexts.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return f"{len(lines)} papers written to {path}"


def _verify(arguments: argparse.Namespace) -> str:
    results = check_e2e(arguments.record, workers=arguments.workers)
    for result in results:
        print(result.line())
    failed = [str(r.number) for r in results if not r.passed]
    if failed:
        raise TellerError(f"check(s) {', '.join(failed)} failed")
    return f"all {len(results)} e2e checks passed"


STEPS = {
    "transport-key": _transport_key,
    "deal": _deal,
    "receive": _receive,
    "mix": _mix,
    "decrypt": _decrypt,
    "publish": _publish,
    "verify": _verify,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grassroots.ledger")
    add_teller_commands(parser.add_subparsers(dest="command", required=True))
    return run_teller(parser.parse_args(argv))
