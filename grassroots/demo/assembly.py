"""The demo's meetings in session.

- The Leeds area meeting (made by ``demo.meetings``, its delegates by ``demo.delegation``) gets
  standing orders for a delegate meeting: named votes weighted by delegation, two proxies per
  holder, speakers alternating for and against, three minutes each.
- The Yorkshire and the Humber regional delegate meeting is **in session** from the moment the
  demo is seeded, for two weeks (a meeting's live pages work only while it sits, and a demo is
  explored for days after it is seeded): sixteen delegates allocated by membership, most signed
  in (some online), one absent delegate's proxy entered by the desk for the demo member, Leeds
  Central's Chair speaking and its Data Manager waiting to speak, and a secret, weighted vote
  open on its motion, three delegates without a device having voted with printed codes. The
  regional coordinator's login chairs it, the demo member's login votes in it (for themselves
  and by proxy), and anyone who sees it can open its projector view.

Everything goes through the services the pages call: the meeting and its motion on the demo's
stepped clock (the region scheduled it a month before it sat, and the motion came before its
deadline), everything in session at the real time. Every step first looks whether it is done,
so seeding again changes nothing (docs/meetings.md, "A meeting in session").
"""

from __future__ import annotations

import datetime

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.assembly.models import Balance, LiveVote, StandingOrders, Weighting
from grassroots.assembly.services.codes import issue_codes, vote_with_code
from grassroots.assembly.services.orders import set_standing_orders
from grassroots.assembly.services.proxies import enter_proxies
from grassroots.assembly.services.speakers import ask_to_speak, call_next_speaker
from grassroots.assembly.services.votes import open_vote
from grassroots.delegation.models import Delegate
from grassroots.demo.clock import stepped_clock
from grassroots.demo.delegation import allocate_and_record
from grassroots.demo.people import (
    CHAIR_LOGIN,
    DATA_MANAGER_LOGIN,
    MEMBER_LOGIN,
    NATIONAL_LOGIN,
    REGIONAL_LOGIN,
    login_of,
)
from grassroots.meetings.models import (
    AgendaItemKind,
    Attendance,
    Meeting,
    MeetingFormat,
    Motion,
)
from grassroots.meetings.services.agenda import add_agenda_item
from grassroots.meetings.services.attendance import sign_in_member
from grassroots.meetings.services.motions import rule_motion, second_motion, submit_motion
from grassroots.meetings.services.scheduling import schedule_meeting
from grassroots.organisation.models import Region, Role, RoleAssignment, ScopeLevel
from grassroots.people.models import Member

AREA_MEETING = "Leeds area meeting"
REGION = "Yorkshire and the Humber"
REGIONAL_MEETING = "Yorkshire and the Humber regional delegate meeting"
REGIONAL_MOTION = "A regional tenants' union network"
SEATS = 16
SEED = 20261206  # the allocation's lot, if a small demo's counts tie for the last seat
IN_SESSION_FOR = datetime.timedelta(days=14)
ONLINE_EVERY = 4  # every fourth delegate signs in online
CODE_VOTERS = 3  # delegates in the room without a device, who vote with printed codes


def seed_demo_assembly() -> None:
    national = _login(NATIONAL_LOGIN.email)
    if national is None or national.user is None:
        return
    _area_meeting_orders(national.user)
    _regional_meeting_in_session(national.user)


def _login(email: str) -> Member | None:
    """A demo login's member, when it has its login."""
    member = Member.objects.filter(email=email).select_related("user").first()
    return member if member is not None and member.user is not None else None


def _area_meeting_orders(national: User) -> None:
    meeting = Meeting.objects.filter(level=ScopeLevel.AREA, title=AREA_MEETING).first()
    if meeting is None or StandingOrders.objects.filter(meeting=meeting).exists():
        return
    set_standing_orders(
        actor=national,
        meeting=meeting,
        secret_votes=False,
        weighting=Weighting.DELEGATION,
        proxies_per_holder=2,
        speaking_seconds=180,
        balance=Balance.SIDE,
        prefer_first_time=True,
    )


