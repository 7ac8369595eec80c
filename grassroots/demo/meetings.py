"""The demo's meetings: in Leeds Central (the demo member's group) a coming branch meeting with
an agenda, a seconded motion, an amendment and a threaded debate; a street stall with places to
book; the last branch meeting with its carried motion and published minutes; and a Leeds area
meeting. Made once: nothing changes when they are already there.

Everything goes through the services the pages call. The coming branch meeting is scheduled
by the branch's Secretary, and its motion, amendment and debate are made by the members who
take part, each by their own login (given to those without one through
``people.logins.issue_logins``);
the last meeting is recorded through ``meetings.services.history.record_past_meeting``, the
audited entry point for meetings held before they were recorded here; the stall and the area
meeting are scheduled through ``schedule_meeting`` by the branch's Chair and the area's
coordinator.
"""

from __future__ import annotations

import datetime

from grassroots import clock
from grassroots.demo.people import DEMO_PASSWORD, login_of
from grassroots.meetings.models import (
    AgendaItemKind,
    AmendmentKind,
    Comment,
    Meeting,
    MeetingFormat,
    MeetingKind,
    Motion,
    MotionStatus,
    OutcomeResult,
)
from grassroots.meetings.services.agenda import add_agenda_item
from grassroots.meetings.services.amendments import propose_amendment
from grassroots.meetings.services.debate import post_comment
from grassroots.meetings.services.history import PastMotion, record_past_meeting
from grassroots.meetings.services.motions import second_motion, submit_motion
from grassroots.meetings.services.scheduling import schedule_meeting
from grassroots.meetings.texts import structured_text
from grassroots.organisation.models import Group, Role, RoleAssignment, ScopeLevel
from grassroots.people.logins import issue_logins
from grassroots.people.models import Member, MembershipStatus

BRANCH_MEETING = "Leeds Central branch meeting"
STALL = "Street stall: Chapeltown Road"
ACCESSIBILITY = "Step-free entrance and toilet; hearing loop; BSL on request."
LAST_MEETING = "Leeds Central branch meeting (last month)"
DAY = datetime.timedelta(days=1)


def seed_demo_meetings() -> None:
    group = Group.objects.filter(name="Leeds Central").select_related("area").first()
    if group is None:
        return
    secretary = (
        RoleAssignment.objects.current()
        .filter(role=Role.SECRETARY, group=group)
        .select_related("member__user")
        .first()
    )
    chair = (
        RoleAssignment.objects.current()
        .filter(role=Role.CHAIR, group=group)
        .select_related("member__user")
        .first()
    )
    # The smallest demo has only a handful of members per group: the same people then speak
    # more than once.
    found = list(
        Member.objects.filter(home_group=group, status=MembershipStatus.MEMBER).order_by("pk")[:12]
    )
    if secretary is None or chair is None or len(found) < 3:
        return
    found = _online(found)
    people = [found[n % len(found)] for n in range(12)]
    if len(found) < 12:
        # Mover and seconder must differ: 0/1 and 9/10 are distinct people whenever >= 3.
        people[10] = found[(9 % len(found) + 1) % len(found)]
    _seed_coming_meeting(group, secretary.member, people)
    _seed_last_meeting(group, chair.member, people)
    coordinator = (
        RoleAssignment.objects.current()
        .filter(role=Role.AREA_COORDINATOR, area=group.area)
        .select_related("member__user")
        .first()
    )
    _schedule_events(group, chair.member, coordinator.member if coordinator else None)


def _online(members: list[Member]) -> list[Member]:
    """The members who debate the coming meeting's motion take part online: those without a
    login get one (``people.logins.issue_logins``, as the national office would give it), once,
    before the first of them acts."""
    if not Motion.objects.filter(title=MOTION).exists():
        issue_logins(
            actor=None,
            membership_numbers=[m.membership_number for m in members if m.user_id is None],
            source="Leeds Central members who take part in the demo's online debate",
            password=DEMO_PASSWORD,
        )
    return list(
        Member.objects.filter(pk__in=[m.pk for m in members], user__isnull=False)
        .select_related("user")
        .order_by("pk")
    )


AGENDA = (
    (AgendaItemKind.REPORT, "Officers' reports"),
    (AgendaItemKind.MOTIONS, "Motions"),
    (AgendaItemKind.ELECTION, "Election of a delegate to the area meeting"),
    (AgendaItemKind.AOB, "Any other business"),
)
MOTION = "A tenants' union for Leeds"
# (speaker, the comment replied to, on the amendment?, what they say): indexes into the people.
DEBATE = (
    (3, None, False, "Strongly support. My rent went up twice this year."),
    (4, 0, False, "Same here. Do we know how many of us are in Burley?"),
    (2, 1, False, "About forty members, from the last survey."),
    (5, None, True, "The trades council already has a housing group: this helps."),
    (6, None, False, "Can we fund leaflets for this from branch funds?"),
    (7, 4, False, "The treasurer will report on that under officers' reports."),
    (8, None, False, "Will the campaign have a launch meeting? I can book a room."),
    (0, 6, False, "Yes please, thank you."),
)


