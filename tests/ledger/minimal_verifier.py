"""A second, deliberately minimal verifier, written from docs/record-spec.md alone.

It imports nothing from ``grassroots.ledger``: only the standard library, PyNaCl (for Ed25519,
X25519 and sealed boxes, which the specification names) and ``grassroots.tally`` for the count
(the specification says each rule counts as docs/tally.md describes; any implementation of those
rules would do). tests/ledger/test_minimal_verifier.py holds it to the reference verifier's
verdict, check by check. Section numbers below are the specification's.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import nacl.bindings
import nacl.exceptions
import nacl.public
import nacl.signing

FILES = ("record.json", "ballots.jsonl", "heads.jsonl", "plaintexts.jsonl")
P = 2**521 - 1
RANKED = {"irv", "scottish", "ers97", "meek"}
MARKS = {"plurality", "approval", "yesno"}
HEX64 = re.compile(r"[0-9a-f]{64}")
HEX128 = re.compile(r"[0-9a-f]{128}")


class Fail(Exception):
    pass


def canonical(value: Any) -> bytes:  # section 2
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def pretty(value: Any) -> bytes:
    return (json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()


def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    if len({k for k, _ in pairs}) != len(pairs):
        raise Fail("repeated key")
    return dict(pairs)


def load(data: bytes) -> Any:
    return json.loads(data.decode("utf-8"), object_pairs_hook=no_duplicates)


def find_files(location: Path) -> dict[str, bytes]:  # section 1
    if location.is_file():
        with zipfile.ZipFile(location) as archive:
            names = [n for n in archive.namelist() if n.split("/")[-1] == "record.json"]
            if len(names) != 1:
                raise Fail("no single record.json in the zip")
            prefix = names[0][: -len("record.json")]
            return {f: archive.read(prefix + f) for f in FILES}
    if not (location / "record.json").exists():
        inner = [d for d in location.iterdir() if (d / "record.json").exists()]
        if len(inner) != 1:
            raise Fail("no record folder")
        location = inner[0]
    return {f: (location / f).read_bytes() for f in FILES}


def lines(data: bytes) -> list[bytes]:
    if not data:
        return []
    if not data.endswith(b"\n"):
        raise Fail("last line unterminated")
    return data[:-1].split(b"\n")


def keys(obj: Any, *names: str) -> dict[str, Any]:
    if not isinstance(obj, dict) or set(obj) != set(names):
        raise Fail(f"expected exactly the keys {names}")
    return obj


def whole(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise Fail("not a whole number")
    return value


@dataclass
class Record:
    doc: dict[str, Any]
    ballots: list[tuple[bytes, str]]  # (ciphertext, tracker)
    heads: list[dict[str, Any]]
    plaintexts: list[bytes]
    state: dict[str, Any] = field(default_factory=dict)


def parse_head(line: bytes | Any) -> dict[str, Any]:
    head = load(line) if isinstance(line, bytes) else line
    keys(
        head,
        "election_id",
        "parameters_hash",
        "root_hash",
        "sequence",
        "signature",
        "timestamp",
        "tree_size",
    )
    whole(head["sequence"])
    whole(head["tree_size"])
    datetime.strptime(head["timestamp"], "%Y-%m-%dT%H:%M:%SZ")  # a real date and time
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", head["timestamp"]):
        raise Fail("bad timestamp")
    if not (HEX64.fullmatch(head["root_hash"]) and HEX64.fullmatch(head["parameters_hash"])):
        raise Fail("hash")
    if not HEX128.fullmatch(head["signature"]):
        raise Fail("signature")
    return head


def parse(files: dict[str, bytes]) -> Record:  # sections 2 and 3: check 1
    doc = load(files["record.json"])
    if pretty(doc) != files["record.json"]:
        raise Fail("record.json not pretty canonical")
    keys(doc, "format", "parameters", "roll", "results", "key_shares", "head_count", "signature")
    if doc["format"] != "grassroots-election-record/2":
        raise Fail("format")
    params = keys(
        doc["parameters"],
        "election_id",
        "title",
        "questions",
        "election_public_key",
        "tellers_public_key",
        "tellers",
        "threshold",
        "share_hashes",
    )
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}", params["election_id"]):
        raise Fail("election id")
    if not 1 <= whole(params["threshold"]) <= whole(params["tellers"]):
        raise Fail("threshold")
    if len(params["share_hashes"]) != params["tellers"]:
        raise Fail("share hashes")
    if not all(HEX64.fullmatch(h) for h in params["share_hashes"]):
        raise Fail("share hashes")
    if not HEX128.fullmatch(doc["signature"]) or not isinstance(doc["results"], dict):
        raise Fail("signature or results")
    if not all(isinstance(v, dict) for v in doc["results"].values()):
        raise Fail("results")
    if not all(isinstance(v, str) for v in doc["key_shares"]):
        raise Fail("key shares")
    for key in ("election_public_key", "tellers_public_key"):
        if not HEX64.fullmatch(params[key]):
            raise Fail(key)
    ids = []
    for q in params["questions"]:
        keys_questions(q)
        if q["rule"] not in RANKED | MARKS or whole(q["seats"]) < 1:
            raise Fail("rule or seats")
        n = len(q["candidates"])
        if any(str(int(i)) != i or int(i) >= n for i in q["categories"]):
            raise Fail("category key")
        if any(whole(i) >= n for i in q["withdrawn"]):
            raise Fail("withdrawn")
        ids.append(q["id"])
    if len(set(ids)) != len(ids):
        raise Fail("question ids")
    roll = keys(doc["roll"], "size", "voted", "scopes")
    whole(roll["size"])
    whole(roll["voted"])
    for scope in roll["scopes"]:
        keys(scope, "scope", "roll_size", "voted")
    whole(doc["head_count"])
    ballots = []
    for line in lines(files["ballots.jsonl"]):
        item = load(line)
        if canonical(item) != line:
            raise Fail("ballot line not canonical")
        keys(item, "ciphertext", "tracker")
        if not HEX64.fullmatch(item["tracker"]):
            raise Fail("tracker form")
        try:
            ciphertext = base64.b64decode(item["ciphertext"], validate=True)
        except binascii.Error as error:
            raise Fail("base64") from error
        if base64.b64encode(ciphertext).decode() != item["ciphertext"]:
            raise Fail("base64 not canonical")
        ballots.append((ciphertext, item["tracker"]))
    heads = []
    for line in lines(files["heads.jsonl"]):
        if canonical(load(line)) != line:
            raise Fail("head line not canonical")
        heads.append(parse_head(line))
    return Record(doc, ballots, heads, lines(files["plaintexts.jsonl"]))


def keys_questions(q: dict[str, Any]) -> None:
    optional = ("equal_preferences",) if "equal_preferences" in q else ()
    if optional and (q["equal_preferences"] is not True or q.get("rule") != "meek"):
        raise Fail("equal_preferences is true, for meek only")
    keys(
        q,
        *optional,
        "id",
        "title",
        "rule",
        "seats",
        "candidates",
        "categories",
        "constraints",
        "withdrawn",
        "seed",
        "options",
    )


def mth(leaves: list[bytes]) -> bytes:  # section 4, RFC 9162
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


def roots_at(leaves: list[bytes], sizes: set[int]) -> dict[int, bytes]:
    return {size: mth(leaves[:size]) for size in sizes}


def head_message(head: dict[str, Any]) -> bytes:
    fields = ["grassroots-tree-head/2", head["election_id"], str(head["sequence"])]
    fields += [str(head["tree_size"]), head["root_hash"], head["parameters_hash"]]
    return "".join(f + "\n" for f in [*fields, head["timestamp"]]).encode()


def signed_by(key_hex: str, message: bytes, signature_hex: str) -> bool:
    try:
        nacl.signing.VerifyKey(bytes.fromhex(key_hex)).verify(message, bytes.fromhex(signature_hex))
    except (nacl.exceptions.BadSignatureError, ValueError):
        return False
    return True


def check_2(r: Record) -> None:
    election_id = r.doc["parameters"]["election_id"].encode()
    for ciphertext, tracker in r.ballots:
        if hashlib.sha256(election_id + b"\x00" + ciphertext).hexdigest() != tracker:
            raise Fail("tracker")


def check_3(r: Record) -> None:
    leaves = [bytes.fromhex(t) for _, t in r.ballots]
    r.state["leaves"] = leaves
    if not r.heads:
        raise Fail("no heads")
    last = r.heads[-1]
    if last["tree_size"] != len(leaves) or mth(leaves).hex() != last["root_hash"]:
        raise Fail("final root")


def check_4(r: Record, pinned: str | None) -> None:
    params = r.doc["parameters"]
    if pinned is not None and pinned != params["election_public_key"]:
        raise Fail("not the pinned key")
    committed = hashlib.sha256(b"grassroots-election-parameters/2\n" + canonical(params))
    for head in r.heads:
        if head["election_id"] != params["election_id"]:
            raise Fail("other election")
        if head["parameters_hash"] != committed.hexdigest():
            raise Fail("other parameters")
        if not signed_by(params["election_public_key"], head_message(head), head["signature"]):
            raise Fail("head signature")


def check_5(r: Record, pinned: str | None, saved: list[dict[str, Any]]) -> None:
    if "leaves" not in r.state:
        raise Fail("not run")
    leaves = r.state["leaves"]
    roots = roots_at(leaves, {h["tree_size"] for h in r.heads if h["tree_size"] <= len(leaves)})
    previous = None
    for i, head in enumerate(r.heads):
        if head["sequence"] != i or head["tree_size"] > len(leaves):
            raise Fail("gap or too big")
        if roots[head["tree_size"]].hex() != head["root_hash"]:
            raise Fail("root")
        if previous is None and head["tree_size"] != 0:
            raise Fail("first head not empty")
        if previous is not None and (
            head["tree_size"] < previous["tree_size"] or head["timestamp"] < previous["timestamp"]
        ):
            raise Fail("goes back")
        previous = head
    key = pinned or r.doc["parameters"]["election_public_key"]
    for head in saved:
        if not signed_by(key, head_message(head), head["signature"]):
            raise Fail("saved head not signed")
        if head["sequence"] >= len(r.heads) or r.heads[head["sequence"]] != head:
            raise Fail("saved head missing or contradicted")
    if r.doc["head_count"] != len(r.heads):
        raise Fail("head count")


def check_6(r: Record) -> None:
    params = r.doc["parameters"]
    shares = []
    for text in r.doc["key_shares"]:
        match = re.fullmatch(r"([1-9][0-9]{0,2}):([0-9a-f]{132})", text)
        if not match or int(match[1]) > 255 or int(match[2], 16) >= P:
            raise Fail("share form")
        index = int(match[1])
        if index > params["tellers"]:
            raise Fail("index")
        digest = hashlib.sha256(b"grassroots-key-share/1\n" + text.encode()).hexdigest()
        if digest != params["share_hashes"][index - 1]:
            raise Fail("share hash")
        shares.append((index, int(match[2], 16)))
    if len(shares) < params["threshold"] or len({x for x, _ in shares}) != len(shares):
        raise Fail("shares")
    secret = 0
    for xj, yj in shares:
        term = yj
        for xm, _ in shares:
            if xm != xj:
                term = term * xm * pow(xm - xj, -1, P) % P
        secret = (secret + term) % P
    if secret >= 2**256:
        raise Fail("too big")
    private = secret.to_bytes(32, "big")
    if private[0] & 7 or private[31] & 0x80 or not private[31] & 0x40:
        raise Fail("not clamped")
    if nacl.bindings.crypto_scalarmult_base(private).hex() != params["tellers_public_key"]:
        raise Fail("not the tellers' key")
    r.state["private"] = private


def check_7(r: Record) -> None:
    if "private" not in r.state:
        raise Fail("not run")
    if len(r.ballots) != len(r.plaintexts):
        raise Fail("counts")
    box = nacl.public.SealedBox(nacl.public.PrivateKey(r.state["private"]))
    for (ciphertext, _), plaintext in zip(r.ballots, r.plaintexts, strict=True):
        try:
            if box.decrypt(ciphertext) != plaintext:
                raise Fail("plaintext")
        except nacl.exceptions.CryptoError as error:
            raise Fail("does not open") from error


def paper(plaintext: bytes, questions: dict[str, dict[str, Any]]) -> tuple[str, list[Any]]:
    """The question and its marks; in a question with "equal_preferences": true a ranking's
    entry may be an ascending list of two or more candidates ranked equally (section 5)."""
    value = load(plaintext)
    q = questions[value["question"]]
    key = "ranking" if q["rule"] in RANKED else "choices"
    given = keys(value, "question", key)[key]
    marks = given
    if q.get("equal_preferences") is True:
        groups = [m for m in given if isinstance(m, list)]
        if any(len(g) < 2 or g != sorted(g) for g in groups):
            raise Fail("equal preferences")
        marks = [c for m in given for c in (m if isinstance(m, list) else [m])]
    if not all(type(m) is int and 0 <= m < len(q["candidates"]) for m in marks):
        raise Fail("marks")
    if len(set(marks)) != len(marks) or (key == "choices" and marks != sorted(marks)):
        raise Fail("marks")
    if canonical(value) != plaintext:
        raise Fail("paper form")
    return value["question"], given


def fixed(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def structure(result: Any) -> dict[str, Any]:  # section 6, without the prose
    return {
        "rule": result.rule,
        "seats": result.seats,
        "candidates": list(result.candidates),
        "elected": list(result.elected),
        "valid_poll": fixed(result.valid_poll),
        "quota": fixed(result.quota),
        "seed": result.seed,
        "stages": [
            {
                "number": s.number,
                "action": str(s.action),
                "candidates": list(s.candidates),
                "totals": [fixed(t) for t in s.totals],
                "exhausted": fixed(s.exhausted),
                "loss_by_rounding": fixed(s.loss_by_rounding),
                "transfer_value": fixed(s.transfer_value),
                "elected": list(s.elected),
                "keep_factors": None
                if s.keep_factors is None
                else [fixed(k) for k in s.keep_factors],
                "parcels": list(s.parcels),
            }
            for s in result.stages
        ],
    }


def without_prose(published: Any) -> Any:
    if isinstance(published, dict):
        return {k: without_prose(v) for k, v in published.items() if k not in ("notes", "note")}
    if isinstance(published, list):
        return [without_prose(v) for v in published]
    return published


def option(value: Any) -> Any:
    if isinstance(value, str) and re.fullmatch(r"\d+/\d+", value) and int(value.split("/")[1]):
        return Fraction(value)
    return value


def valid(q: dict[str, Any], marks: Any) -> bool:
    """Section 6: a paper counts if it names a standing candidate; under plurality (without
    first_preferences) only if it marks no more standing candidates than there are seats."""
    standing = [m for m in marks if m not in q["withdrawn"]]
    if q["rule"] == "plurality" and not q["options"].get("first_preferences"):
        return 0 < len(standing) <= q["seats"]
    return bool(standing)


def check_8(r: Record) -> None:
    from grassroots import tally
    from grassroots.tally.types import Ballot, CategoryConstraint, Election, EqualBallot

    questions = {q["id"]: q for q in r.doc["parameters"]["questions"]}
    papers = [paper(p, questions) for p in r.plaintexts]
    r.state["papers"] = papers
    if set(r.doc["results"]) != set(questions):
        raise Fail("results per question")
    for qid, q in questions.items():
        options = {k: option(v) for k, v in q["options"].items()}
        if q["rule"] == "yesno":
            options.setdefault("roll", r.doc["roll"]["size"])
        election = Election(
            candidates=tuple(q["candidates"]),
            seats=q["seats"],
            ballots=tuple(
                Ballot(ranking=tuple(m))
                for pid, m in papers
                if pid == qid and not any(isinstance(x, list) for x in m)
            ),
            equal_ballots=tuple(
                EqualBallot(ranks=tuple(tuple(x) if isinstance(x, list) else (x,) for x in m))
                for pid, m in papers
                if pid == qid and any(isinstance(x, list) for x in m)
            ),
            withdrawn=frozenset(q["withdrawn"]),
            categories={int(i): frozenset(c) for i, c in q["categories"].items()},
        )
        constraints = [
            CategoryConstraint(c["category"], c["minimum"], c["maximum"]) for c in q["constraints"]
        ]
        if q["rule"] != "yesno" and not (
            any(valid(q, b.ranking) for b in election.ballots)
            or any(valid(q, [c for r in b.ranks for c in r]) for b in election.equal_ballots)
        ):
            # Section 6: no valid paper, so the question is void (nothing counted).
            expected = {
                "rule": q["rule"],
                "seats": q["seats"],
                "candidates": q["candidates"],
                "elected": [],
                "valid_poll": "0",
                "quota": None,
                "seed": None,
                "stages": [],
            }
        else:
            expected = structure(
                tally.count(
                    election, rule=q["rule"], constraints=constraints, seed=q["seed"], **options
                )
            )
        if expected != without_prose(r.doc["results"][qid]):
            raise Fail(f"question {qid} recounts differently")


def check_9(r: Record) -> None:
    unsigned = {k: v for k, v in r.doc.items() if k != "signature"}
    message = b"grassroots-election-record/2\n" + canonical(unsigned)
    if not signed_by(r.doc["parameters"]["election_public_key"], message, r.doc["signature"]):
        raise Fail("record signature")
    roll = r.doc["roll"]
    if roll["voted"] > roll["size"]:
        raise Fail("voted")
    scopes = roll["scopes"]
    if any(not s["voted"] <= s["roll_size"] <= roll["size"] for s in scopes):
        raise Fail("scope")
    if scopes and (
        sum(s["roll_size"] for s in scopes) != roll["size"]
        or sum(s["voted"] for s in scopes) != roll["voted"]
    ):
        raise Fail("scopes do not add up")
    if "papers" not in r.state:
        raise Fail("not run")
    for q in r.doc["parameters"]["questions"]:
        if sum(1 for pid, _ in r.state["papers"] if pid == q["id"]) != roll["voted"]:
            raise Fail("papers per question")


def verify(
    location: Path, *, pinned: str | None = None, saved: list[dict[str, Any]] | None = None
) -> dict[int, bool]:
    """Check number -> passed, for checks 1 to 9."""
    try:
        record = parse(find_files(location))
    except Exception:  # any problem reading the record is check 1's failure
        return dict.fromkeys(range(1, 10), False)
    checks = {
        2: lambda: check_2(record),
        3: lambda: check_3(record),
        4: lambda: check_4(record, pinned),
        5: lambda: check_5(record, pinned, saved or []),
        6: lambda: check_6(record),
        7: lambda: check_7(record),
        8: lambda: check_8(record),
        9: lambda: check_9(record),
    }
    outcome = {1: True}
    for number, check in checks.items():
        try:
            check()
        except Exception:  # a check that cannot complete has failed
            outcome[number] = False
        else:
            outcome[number] = True
    return outcome
