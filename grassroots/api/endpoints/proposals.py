"""Decisions between meetings: a body's proposals, one proposal with its positions, and taking a
position, through the proposals app's own queries and services (the same scope, the same 404
for what is not the caller's, the same rules as the pages)."""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Router, Schema
from ninja.params.functions import Path, Query

from grassroots.accounts.models import User
from grassroots.api.auth import MEMBER_AUTH, caller
from grassroots.api.errors import ApiError, error_responses
from grassroots.api.schemas import MAX_ID
from grassroots.people.queries import own_member
from grassroots.proposals import queries
from grassroots.proposals.models import Proposal, ProposalStatus
from grassroots.proposals.services.common import ProposalError
from grassroots.proposals.services.positions import take_position

router = Router(tags=["proposals"], auth=MEMBER_AUTH)

BODY_KEY_PATTERN = r"^(nation|(group|area|region)-[a-z0-9-]{1,100})$"
MAX_SCORE = 100
# A reason is typed text: line breaks allowed, no NUL or other control characters.
REASON_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


class ProposalSummary(Schema):
    id: int
    title: str
    body: str = Field(description="The body deciding: group-<slug>, area-<slug>, ...")
    process: str = Field(description="consent, consensus, majority, dot, score or time")
    status: str = Field(description="open, closed or superseded")
    closes_at: datetime.datetime
    closed_at: datetime.datetime | None
    result: str = Field(description="Once closed: passed, blocked, not_passed, chosen, ...")
    outcome: str = Field(description="Once closed: the outcome in words")


class OptionOut(Schema):
    id: int
    label: str
    starts_at: datetime.datetime | None


class PositionOut(Schema):
    member: str
    choice: str
    scores: dict[str, int]
    reason: str
    updated_at: datetime.datetime


class ProposalDetail(ProposalSummary):
    text: str
    proposer: str
    previous_id: int | None
    options: list[OptionOut]
    eligible: int
    responded: int
    positions: list[PositionOut]
    my_position: PositionOut | None
    may_take_part: bool
    outcome_statement: str


class ScoreIn(Schema):
    option_id: int = Field(ge=1, le=MAX_ID)
    score: int = Field(ge=0, le=MAX_SCORE)


class PositionIn(Schema):
    choice: str = Field(
        "",
        max_length=20,
        description="consent, stand_aside or block; agree, abstain, disagree or block; or, in a "
        "majority poll, the option's id",
    )
    scores: list[ScoreIn] = Field(
        default_factory=list, max_length=20, description="Dot, score and time polls"
    )
    reason: str = Field("", max_length=2_000, pattern=REASON_PATTERN)


def _summary(proposal: Proposal) -> dict[str, Any]:
    return {
        "id": proposal.pk,
        "title": proposal.title,
        "body": queries.body_of(proposal).key,
        "process": proposal.process,
        "status": proposal.status,
        "closes_at": proposal.closes_at,
        "closed_at": proposal.closed_at,
        "result": proposal.result,
        "outcome": proposal.outcome_words,
    }


def _position(position: Any) -> PositionOut:
    return PositionOut(
        member=position.member.full_name,
        choice=position.choice,
        scores={str(k): int(v) for k, v in position.scores.items()},
        reason=position.reason,
        updated_at=position.updated_at,
    )


@router.get(
    "/proposals",
    response={200: list[ProposalSummary], **error_responses(401, 403, 404, 422)},
    url_name="proposals",
    summary="A body's proposals (open ones by closing time, or its decision log); without a "
    "body, the open proposals you may take part in",
)
def list_proposals(
    request: HttpRequest,
    body: str | None = Query(None, pattern=BODY_KEY_PATTERN, max_length=110),
    status: Literal["open", "closed"] = Query("open"),
) -> Any:
    actor = caller(request)
    if body is None:
        member = own_member(actor)
        mine = queries.taking_part(member) if member is not None else Proposal.objects.none()
        return [ProposalSummary(**_summary(p)) for p in mine[:200]]
    found = queries.body_from_key(body)
    if not queries.may_see_body(actor, found):
        raise ApiError(404, "not_found", gettext("No such body."))
    rows = queries.open_proposals(found) if status == "open" else queries.decision_log(found)
    return [ProposalSummary(**_summary(p)) for p in rows[:200]]


def _detail(actor: User | AnonymousUser, proposal: Proposal) -> ProposalDetail:
    member = own_member(actor)
    mine = queries.position_of(member, proposal)
    turnout = queries.turnout(proposal)
    return ProposalDetail(
        **_summary(proposal),
        text=proposal.text,
        proposer=proposal.proposer.full_name,
        previous_id=proposal.previous_id,
        options=[
            OptionOut(id=o.pk, label=o.label, starts_at=o.starts_at) for o in proposal.options.all()
        ],
        eligible=turnout.eligible,
        responded=turnout.responded,
        positions=[_position(p) for p in queries.positions(proposal)],
        my_position=_position(mine) if mine else None,
        may_take_part=proposal.status == ProposalStatus.OPEN
        and queries.is_participant(member, proposal),
        outcome_statement=proposal.outcome_statement,
    )


@router.get(
    "/proposals/{proposal_id}",
    response={200: ProposalDetail, **error_responses(401, 403, 404, 422)},
    url_name="proposal",
    summary="A proposal: its text, options, everyone's positions with reasons, the outcome",
)
def get_proposal(request: HttpRequest, proposal_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    actor = caller(request)
    return _detail(actor, queries.get_proposal_for(actor, proposal_id))


@router.post(
    "/proposals/{proposal_id}/position",
    response={200: ProposalDetail, **error_responses(400, 401, 403, 404, 409, 422)},
    url_name="proposal_position",
    summary="Take or change your position until the close (a block needs a reason)",
    description=(
        "Through the same service as the proposal page. 400 invalid_position: not a position "
        "this proposal takes, or a block without a reason; 403: you are not among the members "
        "who may take part (those in good standing when it opened); 409 proposal_closed."
    ),
)
def post_position(
    request: HttpRequest, body: PositionIn, proposal_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    actor = caller(request)
    proposal = queries.get_proposal_for(actor, proposal_id)
    try:
        take_position(
            actor=actor,
            proposal=proposal,
            choice=body.choice,
            scores={s.option_id: s.score for s in body.scores} if body.scores else None,
            reason=body.reason,
        )
    except PermissionDenied:
        raise
    except ProposalError as error:
        closed = proposal.status != ProposalStatus.OPEN or "closed" in str(error)
        raise ApiError(
            409 if closed else 400, "proposal_closed" if closed else "invalid_position", str(error)
        ) from error
    return _detail(actor, queries.get_proposal_for(actor, proposal_id))
