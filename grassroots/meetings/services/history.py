"""Recording a meeting that has already taken place: the one way a meeting, its decisions and
its minutes are written with dates in the past.

Every other meetings service acts now (``schedule_meeting`` refuses a start in the past,
outcomes are recorded once a meeting has started, minutes wait for a later meeting's approval),
which is right for a meeting held on the platform and wrong for one held before it: a branch
moving its paper minutes across, or the demo showing last month's meeting. This entry point is
named for that purpose, asks where the record comes from, and writes one audit row saying the
meeting was recorded after the fact (``RECORD_PAST_MEETING``, with the source), so an imported
decision can always be told from one taken here. The meeting's own dates are the meeting's;
every "when was this written" field (created, recorded, drafted, published) is the moment of
the import.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.meetings.models import (
    AgendaItem,
    AgendaItemKind,
    Majority,
    Meeting,
    MeetingFormat,
    MeetingStatus,
    Minutes,
    MinutesRevision,
    MinutesStatus,
    Motion,
    MotionRevision,
    Outcome,
    OutcomeResult,
)
from grassroots.meetings.services.common import (
    REASON_MAX,
    TEXT_MAX,
    TITLE_MAX,
    MeetingError,
    acting_member,
    audit,
    clean_text,
)
from grassroots.meetings.services.decisions import _counts
from grassroots.organisation.models import Area, Group, Region
from grassroots.organisation.permissions import Capability, Nation, may
from grassroots.organisation.scopes import body_named, scope_columns
from grassroots.people.models import Member

MINUTES_MAX = 100_000


@dataclass(frozen=True)
class PastMotion:
    """A motion the meeting decided, as its minutes record it."""

    title: str
    text: str
    proposer: Member
    seconder: Member
    result: str  # OutcomeResult.CARRIED or FALLEN
    votes_for: int | None = None
    votes_against: int | None = None
    votes_abstain: int | None = None


@transaction.atomic(durable=True)
def record_past_meeting(
    *,
    actor: User,
    source: str,
    title: str,
    level: str,
    scope: Group | Area | Region | Nation | None,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    minutes: str = "",
    motions: Sequence[PastMotion] = (),
    format: str = MeetingFormat.IN_PERSON,
    address: str = "",
    online_link: str = "",
    description: str = "",
) -> Meeting:
    """Record a meeting the body held before it met here, with its motions' outcomes and its
    published minutes (none when ``minutes`` is empty: a record with no minutes to bring).
    ``source`` says where the record comes from ("the branch's signed paper minutes"); it is
    kept in the audit row. Refused for a meeting that has not yet ended (it is scheduled with
    ``schedule_meeting``), and by whoever may not run the body's meetings."""
    body = body_named(level, scope)
    if body is None:
        raise MeetingError(gettext("Choose which body held the meeting."))
    if not may(actor, Capability.RUN_MEETINGS, body):
        raise PermissionDenied(gettext("You cannot record meetings for that body."))
    recorder = acting_member(actor)
    source = clean_text(source, gettext("source of the record"), REASON_MAX)
    title = clean_text(title, gettext("title"), TITLE_MAX)
    minutes = clean_text(minutes, gettext("minutes"), MINUTES_MAX, required=False)
    moment = clock.now()
    if ends_at <= starts_at:
        raise MeetingError(gettext("The end must be after the start."))
    if ends_at > moment:
        raise MeetingError(
            gettext(
                "Only a meeting that has already ended is recorded from its minutes; schedule a "
                "meeting still to come instead."
            )
        )
    if format not in MeetingFormat.values:
        raise MeetingError(gettext("Choose whether it was in person, online or both."))
    for number, past in enumerate(motions, start=1):
        if past.result not in (OutcomeResult.CARRIED, OutcomeResult.FALLEN):
            raise MeetingError(
                gettext("Motion %(number)s: say whether it was carried or fell.")
                % {"number": number}
            )
        if past.proposer.pk == past.seconder.pk:
            raise MeetingError(
                gettext("Motion %(number)s: the seconder must be another member.")
                % {"number": number}
            )
        _counts(
            past.result, Majority.SIMPLE, past.votes_for, past.votes_against, past.votes_abstain
        )
    meeting = Meeting.objects.create(
        title=title,
        description=clean_text(description, gettext("description"), TEXT_MAX, required=False),
        format=format,
        **scope_columns(level, scope),
        starts_at=starts_at,
        ends_at=ends_at,
        address=address.strip() if format != MeetingFormat.ONLINE else "",
        online_link=online_link.strip() if format != MeetingFormat.IN_PERSON else "",
        status=MeetingStatus.HELD,
        created_by=recorder,
        created_at=moment,
        updated_at=moment,
    )
    if motions:
        item = AgendaItem.objects.create(
            meeting=meeting, position=1, kind=AgendaItemKind.MOTIONS, title=gettext("Motions")
        )
        for number, past in enumerate(motions, start=1):
            text = clean_text(
                past.text, gettext("motion %(number)s's text") % {"number": number}, TEXT_MAX
            )
            motion = Motion.objects.create(
                meeting=meeting,
                agenda_item=item,
                number=number,
                title=clean_text(
                    past.title, gettext("motion %(number)s's title") % {"number": number}, TITLE_MAX
                ),
                original_text=text,
                text=text,
                proposer=past.proposer,
                seconder=past.seconder,
                seconded_at=starts_at,
                submitted_at=starts_at,
                status=str(past.result),
                debate_closed_at=starts_at,
            )
            MotionRevision.objects.create(
                motion=motion, text=text, note="Recorded from the minutes", created_at=moment
            )
            Outcome.objects.create(
                meeting=meeting,
                motion=motion,
                result=past.result,
                votes_for=past.votes_for,
                votes_against=past.votes_against,
                votes_abstain=past.votes_abstain,
                recorded_by=recorder,
                recorded_at=moment,
            )
    if minutes:
        kept = Minutes.objects.create(
            meeting=meeting,
            text=minutes,
            status=MinutesStatus.PUBLISHED,
            drafted_at=moment,
            updated_at=moment,
            updated_by=recorder,
            approved_at=moment,
            published_at=moment,
        )
        MinutesRevision.objects.create(
            minutes=kept, text=minutes, written_at=moment, written_by=recorder
        )
    audit(
        actor,
        AuditAction.RECORD_PAST_MEETING,
        meeting,
        source=source,
        held=starts_at.isoformat(),
        motions=len(motions),
    )
    return meeting
