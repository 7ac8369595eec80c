"""Ballots: public results, election records and the log (heads and proofs); a member's own
ballots, ballot paper and vote. Each endpoint answers from the same query or service as the
page that shows the same thing (grassroots.ballots)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext
from ninja import Router, Status
from ninja.params.functions import Path, Query

from grassroots.api import queries as api_queries
from grassroots.api.auth import CAST_AUTH, MEMBER_AUTH, caller
from grassroots.api.errors import ApiError, error_responses
from grassroots.api.schemas import (
    MAX_ID,
    TRACKER_PATTERN,
    BallotDetail,
    BallotPage,
    BallotPaper,
    BallotResults,
    BallotSummary,
    CandidateOut,
    CastIn,
    ConsistencyProof,
    ElectionRecordOut,
    HeadOut,
    InclusionProof,
    MyBallot,
    PageInfo,
    PaperCandidate,
    PaperQuestion,
    QuestionResult,
    ReceiptIssued,
    ReceiptOut,
    TrackerOut,
)
from grassroots.ballots import queries
from grassroots.ballots.models import Ballot, BallotStatus, Question
from grassroots.ballots.publication import record_summary, signed_heads
from grassroots.ballots.services.casting import cast_ballot
from grassroots.ballots.services.errors import BallotError
from grassroots.ledger.heads import SignedTreeHead
from grassroots.ledger.merkle import leaf_hash
from grassroots.ledger.record import RECORD_FORMAT, head_to_json, parameters_to_json

router = Router(tags=["ballots"])

PAGE_SIZE = 50
MAX_PAGE = 100_000
MAX_TREE_SIZE = 2**31


def _ballot_id() -> Any:
    return Path(..., ge=1, le=MAX_ID, description="The ballot's id")


def summary(ballot: Ballot) -> BallotSummary:
    return BallotSummary(
        id=ballot.pk,
        election_id=ballot.election_id,
        title=ballot.title,
        scope=ballot.scope_name,
        level=ballot.level,
        status=ballot.status,
        opens_at=ballot.opens_at,
        closes_at=ballot.closes_at,
        published_at=ballot.published_at,
    )


def detail(ballot: Ballot) -> BallotDetail:
    return BallotDetail(
        **summary(ballot).model_dump(),
        description=ballot.description,
        election_public_key=bytes(ballot.election_public_key).hex(),
        roll_size=ballot.roll_size,
        voted_count=ballot.voted_count,
        turnout=list(ballot.turnout),
    )


def _head(signed: SignedTreeHead) -> HeadOut:
    return HeadOut(**head_to_json(signed))


def _candidates(question: Question) -> list[CandidateOut]:
    return [
        CandidateOut(
            id=c.pk,
            position=c.position,
            name=c.name,
            categories=list(c.categories),
            withdrawn=c.withdrawn,
        )
        for c in question.candidates.all()
    ]


# Public: anyone, logged in or not.


@router.get(
    "/ballots",
    response={200: BallotPage, **error_responses(404, 422)},
    url_name="ballots",
    summary="Ballots whose poll has opened",
    description="Their signed logs are public from the opening, their results once published.",
)
def list_ballots(
    request: HttpRequest,
    status: BallotStatus | None = Query(None, description="open, closed, counted or published"),
    page: int = Query(1, ge=1, le=MAX_PAGE),
) -> Any:
    if status is not None and status not in api_queries.PUBLIC_STATUSES:
        raise ApiError(404, "not_found", gettext("Only ballots whose poll has opened are public."))
    paginator = Paginator(
        api_queries.public_ballots(status), PAGE_SIZE, allow_empty_first_page=True
    )
    if page > paginator.num_pages:
        raise Http404(gettext("No such page."))
    return BallotPage(
        page=PageInfo(page=page, pages=paginator.num_pages, count=paginator.count, capped=False),
        results=[summary(b) for b in paginator.page(page).object_list],
    )


@router.get(
    "/ballots/{ballot_id}",
    response={200: BallotDetail, **error_responses(404, 422)},
    url_name="ballot",
    summary="A ballot whose poll has opened",
)
def get_ballot(request: HttpRequest, ballot_id: int = _ballot_id()) -> Any:
    return detail(queries.get_public_ballot(ballot_id))


@router.get(
    "/ballots/{ballot_id}/results",
    response={200: BallotResults, **error_responses(404, 422)},
    url_name="ballot_results",
    summary="The published result of every question, with the count's stages",
)
def get_results(request: HttpRequest, ballot_id: int = _ballot_id()) -> Any:
    ballot = queries.get_published_ballot(ballot_id)
    questions = ballot.questions.prefetch_related("candidates")
    return BallotResults(
        ballot=detail(ballot),
        questions=[
            QuestionResult(
                id=q.pk,
                position=q.position,
                title=q.title,
                kind=q.kind,
                rule=q.counting_rule,
                seats=q.seats,
                candidates=_candidates(q),
                result=q.result or {},
            )
            for q in questions
        ],
        record_url=reverse("ballot_record", kwargs={"ballot_id": ballot.pk}),
        verify_with=(
            f"python -m grassroots.ledger verify {ballot.election_id}-record.zip "
            f"--election-key {ballot.election_key_hex}"
        ),
        election_key=ballot.election_key_hex,
        election_key_fingerprint=ballot.election_key_fingerprint,
    )


@router.get(
    "/ballots/{ballot_id}/record",
    response={200: ElectionRecordOut, **error_responses(404, 422)},
    url_name="ballot_record",
    summary="The signed election record (record.json); the zip adds every ballot",
)
def get_record(request: HttpRequest, ballot_id: int = _ballot_id()) -> Any:
    ballot = queries.get_published_ballot(ballot_id)
    record = record_summary(ballot)  # record.json's content: no ballot is read
    return ElectionRecordOut(
        format=RECORD_FORMAT,
        parameters=parameters_to_json(record.parameters),
        roll={
            "size": record.roll.size,
            "voted": record.roll.voted,
            "scopes": [
                {"scope": s.scope, "roll_size": s.roll_size, "voted": s.voted}
                for s in record.roll.scopes
            ],
        },
        results=dict(record.results),
        key_shares=list(record.key_shares),
        head_count=record.heads_issued,
        signature=record.signature.hex(),
        zip_url=reverse("ballot_record", kwargs={"ballot_id": ballot.pk}),
    )


@router.get(
    "/ballots/{ballot_id}/heads",
    response={200: list[HeadOut], **error_responses(404, 422)},
    url_name="ballot_heads",
    summary="Every signed tree head of the ballot's log, oldest first",
)
def get_heads(request: HttpRequest, ballot_id: int = _ballot_id()) -> Any:
    return [_head(h) for h in signed_heads(queries.get_public_ballot(ballot_id))]


def _head_of_size(heads: list[SignedTreeHead], size: int) -> SignedTreeHead:
    for signed in reversed(heads):
        if signed.head.tree_size == size:
            return signed
    raise Http404(gettext("No signed head has tree size %(size)s.") % {"size": size})


@router.get(
    "/ballots/{ballot_id}/receipts/{tracker}",
    response={200: ReceiptOut, **error_responses(404, 422)},
    url_name="ballot_receipt",
    summary="Check a receipt's tracker: is it in the box, where, and (after publication) what it "
    "decrypted to; with an inclusion proof against a signed head",
)
def check_receipt(
    request: HttpRequest,
    ballot_id: int = _ballot_id(),
    tracker: str = Path(..., pattern=TRACKER_PATTERN),
    tree_size: int | None = Query(
        None, ge=1, le=MAX_TREE_SIZE, description="A signed head's size (default: the latest)"
    ),
) -> Any:
    ballot = queries.get_public_ballot(ballot_id)
    found = queries.look_up_receipt(ballot, tracker.lower())
    proof = None
    if found.sealed and found.log_index is not None:
        heads = signed_heads(ballot)
        if tree_size is not None:
            head = _head_of_size(heads, tree_size)
        else:
            covering = [h for h in heads if h.head.tree_size > found.log_index]
            if not covering:
                raise Http404(gettext("No signed head covers this ballot yet."))
            head = covering[-1]
        if head.head.tree_size > found.log_index:
            log = api_queries.ballot_log(ballot, head.head.tree_size)
            proof = InclusionProof(
                head=_head(head),
                leaf_index=found.log_index,
                leaf_hash=leaf_hash(bytes.fromhex(found.tracker)).hex(),
                hashes=[h.hex() for h in log.inclusion_proof(found.log_index, head.head.tree_size)],
            )
    return ReceiptOut(
        tracker=found.tracker,
        found=found.found,
        sealed=found.sealed,
        log_index=found.log_index,
        plaintext=found.plaintext,
        proof=proof,
    )


@router.get(
    "/ballots/{ballot_id}/consistency",
    response={200: ConsistencyProof, **error_responses(404, 422)},
    url_name="ballot_consistency",
    summary="A consistency proof between two signed heads: the later log extends the earlier",
)
def get_consistency(
    request: HttpRequest,
    ballot_id: int = _ballot_id(),
    first: int = Query(..., ge=0, le=MAX_TREE_SIZE, description="The earlier head's size"),
    second: int = Query(..., ge=0, le=MAX_TREE_SIZE, description="The later head's size"),
) -> Any:
    ballot = queries.get_public_ballot(ballot_id)
    if first > second:
        raise Http404(
            gettext("No proof runs from a larger head to a smaller one: swap first and second.")
        )
    heads = signed_heads(ballot)
    older, newer = _head_of_size(heads, first), _head_of_size(heads, second)
    log = api_queries.ballot_log(ballot, second)
    return ConsistencyProof(
        first=_head(older),
        second=_head(newer),
        hashes=[h.hex() for h in log.consistency_proof(first, second)],
    )


# A member's own: a token or the session.


@router.get(
    "/me/ballots",
    auth=MEMBER_AUTH,
    response={200: list[MyBallot], **error_responses(401, 403)},
    url_name="my_ballots",
    summary="The ballots whose roll you are on, and whether you have voted",
)
def my_ballots(request: HttpRequest) -> Any:
    return [
        MyBallot(ballot=summary(b.ballot), has_voted=b.has_voted, is_open=b.ballot.is_open)
        for b in queries.ballots_on_my_roll(caller(request))
    ]


@router.get(
    "/ballots/{ballot_id}/paper",
    auth=MEMBER_AUTH,
    response={200: BallotPaper, **error_responses(401, 403, 404, 422)},
    url_name="ballot_paper",
    summary="The ballot paper, for a member on the roll (404 for anyone else)",
)
def get_paper(request: HttpRequest, ballot_id: int = _ballot_id()) -> Any:
    ballot, entry = queries.get_ballot_to_vote(caller(request), ballot_id)
    paper = queries.ballot_paper(ballot)
    return BallotPaper(
        ballot=summary(ballot),
        is_open=ballot.is_open,
        has_voted=entry.has_voted,
        questions=[
            PaperQuestion(
                id=q.pk,
                position=q.position,
                title=q.title,
                kind=q.kind,
                rule=q.counting_rule,
                seats=q.seats,
                ranked=q.is_ranked,
                allows_equal_preferences=q.allows_equal_preferences,
                candidates=[
                    PaperCandidate(
                        id=c.pk,
                        position=c.position,
                        name=c.name,
                        categories=list(c.categories),
                        withdrawn=c.withdrawn,
                        statement=c.statement,
                    )
                    for c in q.candidates.all()
                ],
            )
            for q in paper.questions
        ],
    )


@router.post(
    "/ballots/{ballot_id}/votes",
    auth=CAST_AUTH,
    response={
        201: ReceiptIssued,
        200: ReceiptIssued,
        **error_responses(400, 401, 403, 404, 409, 413, 422),
    },
    url_name="ballot_cast",
    summary="Cast your one vote; the receipt comes back only after the vote is stored",
    description=(
        "Through the same service as the ballot page: one member one vote. A retry with the "
        "same idempotency key after the vote was stored answers 200 with the first receipt "
        "(is_repeat true); a second vote with another key is refused with 409 already_voted. "
        "400 invalid_ballot: a question or candidate not on this ballot, a withdrawn or "
        "repeated candidate, more than one mark where one is allowed, candidates ranked "
        "equally in a question that does not allow equal preferences. 404: no such ballot, or "
        "you are not on its roll. 409 poll_not_open: the poll is not open."
    ),
)
def cast(request: HttpRequest, body: CastIn, ballot_id: int = _ballot_id()) -> Any:
    ballot, entry = queries.get_ballot_to_vote(caller(request), ballot_id)
    answers: dict[int, list[int | list[int]]] = {}
    for answer in body.answers:
        if answer.question_id in answers:
            raise BallotError(gettext("The ballot paper answers a question more than once."))
        answers[answer.question_id] = list(answer.candidate_ids)
    receipt = cast_ballot(
        actor=caller(request),
        ballot=ballot,
        answers=answers,
        idempotency_key=body.idempotency_key,
        roll_entry=entry,
    )
    issued = ReceiptIssued(
        election_id=receipt.election_id,
        trackers=[TrackerOut(question=q, tracker=t) for q, t in receipt.trackers],
        is_repeat=receipt.is_repeat,
    )
    return Status(200 if receipt.is_repeat else 201, issued)
