"""Setting up a ballot: the ballot itself, its questions and its candidates, while a draft."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext

from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.ballots import quotas
from grassroots.ballots.keys import seal_with_server_key
from grassroots.ballots.models import (
    Ballot,
    BallotStatus,
    Candidate,
    Question,
    QuestionKind,
    equal_preferences_problem,
)
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
from grassroots.organisation.scopes import body_named, scope_columns
from grassroots.people.models import Member, MembershipStatus
from grassroots.people.queries import own_member
from grassroots.tally.types import CategoryConstraint
from grassroots.transactions import durable, require_transaction


def create_ballot_within(
    *,
    actor: User,
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
    end_to_end: bool = False,
    categories_private: bool = False,
) -> Ballot:
    """:func:`create_ballot` as one step of a larger use case that holds the transaction
    (a proposal sent to a ballot is marked in the same one; grassroots.transactions)."""
    require_transaction()
    body = body_named(level, scope)
    if body is None:
        raise BallotError(gettext("The scope does not match its level."))
    if not may(actor, Capability.RUN_BALLOTS, body):
        raise PermissionDenied(gettext("You cannot run ballots there."))
    officer = own_member(actor)
    if officer is None:
        raise PermissionDenied(gettext("Only a member can be a returning officer."))
    if closes_at <= opens_at:
        raise BallotError(gettext("The poll must close after it opens."))
    if not 1 <= threshold <= tellers_count <= 20:
        raise BallotError(
            gettext("Between 1 and 20 tellers, and a threshold no more than the tellers.")
        )
    if not eligible_statuses or set(eligible_statuses) - set(MembershipStatus.values):
        raise BallotError(gettext("Choose which membership statuses may vote."))
    key = generate_signing_key()
    ballot = Ballot.objects.create(
        election_id=f"gr-{secrets.token_hex(8)}",
        title=title.strip(),
        description=description.strip(),
        **scope_columns(level, scope),
        opens_at=opens_at,
        closes_at=closes_at,
        eligible_statuses=list(eligible_statuses),
        joined_before=joined_before,
        returning_officer=officer,
        election_public_key=key.public,
        election_private_key_sealed=seal_with_server_key(key.private, purpose=ELECTION_KEY_PURPOSE),
        tellers_count=tellers_count,
        threshold=threshold,
        is_end_to_end=end_to_end,
        categories_private=categories_private,
    )
    audit_ballot(
        actor,
        AuditAction.CREATE_BALLOT,
        ballot,
        title=ballot.title,
        end_to_end=end_to_end,
        **({"categories_private": True} if categories_private else {}),
    )
    return ballot


create_ballot = durable(create_ballot_within)


def add_question_within(
    *,
    actor: User,
    ballot: Ballot,
    title: str,
    kind: str,
    stv_rule: str = "",
    seats: int = 1,
    constraints: Sequence[Mapping[str, Any]] = (),
    equal_preferences: bool = False,
    section: Region | None = None,
    supporters_needed: int | None = None,
    groups_needed: int | None = None,
) -> Question:
    """A question on the ballot paper. ``equal_preferences``: voters may give candidates the
    same number; only a question counted by a rule that defines how (Meek) takes it, and only
    in server mode. ``section``: the question is a section of a selection ballot
    (docs/slates.md), answered only by the members of that region on the frozen roll;
    ``supporters_needed``/``groups_needed``: its own nomination threshold (None: the
    ballot's).

    Run inside the caller's transaction; ``add_question`` runs it in one of its own
    (grassroots.transactions)."""
    require_transaction()
    require_runner(actor, ballot)
    ballot = locked_ballot(ballot)
    require_status(ballot, BallotStatus.DRAFT, BallotStatus.NOMINATIONS)
    if section is not None:
        _check_section(ballot, section)
    for needed in (supporters_needed, groups_needed):
        if needed is not None and not 0 <= needed <= 10_000:
            raise BallotError(gettext("A section's nomination threshold is from 0 to 10,000."))
    if kind != QuestionKind.STV:
        stv_rule, seats = "", 1
    elif not stv_rule:
        raise BallotError(gettext("Choose the STV rule."))
    if equal_preferences:
        problem = equal_preferences_problem(kind, stv_rule)
        if problem:
            raise BallotError(problem)
        if ballot.is_end_to_end:
            raise BallotError(
                gettext(
                    "An end-to-end verifiable ballot cannot take equal preferences yet: its papers "
                    "are encoded in the voter's browser as strict rankings."
                )
            )
    rules = _checked_rules(constraints, kind=kind, seats=seats)
    position = ballot.questions.count() + 1
    question = Question.objects.create(
        ballot=ballot,
        position=position,
        title=title.strip(),
        kind=kind,
        stv_rule=stv_rule,
        seats=seats,
        constraints=quotas.to_json(rules),
        allows_equal_preferences=equal_preferences,
        section_region=section,
        nomination_supporters=supporters_needed,
        nomination_groups=groups_needed,
        seed=secrets.randbelow(2**31),
    )
    if kind == QuestionKind.YESNO:
        for number, answer in enumerate(YESNO_ANSWERS, start=1):
            Candidate.objects.create(question=question, position=number, name=answer)
    audit_ballot(
        actor,
        AuditAction.ADD_QUESTION,
        ballot,
        question=question.position,
        kind=kind,
        **({"equal_preferences": True} if equal_preferences else {}),
        **({"section": section.name} if section is not None else {}),
    )
    return question


add_question = durable(add_question_within)


def _check_section(ballot: Ballot, region: Region) -> None:
    """A section by region needs a roll that takes in the region: a national ballot's, or
    that region's own. On an end-to-end ballot a voter encrypts a paper for their own
    region's sections only, and each section is mixed and counted from its members' papers
    (docs/e2e.md, "Sections")."""
    if ballot.region_id is not None and ballot.region_id != region.pk:
        raise BallotError(
            gettext("%(name)s is not in this ballot's scope (%(scope_name)s).")
            % {"name": region.name, "scope_name": ballot.scope_name}
        )
    if ballot.group_id is not None or ballot.area_id is not None:
        raise BallotError(
            gettext(
                "Sections by region need a national or regional ballot; this one is for "
                "%(scope_name)s."
            )
            % {"scope_name": ballot.scope_name}
        )


def _checked_rules(
    constraints: Sequence[Mapping[str, Any]], *, kind: str, seats: int
) -> tuple[CategoryConstraint, ...]:
    try:
        rules = quotas.from_json([dict(c) for c in constraints])
    except quotas.QuotaError as error:
        raise BallotError(str(error)) from error
    if rules and kind != QuestionKind.STV:
        raise BallotError(gettext("Quota rules apply to STV questions only."))
    problem = quotas.seats_problem(seats, rules)
    if problem:
        raise BallotError(problem)
    return rules


def quota_problem(question: Question) -> str:
    """Why the question's standing candidates cannot meet its quota rules ("" if they can), in
    the words of the rule that cannot be met."""
    rules = quotas.stored(question.constraints)
    standing = [frozenset(c.categories) for c in question.candidates.all() if not c.withdrawn]
    return quotas.feasibility_problem(question.seats, standing, rules)


@transaction.atomic(durable=True)
def set_quota_rules(
    *, actor: User, question: Question, constraints: Sequence[Mapping[str, Any]]
) -> Question:
    """Change an STV question's quota rules before voting opens. Once nominations are
    confirmed the candidates are known, so the rules must be possible to meet with them."""
    ballot = question.ballot
    require_runner(actor, ballot)
    ballot = locked_ballot(ballot)
    require_status(ballot, BallotStatus.DRAFT, BallotStatus.NOMINATIONS)
    question = Question.objects.get(pk=question.pk)
    rules = _checked_rules(constraints, kind=question.kind, seats=question.seats)
    question.constraints = quotas.to_json(rules)
    if ballot.status == BallotStatus.DRAFT and ballot.nominations_close_at is not None:
        problem = quota_problem(question)
        if problem:
            raise BallotError(problem)
    question.save(update_fields=["constraints"])
    audit_ballot(
        actor,
        AuditAction.SET_QUOTA_RULES,
        ballot,
        question=question.position,
        rules=[quotas.sentence(rule) for rule in rules],
    )
    return question


@transaction.atomic(durable=True)
def add_candidate(
    *,
    actor: User,
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
        raise BallotError(gettext("A yes/no question has its answers already."))
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
