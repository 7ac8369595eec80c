"""A ballot as the ledger sees it: its parameters, its signed heads and its election record.

Everything here turns rows into ``grassroots.ledger`` dataclasses, so that what the server signs
and publishes is exactly what ``python -m grassroots.ledger verify`` recomputes.
"""

from __future__ import annotations

import dataclasses
import io
import json
import zipfile
from collections.abc import Iterable, Iterator
from typing import IO, BinaryIO

from django.db.models import Count, Q
from django.utils.translation import gettext

from grassroots.ballots import quotas
from grassroots.ballots.keys import open_with_server_key
from grassroots.ballots.models import (
    Ballot,
    BallotBoxEntry,
    CollegeMember,
    Question,
    QuestionKind,
    RollEntry,
)
from grassroots.ledger.heads import SignedTreeHead, TreeHead
from grassroots.ledger.record import (
    CollegeTurnout,
    CollegeWeight,
    Constraint,
    ElectionParameters,
    ElectionRecord,
    Roll,
    ScopeTurnout,
    SealedBallot,
    SectionTurnout,
    record_file_lines,
    sign_record,
)
from grassroots.ledger.record import Question as LedgerQuestion
from grassroots.ledger.recount import parse_plaintext
from grassroots.tally.blt import write_blt
from grassroots.tally.types import Ballot as TallyBallot
from grassroots.tally.types import Election, EqualBallot

ELECTION_KEY_PURPOSE = "election-signing-key"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
YESNO_ANSWERS = ("Yes", "No", "Abstain")


def election_private_key(ballot: Ballot) -> bytes:
    return open_with_server_key(
        bytes(ballot.election_private_key_sealed), purpose=ELECTION_KEY_PURPOSE
    )


def ledger_question(question: Question) -> LedgerQuestion:
    candidates = list(question.candidates.all())
    rules = quotas.stored(question.constraints)
    used = {part for rule in rules for part in quotas.parts_of(rule.category)}
    # Private categories: only those a quota rule uses are published (the count needs them).
    declared = [
        [c for c in candidate.categories if c in used]
        if question.ballot.categories_private
        else list(candidate.categories)
        for candidate in candidates
    ]
    return LedgerQuestion(
        id=question.ledger_id,
        title=question.title,
        rule=question.counting_rule,
        seats=question.seats if question.kind != QuestionKind.YESNO else 1,
        candidates=tuple(c.name for c in candidates),
        # "and/or" quota rules count a candidate in any of their categories: the record carries
        # the rule's category on each such candidate, so the verifier's recount sees the same.
        categories={
            i: (*c, *sorted(quotas.labels_for(c, rules) - set(c)))
            for i, c in enumerate(declared)
            if c
        },
        constraints=tuple(
            Constraint(
                category=str(item["category"]),
                minimum=int(item.get("minimum") or 0),
                maximum=None if item.get("maximum") is None else int(item["maximum"]),
            )
            for item in question.constraints
        ),
        withdrawn=tuple(i for i, c in enumerate(candidates) if c.withdrawn),
        seed=question.seed,
        section=question.section_region.name if question.section_region is not None else "",
        colleges=tuple(
            CollegeWeight(name=str(c["name"]), weight=str(c["weight"])) for c in question.colleges
        ),
        equal_preferences=question.allows_equal_preferences,
    )


def election_parameters(ballot: Ballot) -> ElectionParameters:
    if ballot.tellers_public_key is None:
        raise ValueError(gettext("the tellers' key is not set up yet"))
    return ElectionParameters(
        election_id=ballot.election_id,
        title=ballot.title,
        questions=tuple(
            ledger_question(q)
            for q in ballot.questions.select_related("section_region").prefetch_related(
                "candidates"
            )
        ),
        election_public_key=bytes(ballot.election_public_key),
        tellers_public_key=bytes(ballot.tellers_public_key),
        tellers=ballot.tellers_count,
        threshold=ballot.threshold,
        share_hashes=tuple(
            ballot.tellers.order_by("share_index").values_list("share_hash", flat=True)
        ),
    )


