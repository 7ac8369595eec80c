"""The independent verifier: recompute everything in an election record and say what holds.

Each check is numbered and named so that a member can report "check 5 failed" and anyone can
look up what it means (docs/ledger.md). A check that cannot run because an earlier one failed
is reported as failed, with that reason, never skipped silently.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from grassroots.ledger.crypto import (
    SealError,
    Share,
    ballot_opener,
    clamp,
    combine_shares,
    share_hash,
)
from grassroots.ledger.crypto import tellers_public_key as derive_tellers_public_key
from grassroots.ledger.crypto import tracker as compute_tracker
from grassroots.ledger.e2e.checks import check_e2e
from grassroots.ledger.e2e.record_checks import (
    E2ERecordError,
    check_ballots_and_papers,
    check_commitment_hashes,
)
from grassroots.ledger.heads import SignedTreeHead, verify_head
from grassroots.ledger.merkle import MerkleLog
from grassroots.ledger.record import (
    ElectionRecord,
    RecordError,
    parameters_hash,
    read_record,
    record_signature_is_valid,
)
from grassroots.ledger.recount import (
    BallotPaper,
    BallotPaperError,
    count_question,
    first_difference,
    parse_plaintext,
    result_to_json,
)


@dataclass(frozen=True, slots=True)
class CheckResult:
    number: int
    name: str
    passed: bool
    reason: str = ""

    def line(self) -> str:
        status = "passed" if self.passed else f"failed: {self.reason}"
        return f"check {self.number}: {self.name}: {status}"


CHECK_NAMES = {
    1: "record files parse",
    2: "every tracker is the hash of the election id and its ciphertext",
    3: "the Merkle tree of the trackers reproduces the final head's root",
    4: "every head is signed by the election key for this election's parameters",
    5: "the heads are one unbroken sequence, each consistent with the ballots and saved heads",
    6: "the revealed key shares combine to the tellers' key",
    7: "every ciphertext decrypts to the plaintext published at its position",
    8: "recounting the plaintexts gives the published result",
    9: "record.json is signed by the election key and its roll figures add up",
}

# The parts of a published result that check 8 compares: every number, who is elected and
# excluded, and every transfer. The prose (``notes`` and each stage's ``note``) explains them
# to a reader and is covered by record.json's signature (check 9), not recomputed here, so an
# independent verifier need not reproduce the reference counter's wording (docs/record-spec.md).
PROSE_FIELDS = frozenset({"notes", "note"})


class _Failed(Exception):
    """Raised inside a check with the reason it failed."""


@dataclass
class _Context:
    record: ElectionRecord
    election_key: bytes | None
    saved_heads: tuple[SignedTreeHead, ...] = ()
    tellers_private: bytes | None = None
    log: MerkleLog | None = None
    papers: list[BallotPaper] | None = None  # the plaintexts read as ballot papers (check 8)
    e2e: Path | None = None  # an end-to-end ballot's e2e/ folder: checks 6 and 7 differ
    e2e_papers: dict[str, int] | None = None  # papers per question, invalid ones too (check 7)


def _check_trackers(ctx: _Context) -> None:
    election_id = ctx.record.parameters.election_id
    for position, ballot in enumerate(ctx.record.ballots, start=1):
        if compute_tracker(election_id, ballot.ciphertext) != ballot.tracker:
            raise _Failed(f"ballot {position} (ballots.jsonl line {position}): tracker mismatch")


def _check_final_root(ctx: _Context) -> None:
    record = ctx.record
    log = MerkleLog()
    for ballot in record.ballots:
        log.append(bytes.fromhex(ballot.tracker))
    ctx.log = log
    if not record.heads:
        raise _Failed("heads.jsonl has no tree heads")
    final = record.heads[-1].head
    if final.tree_size != len(log):
        raise _Failed(f"the final head covers {final.tree_size} ballots, the record has {len(log)}")
    if log.root() != final.root_hash:
        raise _Failed(f"the root of {len(log)} ballots is not the final head's root")


def _check_head_signatures(ctx: _Context) -> None:
    record = ctx.record
    key = record.parameters.election_public_key
    if ctx.election_key is not None and ctx.election_key != key:
        raise _Failed("the record's election key is not the one given with --election-key")
    committed = parameters_hash(record.parameters)
    for line, signed in enumerate(record.heads, start=1):
        if signed.head.election_id != record.parameters.election_id:
            raise _Failed(f"head {line} is for election {signed.head.election_id!r}")
        if signed.head.parameters_hash != committed:
            raise _Failed(f"head {line} commits to other election parameters")
        if not verify_head(signed, key):
            raise _Failed(f"head {line} (heads.jsonl line {line}): bad signature")


def _check_head_consistency(ctx: _Context) -> None:
    """Every head issued is here, numbered 0, 1, 2... with no gap; each one's root is that of the
    first tree-size ballots (all leaves are in the record, so recomputing each root is the whole
    of RFC 9162 consistency: a proof built from the same leaves would add nothing); sizes and
    times never go back; and every head a member saved is here unchanged."""
    if ctx.log is None:
        raise _Failed("not run: the Merkle tree could not be built (check 3)")
    log, heads = ctx.log, ctx.record.heads
    previous = None
    for line, signed in enumerate(heads, start=1):
        head = signed.head
        if head.sequence != line - 1:
            raise _Failed(
                f"heads.jsonl line {line} is head number {head.sequence}, not {line - 1}: "
                "a head is missing or out of place"
            )
        if head.tree_size > len(log):
            raise _Failed(f"head {line} claims {head.tree_size} ballots, the record has {len(log)}")
        if log.root(head.tree_size) != head.root_hash:
            raise _Failed(f"head {line}: root is not that of the first {head.tree_size} ballots")
        if previous is None and head.tree_size != 0:
            raise _Failed("the first head is not the empty log at opening")
        if previous is not None:
            if head.tree_size < previous.tree_size:
                raise _Failed(f"head {line} has fewer ballots than head {line - 1}")
            if head.timestamp < previous.timestamp:
                raise _Failed(f"head {line} is dated before head {line - 1}")
        previous = head
    _check_saved_heads(ctx)
    if ctx.record.heads_issued != len(heads):
        raise _Failed(
            f"record.json says {ctx.record.heads_issued} heads were issued, "
            f"heads.jsonl has {len(heads)}"
        )


def _check_saved_heads(ctx: _Context) -> None:
    key = ctx.election_key or ctx.record.parameters.election_public_key
    heads = ctx.record.heads
    for number, saved in enumerate(ctx.saved_heads, start=1):
        head = saved.head
        name = f"saved head {number} (number {head.sequence}, {head.tree_size} ballots)"
        if not verify_head(saved, key):
            raise _Failed(f"{name} is not signed by the election key: it is not this election's")
        if head.sequence >= len(heads):
            raise _Failed(f"{name} is missing from the record, which has {len(heads)} heads")
        if heads[head.sequence].head != head:
            raise _Failed(
                f"{name} contradicts the record's head number {head.sequence}: "
                "the election key signed two different logs"
            )


def _check_shares(ctx: _Context) -> None:
    if ctx.e2e is not None:
        try:
            check_commitment_hashes(ctx.record, ctx.e2e)
        except E2ERecordError as error:
            raise _Failed(str(error)) from error
        return
    parameters = ctx.record.parameters
    try:
        shares = [Share.from_text(text) for text in ctx.record.key_shares]
    except SealError as error:
        raise _Failed(str(error)) from error
    if len(shares) < parameters.threshold:
        raise _Failed(f"{len(shares)} shares revealed, {parameters.threshold} needed")
    for share in shares:
        if share.index > len(parameters.share_hashes):
            raise _Failed(f"share {share.index}: there are only {parameters.tellers} tellers")
        if share_hash(share.to_text()) != parameters.share_hashes[share.index - 1]:
            raise _Failed(
                f"share {share.index} is not the share teller {share.index} was given "
                "(its hash is not the one published when the key was made)"
            )
    try:
        private = combine_shares(shares)
    except SealError as error:
        raise _Failed(str(error)) from error
    if clamp(private) != private:
        raise _Failed("the shares combine to a value that is not a clamped X25519 key")
    if derive_tellers_public_key(private) != parameters.tellers_public_key:
        raise _Failed("the shares combine to a key that is not the tellers' key")
    ctx.tellers_private = private


def _check_decryption(ctx: _Context) -> None:
    if ctx.e2e is not None:
        try:
            ctx.e2e_papers = check_ballots_and_papers(ctx.record, ctx.e2e)
        except E2ERecordError as error:
            raise _Failed(str(error)) from error
        return
    if ctx.tellers_private is None:
        raise _Failed("not run: no tellers' key (check 6)")
    ballots, plaintexts = ctx.record.ballots, ctx.record.plaintexts
    if len(ballots) != len(plaintexts):
        raise _Failed(f"{len(ballots)} ballots but {len(plaintexts)} plaintexts")
    open_ballot = ballot_opener(ctx.tellers_private)
    for position, (ballot, plaintext) in enumerate(zip(ballots, plaintexts, strict=True), 1):
        try:
            opened = open_ballot(ballot.ciphertext)
        except SealError as error:
            raise _Failed(f"ballot {position}: {error}") from error
        if opened != plaintext:
            raise _Failed(
                f"ballot {position} decrypts to other than plaintexts.jsonl line {position}"
            )


def _check_recount(ctx: _Context) -> None:
    record = ctx.record
    questions = {q.id: q for q in record.parameters.questions}
    papers: list[BallotPaper] = []
    read: dict[bytes, BallotPaper] = {}  # equal papers are equal bytes: each is read once
    for line, plaintext in enumerate(record.plaintexts, start=1):
        paper = read.get(plaintext)
        if paper is None:
            try:
                paper = read[plaintext] = parse_plaintext(plaintext, questions)
            except BallotPaperError as error:
                raise _Failed(f"plaintexts.jsonl line {line}: {error}") from error
        papers.append(paper)
    ctx.papers = papers
    if set(record.results) != set(questions):
        raise _Failed("the published results are not one per question")
    try:
        from grassroots.tally.types import TallyError
    except ImportError as error:
        raise _Failed(f"not run: grassroots.tally cannot be imported ({error})") from error
    for question in record.parameters.questions:
        try:
            recounted = result_to_json(count_question(question, papers, roll_size=record.roll.size))
        except (TallyError, ImportError) as error:
            raise _Failed(f"question {question.id}: the recount stopped: {error}") from error
        difference = first_difference(
            _structure(record.results[question.id]), _structure(recounted)
        )
        if difference is not None:
            raise _Failed(f"question {question.id}: {difference}")


def _structure(value: object) -> object:
    """A result without its prose (see ``PROSE_FIELDS``)."""
    if isinstance(value, dict):
        return {k: _structure(v) for k, v in value.items() if k not in PROSE_FIELDS}
    if isinstance(value, list):
        return [_structure(v) for v in value]
    return value


def _check_record_signature(ctx: _Context) -> None:
    record = ctx.record
    if not record_signature_is_valid(record):
        raise _Failed("record.json's signature does not verify with the election key")
    roll = record.roll
    if roll.voted > roll.size:
        raise _Failed(f"{roll.voted} voted but the roll has {roll.size}")
    for scope in roll.scopes:
        if scope.voted > scope.roll_size or scope.roll_size > roll.size:
            raise _Failed(f"scope {scope.scope!r}: turnout figures do not fit the roll")
    if roll.scopes:
        sizes = sum(scope.roll_size for scope in roll.scopes)
        voted = sum(scope.voted for scope in roll.scopes)
        if (sizes, voted) != (roll.size, roll.voted):
            raise _Failed(
                f"the scopes add up to {voted} voted of {sizes}, "
                f"the roll says {roll.voted} of {roll.size}"
            )
    if ctx.papers is None:
        raise _Failed("not run: the plaintexts could not be read as ballot papers (check 8)")
    # Every voter's paper holds one answer to every question (an unanswered one is blank), so
    # each question has exactly as many papers as members voted.
    by_question = {question.id: 0 for question in record.parameters.questions}
    for paper in ctx.papers:
        by_question[paper.question] += 1
    expected = dict.fromkeys(by_question, roll.voted)
    if ctx.e2e is not None:  # invalid papers count as cast papers here (not in plaintexts)
        if ctx.e2e_papers is None:
            raise _Failed("not run: the end-to-end papers could not be read (check 7)")
        by_question = {q: ctx.e2e_papers.get(q, 0) for q in by_question}
        # An end-to-end voter leaves a paper only in their own region's sections, so a
        # section has as many papers as its members voted (docs/e2e.md, "Sections").
        expected.update((s.question, s.voted) for s in roll.sections if s.question in expected)
    for question_id, cast in by_question.items():
        if cast != expected[question_id]:
            raise _Failed(
                f"question {question_id} has {cast} papers but {expected[question_id]} voted"
            )
    _check_sections(record, ctx.papers)
    _check_colleges(record, ctx.papers)


def _check_colleges(record: ElectionRecord, papers: list[BallotPaper]) -> None:
    """An electoral college's figures: one per college of each college question, each within
    the roll, and no college with more marked papers than its members voted."""
    roll = record.roll
    expected = {
        (q.id, index) for q in record.parameters.questions for index in range(len(q.colleges))
    }
    turnout = {(c.question, c.college): c for c in roll.colleges}
    if len(turnout) != len(roll.colleges) or set(turnout) != expected:
        raise _Failed("the roll's colleges are not one per college of each college question")
    marked = dict.fromkeys(expected, 0)
    for paper in papers:
        if paper.college is not None and paper.marks:
            marked[(paper.question, paper.college)] += 1
    for (question_id, index), figures in sorted(turnout.items()):
        name = f"college {index} of question {question_id}"
        if figures.voted > figures.roll_size or figures.roll_size > roll.size:
            raise _Failed(f"{name}: its turnout figures do not fit the roll")
        if marked[(question_id, index)] > figures.voted:
            raise _Failed(
                f"{name} has {marked[(question_id, index)]} marked papers but {figures.voted} "
                "of its members voted"
            )


def _check_sections(record: ElectionRecord, papers: list[BallotPaper]) -> None:
    """A section's roll is its region's members: its figures fit the roll, and no more of its
    papers are marked than members of the section voted (everyone else's paper for it is
    blank)."""
    roll = record.roll
    sections = {q.id: q.section for q in record.parameters.questions if q.section}
    turnout = {s.question: s for s in roll.sections}
    if len(turnout) != len(roll.sections) or set(turnout) != set(sections):
        raise _Failed(
            "the roll's sections are not one per section question "
            f"(sections {sorted(sections)}, figures for {sorted(turnout)})"
        )
    marked = dict.fromkeys(sections, 0)
    for paper in papers:
        if paper.question in marked and paper.marks:
            marked[paper.question] += 1
    for question_id, figures in turnout.items():
        name = f"section {sections[question_id]!r} (question {question_id})"
        if figures.voted > figures.roll_size or figures.roll_size > roll.size:
            raise _Failed(f"{name}: its turnout figures do not fit the roll")
        if marked[question_id] > figures.voted:
            raise _Failed(
                f"{name} has {marked[question_id]} marked papers but {figures.voted} of its "
                "members voted"
            )


_CHECKS: dict[int, Callable[[_Context], None]] = {
    2: _check_trackers,
    3: _check_final_root,
    4: _check_head_signatures,
    5: _check_head_consistency,
    6: _check_shares,
    7: _check_decryption,
    8: _check_recount,
    9: _check_record_signature,
}


def verify_record(
    record: ElectionRecord,
    *,
    election_key: bytes | None = None,
    saved_heads: tuple[SignedTreeHead, ...] = (),
    e2e: Path | None = None,
) -> list[CheckResult]:
    """Run checks 2-9 on a record already read; ``election_key`` pins the expected key and
    ``saved_heads`` are heads members kept, which the record must hold unchanged; ``e2e`` is
    an end-to-end ballot's e2e/ folder (checks 6 and 7 then tie the record to it)."""
    ctx = _Context(record=record, election_key=election_key, saved_heads=saved_heads, e2e=e2e)
    results = [CheckResult(1, CHECK_NAMES[1], True)]
    for number, check in _CHECKS.items():
        try:
            check(ctx)
        except _Failed as failure:
            results.append(CheckResult(number, CHECK_NAMES[number], False, str(failure)))
        except Exception as error:  # a record crafted to crash a check must still fail it
            reason = f"the check could not complete: {type(error).__name__}: {error}"
            results.append(CheckResult(number, CHECK_NAMES[number], False, reason))
        else:
            results.append(CheckResult(number, CHECK_NAMES[number], True))
    return results


