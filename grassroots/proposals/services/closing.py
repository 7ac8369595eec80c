"""The close: the outcome computed by the process's rule, stated in words and kept in the body's
decision log; early closes by the proposer; the proposer's outcome statement."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.proposals import queries
from grassroots.proposals.models import Position, Proposal, ProposalOption, ProposalStatus
from grassroots.proposals.rules import ConsensusRule, Option, Outcome, Stance, outcome
from grassroots.proposals.services.common import (
    STATEMENT_MAX,
    ProposalError,
    acting_member,
    audit,
    clean_text,
    locked_proposal,
)


def outcome_of(proposal: Proposal) -> Outcome:
    """The outcome the positions standing now would give (at the close: the outcome)."""
    stances = [
        Stance(choice=choice, scores={int(k): int(v) for k, v in scores.items()})
        for choice, scores in Position.objects.filter(proposal=proposal).values_list(
            "choice", "scores"
        )
    ]
    options = [
        Option(key=pk, label=label)
        for pk, label in ProposalOption.objects.filter(proposal=proposal).values_list("pk", "label")
    ]
    rule = ConsensusRule(
        max_blocks=proposal.consensus_max_blocks, agree_percent=proposal.consensus_agree_percent
    )
    return outcome(
        proposal.process, stances, eligible=proposal.eligible_count, options=options, rule=rule
    )


def _close(actor: User | None, proposal: Proposal, *, early: bool) -> Proposal:
    """Under the proposal's row lock: no position can be written meanwhile (``share_lock``)."""
    found = outcome_of(proposal)
    proposal.status = ProposalStatus.CLOSED
    proposal.closed_at = clock.now()
    proposal.result = found.result
    proposal.outcome_words = found.words
    proposal.outcome_sentence = found.sentence.as_json()
    proposal.outcome_counts = found.counts
    proposal.chosen_option_id = found.chosen
    proposal.save(
        update_fields=[
            "status",
            "closed_at",
            "result",
            "outcome_words",
            "outcome_sentence",
            "outcome_counts",
            "chosen_option",
        ]
    )
    audit(actor, AuditAction.CLOSE_PROPOSAL, proposal, result=found.result, early=early)
    return proposal


def close_due_proposals() -> list[str]:
    """The scheduler's step: close every open proposal whose closing time has come, one
    transaction each. The row lock waits for positions being written (their key-share lock),
    so they are counted; a position that comes after it finds the proposal closed. A tick on
    another node that waits behind this one finds the row no longer open and leaves it (not
    ``skip_locked``, which would skip a proposal while members are still answering)."""
    done: list[str] = []
    due = Proposal.objects.filter(status=ProposalStatus.OPEN, closes_at__lte=clock.now())
    for proposal_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic(durable=True):
            proposal = (
                Proposal.objects.select_for_update(of=("self",))
                .filter(pk=proposal_id, status=ProposalStatus.OPEN, closes_at__lte=clock.now())
                .select_related("group", "area", "region")
                .first()
            )
            if proposal is None:
                continue
            _close(None, proposal, early=False)
            done.append(f"closed proposal {proposal.pk}: {proposal.get_result_display()}")
    return done


@transaction.atomic(durable=True)
def close_proposal_now(*, actor: User, proposal: Proposal) -> Proposal:
    """Its proposer or an officer closes it before the deadline (everyone has answered, say)."""
    member = acting_member(actor)
    if member.pk != proposal.proposer_id and not queries.may_run(actor, proposal):
        raise PermissionDenied(
            gettext("Only its proposer or the body's officers can close it early.")
        )
    proposal = locked_proposal(proposal.pk)
    if proposal.status != ProposalStatus.OPEN:
        raise ProposalError(gettext("This proposal is not open."))
    return _close(actor, proposal, early=True)


@transaction.atomic(durable=True)
def write_outcome_statement(*, actor: User, proposal: Proposal, statement: str) -> Proposal:
    """The proposer says in their own words what was decided and what happens next."""
    member = acting_member(actor)
    if member.pk != proposal.proposer_id and not queries.may_run(actor, proposal):
        raise PermissionDenied(
            gettext("Only its proposer or the body's officers write the statement.")
        )
    proposal = locked_proposal(proposal.pk)
    if proposal.status != ProposalStatus.CLOSED:
        raise ProposalError(
            gettext("The outcome statement is written once the proposal has closed.")
        )
    proposal.outcome_statement = clean_text(statement, gettext("outcome statement"), STATEMENT_MAX)
    proposal.statement_at = clock.now()
    proposal.save(update_fields=["outcome_statement", "statement_at"])
    audit(actor, AuditAction.WRITE_OUTCOME_STATEMENT, proposal)
    return proposal
