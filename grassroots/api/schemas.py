"""The API's request and response bodies (they are the OpenAPI schema's components)."""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from ninja import Field, Schema

# Ids fit a signed 64-bit integer (SQLite's and PostgreSQL's bigint); larger numbers are
# refused as invalid rather than reaching the database.
MAX_ID = 2**63 - 1
TRACKER_PATTERN = r"^[0-9a-fA-F]{64}$"
IDEMPOTENCY_PATTERN = r"^[A-Za-z0-9_-]{16,64}$"
MEMBERSHIP_NUMBER_PATTERN = r"^[A-Za-z0-9-]{1,20}$"
# Text a person types: no NUL (PostgreSQL text cannot hold it) and no other control characters.
TEXT_PATTERN = r"^[^\x00-\x1f\x7f]*$"


class PageInfo(Schema):
    page: int
    pages: int
    count: int = Field(description="Matches counted, up to the cap")
    capped: bool = Field(description="More matches than the cap: narrow the search")


# Ballots


class BallotSummary(Schema):
    id: int
    election_id: str
    title: str
    scope: str = Field(description="The group, area or region voting, or National")
    level: str
    status: str
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    published_at: datetime.datetime | None


class BallotPage(Schema):
    page: PageInfo
    results: list[BallotSummary]


class TurnoutRow(Schema):
    scope: str
    roll_size: int
    voted: int


class BallotDetail(BallotSummary):
    description: str
    election_public_key: str = Field(description="Ed25519, hex: it signs the heads and record")
    roll_size: int | None
    voted_count: int | None
    turnout: list[TurnoutRow]


class CandidateOut(Schema):
    id: int
    position: int
    name: str
    categories: list[str]
    withdrawn: bool


class PaperCandidate(CandidateOut):
    statement: str


class QuestionOut(Schema):
    id: int
    position: int
    title: str
    kind: str = Field(description="yesno, single, approval, irv or stv")
    rule: str = Field(description="The counting rule")
    seats: int


class PaperQuestion(QuestionOut):
    candidates: list[PaperCandidate]
    ranked: bool = Field(description="Candidates are listed in order of preference")
    allows_equal_preferences: bool = Field(
        description="Voters may rank candidates equally (a Meek question, if the returning "
        "officer allowed it)"
    )


class BallotPaper(Schema):
    ballot: BallotSummary
    is_open: bool
    has_voted: bool
    questions: list[PaperQuestion]


class QuestionResult(QuestionOut):
    candidates: list[CandidateOut]
    result: dict[str, Any] = Field(
        description="The count as published in the election record: rule, quota, stages, elected"
    )


class BallotResults(Schema):
    ballot: BallotDetail
    questions: list[QuestionResult]
    record_url: str
    verify_with: str = Field(description="The verifier's command, with the election key pinned")
    election_key: str = Field(description="The election's Ed25519 public key, 64 hex digits")
    election_key_fingerprint: str = Field(
        description="The first 20 hex digits of the key's SHA-256, in groups of four"
    )


class HeadOut(Schema):
    election_id: str
    sequence: int = Field(description="0 for the head at opening, then one more per head signed")
    tree_size: int
    root_hash: str
    parameters_hash: str
    timestamp: str
    signature: str


class InclusionProof(Schema):
    head: HeadOut
    leaf_index: int
    leaf_hash: str = Field(description="SHA-256(0x00 || tracker bytes), hex")
    hashes: list[str] = Field(description="RFC 9162 §2.1.3 audit path, leaf upwards, hex")


class ReceiptOut(Schema):
    tracker: str
    found: bool = Field(description="The ballot is in the box (sealed into the log or waiting)")
    sealed: bool
    log_index: int | None
    plaintext: str | None = Field(description="What it decrypted to, once results are published")
    proof: InclusionProof | None = Field(description="Against the chosen (or latest) head")


class ConsistencyProof(Schema):
    first: HeadOut
    second: HeadOut
    hashes: list[str] = Field(description="RFC 9162 §2.1.4 consistency proof, hex")


class ElectionRecordOut(Schema):
    format: str
    parameters: dict[str, Any]
    roll: dict[str, Any]
    results: dict[str, Any]
    key_shares: list[str]
    head_count: int = Field(description="How many signed heads were issued; the zip holds each")
    signature: str
    zip_url: str = Field(description="The whole record, with every ballot, as a zip")


class MyBallot(Schema):
    ballot: BallotSummary
    has_voted: bool
    is_open: bool


CandidateId = Annotated[int, Field(ge=1, le=MAX_ID)]


class AnswerIn(Schema):
    question_id: int = Field(ge=1, le=MAX_ID)
    candidate_ids: list[CandidateId | Annotated[list[CandidateId], Field(min_length=1)]] = Field(
        max_length=200,
        description=(
            "For ranked questions in order of preference; empty leaves it blank. Where the "
            "question allows equal preferences (allows_equal_preferences on the paper), a list "
            "of ids in the place of one ranks them equally: [40, [38, 41], 39]"
        ),
    )


class CastIn(Schema):
    idempotency_key: str = Field(
        pattern=IDEMPOTENCY_PATTERN,
        description="Random, 16-64 of A-Z a-z 0-9 _ -; send the same key to retry safely",
    )
    answers: list[AnswerIn] = Field(max_length=100)


class TrackerOut(Schema):
    question: str
    tracker: str


class ReceiptIssued(Schema):
    election_id: str
    trackers: list[TrackerOut]
    is_repeat: bool = Field(description="A retry with the same idempotency key: the first receipt")


# Members


class MemberRow(Schema):
    membership_number: str
    first_name: str
    last_name: str
    status: str
    home_group: str
    postcode: str
    joined_on: datetime.date
    renewal_due_on: datetime.date | None


class MemberPage(Schema):
    page: PageInfo
    results: list[MemberRow]


class MemberRecord(MemberRow):
    email: str
    phone: str
    consent_to_contact: bool
    other_groups: list[str]
    is_erased: bool


class ContactRow(Schema):
    first_name: str
    last_name: str
    email: str
    phone: str


class ContactPage(Schema):
    page: PageInfo
    groups: list[str]
    results: list[ContactRow]


# Meetings and motions


class MeetingSummary(Schema):
    id: int
    title: str
    kind: str
    format: str
    scope: str = Field(description="The group, area or region holding it, or National")
    level: str
    status: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    motions_deadline: datetime.datetime | None


class MeetingPage(Schema):
    page: PageInfo
    results: list[MeetingSummary]


class AgendaItemOut(Schema):
    position: int
    kind: str
    title: str
    description: str


class MotionSummary(Schema):
    id: int
    number: int
    title: str
    status: str
    proposer: str
    seconder: str


class MeetingDetail(MeetingSummary):
    description: str
    address: str
    online_link: str
    accessibility_notes: str
    capacity: int | None
    motions_open: bool = Field(description="Motions and amendments are still being taken")
    agenda: list[AgendaItemOut]
    motions: list[MotionSummary]


class AmendmentOut(Schema):
    id: int
    number: int
    kind: str = Field(description="insert, delete or replace a paragraph")
    paragraph: int
    new_text: str
    status: str
    proposer: str
    submitted_at: datetime.datetime


class MotionDetail(MotionSummary):
    meeting: MeetingSummary
    text: str = Field(description="The motion as it stands, amendments carried included")
    original_text: str
    submitted_at: datetime.datetime
    seconded_at: datetime.datetime | None
    ruling_reason: str
    debate_open: bool
    amendments: list[AmendmentOut]
