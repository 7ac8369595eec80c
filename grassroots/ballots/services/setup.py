"""Setting up a ballot: the ballot itself, its questions and its candidates, while a draft."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from grassroots.audit.actions import AuditAction
from grassroots.ballots.keys import seal_with_server_key
from grassroots.ballots.models import Ballot, BallotStatus, Candidate, Question, QuestionKind
from grassroots.ballots.publication import ELECTION_KEY_PURPOSE, YESNO_ANSWERS
from grassroots.ballots.services._common import (
    audit_ballot,
    locked_ballot,
    require_runner,
    require_status,
)
from grassroots.ballots.services.errors import BallotError
from grassroots.ledger.heads import generate_signing_key
from grassroots.organisation.models import Area, Group, Region
from grassroots.organisation.permissions import Capability, Nation, may
from grassroots.organisation.scopes import body_named
from grassroots.people.models import Member, MembershipStatus
from grassroots.people.queries import own_member


@transaction.atomic(durable=True)
def create_ballot(
    *,
    actor: Any,
    title: str,
    description: str,
    level: str,
    scope: Group | Area | Region | Nation | None,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    eligible_statuses: Sequence[str] = (MembershipStatus.MEMBER,),
    joined_before: datetime.date | None = None,
    tellers_count: int = 3,
    threshold: int = 2,
) -> Ballot:
    body = body_named(level, scope)
    if body is None:
        raise BallotError("The scope does not match its level.")
    if not may(actor, Capability.RUN_BALLOTS, body):
        raise PermissionDenied("You cannot run ballots there.")
    officer = own_member(actor)
    if officer is None:
        raise PermissionDenied("Only a member can be a returning officer.")
    if closes_at <= opens_at:
        raise BallotError("The poll must close after it opens.")
    if not 1 <= threshold <= tellers_count <= 20:
        raise BallotError("Between 1 and 20 tellers, and a threshold no more than the tellers.")
    if not eligible_statuses or set(eligible_statuses) - set(MembershipStatus.values):
        raise BallotError("Choose which membership statuses may vote.")
    key = generate_signing_key()
    ballot = Ballot.objects.create(
        election_id=f"gr-{secrets.token_hex(8)}",
        title=title.strip(),
        description=description.strip(),
        level=level,
        group=scope if isinstance(scope, Group) else None,
        area=scope if isinstance(scope, Area) else None,
        region=scope if isinstance(scope, Region) else None,
        opens_at=opens_at,
        closes_at=closes_at,
        eligible_statuses=list(eligible_statuses),
        joined_before=joined_before,
        returning_officer=officer,
        election_public_key=key.public,
        election_private_key_sealed=seal_with_server_key(key.private, purpose=ELECTION_KEY_PURPOSE),
        tellers_count=tellers_count,
        threshold=threshold,
    )
    audit_ballot(actor, AuditAction.CREATE_BALLOT, ballot, title=ballot.title)
    return ballot


@transaction.atomic(durable=True)
def add_question(
    *,
    actor: Any,
    ballot: Ballot,
    title: str,
    kind: str,
    stv_rule: str = "",
    seats: int = 1,
    constraints: Sequence[Mapping[str, Any]] = (),
) -> Question:
    require_runner(actor, ballot)
    ballot = locked_ballot(ballot)
    require_status(ballot, BallotStatus.DRAFT, BallotStatus.NOMINATIONS)
    if kind != QuestionKind.STV:
        stv_rule, seats = "", 1
    elif not stv_rule:
        raise BallotError("Choose the STV rule.")
    position = ballot.questions.count() + 1
    question = Question.objects.create(
        ballot=ballot,
        position=position,
        title=title.strip(),
        kind=kind,
        stv_rule=stv_rule,
        seats=seats,
        constraints=[dict(c) for c in constraints],
        seed=secrets.randbelow(2**31),
    )
    if kind == QuestionKind.YESNO:
        for number, answer in enumerate(YESNO_ANSWERS, start=1):
            Candidate.objects.create(question=question, position=number, name=answer)
    audit_ballot(actor, AuditAction.ADD_QUESTION, ballot, question=question.position, kind=kind)
    return question


@transaction.atomic(durable=True)
def add_candidate(
    *,
    actor: Any,
    question: Question,
    name: str,
    statement: str = "",
    categories: Sequence[str] = (),
    member: Member | None = None,
) -> Candidate:
    ballot = question.ballot
    require_runner(actor, ballot)
    ballot = locked_ballot(ballot)
    require_status(ballot, BallotStatus.DRAFT, BallotStatus.NOMINATIONS)
    if question.kind == QuestionKind.YESNO:
        raise BallotError("A yes/no question has its answers already.")
    candidate = Candidate.objects.create(
        question=question,
        position=question.candidates.count() + 1,
        name=name.strip(),
        statement=statement.strip(),
        categories=sorted({c.strip().lower() for c in categories if c.strip()}),
        member=member,
    )
    audit_ballot(
        actor,
        AuditAction.ADD_CANDIDATE,
        ballot,
        question=question.position,
        candidate=candidate.name,
    )
    return candidate
