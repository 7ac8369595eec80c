"""Meetings, motions, amendments and comments built straight in the database, for tests, the
access table and the benchmark. (The services are tested on their own; these builders set up
the state a test starts from.)"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from grassroots import clock
from grassroots.meetings.models import (
    AgendaItem,
    AgendaItemKind,
    Amendment,
    AmendmentKind,
    Comment,
    Meeting,
    MeetingFormat,
    MeetingKind,
    Minutes,
    MinutesStatus,
    Motion,
    MotionRevision,
    MotionStatus,
)
from grassroots.organisation.models import Group, ScopeLevel
from grassroots.people.models import Member

MOTION_TEXT = (
    "This branch notes that rents in the city rose 11% last year.\n\n"
    "This branch believes that every tenant deserves a secure home.\n\n"
    "This branch resolves to start a tenants' union campaign."
)


def group_meeting(
    group: Group,
    created_by: Member,
    *,
    starts_in: datetime.timedelta = datetime.timedelta(days=14),
    deadline_in: datetime.timedelta | None = datetime.timedelta(days=7),
    kind: str = MeetingKind.MEETING,
    capacity: int | None = None,
    title: str = "Branch meeting",
) -> Meeting:
    moment = clock.now()
    meeting = Meeting.objects.create(
        title=title,
        kind=kind,
        format=MeetingFormat.HYBRID,
        level=ScopeLevel.GROUP,
        group=group,
        starts_at=moment + starts_in,
        ends_at=moment + starts_in + datetime.timedelta(hours=2),
        address="Trades Hall, 1 High Street",
        online_link="https://meet.example.org/branch",
        accessibility_notes="Step-free access; hearing loop.",
        capacity=capacity,
        motions_deadline=moment + deadline_in if deadline_in is not None else None,
        created_by=created_by,
        created_at=moment,
        updated_at=moment,
    )
    if meeting.takes_motions:
        AgendaItem.objects.create(
            meeting=meeting, position=1, kind=AgendaItemKind.REPORT, title="Officers' reports"
        )
        AgendaItem.objects.create(
            meeting=meeting, position=2, kind=AgendaItemKind.MOTIONS, title="Motions"
        )
    return meeting


def motion_in(
    meeting: Meeting,
    proposer: Member,
    seconder: Member,
    *,
    seconded: bool = True,
    text: str = MOTION_TEXT,
    title: str = "Tenants' union",
) -> Motion:
    moment = clock.now()
    number = meeting.motions.count() + 1
    motion = Motion.objects.create(
        meeting=meeting,
        number=number,
        title=title,
        original_text=text,
        text=text,
        proposer=proposer,
        seconder=seconder,
        seconded_at=moment if seconded else None,
        submitted_at=moment,
        status=MotionStatus.SUBMITTED if seconded else MotionStatus.AWAITING_SECONDER,
    )
    MotionRevision.objects.create(motion=motion, text=text, note="Submitted", created_at=moment)
    return motion


def amendment_to(motion: Motion, proposer: Member) -> Amendment:
    return Amendment.objects.create(
        motion=motion,
        number=motion.amendments.count() + 1,
        proposer=proposer,
        kind=AmendmentKind.REPLACE,
        paragraph=3,
        new_text="This branch resolves to start a tenants' union campaign with the trades council.",
        base_text=motion.text,
        submitted_at=clock.now(),
    )


def comment_on(
    motion: Motion, author: Member, body: str = "I support this.", **kw: object
) -> Comment:
    return Comment.objects.create(
        motion=motion, author=author, body=body, created_at=clock.now(), **kw
    )


def minutes_of(meeting: Meeting, status: str = MinutesStatus.DRAFT) -> Minutes:
    moment = clock.now()
    return Minutes.objects.create(
        meeting=meeting,
        text="Minutes of the branch meeting.",
        status=status,
        drafted_at=moment,
        updated_at=moment,
        published_at=moment if status == MinutesStatus.PUBLISHED else None,
    )


def make_quorate(meeting: Meeting, members: Iterable[Member], *, by: Member) -> None:
    """Sign ``members`` in (``by`` runs the meeting), so outcomes need no quorum override."""
    from grassroots.meetings.services.attendance import sign_in_member

    for member in members:
        if not meeting.attendances.filter(member=member).exists():
            sign_in_member(
                actor=by.user, meeting=meeting, membership_number=member.membership_number
            )
