"""A ballot's rule on membership of another organisation (issue 16, docs/slates.md): the
returning officer names the organisation, whether a member's declaration must be confirmed by
its imported membership list or is enough on its own, and whether the rule is required of every
voter or also admits supporters who meet it. Read when the roll is frozen, so it can be set
only before voting opens."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.ballots.models import Ballot, BallotStatus, OrganisationRule, RuleMode
from grassroots.ballots.services._common import (
    audit_ballot,
    locked_ballot,
    require_runner,
    require_status,
)
from grassroots.ballots.services.errors import BallotError
from grassroots.people.models import OtherOrganisation


@transaction.atomic(durable=True)
def set_organisation_rule(
    *,
    actor: User,
    ballot: Ballot,
    organisation: OtherOrganisation | None,
    needs_confirmation: bool = True,
    mode: str = RuleMode.REQUIRED,
) -> OrganisationRule | None:
    """Set the ballot's organisation rule, or with no organisation remove it."""
    require_runner(actor, ballot)
    ballot = locked_ballot(ballot)
    require_status(ballot, BallotStatus.DRAFT, BallotStatus.NOMINATIONS, BallotStatus.READY)
    if mode not in RuleMode.values:
        raise BallotError(gettext("Choose whether the rule is required or also admits supporters."))
    if organisation is None:
        OrganisationRule.objects.filter(ballot=ballot).delete()
        audit_ballot(actor, AuditAction.SET_ORGANISATION_RULE, ballot, organisation=None)
        return None
    rule, _ = OrganisationRule.objects.update_or_create(
        ballot=ballot,
        defaults={
            "organisation": organisation,
            "needs_confirmation": needs_confirmation,
            "mode": mode,
            "set_by_label": str(actor.email),
            "set_at": clock.now(),
        },
    )
    audit_ballot(
        actor,
        AuditAction.SET_ORGANISATION_RULE,
        ballot,
        organisation=organisation.name,
        needs_confirmation=needs_confirmation,
        mode=mode,
    )
    return rule
