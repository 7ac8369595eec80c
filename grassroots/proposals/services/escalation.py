"""A blocked or contested proposal goes to the body's next meeting or to a ballot of members,
with one action; the meeting a time poll found is scheduled with one action.

Sending on is one transaction: the proposal's row is locked first, then the agenda item (or
the ballot and its question) is made by the meetings' (or ballots') own step with all of its
checks (``add_agenda_item_within``, ``create_ballot_within``, grassroots.transactions), and the
proposal is marked in the same transaction, so either all of it is done or none. It is
idempotent: a second request to send it the same way (a double click, a retry, another officer
at the same moment) waits for the first's lock, finds it sent, and does nothing."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.meetings.models import (
    DEBATING_KINDS,
    AgendaItemKind,
    Meeting,
    MeetingFormat,
    MeetingKind,
    MeetingStatus,
)
from grassroots.meetings.services.agenda import add_agenda_item_within
from grassroots.meetings.services.common import MeetingError
from grassroots.meetings.services.scheduling import schedule_meeting
from grassroots.proposals import queries
from grassroots.proposals.models import Escalation, Proposal, ProposalStatus
from grassroots.proposals.rules import Process
from grassroots.proposals.services.common import (
    ProposalError,
    acting_member,
    audit,
    locked_proposal,
    require_officer,
)

BALLOT_PROCESSES = (Process.CONSENT, Process.CONSENSUS)


def next_meeting(proposal: Proposal) -> Meeting | None:
    """The body's next scheduled meeting that takes business (not a campaign event)."""
    body = queries.body_of(proposal)
    columns = {
        "level": body.level,
        "group": body.columns["group"],
        "area": body.columns["area"],
        "region": body.columns["region"],
    }
    return (
        Meeting.objects.filter(
            **columns,
            status=MeetingStatus.SCHEDULED,
            starts_at__gt=clock.now(),
            kind__in=list(DEBATING_KINDS),
        )
        .order_by("starts_at", "id")
        .first()
    )


def _fresh(proposal: Proposal) -> Proposal:
    """The row as it stands (the caller's copy may be older than another officer's action)."""
    return Proposal.objects.select_related("group", "area", "region", "chosen_option").get(
        pk=proposal.pk
    )


def _require_escalable(proposal: Proposal) -> None:
    if proposal.escalated_to:
        raise ProposalError(
            gettext("This proposal was already %(status)s.")
            % {"status": proposal.get_escalated_to_display().lower()}
        )
    if proposal.status != ProposalStatus.CLOSED:
        raise ProposalError(
            gettext("A proposal is sent on once it has closed (close it early if need be).")
        )
    if not proposal.is_contested:
        raise ProposalError(
            gettext("Only a blocked or contested proposal is sent to a meeting or ballot.")
        )


def _mark(actor: User, locked: Proposal, to: str, **links: object) -> Proposal:
    locked.escalated_to = to
    locked.escalated_at = clock.now()
    locked.escalated_by = acting_member(actor)
    for name, value in links.items():
        setattr(locked, name, value)
    locked.save(update_fields=["escalated_to", "escalated_at", "escalated_by", *links])
    audit(actor, AuditAction.ESCALATE_PROPOSAL, locked, to=to)
    return locked


def _description(proposal: Proposal) -> str:
    """Written in the officer's language, as the agenda item is: what they send, they read."""
    said = gettext("Decided between meetings, and contested: %(outcome)s") % {
        "outcome": proposal.outcome_shown
    }
    return f"{said}\n\n{proposal.text}"[:20_000]


def send_to_agenda(*, actor: User, proposal: Proposal) -> Proposal:
    """Put the contested proposal on the body's next meeting's agenda (once: see above)."""
    require_officer(actor, proposal)
    with transaction.atomic(durable=True):
        locked = locked_proposal(proposal.pk)
        if locked.escalated_to == Escalation.AGENDA:
            return locked
        _require_escalable(locked)
        meeting = next_meeting(locked)
        if meeting is None:
            raise ProposalError(
                gettext("The body has no meeting scheduled to take it: schedule one, then send it.")
            )
        try:
            item = add_agenda_item_within(
                actor=actor,
                meeting=meeting,
                kind=AgendaItemKind.OTHER,
                title=(gettext("Proposal: %(title)s") % {"title": locked.title})[:200],
                description=_description(locked),
            )
        except MeetingError as error:
            raise ProposalError(str(error)) from error
        return _mark(actor, locked, Escalation.AGENDA, agenda_item=item)