class MissingHead(ValueError):
    """The database's heads are not numbered 0, 1, 2... without a gap: the record would be
    incomplete, so it is not built."""


def signed_heads(ballot: Ballot) -> list[SignedTreeHead]:
    """Every head ever signed for the ballot, in order (each one's number is its position)."""
    heads = [
        SignedTreeHead(
            head=TreeHead(
                election_id=ballot.election_id,
                sequence=h.sequence,
                tree_size=h.tree_size,
                root_hash=bytes(h.root_hash),
                parameters_hash=_parameters_hash(ballot),
                timestamp=h.timestamp,
            ),
            signature=bytes(h.signature),
        )
        for h in ballot.heads.order_by("sequence")
    ]
    for position, signed in enumerate(heads):
        if signed.head.sequence != position:
            raise MissingHead(
                f"ballot {ballot.election_id}: head {position} is missing from the database "
                f"(the next stored is head {signed.head.sequence})"
            )
    return heads


def _parameters_hash(ballot: Ballot) -> bytes:
    from grassroots.ledger.record import parameters_hash

    cached: bytes | None = getattr(ballot, "_parameters_hash", None)
    if cached is None:
        cached = parameters_hash(election_parameters(ballot))
        ballot._parameters_hash = cached  # type: ignore[attr-defined]
    return cached


def election_record(ballot: Ballot) -> ElectionRecord:
    """The signed election record of a counted ballot whole, in memory, ready for
    ``write_record`` (small ballots, tests); :func:`record_files` streams the same files."""
    ballots, plaintexts = _papers(ballot)
    return dataclasses.replace(
        record_summary(ballot), ballots=tuple(ballots), plaintexts=tuple(plaintexts)
    )


def record_files(ballot: Ballot) -> dict[str, Iterable[bytes]]:
    """The record's four files as lines to write, the ballots and plaintexts read from the
    box in batches as they are written (ledger.record.writing.record_file_lines)."""
    ballots, plaintexts = _papers(ballot)
    return record_file_lines(record_summary(ballot), ballots=ballots, plaintexts=plaintexts)


def record_summary(ballot: Ballot) -> ElectionRecord:
    """The signed record without its ballots and plaintexts: all of record.json (the
    election key's signature covers no ballot, only how many heads there were)."""
    if (
        not ballot.is_end_to_end
        and BallotBoxEntry.objects.filter(ballot=ballot, plaintext__isnull=True).exists()
    ):
        raise ValueError(gettext("the ballot has not been decrypted yet"))
    record = ElectionRecord(
        parameters=election_parameters(ballot),
        roll=_roll(ballot),
        results={q.ledger_id: q.result or {} for q in ballot.questions.all()},
        # An end-to-end ballot's tellers reveal no share: they decrypt the mix's last stage.
        key_shares=()
        if ballot.is_end_to_end
        else tuple(
            t.revealed_share for t in ballot.tellers.order_by("share_index") if t.revealed_share
        ),
        ballots=(),
        heads=tuple(signed_heads(ballot)),
        plaintexts=(),
    )
    return sign_record(record, election_private_key(ballot))


def _papers(ballot: Ballot) -> tuple[Iterator[SealedBallot], Iterator[bytes]]:
    """The log's ballots and the plaintexts, as streams. On an end-to-end ballot the log
    holds each cast ballot's ciphertexts (their bytes are what its tracker hashes) and the
    plaintexts are the valid papers decrypted from the last mix stage (its e2e/ folder holds
    the rest); otherwise both come from the box, in log order."""
    if not ballot.is_end_to_end:
        return (
            (SealedBallot(tracker=t, ciphertext=c) for t, c, _ in box_rows(ballot)),
            (_decrypted(p) for _, _, p in box_rows(ballot)),
        )
    from grassroots.ledger.e2e.elgamal import ballot_from_json
    from grassroots.ledger.e2e.voter import ballot_bytes
    from grassroots.ledger.recount import ballot_plaintext

    by_id = {q.id: q for q in election_parameters(ballot).questions}

    def e2e_plaintexts() -> Iterator[bytes]:
        for question in ballot.questions.all():
            for line in question.e2e_papers.splitlines():
                paper = json.loads(line)
                if "marks" in paper:
                    yield ballot_plaintext(by_id[question.ledger_id], paper["marks"])

    return (
        (
            SealedBallot(
                tracker=t, ciphertext=ballot_bytes(ballot_from_json(json.loads(c)["ballot"]))
            )
            for t, c, _ in box_rows(ballot)
        ),
        e2e_plaintexts(),
    )


