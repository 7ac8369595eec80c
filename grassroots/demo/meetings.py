"""The demo's meetings: in Leeds Central (the demo member's group) a coming branch meeting with
an agenda, a seconded motion, an amendment and a threaded debate; a street stall with places to
book; the last branch meeting with its carried motion and published minutes; and a Leeds area
meeting. Made once: nothing changes when they are already there.

Written directly (the demo's members other than its logins cannot log in to act through the
pages), with one audit row saying so.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record
from grassroots.clock import now
from grassroots.meetings.models import (
    AgendaItem,
    AgendaItemKind,
    Amendment,
    AmendmentKind,
    Comment,
    Meeting,
    MeetingFormat,
    MeetingKind,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    Motion,
    MotionRevision,
    MotionStatus,
    Outcome,
    OutcomeResult,
)
from grassroots.meetings.texts import structured_text
from grassroots.organisation.models import Group, Role, RoleAssignment, ScopeLevel
from grassroots.people.models import Member, MembershipStatus

BRANCH_MEETING = "Leeds Central branch meeting"
DAY = datetime.timedelta(days=1)


def seed_demo_meetings() -> None:
    group = Group.objects.filter(name="Leeds Central").select_related("area").first()
    if group is None or Meeting.objects.filter(title=BRANCH_MEETING).exists():
        return
    secretary = (
        RoleAssignment.objects.current()
        .filter(role=Role.SECRETARY, group=group)
        .select_related("member")
        .first()
    )
    chair = (
        RoleAssignment.objects.current()
        .filter(role=Role.CHAIR, group=group)
        .select_related("member")
        .first()
    )
    # The smallest demo has only a handful of members per group: the same people then speak
    # more than once.
    found = list(
        Member.objects.filter(home_group=group, status=MembershipStatus.MEMBER).order_by("pk")[:12]
    )
    if secretary is None or chair is None or len(found) < 3:
        return
    people = [found[n % len(found)] for n in range(12)]
    if len(found) < 12:
        # Mover and seconder must differ: 0/1 and 9/10 are distinct people whenever >= 3.
        people[10] = found[(9 % len(found) + 1) % len(found)]
    with transaction.atomic():
        _seed(group, secretary.member, chair.member, people)
        record(
            actor=None,
            action=AuditAction.SEED_DEMO_MEETINGS,
            subject_type="meeting",
            purpose="demo meetings for trying the platform",
        )


def _meeting(
    home: Group, by: Member, title: str, start: datetime.datetime, **kw: object
) -> Meeting:
    moment = now()
    values: dict[str, object] = {
        "format": MeetingFormat.HYBRID,
        "address": "Leeds Trades Club, 9 Savile Mount, Chapeltown, Leeds LS7 3HZ",
        "online_link": "https://meet.example.org/leeds-central",
        "accessibility_notes": "Step-free entrance and toilet; hearing loop; BSL on request.",
        "level": ScopeLevel.GROUP,
        "group": home,
    }
    values.update(kw)
    return Meeting.objects.create(
        title=title,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        created_by=by,
        created_at=moment,
        updated_at=moment,
        **values,
    )


def _agenda(meeting: Meeting) -> AgendaItem:
    items = [
        (AgendaItemKind.REPORT, "Officers' reports"),
        (AgendaItemKind.MOTIONS, "Motions"),
        (AgendaItemKind.ELECTION, "Election of a delegate to the area meeting"),
        (AgendaItemKind.AOB, "Any other business"),
    ]
    made = [
        AgendaItem.objects.create(meeting=meeting, position=n, kind=kind, title=title)
        for n, (kind, title) in enumerate(items, start=1)
    ]
    return made[1]


def _motion(
    meeting: Meeting, item: AgendaItem, title: str, text: str, mover: Member, seconder: Member
) -> Motion:
    moment = meeting.created_at
    motion = Motion.objects.create(
        meeting=meeting,
        agenda_item=item,
        number=meeting.motions.count() + 1,
        title=title,
        original_text=text,
        text=text,
        is_structured=True,
        proposer=mover,
        seconder=seconder,
        seconded_at=moment,
        submitted_at=moment,
        status=MotionStatus.SUBMITTED,
    )
    MotionRevision.objects.create(motion=motion, text=text, note="Submitted", created_at=moment)
    return motion


def _seed(group: Group, secretary: Member, chair: Member, people: list[Member]) -> None:
    moment = now().replace(minute=0, second=0, microsecond=0)

    # The coming branch meeting: a motion, an amendment and a debate.
    coming = _meeting(
        group,
        secretary,
        BRANCH_MEETING,
        moment + 10 * DAY,
        motions_deadline=moment + 5 * DAY,
        description="Our monthly meeting. All members of Leeds Central are welcome.",
    )
    item = _agenda(coming)
    text = structured_text(
        "Private rents in Leeds rose by 11% in the last year.\n\n"
        "One in three of our members rents privately.",
        "Everyone deserves a secure, affordable home.",
        "To start a tenants' union campaign in Chapeltown and Harehills.\n\n"
        "To ask the area meeting to support a city-wide campaign.",
    )
    motion = _motion(coming, item, "A tenants' union for Leeds", text, people[0], people[1])
    amendment = Amendment.objects.create(
        motion=motion,
        number=1,
        proposer=people[2],
        kind=AmendmentKind.REPLACE,
        paragraph=7,
        new_text="To start a tenants' union campaign in Chapeltown, Harehills and Burley, "
        "with the trades council.",
        base_text=motion.text,
        submitted_at=moment,
    )
    debate = [
        (3, None, None, "Strongly support. My rent went up twice this year."),
        (4, 0, None, "Same here. Do we know how many of us are in Burley?"),
        (2, 1, None, "About forty members, from the last survey."),
        (5, None, amendment, "The trades council already has a housing group: this helps."),
        (6, None, None, "Can we fund leaflets for this from branch funds?"),
        (7, 4, None, "The treasurer will report on that under officers' reports."),
        (8, None, None, "Will the campaign have a launch meeting? I can book a room."),
        (0, 6, None, "Yes please, thank you."),
    ]
    made: list[Comment] = []
    for n, (author, parent, on, body) in enumerate(debate):
        made.append(
            Comment.objects.create(
                motion=motion,
                amendment=on,
                parent=made[parent] if parent is not None else None,
                author=people[author],
                body=body,
                created_at=moment - datetime.timedelta(hours=len(debate) - n),
            )
        )

    # A street stall with places to book.
    _meeting(
        group,
        secretary,
        "Street stall: Chapeltown Road",
        moment + 4 * DAY,
        kind=MeetingKind.STALL,
        format=MeetingFormat.IN_PERSON,
        online_link="",
        address="Outside the library, Chapeltown Road, Leeds LS7",
        capacity=12,
        description="Leaflets and the petition. Bring warm clothes.",
    )

    # The last branch meeting: a carried motion and published minutes.
    last = _meeting(
        group,
        secretary,
        "Leeds Central branch meeting (last month)",
        moment - 20 * DAY,
        motions_deadline=moment - 25 * DAY,
        status=MeetingStatus.HELD,
    )
    last_item = _agenda(last)
    carried = _motion(
        last,
        last_item,
        "Support the bus drivers' strike",
        structured_text(
            "Bus drivers in Leeds are on strike over pay.",
            "",
            "To join their picket lines and collect for the strike fund.",
        ),
        people[9],
        people[10],
    )
    carried.status = MotionStatus.CARRIED
    carried.debate_closed_at = last.starts_at
    carried.save(update_fields=["status", "debate_closed_at"])
    Outcome.objects.create(
        meeting=last,
        motion=carried,
        result=OutcomeResult.CARRIED,
        votes_for=23,
        votes_against=1,
        votes_abstain=2,
        recorded_by=chair,
        recorded_at=last.starts_at + datetime.timedelta(hours=1),
    )
    Minutes.objects.create(
        meeting=last,
        text=(
            "Minutes of the Leeds Central branch meeting\n\n"
            "Present: 26 members (quorum 3: quorate).\n\n"
            "Motion 1: Support the bus drivers' strike. Carried (23 for, 1 against, "
            "2 abstaining).\n\nThe meeting closed at 9pm."
        ),
        status=MinutesStatus.PUBLISHED,
        drafted_at=last.ends_at,
        updated_at=last.ends_at,
        updated_by=secretary,
        approved_at=moment - DAY,
        published_at=moment - DAY,
    )

    # The area meeting the branch sends delegates to.
    _meeting(
        group,
        secretary,
        f"{group.area.name} area meeting",
        moment + 24 * DAY,
        level=ScopeLevel.AREA,
        group=None,
        area=group.area,
        motions_deadline=moment + 17 * DAY,
        format=MeetingFormat.ONLINE,
        address="",
        online_link="https://meet.example.org/leeds-area",
    )