def send_to_ballot(
    *,
    actor: User,
    proposal: Proposal,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
) -> Proposal:
    """Draft a yes/no ballot of the body's members on the contested proposal (once: see
    above); its returning officer (the actor) sets up tellers and opens it on the ballots
    pages, as for any ballot."""
    from grassroots.ballots.models import QuestionKind
    from grassroots.ballots.services.errors import BallotError
    from grassroots.ballots.services.setup import add_question_within, create_ballot_within

    require_officer(actor, proposal)
    with transaction.atomic(durable=True):
        locked = locked_proposal(proposal.pk)
        if locked.escalated_to == Escalation.BALLOT:
            return locked
        _require_escalable(locked)
        if locked.process not in BALLOT_PROCESSES:
            raise ProposalError(
                gettext("A poll across options goes to a meeting, not to a yes/no ballot.")
            )
        if opens_at <= clock.now():
            raise ProposalError(gettext("The ballot must open in the future."))
        if closes_at <= opens_at:
            raise ProposalError(gettext("The ballot must close after it opens."))
        try:
            ballot = create_ballot_within(
                actor=actor,
                title=f"{locked.scope_name}: {locked.title}"[:200],
                description=locked.text,
                level=locked.level,
                scope=locked.group or locked.area or locked.region,
                opens_at=opens_at,
                closes_at=closes_at,
            )
            add_question_within(
                actor=actor,
                ballot=ballot,
                title=(
                    gettext("Should %(body)s adopt the proposal “%(title)s”?")
                    % {"body": locked.scope_name, "title": locked.title}
                )[:200],
                kind=QuestionKind.YESNO,
            )
        except BallotError as error:
            raise ProposalError(str(error)) from error
        return _mark(actor, locked, Escalation.BALLOT, ballot=ballot)


def schedule_found_meeting(
    *,
    actor: User,
    proposal: Proposal,
    title: str,
    format: str = MeetingFormat.IN_PERSON,
    address: str = "",
    online_link: str = "",
) -> Meeting:
    """Schedule the meeting at the time the poll found (meetings' own service and checks)."""
    if not queries.may_run(actor, proposal):
        raise PermissionDenied(
            gettext("Only the officers who run this body's meetings can do this.")
        )
    proposal = _fresh(proposal)
    if proposal.process != Process.TIME or proposal.status != ProposalStatus.CLOSED:
        raise ProposalError(gettext("A meeting is scheduled from a time poll once it has closed."))
    if proposal.scheduled_meeting_id is not None:
        raise ProposalError(gettext("The meeting this poll found is already scheduled."))
    option = proposal.chosen_option
    if option is None or option.starts_at is None:
        raise ProposalError(gettext("The poll found no time: nobody could come to any."))
    try:
        meeting = schedule_meeting(
            actor=actor,
            title=title,
            level=proposal.level,
            scope=proposal.group or proposal.area or proposal.region,
            starts_at=option.starts_at,
            ends_at=option.starts_at + datetime.timedelta(minutes=proposal.meeting_minutes),
            kind=MeetingKind.MEETING,
            format=format,
            address=address,
            online_link=online_link,
            description=gettext("The time was chosen by the poll “%(title)s”.")
            % {"title": proposal.title},
        )
    except MeetingError as error:
        raise ProposalError(str(error)) from error
    with transaction.atomic(durable=True):
        locked = locked_proposal(proposal.pk)
        locked.scheduled_meeting = meeting
        locked.save(update_fields=["scheduled_meeting"])
        audit(actor, AuditAction.SCHEDULE_FOUND_MEETING, locked, meeting=meeting.pk)
    return meeting