def _roll(ballot: Ballot) -> Roll:
    return Roll(
        size=ballot.roll_size or 0,
        voted=ballot.voted_count or 0,
        scopes=tuple(
            ScopeTurnout(
                scope=str(row["scope"]), roll_size=int(row["roll_size"]), voted=int(row["voted"])
            )
            for row in ballot.turnout
        ),
        sections=section_turnout(ballot),
        colleges=college_turnout(ballot),
    )


def college_turnout(ballot: Ballot) -> tuple[CollegeTurnout, ...]:
    """Each college's roll and turnout for each electoral college question: the roll entries
    (of the question's section, if it is one) its list names, or for the college of everyone
    else, those no college of the question lists."""
    figures = []
    for question in ballot.questions.exclude(colleges=[]).order_by("position"):
        base = RollEntry.objects.filter(ballot=ballot)
        if question.section_region_id is not None:
            base = base.filter(region_id=question.section_region_id)
        listed = CollegeMember.objects.filter(question=question)
        for index, college in enumerate(question.colleges):
            if college.get("everyone_else"):
                entries = base.exclude(member_id__in=listed.values("member_id"))
            else:
                entries = base.filter(
                    member_id__in=listed.filter(college=index).values("member_id")
                )
            counted = entries.aggregate(
                size=Count("pk"), voted=Count("pk", filter=Q(has_voted=True))
            )
            figures.append(
                CollegeTurnout(
                    question=question.ledger_id,
                    college=index,
                    roll_size=int(counted["size"]),
                    voted=int(counted["voted"]),
                )
            )
    return tuple(figures)


def section_turnout(ballot: Ballot) -> tuple[SectionTurnout, ...]:
    """Each section's own roll and turnout, from the frozen roll (the region each entry
    recorded): one query for all sections, none for a ballot without."""
    sections = list(ballot.questions.filter(section_region__isnull=False).order_by("position"))
    if not sections:
        return ()
    figures: dict[int | None, tuple[int, int]] = {
        region_id: (size, voted)
        for region_id, size, voted in RollEntry.objects.filter(
            ballot=ballot, region_id__in={q.section_region_id for q in sections}
        )
        .values("region_id")
        .annotate(size=Count("pk"), voted=Count("pk", filter=Q(has_voted=True)))
        .values_list("region_id", "size", "voted")
        .order_by()
    }
    return tuple(
        SectionTurnout(
            question=q.ledger_id,
            roll_size=figures.get(q.section_region_id, (0, 0))[0],
            voted=figures.get(q.section_region_id, (0, 0))[1],
        )
        for q in sections
    )


def record_zip(ballot: Ballot) -> bytes:
    """The election record's files as one zip, in memory (tests, small ballots): the bytes
    :func:`write_record_zip` writes."""
    buffer = io.BytesIO()
    write_record_zip(ballot, buffer)
    return buffer.getvalue()


def write_record_zip(ballot: Ballot, target: BinaryIO) -> None:
    """Write the election record's files as one zip (in a directory named after the election)
    to ``target``, a seekable file. The box is read in batches of plain rows as each file is
    written, so memory stays the same however many ballots there are."""
    files = record_files(ballot)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            with archive.open(_zip_entry(f"{ballot.election_id}/{name}"), "w") as out:
                _write_buffered(out, files[name])
        if ballot.is_end_to_end:
            for name, data in sorted(signed_e2e_files(ballot).items()):
                archive.writestr(_zip_entry(f"{ballot.election_id}/e2e/{name}"), data)


