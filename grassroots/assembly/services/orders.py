"""A meeting's standing orders in session: secret or named votes, weighting by delegation, the
proxy cap, speaking time and the speakers' list's balancing rule. Settled before the first
vote: a vote's secrecy and weighting are fixed when it opens."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.assembly import queries
from grassroots.assembly.models import Balance, StandingOrders, Weighting
from grassroots.assembly.services.common import AssemblyError, audit, require_run
from grassroots.audit.actions import AuditAction
from grassroots.meetings.models import Meeting


@transaction.atomic(durable=True)
def set_standing_orders(
    *,
    actor: User,
    meeting: Meeting,
    secret_votes: bool,
    weighting: str,
    proxies_per_holder: int,
    speaking_seconds: int,
    balance: str,
    prefer_first_time: bool,
) -> StandingOrders:
    officer = require_run(actor, meeting)
    if weighting not in Weighting.values:
        raise AssemblyError(gettext("Choose how votes are weighted."))
    if balance not in Balance.values:
        raise AssemblyError(gettext("Choose how the speakers' list is balanced."))
    if not 0 <= proxies_per_holder <= 50:
        raise AssemblyError(gettext("Proxies per person: from 0 (none) to 50."))
    if not 15 <= speaking_seconds <= 3600:
        raise AssemblyError(gettext("Speaking time: from 15 seconds to an hour."))
    if queries.open_vote(meeting) is not None:
        raise AssemblyError(
            gettext("A vote is open: change the standing orders once it has closed.")
        )
    orders, _ = StandingOrders.objects.update_or_create(
        meeting=meeting,
        defaults={
            "secret_votes": secret_votes,
            "weighting": weighting,
            "proxies_per_holder": proxies_per_holder,
            "speaking_seconds": speaking_seconds,
            "balance": balance,
            "prefer_first_time": prefer_first_time,
            "set_by": officer,
            "set_at": clock.now(),
        },
    )
    audit(
        actor,
        AuditAction.ASSEMBLY_SET_STANDING_ORDERS,
        meeting,
        secret=secret_votes,
        weighting=weighting,
        proxies=proxies_per_holder,
        seconds=speaking_seconds,
        balance=balance,
        first_time=prefer_first_time,
    )
    return orders
