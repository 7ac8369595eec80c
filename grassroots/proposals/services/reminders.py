"""Telling members: a new proposal to the members who may take part, and a reminder to those
who have not yet responded, both through notifications, so each member's own choice for
"Proposals to decide between meetings" (straight away, a digest, or only in the app) decides
whether and when it is mailed; mail goes through messaging and the officer never sees an
address. A member who unsubscribed from the body's mail (or from all of it) gets no reminder."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.messaging.models import Unsubscribe
from grassroots.messaging.queries import Scope
from grassroots.notifications.models import Kind
from grassroots.notifications.services import notify, notify_scope, scope_key_for
from grassroots.organisation.models import ScopeLevel
from grassroots.proposals import queries
from grassroots.proposals.models import Participant, Proposal, ProposalStatus
from grassroots.proposals.services.common import (
    ProposalError,
    audit,
    locked_proposal,
    require_officer,
)

REMINDER_GAP = datetime.timedelta(hours=12)


def _words(proposal: Proposal) -> dict[str, object]:
    """A proposal notification's parameters (notifications.messages)."""
    return {
        "scope": proposal.scope_name,
        "title": proposal.title,
        "closes": proposal.closes_at,
    }


def tell_participants(proposal: Proposal) -> None:
    """A new proposal (or an amended version): a group's roll is told at once, in the caller's
    transaction; a larger body's members through the task worker (``notify_scope``)."""
    url = reverse("proposals:detail", args=[proposal.pk])
    message = "proposal_to_decide"
    params = _words(proposal)
    if proposal.level == ScopeLevel.GROUP:
        roll = Participant.objects.filter(proposal=proposal).exclude(member=proposal.proposer_id)
        ids = list(roll.values_list("member_id", flat=True))  # member ids, not the rows' own
        notify(ids, kind=Kind.PROPOSAL, url=url, message=message, params=params)
    else:
        scope_id = proposal.area_id or proposal.region_id
        notify_scope(
            scope_key_for(proposal.level, scope_id),
            kind=Kind.PROPOSAL,
            url=url,
            message=message,
            params=params,
        )


@transaction.atomic(durable=True)
def remind_non_responders(*, actor: User, proposal: Proposal) -> int:
    """Remind the participants with no position yet; how many it went to."""
    require_officer(actor, proposal)
    proposal = locked_proposal(proposal.pk)
    if proposal.status != ProposalStatus.OPEN or proposal.closes_at <= clock.now():
        raise ProposalError(gettext("Reminders go only while the proposal is open."))
    if proposal.last_reminded_at and clock.now() - proposal.last_reminded_at < REMINDER_GAP:
        raise ProposalError(gettext("A reminder went less than 12 hours ago; members have it."))
    scope = Scope(
        level=proposal.level, group=proposal.group, area=proposal.area, region=proposal.region
    )
    refused = Unsubscribe.objects.filter(scope_key__in=[Unsubscribe.ALL, scope.key])
    recipients = queries.not_responded(proposal).exclude(pk__in=refused.values("member"))
    ids = list(recipients.values_list("pk", flat=True))
    if not ids:
        raise ProposalError(
            gettext("Nobody is left to remind: everyone has responded or unsubscribed.")
        )
    notify(
        ids,
        kind=Kind.PROPOSAL,
        message="proposal_reminder",
        params=_words(proposal),
        url=reverse("proposals:detail", args=[proposal.pk]),
    )
    proposal.reminders_sent += 1
    proposal.last_reminded_at = clock.now()
    proposal.save(update_fields=["reminders_sent", "last_reminded_at"])
    audit(actor, AuditAction.REMIND_ON_PROPOSAL, proposal, recipients=len(ids))
    return len(ids)
