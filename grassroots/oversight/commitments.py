"""The national committee's accountability page: commitments it made, and each update to one,
kept with its evidence (docs/oversight.md). Split from oversight.services, whose other use cases
(rules, the decisions register, initiatives, standing tellers' keys) it shares errors and the
audit row with."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.organisation.permissions import NATION, Capability, may
from grassroots.oversight import queries
from grassroots.oversight.models import Commitment, CommitmentStatus, CommitmentUpdate
from grassroots.oversight.services import OversightError, _audit
from grassroots.people.queries import own_member


def _require_commitments(actor: User) -> None:
    if not may(actor, Capability.MANAGE_COMMITMENTS, NATION):
        raise PermissionDenied(
            gettext("Only the National Committee and national office keep commitments.")
        )


@transaction.atomic(durable=True)
def add_commitment(
    *,
    actor: User,
    title: str,
    description: str,
    made_on: datetime.date,
    due_on: datetime.date,
    decision_id: int | None = None,
) -> Commitment:
    _require_commitments(actor)
    if due_on < made_on:
        raise OversightError(gettext("The due date cannot be before the commitment was made."))
    decision = None
    if decision_id is not None:
        decision = queries.published_decision(decision_id)
        if decision is None:
            raise OversightError(gettext("There is no published decision with that number."))
    commitment = Commitment.objects.create(
        title=title.strip(),
        description=description.strip(),
        made_on=made_on,
        due_on=due_on,
        decision=decision,
        updated_at=clock.now(),
    )
    CommitmentUpdate.objects.create(
        commitment=commitment,
        at=commitment.updated_at,
        status=commitment.status,
        note="Commitment made.",
        by_label=_label(actor),
    )
    _audit(
        actor, AuditAction.ADD_COMMITMENT, "commitment", commitment.pk, due_on=due_on.isoformat()
    )
    return commitment


def _label(actor: User) -> str:
    member = own_member(actor)
    return member.full_name if member is not None else str(getattr(actor, "email", "system"))


@transaction.atomic(durable=True)
def update_commitment(
    *,
    actor: User,
    commitment: Commitment,
    status: str,
    note: str,
    evidence: str,
    evidence_url: str,
) -> Commitment:
    _require_commitments(actor)
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
    if status not in CommitmentStatus.values:
        raise OversightError(gettext("Choose the commitment's status."))
    if status == CommitmentStatus.DONE and not (evidence.strip() or evidence_url.strip()):
        raise OversightError(gettext("A commitment is marked done only with its evidence."))
    if status == CommitmentStatus.DROPPED and not note.strip():
        raise OversightError(gettext("Say why the commitment was dropped."))
    commitment.status = status
    commitment.evidence = evidence.strip()
    commitment.evidence_url = evidence_url.strip()
    commitment.updated_at = clock.now()
    commitment.save(update_fields=["status", "evidence", "evidence_url", "updated_at"])
    CommitmentUpdate.objects.create(
        commitment=commitment,
        at=commitment.updated_at,
        status=status,
        note=note.strip(),
        by_label=_label(actor),
    )
    _audit(actor, AuditAction.UPDATE_COMMITMENT, "commitment", commitment.pk, status=status)
    return commitment