def verify_directory(
    directory: Path,
    *,
    election_key: bytes | None = None,
    saved_heads: tuple[SignedTreeHead, ...] = (),
) -> list[CheckResult]:
    """Read the record (its folder, a folder holding it, or the zip) and run every check."""
    if directory.is_file() and zipfile.is_zipfile(directory) and _zip_has_e2e(directory):
        # An end-to-end record's zip holds e2e/ beside the four files: unpacked to read it.
        with tempfile.TemporaryDirectory() as scratch:
            try:
                with zipfile.ZipFile(directory) as archive:
                    _safe_extract(archive, Path(scratch))
            except (zipfile.BadZipFile, OSError, ValueError) as error:
                return _unreadable(f"{directory}: {error}")
            return verify_directory(
                Path(scratch), election_key=election_key, saved_heads=saved_heads
            )
    try:
        record = read_record(directory)
    except RecordError as error:
        results = [CheckResult(1, CHECK_NAMES[1], False, str(error))]
        results += [
            CheckResult(n, CHECK_NAMES[n], False, "not run: the record did not parse")
            for n in _CHECKS
        ]
        return results
    folder = _e2e_folder(directory)
    results = verify_record(record, election_key=election_key, saved_heads=saved_heads, e2e=folder)
    if folder is not None:  # an end-to-end ballot: checks 10-14 (docs/e2e.md)
        e2e = check_e2e(folder, election_id=record.parameters.election_id)
        results += [CheckResult(c.number, c.name, c.passed, c.reason) for c in e2e]
    return results


