"""Writes of the slates app: one function per use case, permission first, audited."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record
from grassroots.ballots.models import Ballot, BallotStatus, QuestionKind
from grassroots.organisation.permissions import NATION, Capability, may
from grassroots.slates.models import Slate, SlateBallot, SlatePlace

SELECTION_KINDS = (QuestionKind.STV, QuestionKind.IRV, QuestionKind.SINGLE, QuestionKind.APPROVAL)


class SlateError(ValueError):
    """A request the slate cannot take, said in the officer's words."""


def may_manage_slates(actor: User | None) -> bool:
    return actor is not None and may(actor, Capability.MANAGE_SLATES, NATION)


def _require_manager(actor: User) -> None:
    if not may_manage_slates(actor):
        raise PermissionDenied(gettext("Only the national office manages slates."))


def _audit(actor: User | None, action: AuditAction, slate: Slate, **detail: object) -> None:
    record(
        actor=actor,
        action=action,
        subject_type="slate",
        subject_id=slate.pk,
        scope="national",
        purpose="slates",
        detail=detail,
    )


@transaction.atomic(durable=True)
def create_slate(
    *, actor: User, name: str, body: str, seats: int, closes_on: datetime.date, rules: str = ""
) -> Slate:
    _require_manager(actor)
    if not name.strip() or not body.strip():
        raise SlateError(gettext("Give the slate a name and say what it is for."))
    if not 1 <= seats <= 200:
        raise SlateError(gettext("A slate has between 1 and 200 seats."))
    slate = Slate.objects.create(
        name=name.strip(),
        body=body.strip(),
        seats=seats,
        closes_on=closes_on,
        rules=rules.strip(),
        created_at=clock.now(),
    )
    _audit(actor, AuditAction.CREATE_SLATE, slate, name=slate.name, seats=seats)
    return slate


@transaction.atomic(durable=True)
def add_selection_ballot(*, actor: User, slate: Slate, ballot: Ballot) -> SlateBallot:
    """Name a ballot as one that fills the slate, before its result is published."""
    _require_manager(actor)
    ballot = Ballot.objects.select_for_update(of=("self",)).get(pk=ballot.pk)
    if ballot.status == BallotStatus.PUBLISHED:
        raise SlateError(
            gettext("%(title)s is already published; name a ballot still to come.")
            % {"title": ballot.title}
        )
    if not ballot.questions.filter(kind__in=SELECTION_KINDS).exists():
        raise SlateError(
            gettext("%(title)s has no question with candidates.") % {"title": ballot.title}
        )
    if SlateBallot.objects.filter(ballot=ballot).exists():
        raise SlateError(gettext("%(title)s already fills a slate.") % {"title": ballot.title})
    selection = SlateBallot.objects.create(slate=slate, ballot=ballot, added_at=clock.now())
    _audit(actor, AuditAction.ADD_SLATE_BALLOT, slate, ballot=ballot.election_id)
    return selection


def fill_from_ballot(ballot: Ballot) -> None:
    """The result handler (``grassroots.ballots.results``): a published selection ballot's
    elected candidates take their places on its slate. Runs inside the publishing transaction;
    idempotent (a candidate already placed is left alone)."""
    selection = SlateBallot.objects.filter(ballot=ballot).select_related("slate").first()
    if selection is None or ballot.status != BallotStatus.PUBLISHED:
        return
    if selection.places.exists():
        return
    order = 0
    placed = []
    for question in ballot.questions.filter(kind__in=SELECTION_KINDS).prefetch_related(
        "candidates"
    ):
        candidates = list(question.candidates.all())
        for number in (question.result or {}).get("elected", []):
            if not 0 <= int(number) < len(candidates):
                raise SlateError(f"{ballot.election_id}: elected candidate {number} is unknown")
            order += 1
            candidate = candidates[int(number)]
            SlatePlace.objects.create(
                slate=selection.slate, selection=selection, candidate=candidate, order=order
            )
            placed.append(candidate.name)
    _audit(None, AuditAction.FILL_SLATE, selection.slate, ballot=ballot.election_id, chosen=placed)