def _seed_coming_meeting(group: Group, secretary: Member, people: list[Member]) -> None:
    """The coming branch meeting, as its members make it: the Secretary schedules it and sets
    the agenda, a member submits the motion and another seconds it, a third proposes an
    amendment, and members debate both; each step the service the pages call, by that member's
    login, in its own durable transaction. A step already done is not done again."""
    moment = clock.now().replace(minute=0, second=0, microsecond=0)
    officer = login_of(secretary)
    meeting = Meeting.objects.filter(title=BRANCH_MEETING, group=group).first()
    if meeting is None:
        meeting = schedule_meeting(
            actor=officer,
            title=BRANCH_MEETING,
            level=ScopeLevel.GROUP,
            scope=group,
            starts_at=moment + 10 * DAY,
            ends_at=moment + 10 * DAY + datetime.timedelta(hours=2),
            motions_deadline=moment + 5 * DAY,
            format=MeetingFormat.HYBRID,
            address="Leeds Trades Club, 9 Savile Mount, Chapeltown, Leeds LS7 3HZ",
            online_link="https://meet.example.org/leeds-central",
            accessibility_notes=ACCESSIBILITY,
            description="Our monthly meeting. All members of Leeds Central are welcome.",
        )
    if not meeting.agenda_items.exists():
        for kind, title in AGENDA:
            add_agenda_item(actor=officer, meeting=meeting, kind=kind, title=title)
    motion = meeting.motions.filter(title=MOTION).first()
    if motion is None:
        motion = submit_motion(
            actor=login_of(people[0]),
            meeting=meeting,
            title=MOTION,
            seconder_number=people[1].membership_number,
            notes="Private rents in Leeds rose by 11% in the last year.\n\n"
            "One in three of our members rents privately.",
            believes="Everyone deserves a secure, affordable home.",
            resolves="To start a tenants' union campaign in Chapeltown and Harehills.\n\n"
            "To ask the area meeting to support a city-wide campaign.",
            agenda_item=meeting.agenda_items.filter(kind=AgendaItemKind.MOTIONS).first(),
        )
    if motion.status == MotionStatus.AWAITING_SECONDER:
        motion = second_motion(actor=login_of(people[1]), motion=motion)
    amendment = motion.amendments.first()
    if amendment is None:
        amendment = propose_amendment(
            actor=login_of(people[2]),
            motion=motion,
            kind=AmendmentKind.REPLACE,
            paragraph=7,
            new_text="To start a tenants' union campaign in Chapeltown, Harehills and Burley, "
            "with the trades council.",
        )
    if motion.comments.exists():
        return
    made: list[Comment] = []
    for speaker, parent, on_amendment, body in DEBATE:
        made.append(
            post_comment(
                actor=login_of(people[speaker]),
                motion=motion,
                body=body,
                amendment=amendment if on_amendment else None,
                parent=made[parent] if parent is not None else None,
            )
        )


def _schedule_events(group: Group, chair: Member, coordinator: Member | None) -> None:
    """The street stall (by the branch's Chair) and the area meeting the branch sends
    delegates to (by the area's coordinator), through ``schedule_meeting``: each in its own
    durable transaction, each made once."""
    moment = clock.now().replace(minute=0, second=0, microsecond=0)
    if not Meeting.objects.filter(title=STALL).exists():
        schedule_meeting(
            actor=login_of(chair),
            title=STALL,
            level=ScopeLevel.GROUP,
            scope=group,
            starts_at=moment + 4 * DAY,
            ends_at=moment + 4 * DAY + datetime.timedelta(hours=2),
            kind=MeetingKind.STALL,
            format=MeetingFormat.IN_PERSON,
            address="Outside the library, Chapeltown Road, Leeds LS7",
            accessibility_notes=ACCESSIBILITY,
            capacity=12,
            description="Leaflets and the petition. Bring warm clothes.",
        )
    area_meeting = f"{group.area.name} area meeting"
    if coordinator is not None and not Meeting.objects.filter(title=area_meeting).exists():
        schedule_meeting(
            actor=login_of(coordinator),
            title=area_meeting,
            level=ScopeLevel.AREA,
            scope=group.area,
            starts_at=moment + 24 * DAY,
            ends_at=moment + 24 * DAY + datetime.timedelta(hours=2),
            motions_deadline=moment + 17 * DAY,
            format=MeetingFormat.ONLINE,
            online_link="https://meet.example.org/leeds-area",
            accessibility_notes=ACCESSIBILITY,
        )


def _seed_last_meeting(group: Group, chair: Member, people: list[Member]) -> None:
    """The last branch meeting, with a carried motion and published minutes: recorded as history
    through the one service that writes past meetings (audited as such), in its own durable
    transaction."""
    if Meeting.objects.filter(title=LAST_MEETING).exists():
        return
    moment = clock.now().replace(minute=0, second=0, microsecond=0)
    held = moment - 20 * DAY
    record_past_meeting(
        actor=login_of(chair),
        source="the demo: the branch's minutes of last month's meeting",
        title=LAST_MEETING,
        level=ScopeLevel.GROUP,
        scope=group,
        starts_at=held,
        ends_at=held + datetime.timedelta(hours=2),
        format=MeetingFormat.HYBRID,
        address="Leeds Trades Club, 9 Savile Mount, Chapeltown, Leeds LS7 3HZ",
        online_link="https://meet.example.org/leeds-central",
        motions=[
            PastMotion(
                title="Support the bus drivers' strike",
                text=structured_text(
                    "Bus drivers in Leeds are on strike over pay.",
                    "",
                    "To join their picket lines and collect for the strike fund.",
                ),
                proposer=people[9],
                seconder=people[10],
                result=OutcomeResult.CARRIED,
                votes_for=23,
                votes_against=1,
                votes_abstain=2,
            )
        ],
        minutes=(
            "Minutes of the Leeds Central branch meeting\n\n"
            "Present: 26 members (quorum 3: quorate).\n\n"
            "Motion 1: Support the bus drivers' strike. Carried (23 for, 1 against, "
            "2 abstaining).\n\nThe meeting closed at 9pm."
        ),
    )