def _e2e_folder(directory: Path) -> Path | None:
    """The record's e2e/ folder, beside its record.json, if it is an end-to-end ballot's."""
    if not directory.is_dir():
        return None
    if (directory / "e2e").is_dir():
        return directory / "e2e"
    inner = [p / "e2e" for p in directory.iterdir() if (p / "e2e").is_dir()]
    return inner[0] if len(inner) == 1 else None


def _zip_has_e2e(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return any("/e2e/" in f"/{name}" for name in archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return False


# An e2e record of 500,000 ballots is a few hundred megabytes unpacked.
MAX_UNPACKED = 4 * 1024**3


def _safe_extract(archive: zipfile.ZipFile, into: Path) -> None:
    total = 0
    for member in archive.infolist():
        target = (into / member.filename).resolve()
        if not target.is_relative_to(into.resolve()):
            raise ValueError(f"the zip names a file outside its folder: {member.filename}")
        total += member.file_size
        if total > MAX_UNPACKED:
            raise ValueError("the zip unpacks to more than 4 GB")
    archive.extractall(into)


def _unreadable(reason: str) -> list[CheckResult]:
    results = [CheckResult(1, CHECK_NAMES[1], False, reason)]
    return results + [
        CheckResult(n, CHECK_NAMES[n], False, "not run: the record did not parse") for n in _CHECKS
    ]
