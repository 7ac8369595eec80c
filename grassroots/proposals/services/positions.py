"""Taking, changing and withdrawing a position (the discussion is ``services.discussion``)."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.proposals.models import (
    Participant,
    Position,
    PositionChange,
    Proposal,
    ProposalOption,
    ProposalStatus,
)
from grassroots.proposals.rules import (
    CONSENSUS_CHOICES,
    CONSENT_CHOICES,
    Process,
    check_scores,
)
from grassroots.proposals.services.common import (
    REASON_MAX,
    ProposalError,
    acting_member,
    audit,
    clean_text,
    share_lock,
)

CHOICES: dict[str, tuple[str, ...]] = {
    Process.CONSENT: CONSENT_CHOICES,
    Process.CONSENSUS: CONSENSUS_CHOICES,
}


def _open_for_positions(proposal_id: int) -> Proposal:
    share_lock(proposal_id)
    proposal = Proposal.objects.get(pk=proposal_id)
    if proposal.status != ProposalStatus.OPEN or proposal.closes_at <= clock.now():
        raise ProposalError(gettext("This proposal has closed: positions can no longer change."))
    return proposal


def _clean_position(
    proposal: Proposal, choice: str, scores: Mapping[int, int] | None
) -> tuple[str, dict[str, int]]:
    if proposal.process in CHOICES:
        if choice not in CHOICES[proposal.process]:
            raise ProposalError(gettext("Choose your position."))
        return choice, {}
    keys = list(ProposalOption.objects.filter(proposal=proposal).values_list("pk", flat=True))
    if proposal.process == Process.MAJORITY:
        if not choice.isdigit() or int(choice) not in keys:
            raise ProposalError(gettext("Choose one of the options."))
        return choice, {}
    given = {int(k): int(v) for k, v in (scores or {}).items()}
    if proposal.process == Process.TIME:
        given = {key: given.get(key, 0) for key in keys}
    problem = check_scores(proposal.process, given, keys, budget=proposal.budget)
    if problem:
        message, figures = problem
        raise ProposalError(gettext(message) % figures if figures else gettext(message))
    return "", {str(k): v for k, v in given.items() if v or proposal.process != Process.DOT}


@transaction.atomic(durable=True)
def take_position(
    *,
    actor: User,
    proposal: Proposal,
    choice: str = "",
    scores: Mapping[int, int] | None = None,
    reason: str = "",
) -> Position:
    """A participant takes or changes their position until the close; each change is kept.

    Positions of different members never wait for one another; two of the same member's are
    serialised on their participant row, and a close waits for both (``share_lock``)."""
    member = acting_member(actor)
    proposal = _open_for_positions(proposal.pk)
    participant = (
        Participant.objects.select_for_update().filter(proposal=proposal, member=member).first()
    )
    if participant is None:
        raise PermissionDenied(
            gettext(
                "Only the body's members in good standing when it opened take part in "
                "this proposal."
            )
        )
    choice, cleaned = _clean_position(proposal, (choice or "").strip(), scores)
    reason = clean_text(reason, gettext("reason"), REASON_MAX, required=choice == "block")
    moment = clock.now()
    position = Position.objects.filter(proposal=proposal, member=member).first()
    if position is None:
        position = Position.objects.create(
            proposal=proposal,
            member=member,
            choice=choice,
            scores=cleaned,
            reason=reason,
            first_taken_at=moment,
            updated_at=moment,
        )
    else:
        if (position.choice, position.scores, position.reason) == (choice, cleaned, reason):
            raise ProposalError(gettext("Your position is unchanged."))
        position.choice, position.scores, position.reason = choice, cleaned, reason
        position.updated_at = moment
        position.save(update_fields=["choice", "scores", "reason", "updated_at"])
    PositionChange.objects.create(
        proposal=proposal, member=member, choice=choice, scores=cleaned, reason=reason, at=moment
    )
    audit(actor, AuditAction.TAKE_POSITION, proposal, choice=choice or "scores")
    return position


@transaction.atomic(durable=True)
def withdraw_position(*, actor: User, proposal: Proposal) -> None:
    """Withdraw a position (a block, say) until the close; the history keeps that it was."""
    member = acting_member(actor)
    proposal = _open_for_positions(proposal.pk)
    Participant.objects.select_for_update().filter(proposal=proposal, member=member).first()
    position = Position.objects.filter(proposal=proposal, member=member).first()
    if position is None:
        raise ProposalError(gettext("You have no position to withdraw."))
    position.delete()
    PositionChange.objects.create(proposal=proposal, member=member, withdrawn=True, at=clock.now())
    audit(actor, AuditAction.WITHDRAW_POSITION, proposal)