def _zip_entry(name: str) -> zipfile.ZipInfo:
    # A fixed date and mode, so the same record always makes the same bytes: the zip stored
    # at publication equals one built afresh.
    info = zipfile.ZipInfo(name, ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def _write_buffered(out: IO[bytes], lines: Iterable[bytes], size: int = 1 << 20) -> None:
    """Lines into a zip entry in chunks of about ``size`` bytes (one compressor call per
    chunk rather than per line; the same lines always make the same chunks)."""
    chunk: list[bytes] = []
    held = 0
    for line in lines:
        chunk.append(line)
        held += len(line)
        if held >= size:
            out.write(b"".join(chunk))
            chunk, held = [], 0
    if chunk:
        out.write(b"".join(chunk))


BOX_BATCH = 5000


def box_rows(ballot: Ballot) -> Iterator[tuple[str, bytes, bytes | None]]:
    """``(tracker, ciphertext, plaintext)`` of every paper in the box in log order, read in
    keyset batches of plain rows (each batch costs the same however far along it is)."""
    after = -1
    while True:
        batch = list(
            BallotBoxEntry.objects.filter(ballot_id=ballot.pk, log_index__gt=after)
            .order_by("log_index")
            .values_list("log_index", "tracker", "ciphertext", "plaintext")[:BOX_BATCH]
        )
        if not batch:
            return
        for _, tracker, ciphertext, plaintext in batch:
            yield tracker, bytes(ciphertext), None if plaintext is None else bytes(plaintext)
        after = batch[-1][0]


def _decrypted(plaintext: bytes | None) -> bytes:
    if plaintext is None:
        raise ValueError(gettext("the ballot has not been decrypted yet"))
    return plaintext


def signed_e2e_files(ballot: Ballot) -> dict[str, bytes]:
    """An end-to-end ballot's e2e/ folder for its record, signed by the election key."""
    from grassroots.ballots.e2e import e2e_files
    from grassroots.ledger.e2e.record_checks import SIGNATURE_FILE, sign_folder

    files = {k: v for k, v in e2e_files(ballot).items() if k != "recipients.json"}
    files[SIGNATURE_FILE] = sign_folder(ballot.election_id, files, election_private_key(ballot))
    return files


def question_blt(question: Question) -> str:
    """A ranked question's opened ballots as BLT, for recounting with any other STV program.

    Blank papers (no preference) are left out, as BLT has no use for them; the candidates,
    withdrawals and ballots are otherwise exactly those the count used.
    """
    ledger = ledger_question(question)
    questions = {q.id: q for q in election_parameters(question.ballot).questions}
    papers = []
    equal: list[EqualBallot] = []
    entries = BallotBoxEntry.objects.filter(ballot=question.ballot).order_by("log_index")
    if question.ballot.is_end_to_end:  # the papers decrypted from the last mix stage
        entries = entries.none()
        for line in question.e2e_papers.splitlines():
            marks = json.loads(line).get("marks")
            if marks:
                papers.append(TallyBallot(ranking=tuple(marks)))
    for plaintext in entries.values_list("plaintext", flat=True).iterator():
        if plaintext is None:
            raise ValueError(gettext("the ballot has not been decrypted yet"))
        paper = parse_plaintext(bytes(plaintext), questions)
        if paper.question == ledger.id and paper.ranks:  # a Meek paper with equal preferences
            equal.append(EqualBallot(ranks=paper.ranks))
        elif paper.question == ledger.id and paper.marks:
            papers.append(TallyBallot(ranking=paper.marks))
    election = Election(
        candidates=tuple(name.replace('"', "'") for name in ledger.candidates),
        seats=ledger.seats,
        ballots=tuple(papers),
        withdrawn=frozenset(ledger.withdrawn),
        title=f"{question.ballot.title}: {question.title}".replace('"', "'"),
        equal_ballots=tuple(equal),
    )
    return write_blt(election)
