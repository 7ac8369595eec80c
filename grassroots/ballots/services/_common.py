"""The checks every ballot step starts with (who may run it, its stage, its row lock) and
the audit row it ends with.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext

from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record
from grassroots.ballots.models import Ballot
from grassroots.ballots.services.errors import WrongStage
from grassroots.organisation.permissions import Capability, may


def require_runner(actor: User, ballot: Ballot) -> None:
    if not may(actor, Capability.RUN_BALLOTS, ballot):
        raise PermissionDenied(gettext("You cannot run this ballot."))


def audit_ballot(actor: User | None, action: AuditAction, ballot: Ballot, **detail: Any) -> None:
    record(
        actor=actor,
        action=action,
        subject_type="ballot",
        subject_id=ballot.election_id,
        scope=ballot.scope_name,
        purpose="ballot lifecycle",
        detail=detail,
    )


def locked_ballot(ballot: Ballot, *, no_key: bool = False) -> Ballot:
    return Ballot.objects.select_for_update(no_key=no_key).get(pk=ballot.pk)


def require_status(ballot: Ballot, *allowed: str) -> None:
    if ballot.status not in allowed:
        raise WrongStage(
            gettext("This cannot be done while the ballot is “%(status)s”.")
            % {"status": ballot.get_status_display()}
        )
