"""What every proposals use case shares: its error, the limits on text, the audit row, the
permission checks and the row locks."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils.translation import gettext

from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record
from grassroots.meetings.services.common import acting_member as acting_member
from grassroots.organisation.permissions import Capability, may
from grassroots.people.models import Member
from grassroots.proposals.models import Proposal

TITLE_MAX = 200
TEXT_MAX = 20_000
REASON_MAX = 2_000
STATEMENT_MAX = 5_000
OPTION_MAX = 200
OPTIONS_MAX = 20


class ProposalError(Exception):
    """Bad input or the wrong moment; the message says which, for the page."""


def audit(actor: User | None, action: AuditAction, proposal: Proposal, **detail: Any) -> None:
    record(
        actor=actor,
        action=action,
        subject_type="proposal",
        subject_id=proposal.pk,
        scope=proposal.scope_name[:120],
        detail=detail,
    )


def require_officer(actor: User, proposal: Proposal) -> Member:
    """The officers who run the body's meetings also look after its decisions between them."""
    if not may(actor, Capability.RUN_MEETINGS, proposal):
        raise PermissionDenied(
            gettext("Only the officers who run this body's meetings can do this.")
        )
    return acting_member(actor)


def clean_text(value: str, label: str, maximum: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ProposalError(gettext("Write the %(label)s.") % {"label": label})
    if len(value) > maximum:
        raise ProposalError(
            gettext("The %(label)s is too long: at most %(maximum)s characters.")
            % {"label": label, "maximum": f"{maximum:,}"}
        )
    return value


def locked_proposal(proposal_id: int) -> Proposal:
    """The proposal, locked against every other writer (closing, amending, escalating)."""
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("group", "area", "region")
        .get(pk=proposal_id)
    )


def share_lock(proposal_id: int) -> None:
    """Hold the proposal's row against a close while a position is written, without making
    positions wait for one another: PostgreSQL's FOR KEY SHARE, which the close's FOR UPDATE
    waits for and which does not conflict with itself. (SQLite locks the whole database.)"""
    if connection.vendor != "postgresql":
        return
    table = connection.ops.quote_name(Proposal._meta.db_table)
    with connection.cursor() as cursor:
        # The table name is the model's own, quoted; the id is a parameter.
        statement = f"SELECT 1 FROM {table} WHERE id = %s FOR KEY SHARE"  # noqa: S608  # nosec B608
        cursor.execute(statement, [proposal_id])
