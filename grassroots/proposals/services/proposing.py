"""Making a proposal, amending and re-proposing it, and a body's rules for its proposals."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record
from grassroots.organisation.models import Area, Group, Region
from grassroots.organisation.permissions import Nation, group_ids_in
from grassroots.organisation.scopes import body_named
from grassroots.people.models import Member
from grassroots.people.queries import own_member
from grassroots.people.standing import good_standing_select
from grassroots.proposals import queries
from grassroots.proposals.models import (
    Participant,
    Proposal,
    ProposalOption,
    ProposalRules,
    ProposalStatus,
    WhoMayPropose,
)
from grassroots.proposals.rules import Process
from grassroots.proposals.services.common import (
    OPTION_MAX,
    OPTIONS_MAX,
    TEXT_MAX,
    TITLE_MAX,
    ProposalError,
    acting_member,
    audit,
    clean_text,
    locked_proposal,
)
from grassroots.proposals.services.reminders import tell_participants

SHORTEST = datetime.timedelta(hours=1)
LONGEST = datetime.timedelta(days=90)
DOTS_DEFAULT, DOTS_MAX = 10, 100
SCORE_DEFAULT, SCORE_MAX = 5, 10


def _check_closing(closes_at: datetime.datetime | None, moment: datetime.datetime) -> None:
    if closes_at is None:
        raise ProposalError(
            gettext("Give the closing time as a date and time, e.g. 2026-12-12 18:00.")
        )
    if timezone.is_naive(closes_at):
        raise ProposalError(gettext("Give the closing time with its time zone."))
    if closes_at <= moment:
        raise ProposalError(
            gettext("The closing time has already passed: choose one in the future.")
        )
    if closes_at < moment + SHORTEST:
        raise ProposalError(
            gettext("Give members at least an hour: close it an hour from now or later.")
        )
    if closes_at > moment + LONGEST:
        raise ProposalError(
            gettext("A proposal stays open for at most 90 days: choose an earlier close.")
        )


def _clean_options(
    process: str,
    labels: Sequence[str],
    times: Sequence[datetime.datetime],
    closes_at: datetime.datetime,
) -> list[tuple[str, datetime.datetime | None]]:
    if process == Process.TIME:
        if len(times) < 2:
            raise ProposalError(gettext("Offer at least two times for the meeting."))
        if len(times) > OPTIONS_MAX:
            raise ProposalError(
                gettext("Offer at most %(options_max)s times.") % {"options_max": OPTIONS_MAX}
            )
        if any(timezone.is_naive(t) for t in times):
            raise ProposalError(gettext("Give each time with its time zone."))
        if any(t <= closes_at for t in times):
            raise ProposalError(gettext("Each time offered must be after the poll closes."))
        ordered = sorted(set(times))
        if len(ordered) != len(times):
            raise ProposalError(gettext("The same time is offered twice."))
        return [(f"{timezone.localtime(t):%a %d %B %Y, %H:%M}", t) for t in ordered]
    if process in (Process.MAJORITY, Process.DOT, Process.SCORE):
        cleaned = [label.strip() for label in labels if label.strip()]
        if len(cleaned) < 2:
            raise ProposalError(gettext("Give at least two options, one a line."))
        if len(cleaned) > OPTIONS_MAX:
            raise ProposalError(
                gettext("Give at most %(options_max)s options.") % {"options_max": OPTIONS_MAX}
            )
        if any(len(label) > OPTION_MAX for label in cleaned):
            raise ProposalError(
                gettext("Each option is at most %(option_max)s characters.")
                % {"option_max": OPTION_MAX}
            )
        if len({label.casefold() for label in cleaned}) != len(cleaned):
            raise ProposalError(gettext("Two options have the same name."))
        return [(label, None) for label in cleaned]
    return []


def _clean_budget(process: str, budget: int | None) -> int:
    if process == Process.DOT:
        budget = budget or DOTS_DEFAULT
        if not 1 <= budget <= DOTS_MAX:
            raise ProposalError(
                gettext("Give each member between 1 and %(dots_max)s dots.")
                % {"dots_max": DOTS_MAX}
            )
        return budget
    if process == Process.SCORE:
        budget = budget or SCORE_DEFAULT
        if not 1 <= budget <= SCORE_MAX:
            raise ProposalError(
                gettext("The top score is between 1 and %(score_max)s.") % {"score_max": SCORE_MAX}
            )
        return budget
    return 0


def _enrol(proposal: Proposal) -> int:
    """The participants: the body's members in good standing on the day it opens (home group in
    the body, by the status history: the rule delegation counts delegates by), written by one
    ``INSERT ... SELECT`` from that rule's own query, so a body of 500,000 members costs one
    statement and no row in Python (bench/proposal_enrolment.py)."""
    select = good_standing_select(clock.today(), home_group_ids=group_ids_in(proposal))
    if select is None:
        return 0
    sql, params = select
    quote = connection.ops.quote_name
    table = quote(Participant._meta.db_table)
    proposal_column = quote(Participant._meta.get_field("proposal").column)
    member_column = quote(Participant._meta.get_field("member").column)
    with connection.cursor() as cursor:
        # Only the model's own table and column names are formatted in; every value is a
        # parameter (the rule's included).
        cursor.execute(
            f"INSERT INTO {table} ({proposal_column}, {member_column}) "  # noqa: S608  # nosec B608
            f"SELECT %s, eligible.* FROM ({sql}) AS eligible",
            (proposal.pk, *params),
        )
        return int(cursor.rowcount)


def _open(
    *,
    proposer: Member,
    body: queries.Body,
    title: str,
    text: str,
    process: str,
    closes_at: datetime.datetime | None,
    options: Sequence[str],
    option_times: Sequence[datetime.datetime],
    budget: int | None,
    meeting_minutes: int,
    previous: Proposal | None,
) -> Proposal:
    moment = clock.now()
    if process not in Process.__members__.values():
        raise ProposalError(gettext("Choose how the body decides: consent, consensus or a poll."))
    title = clean_text(title, gettext("title"), TITLE_MAX)
    text = clean_text(text, gettext("proposal"), TEXT_MAX)
    _check_closing(closes_at, moment)
    assert closes_at is not None
    cleaned = _clean_options(process, options, option_times, closes_at)
    if process == Process.TIME and not 15 <= meeting_minutes <= 12 * 60:
        raise ProposalError(gettext("The meeting lasts between 15 minutes and 12 hours."))
    rules = queries.rules_for(body)
    proposal = Proposal.objects.create(
        **body.columns,
        title=title,
        text=text,
        process=process,
        proposer=proposer,
        opened_at=moment,
        closes_at=closes_at,
        previous=previous,
        version=previous.version + 1 if previous else 1,
        consensus_max_blocks=rules.consensus_max_blocks,
        consensus_agree_percent=rules.consensus_agree_percent,
        budget=_clean_budget(process, budget),
        meeting_minutes=meeting_minutes,
    )
    ProposalOption.objects.bulk_create(
        ProposalOption(proposal=proposal, position=i, label=label, starts_at=starts)
        for i, (label, starts) in enumerate(cleaned, start=1)
    )
    proposal.eligible_count = _enrol(proposal)
    proposal.save(update_fields=["eligible_count"])
    tell_participants(proposal)
    return proposal


@transaction.atomic(durable=True)
def make_proposal(
    *,
    actor: User,
    level: str,
    scope: Group | Area | Region | Nation | None,
    title: str,
    text: str,
    process: str,
    closes_at: datetime.datetime | None,
    options: Sequence[str] = (),
    option_times: Sequence[datetime.datetime] = (),
    budget: int | None = None,
    meeting_minutes: int = 120,
) -> Proposal:
    """A member (or, by the body's rule, only an officer) puts a proposal to the body."""
    named = body_named(level, scope)
    if named is None:
        raise ProposalError(gettext("Choose which body decides."))
    body = queries.Body(level, named)
    if not queries.may_propose(actor, body):
        raise PermissionDenied(gettext("You cannot make proposals to that body."))
    proposal = _open(
        proposer=acting_member(actor),
        body=body,
        title=title,
        text=text,
        process=process,
        closes_at=closes_at,
        options=options,
        option_times=option_times,
        budget=budget,
        meeting_minutes=meeting_minutes,
        previous=None,
    )
    audit(actor, AuditAction.MAKE_PROPOSAL, proposal, title=proposal.title, process=process)
    return proposal


def may_amend(actor: User, proposal: Proposal) -> bool:
    member = own_member(actor)
    return (member is not None and member.pk == proposal.proposer_id) or queries.may_run(
        actor, proposal
    )


@transaction.atomic(durable=True)
def amend_proposal(
    *,
    actor: User,
    proposal: Proposal,
    title: str,
    text: str,
    closes_at: datetime.datetime | None,
    options: Sequence[str] = (),
    option_times: Sequence[datetime.datetime] = (),
    budget: int | None = None,
) -> Proposal:
    """Its proposer (or an officer) puts an amended version: a new proposal linked to the old,
    with a new close and everyone's positions to take afresh. An open original is superseded
    (closed without an outcome); a closed one keeps its outcome."""
    if not may_amend(actor, proposal):
        raise PermissionDenied(
            gettext("Only its proposer or the body's officers can amend a proposal.")
        )
    old = locked_proposal(proposal.pk)
    if old.status == ProposalStatus.SUPERSEDED or old.amended_versions.exists():
        raise ProposalError(
            gettext("This proposal has already been amended: amend the newest version.")
        )
    if old.escalated_to:
        raise ProposalError(
            gettext("This proposal has gone to a meeting or a ballot; it is decided there.")
        )
    new = _open(
        proposer=acting_member(actor),
        body=queries.body_of(old),
        title=title,
        text=text,
        process=old.process,
        closes_at=closes_at,
        options=options,
        option_times=option_times,
        budget=budget if budget is not None else (old.budget or None),
        meeting_minutes=old.meeting_minutes,
        previous=old,
    )
    if old.status == ProposalStatus.OPEN:
        old.status = ProposalStatus.SUPERSEDED
        old.closed_at = clock.now()
        old.save(update_fields=["status", "closed_at"])
    audit(actor, AuditAction.AMEND_PROPOSAL, new, amends=old.pk, version=new.version)
    return new


@transaction.atomic(durable=True)
def set_proposal_rules(
    *,
    actor: User,
    body: queries.Body,
    who_may_propose: str,
    consensus_max_blocks: int,
    consensus_agree_percent: int,
) -> ProposalRules:
    """The body's officers set who may propose and the consensus rule. Open proposals keep the
    rule they opened under."""
    if not queries.may_run(actor, body):
        raise PermissionDenied(
            gettext("Only the officers who run this body's meetings set its rules.")
        )
    officer = acting_member(actor)
    if who_may_propose not in WhoMayPropose.values:
        raise ProposalError(gettext("Choose who may make proposals."))
    if not 0 <= consensus_max_blocks <= 100:
        raise ProposalError(gettext("The blocks a consensus allows are between 0 and 100."))
    if not 0 <= consensus_agree_percent <= 99:
        raise ProposalError(gettext("The share that must agree is between 0 and 99 per cent."))
    rules = ProposalRules.objects.select_for_update().filter(body.filter).first()
    if rules is None:
        rules = ProposalRules(**body.columns)
    rules.who_may_propose = who_may_propose
    rules.consensus_max_blocks = consensus_max_blocks
    rules.consensus_agree_percent = consensus_agree_percent
    rules.updated_at = clock.now()
    rules.updated_by = officer
    rules.save()
    record(
        actor=actor,
        action=AuditAction.SET_PROPOSAL_RULES,
        subject_type="proposal_rules",
        subject_id=rules.pk,
        scope=body.name[:120],
        detail={
            "who_may_propose": who_may_propose,
            "consensus_max_blocks": consensus_max_blocks,
            "consensus_agree_percent": consensus_agree_percent,
        },
    )
    return rules
