"""The end-to-end part of an election record: its files, read strictly and written canonically.

Layout (docs/e2e.md, "The record's e2e/ folder"), all JSON, group elements and scalars as
lowercase hex (32 bytes each):

    e2e/election.json                 election id, threshold k, tellers n, the election key,
                                      and each question's id, kind, candidates and encoding
    e2e/tellers/deal-<i>.json         teller i's commitments, proof of knowledge, sealed shares
    e2e/<question>/cast.jsonl         one cast ballot a line: credential, ciphertexts, proof
    e2e/<question>/mix-<s>.json       mix stage s (1, 2, ...): mixer, ballots out, proof
    e2e/<question>/decryption-<i>.json  teller i's decryption shares of the last stage, proof
    e2e/<question>/plaintexts.jsonl   one paper a line, in the last stage's order:
                                      {"marks": [...]} or {"invalid": "why"}

Anything malformed raises :class:`E2EFileError` naming the file and line; nothing is skipped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from grassroots.ledger.e2e.ceremony import CeremonyError, TellerCommitment
from grassroots.ledger.e2e.elgamal import EncryptedBallot, ballot_from_json, ballot_to_json
from grassroots.ledger.e2e.group import GroupError, point_from_hex, scalar_from_hex, scalar_hex
from grassroots.ledger.e2e.papers import (
    Encoding,
    InvalidPaper,
    Paper,
    PaperForm,
    PaperKind,
)
from grassroots.ledger.e2e.proofs import BallotProof, DecryptionProof
from grassroots.ledger.e2e.shuffle import ShuffleProof
from grassroots.ledger.record import reject_constant


class E2EFileError(ValueError):
    """A file of the e2e record that cannot be read as specified; the message says where."""


@dataclass(frozen=True, slots=True)
class E2EQuestion:
    id: str
    form: PaperForm
    encoding: Encoding

    @property
    def width(self) -> int:
        return self.form.width(self.encoding)


@dataclass(frozen=True, slots=True)
class E2EElection:
    election_id: str
    threshold: int
    tellers: int
    public_key: bytes
    questions: tuple[E2EQuestion, ...]


@dataclass(frozen=True, slots=True)
class Deal:
    election_id: str
    threshold: int
    tellers: int
    commitment: TellerCommitment
    sealed_shares: dict[int, bytes]  # recipient -> sealed box holding f_i(recipient)


@dataclass(frozen=True, slots=True)
class CastBallot:
    credential: str
    ballot: EncryptedBallot
    proof: BallotProof


@dataclass(frozen=True, slots=True)
class MixStage:
    stage: int
    mixer: str
    ballots: list[EncryptedBallot]
    proof: ShuffleProof


@dataclass(frozen=True, slots=True)
class Decryption:
    teller: int
    shares: list[tuple[bytes, ...]]  # per ballot, per ciphertext: x_i·alpha
    proof: DecryptionProof


def read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"), parse_constant=reject_constant)
    except OSError as error:
        raise E2EFileError(f"{path}: cannot be read ({error.strerror})") from error
    except (ValueError, UnicodeDecodeError) as error:
        raise E2EFileError(f"{path}: not valid JSON ({error})") from error


def write_json(path: Path, value: object) -> None:
    path.write_text(json.dumps(value, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def _field(data: object, key: str, kind: type, where: str) -> object:
    if not isinstance(data, dict) or key not in data:
        raise E2EFileError(f"{where}: no {key!r}")
    value = data[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise E2EFileError(f"{where}: {key!r} must be {kind.__name__}")
    return value


def election_to_json(election: E2EElection) -> dict[str, object]:
    return {
        "election_id": election.election_id,
        "threshold": election.threshold,
        "tellers": election.tellers,
        "public_key": election.public_key.hex(),
        "questions": [
            {
                "id": q.id,
                "kind": str(q.form.kind),
                "candidates": q.form.candidates,
                "encoding": str(q.encoding),
            }
            for q in election.questions
        ],
    }


def election_from_json(data: object, where: str) -> E2EElection:
    try:
        questions = []
        for item in _items(data, "questions", where):
            form = PaperForm(
                PaperKind(_text(item, "kind", where)),
                _number(item, "candidates", where),
            )
            encoding = Encoding(_text(item, "encoding", where))
            question_id = _text(item, "id", where)
            if not question_id or "/" in question_id or question_id.startswith("."):
                raise E2EFileError(f"{where}: a question id names a folder: {question_id!r}")
            questions.append(E2EQuestion(question_id, form, encoding))
        return E2EElection(
            election_id=_text(data, "election_id", where),
            threshold=_number(data, "threshold", where),
            tellers=_number(data, "tellers", where),
            public_key=point_from_hex(_text(data, "public_key", where)),
            questions=tuple(questions),
        )
    except (ValueError, GroupError) as error:
        if isinstance(error, E2EFileError):
            raise
        raise E2EFileError(f"{where}: {error}") from error


def _text(data: object, key: str, where: str) -> str:
    value = _field(data, key, str, where)
    assert isinstance(value, str)
    return value


def _number(data: object, key: str, where: str) -> int:
    value = _field(data, key, int, where)
    assert isinstance(value, int)
    return value


def _items(data: object, key: str, where: str) -> list[object]:
    return _list(_field(data, key, list, where))


def _list(value: object) -> list[object]:
    assert isinstance(value, list)
    return value


def _int(value: object) -> int:
    assert isinstance(value, int)
    return value


def deal_to_json(deal: Deal) -> dict[str, object]:
    return {
        "election_id": deal.election_id,
        "threshold": deal.threshold,
        "tellers": deal.tellers,
        "commitment": deal.commitment.to_json(),
        "shares": {str(t): box.hex() for t, box in sorted(deal.sealed_shares.items())},
    }


def deal_from_json(data: object, where: str) -> Deal:
    shares = _field(data, "shares", dict, where)
    assert isinstance(shares, dict)
    try:
        sealed = {int(t): bytes.fromhex(box) for t, box in shares.items()}
        commitment = TellerCommitment.from_json(_field(data, "commitment", dict, where))
    except (ValueError, TypeError, CeremonyError) as error:
        raise E2EFileError(f"{where}: {error}") from error
    return Deal(
        election_id=_text(data, "election_id", where),
        threshold=_number(data, "threshold", where),
        tellers=_number(data, "tellers", where),
        commitment=commitment,
        sealed_shares=sealed,
    )


def read_deals(folder: Path) -> list[Deal]:
    paths = sorted(folder.glob("deal-*.json"))
    if not paths:
        raise E2EFileError(f"{folder}: no tellers' deal-<i>.json files")
    deals = []
    for path in paths:
        item = deal_from_json(read_json(path), str(path))
        if path.name != f"deal-{item.commitment.teller}.json":
            raise E2EFileError(f"{path}: holds teller {item.commitment.teller}'s deal")
        deals.append(item)
    return sorted(deals, key=lambda d: d.commitment.teller)


def cast_to_json(cast: CastBallot) -> dict[str, object]:
    return {
        "credential": cast.credential,
        "ballot": ballot_to_json(cast.ballot),
        "proof": cast.proof.to_json(),
    }


def cast_from_json(value: object, *, width: int, credential: str) -> CastBallot:
    """A ballot posted by the voter's page, ``{"ballot": [...], "proof": {...}}``.

    The credential comes from the server's roll, never from the page. Raises E2EFileError
    with a message the casting view can show; the proof itself is checked by
    voter.cast_ballot_failure.
    """
    where = "the encrypted ballot"
    if not isinstance(value, dict) or set(value) != {"ballot", "proof"}:
        raise E2EFileError(f'{where} must be {{"ballot": [...], "proof": {{...}}}}')
    try:
        return CastBallot(
            credential=credential,
            ballot=ballot_from_json(value["ballot"], width),
            proof=BallotProof.from_json(value["proof"]),
        )
    except GroupError as error:
        raise E2EFileError(f"{where}: {error}") from error


def read_cast(path: Path, width: int) -> list[CastBallot]:
    casts = []
    for number, line in enumerate(_lines(path), start=1):
        where = f"{path} line {number}"
        data = _parse_line(line, where)
        try:
            casts.append(
                CastBallot(
                    credential=_text(data, "credential", where),
                    ballot=ballot_from_json(_field(data, "ballot", list, where), width),
                    proof=BallotProof.from_json(_field(data, "proof", dict, where)),
                )
            )
        except GroupError as error:
            raise E2EFileError(f"{where}: {error}") from error
    return casts


def _lines(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise E2EFileError(f"{path}: cannot be read ({error.strerror})") from error
    except UnicodeDecodeError as error:
        raise E2EFileError(f"{path}: not UTF-8 text") from error
    return [line for line in text.split("\n") if line != ""]


def _parse_line(line: str, where: str) -> object:
    try:
        return json.loads(line, parse_constant=reject_constant)
    except ValueError as error:
        raise E2EFileError(f"{where}: not valid JSON ({error})") from error


def ballots_to_json(ballots: list[EncryptedBallot]) -> list[list[list[str]]]:
    return [ballot_to_json(b) for b in ballots]


def ballots_from_json(value: object, width: int, where: str) -> list[EncryptedBallot]:
    if not isinstance(value, list):
        raise E2EFileError(f"{where}: 'ballots' must be a list")
    try:
        return [ballot_from_json(b, width) for b in value]
    except GroupError as error:
        raise E2EFileError(f"{where}: {error}") from error


def shuffle_proof_to_json(proof: ShuffleProof) -> dict[str, object]:
    points = ("t1", "t2", "t3")
    point_lists = ("commitments", "chain", "t4_alpha", "t4_beta", "t_hat")
    scalars = ("s1", "s2", "s3")
    scalar_lists = ("s4", "s_hat", "s_prime")
    result: dict[str, object] = {}
    for name in points:
        result[name] = getattr(proof, name).hex()
    for name in point_lists:
        result[name] = [p.hex() for p in getattr(proof, name)]
    for name in scalars:
        result[name] = scalar_hex(getattr(proof, name))
    for name in scalar_lists:
        result[name] = [scalar_hex(s) for s in getattr(proof, name)]
    return result


def shuffle_proof_from_json(data: object, where: str) -> ShuffleProof:
    try:

        def points(name: str) -> tuple[bytes, ...]:
            return tuple(point_from_hex(p) for p in _list(_field(data, name, list, where)))

        def scalars(name: str) -> tuple[int, ...]:
            return tuple(scalar_from_hex(s) for s in _list(_field(data, name, list, where)))

        return ShuffleProof(
            commitments=points("commitments"),
            chain=points("chain"),
            t1=point_from_hex(_field(data, "t1", str, where)),
            t2=point_from_hex(_field(data, "t2", str, where)),
            t3=point_from_hex(_field(data, "t3", str, where)),
            t4_alpha=points("t4_alpha"),
            t4_beta=points("t4_beta"),
            t_hat=points("t_hat"),
            s1=scalar_from_hex(_field(data, "s1", str, where)),
            s2=scalar_from_hex(_field(data, "s2", str, where)),
            s3=scalar_from_hex(_field(data, "s3", str, where)),
            s4=scalars("s4"),
            s_hat=scalars("s_hat"),
            s_prime=scalars("s_prime"),
        )
    except GroupError as error:
        raise E2EFileError(f"{where}: the shuffle proof: {error}") from error


def mix_to_json(mix: MixStage) -> dict[str, object]:
    return {
        "stage": mix.stage,
        "mixer": mix.mixer,
        "ballots": ballots_to_json(mix.ballots),
        "proof": shuffle_proof_to_json(mix.proof),
    }


def mix_from_json(data: object, width: int, where: str) -> MixStage:
    return MixStage(
        stage=_number(data, "stage", where),
        mixer=_text(data, "mixer", where),
        ballots=ballots_from_json(_field(data, "ballots", list, where), width, where),
        proof=shuffle_proof_from_json(_field(data, "proof", dict, where), where),
    )


def read_mixes(folder: Path, width: int) -> list[MixStage]:
    """mix-1.json, mix-2.json, ...: numbered from 1 without a gap."""
    found = {p.name for p in folder.glob("mix-*.json")}
    stages = []
    for stage in range(1, len(found) + 1):
        path = folder / f"mix-{stage}.json"
        if path.name not in found:
            raise E2EFileError(f"{folder}: mix stages must be mix-1.json, mix-2.json, ...")
        mix = mix_from_json(read_json(path), width, str(path))
        if mix.stage != stage:
            raise E2EFileError(f"{path}: says it is stage {mix.stage}")
        stages.append(mix)
    return stages


def decryption_to_json(decryption: Decryption) -> dict[str, object]:
    return {
        "teller": decryption.teller,
        "shares": [[d.hex() for d in ballot] for ballot in decryption.shares],
        "proof": decryption.proof.to_json(),
    }


def decryption_from_json(data: object, width: int, where: str) -> Decryption:
    """A teller's decryption shares: ``{"teller", "shares": [[D per position] per ballot],
    "proof": {"c", "s"}}``, every point checked."""
    shares = _field(data, "shares", list, where)
    try:
        rows = []
        for row in _list(shares):
            if not isinstance(row, list) or len(row) != width:
                raise E2EFileError(f"{where}: each ballot's shares are a list of {width}")
            rows.append(tuple(point_from_hex(d) for d in row))
        proof = DecryptionProof.from_json(_field(data, "proof", dict, where))
    except GroupError as error:
        raise E2EFileError(f"{where}: {error}") from error
    return Decryption(_number(data, "teller", where), rows, proof)


def read_decryptions(folder: Path, width: int) -> list[Decryption]:
    decryptions = []
    for path in sorted(folder.glob("decryption-*.json")):
        decryption = decryption_from_json(read_json(path), width, str(path))
        if path.name != f"decryption-{decryption.teller}.json":
            raise E2EFileError(f"{path}: holds teller {decryption.teller}'s decryption shares")
        decryptions.append(decryption)
    return sorted(decryptions, key=lambda d: d.teller)


def paper_to_json(paper: Paper | InvalidPaper) -> dict[str, object]:
    if isinstance(paper, InvalidPaper):
        return {"invalid": paper.reason}
    return {"marks": list(paper.marks)}


def read_plaintexts(path: Path) -> list[Paper | InvalidPaper]:
    papers: list[Paper | InvalidPaper] = []
    for number, line in enumerate(_lines(path), start=1):
        where = f"{path} line {number}"
        data = _parse_line(line, where)
        if isinstance(data, dict) and set(data) == {"invalid"} and isinstance(data["invalid"], str):
            papers.append(InvalidPaper(data["invalid"]))
        elif (
            isinstance(data, dict)
            and set(data) == {"marks"}
            and isinstance(data["marks"], list)
            and all(isinstance(m, int) and not isinstance(m, bool) for m in data["marks"])
        ):
            papers.append(Paper(tuple(data["marks"])))
        else:
            raise E2EFileError(f'{where}: a paper is {{"marks": [...]}} or {{"invalid": "why"}}')
    return papers