def _regional_meeting(region: Region, chair: User) -> Meeting:
    """The regional delegate meeting and its motion, as the region made them over the month
    before it sat: scheduled by the regional coordinator thirty days ago, a motion submitted by
    Leeds Central's Secretary and seconded by Sheffield Central's ten and nine days before it,
    ruled in order by the coordinator; each through the service the pages call, on the demo's
    stepped clock (``demo.clock``), so the meeting is in session when the seeding ends."""
    found = Meeting.objects.filter(level=ScopeLevel.REGION, title=REGIONAL_MEETING).first()
    if found is not None:
        return found
    moment = clock.now()
    start = moment.replace(second=0, microsecond=0) - datetime.timedelta(minutes=20)
    mover, seconder = (_secretary(name) for name in ("Leeds Central", "Sheffield Central"))
    with stepped_clock(moment - datetime.timedelta(days=30)) as advance:
        meeting = schedule_meeting(
            actor=chair,
            title=REGIONAL_MEETING,
            level=ScopeLevel.REGION,
            scope=region,
            starts_at=start,
            ends_at=start + IN_SESSION_FOR,
            motions_deadline=start - datetime.timedelta(days=7),
            format=MeetingFormat.HYBRID,
            address="Leeds Civic Hall, Calverley Street, Leeds LS1 1UR",
            online_link="https://meet.example.org/yorkshire-regional",
            accessibility_notes="Step-free entrance; hearing loop; live captions online.",
        )
        item = add_agenda_item(
            actor=chair, meeting=meeting, kind=AgendaItemKind.MOTIONS, title="Motions"
        )
        if mover is None or seconder is None:
            return meeting
        advance(start - datetime.timedelta(days=10) - clock.now())
        motion = submit_motion(
            actor=login_of(mover),
            meeting=meeting,
            title=REGIONAL_MOTION,
            seconder_number=seconder.membership_number,
            notes="Rents in the region's cities rose faster than wages for the third year running.",
            believes="Tenants win when they organise together across towns, not one street at a "
            "time.",
            resolves="To link the groups' tenants' unions into a regional network with a shared "
            "phone line.",
            agenda_item=item,
        )
        advance(datetime.timedelta(days=1))
        second_motion(actor=login_of(seconder), motion=motion)
        rule_motion(actor=chair, motion=motion, in_order=True)
    return meeting


def _secretary(group_name: str) -> Member | None:
    found = (
        RoleAssignment.objects.current()
        .filter(role=Role.SECRETARY, group__name=group_name, member__user__isnull=False)
        .select_related("member__user")
        .first()
    )
    return found.member if found is not None else None


def _regional_meeting_in_session(national: User) -> None:
    region = Region.objects.filter(name=REGION).first()
    coordinator = _login(REGIONAL_LOGIN.email)
    if region is None or coordinator is None or coordinator.user is None:
        return
    chair = coordinator.user
    meeting = _regional_meeting(region, chair)
    allocate_and_record(meeting, chair, seats=SEATS, seed=SEED, recorded_by=national)
    delegates = [
        d.member
        for d in Delegate.objects.filter(meeting=meeting, withdrawn_at__isnull=True)
        .select_related("member")
        .order_by("group__name", "member__membership_number")
    ]
    if len(delegates) < 2 + CODE_VOTERS + 1:
        return
    motion = Motion.objects.filter(meeting=meeting, title=REGIONAL_MOTION).first()
    if motion is None:
        return
    if not StandingOrders.objects.filter(meeting=meeting).exists():
        set_standing_orders(
            actor=chair,
            meeting=meeting,
            secret_votes=True,
            weighting=Weighting.DELEGATION,
            proxies_per_holder=2,
            speaking_seconds=180,
            balance=Balance.SIDE,
            prefer_first_time=True,
        )
    if LiveVote.objects.filter(meeting=meeting).exists():
        return
    member = next((d for d in delegates if d.email == MEMBER_LOGIN.email), None)
    absent = next(d for d in reversed(delegates) if d != member)
    present = [d for d in delegates if d != absent]
    speakers = [s for s in (_login(CHAIR_LOGIN.email), _login(DATA_MANAGER_LOGIN.email)) if s]
    signed_in = set(Attendance.objects.filter(meeting=meeting).values_list("member", flat=True))
    attendees = present + speakers
    for n, attendee in enumerate(dict.fromkeys(attendees)):
        if attendee.pk not in signed_in:
            sign_in_member(
                actor=chair,
                meeting=meeting,
                membership_number=attendee.membership_number,
                presence="online" if n % ONLINE_EVERY == ONLINE_EVERY - 1 else "room",
            )
    if member is not None:
        enter_proxies(
            actor=chair,
            meeting=meeting,
            text=f"{absent.membership_number} {member.membership_number}",
        )
    for speaker, side in zip(speakers, ("for", "against"), strict=False):
        if speaker.user is not None:
            ask_to_speak(actor=speaker.user, meeting=meeting, side=side, motion=motion)
    if speakers:
        call_next_speaker(actor=chair, meeting=meeting)
    open_vote(
        actor=chair,
        meeting=meeting,
        subject="motion",
        motion=motion,
        quorum_override="The demo's meeting goes on whatever the numbers",
    )
    without_device = [d for d in present if d != member][-CODE_VOTERS:]
    _, cards = issue_codes(
        actor=chair, meeting=meeting, numbers=[d.membership_number for d in without_device]
    )
    for n, card in enumerate(cards):
        vote_with_code(actor=chair, meeting=meeting, code=card.code, choice=[n % 2])
