"""Reads of a meeting in session: its standing orders, who may vote and with what weight, the
open vote, the speakers' list in the order it will be called, and the live state the pages
(the attendee's page, the chair's console, the projector) draw and poll.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import hashlib
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.db import connection
from django.db.models import Count, Exists, F, Field, Max, OuterRef, Q, Subquery
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.assembly.kept import Kept
from grassroots.assembly.models import (
    LiveVote,
    Proxy,
    SpeakerRequest,
    SpeakerStatus,
    StandingOrders,
    VoteMark,
    Weighting,
)
from grassroots.assembly.speakers import Asker, speaking_order
from grassroots.delegation.models import AllocationLine, Delegate
from grassroots.meetings import queries as meetings
from grassroots.meetings.models import (
    Attendance,
    Meeting,
    MeetingStatus,
    Motion,
    MotionRevision,
    MotionStatus,
    Outcome,
)
from grassroots.organisation.permissions import Capability, group_ids_in, may
from grassroots.people.models import Member
from grassroots.rows import convert, converters_for, hot_cursor


def in_session_kind(meeting: Meeting) -> bool:
    """Meetings that take motions are run in session; campaign events are not."""
    return meeting.takes_motions and meeting.status != MeetingStatus.CANCELLED


def get_session_for(actor: User | AnonymousUser, meeting_id: int) -> Meeting:
    """The meeting, for someone who sees it; the same 404 for missing, not theirs or an event."""
    meeting = meetings.get_meeting_for(actor, meeting_id)
    if not in_session_kind(meeting):
        raise Http404(gettext("No such meeting."))
    return meeting


def standing_orders(meeting: Meeting) -> StandingOrders:
    found = StandingOrders.objects.filter(meeting=meeting).first()
    return found or StandingOrders(meeting=meeting, set_at=meeting.starts_at)


def attendance_of(meeting: Meeting, member: Member | None) -> Attendance | None:
    if member is None:
        return None
    return Attendance.objects.filter(meeting=meeting, member=member).first()


def weight_of(meeting: Meeting, member: Member, orders: StandingOrders) -> Fraction | None:
    """The weight ``member``'s vote carries, or None when they have no vote at this meeting.

    One member, one vote: every member in scope in good standing votes with weight 1. Weighted
    by delegation (the body's standing orders): only the meeting's current delegates vote, and
    each carries their group's members in good standing (as counted for the allocation) shared
    equally among its delegates, so a group's delegation votes its membership's weight."""
    if not meetings.is_in_scope(member, meeting):
        return None
    if orders.weighting != Weighting.DELEGATION:
        return Fraction(1)
    delegate = (
        Delegate.objects.filter(meeting=meeting, member=member, withdrawn_at__isnull=True)
        .only("group_id")
        .first()
    )
    if delegate is None:
        return None
    line = (
        AllocationLine.objects.filter(
            allocation__meeting=meeting,
            allocation__superseded_at__isnull=True,
            group_id=delegate.group_id,
        )
        .only("members", "delegates")
        .first()
    )
    if line is None or not line.delegates or not line.members:
        return Fraction(1)
    return Fraction(line.members, line.delegates)


def open_vote(meeting: Meeting) -> LiveVote | None:
    return LiveVote.objects.filter(meeting=meeting, closed_at__isnull=True).first()


def is_due(vote: LiveVote) -> bool:
    return vote.is_open and vote.closes_at is not None and vote.closes_at <= clock.now()


def closed_votes(meeting: Meeting) -> list[LiveVote]:
    return list(
        LiveVote.objects.filter(meeting=meeting, closed_at__isnull=False).order_by("-closed_at")
    )


def active_proxies(meeting: Meeting) -> list[Proxy]:
    return list(
        Proxy.objects.filter(meeting=meeting, revoked_at__isnull=True).select_related(
            "principal", "holder"
        )
    )


def proxies_held_by(meeting: Meeting, member: Member) -> list[Proxy]:
    return list(
        Proxy.objects.filter(meeting=meeting, holder=member, revoked_at__isnull=True)
        .select_related("principal")
        .order_by("principal__last_name")
    )


def proxy_given_by(meeting: Meeting, member: Member) -> Proxy | None:
    return (
        Proxy.objects.filter(meeting=meeting, principal=member, revoked_at__isnull=True)
        .select_related("holder")
        .first()
    )


def _asker(request: SpeakerRequest) -> Asker:
    return Asker(request.pk, request.member_id, request.side, request.gender)


def speakers_queue(meeting: Meeting, orders: StandingOrders | None = None) -> list[SpeakerRequest]:
    """Those waiting to speak, in the order the chair will call them."""
    orders = orders or standing_orders(meeting)
    requests = list(
        SpeakerRequest.objects.filter(meeting=meeting)
        .exclude(status=SpeakerStatus.WITHDRAWN)
        .select_related("member")
        .order_by("asked_at", "id")
    )
    waiting = [r for r in requests if r.status == SpeakerStatus.WAITING]
    spoken = [r for r in requests if r.status in (SpeakerStatus.DONE, SpeakerStatus.SPEAKING)]
    last = max(spoken, key=lambda r: (r.started_at or r.asked_at, r.pk), default=None)
    order = speaking_order(
        [_asker(r) for r in waiting],
        have_spoken={r.member_id for r in spoken},
        last=_asker(last) if last else None,
        balance=orders.balance,
        prefer_first_time=orders.prefer_first_time,
    )
    by_key = {r.pk: r for r in waiting}
    return [by_key[a.key] for a in order]


def current_speaker(meeting: Meeting) -> SpeakerRequest | None:
    return (
        SpeakerRequest.objects.filter(meeting=meeting, status=SpeakerStatus.SPEAKING)
        .select_related("member")
        .first()
    )


def speakers_done(meeting: Meeting) -> list[SpeakerRequest]:
    return list(
        SpeakerRequest.objects.filter(meeting=meeting, status=SpeakerStatus.DONE)
        .select_related("member", "motion")
        .order_by("started_at", "id")
    )


def seconds_left(request: SpeakerRequest | None) -> int | None:
    if request is None or request.started_at is None:
        return None
    ends = request.started_at + datetime.timedelta(seconds=request.seconds_allowed)
    return int((ends - clock.now()).total_seconds())


@dataclass
class LiveState:
    """What the live pages draw: the same for everyone, plus the viewer's own part."""

    meeting: Meeting
    orders: StandingOrders
    quorum: meetings.QuorumCheck
    online: int
    vote: LiveVote | None
    last_result: LiveVote | None
    speaker: SpeakerRequest | None
    speaker_seconds_left: int | None
    queue: list[SpeakerRequest]
    # The item before the meeting: the motion voted on, or else the first motion still open.
    current_motion: Motion | None = None
    # The viewer's part.
    member: Member | None = None
    attendance: Attendance | None = None
    weight: Fraction | None = None
    has_voted: bool = False
    proxies_held: list[Proxy] = field(default_factory=list)
    proxies_voted: set[int] = field(default_factory=set)
    proxy_given: Proxy | None = None
    my_request: SpeakerRequest | None = None

    @property
    def may_vote(self) -> bool:
        return self.attendance is not None and self.weight is not None

    @property
    def weight_shown(self) -> str:
        from grassroots.assembly.counting import show

        return show(self.weight) if self.weight is not None else ""


def _current_motion(meeting: Meeting, vote: LiveVote | None) -> Motion | None:
    if vote is not None and vote.motion_id is not None:
        return Motion.objects.filter(pk=vote.motion_id).first()
    return (
        Motion.objects.filter(
            meeting=meeting, status__in=[MotionStatus.SUBMITTED, MotionStatus.IN_ORDER]
        )
        .order_by("number")
        .first()
    )


def _read_shared(meeting: Meeting) -> LiveState:
    orders = standing_orders(meeting)
    vote = open_vote(meeting)
    closed = (
        LiveVote.objects.filter(meeting=meeting, closed_at__isnull=False)
        .order_by("-closed_at")
        .first()
    )
    speaker = current_speaker(meeting)
    return LiveState(
        meeting=meeting,
        orders=orders,
        quorum=meetings.quorum(meeting),
        online=Attendance.objects.filter(meeting=meeting, presence="online").count(),
        vote=vote,
        last_result=closed,
        speaker=speaker,
        speaker_seconds_left=None,
        queue=speakers_queue(meeting, orders),
        current_motion=_current_motion(meeting, vote),
    )


# What every viewer of a meeting sees, read once per state version in each worker process:
# after a change, 500 attendees' polls ask for the same state within three seconds, and without
# this each read it again (eleven queries). Keyed by the meeting's random uid (ids repeat across
# test databases) and the fingerprint, which changes whenever anything read here does, so an
# entry is never stale; the oldest entries go beyond SHARED_ENTRIES.
SHARED_ENTRIES = 64
_shared: Kept[tuple[str, str], LiveState] = Kept(SHARED_ENTRIES)


def _shared_state(meeting: Meeting, version: str | None) -> LiveState:
    if version is None:
        return _read_shared(meeting)
    key = (str(meeting.uid), version)
    found = _shared.get(key)
    if found is None:
        found = _read_shared(meeting)
        _shared.put(key, found)
    return dataclasses.replace(found, meeting=meeting)


def live_state(
    meeting: Meeting, member: Member | None = None, *, version: str | None = None
) -> LiveState:
    """The state the live pages draw. With ``version`` (``state_version``'s fingerprint, read
    in the same request) the part everyone shares comes from the process's cache for that
    version; the viewer's own part, and the speaker's time left, are read every time."""
    state = _shared_state(meeting, version)
    speaker = state.speaker
    state.speaker_seconds_left = seconds_left(speaker)
    if member is None:
        return state
    state.member = member
    if version is not None:
        _viewer_from_one_query(state, member, version)
    else:
        _viewer_by_orm(state, member)
    state.my_request = next((r for r in state.queue if r.member_id == member.pk), None)
    if state.my_request is None and speaker is not None and speaker.member_id == member.pk:
        state.my_request = speaker
    return state


def _proxies_of(state: LiveState, member: Member, proxies: list[Proxy]) -> None:
    """The viewer's proxies among ``proxies`` (the meeting's live ones, principal's surname
    first): the one they gave, and, when signed in, those they hold."""
    state.proxy_given = next((p for p in proxies if p.principal_id == member.pk), None)
    if state.attendance is not None:
        state.proxies_held = [p for p in proxies if p.holder_id == member.pk]


def _marks_of(state: LiveState, member: Member) -> None:
    if state.vote is None:
        return
    voted = set(
        VoteMark.objects.filter(
            vote=state.vote,
            member_id__in=[member.pk, *(p.principal_id for p in state.proxies_held)],
        ).values_list("member_id", flat=True)
    )
    state.has_voted = member.pk in voted
    state.proxies_voted = voted - {member.pk}


def _viewer_by_orm(state: LiveState, member: Member) -> None:
    """The viewer's part, a query for each piece (no fingerprint to cache against)."""
    meeting = state.meeting
    state.attendance = attendance_of(meeting, member)
    # Proxies given and held, in one query.
    proxies = list(
        Proxy.objects.filter(meeting=meeting, revoked_at__isnull=True)
        .filter(Q(holder=member) | Q(principal=member))
        .select_related("principal", "holder")
        .order_by("principal__last_name")
    )
    _proxies_of(state, member, proxies)
    if state.attendance is not None:
        state.weight = weight_of(meeting, member, state.orders)
    _marks_of(state, member)


def _viewer_from_one_query(state: LiveState, member: Member, version: str) -> None:
    """The viewer's part as ``_viewer_by_orm`` finds it, in one query: their attendance, their
    delegate seat's share of the group's weight, and whether they voted, read together
    (``viewer_values``); the meeting's live proxies and the groups in its scope from this
    process's cache for the fingerprint ``version`` (it changes with every proxy given or
    revoked). Only a viewer who holds proxies pays a second query, for their principals'
    votes. tests/assembly/test_pages.py holds the two ways equal."""
    meeting = state.meeting
    kept = _per_version(meeting, version)
    row = viewer_values(meeting.pk, member.pk, state.vote.pk if state.vote else None)
    if row is None:
        _proxies_of(state, member, kept.proxies)
        return
    attendance, delegate_group, line_members, line_delegates, voted = row
    state.attendance = attendance
    _proxies_of(state, member, kept.proxies)
    if not meetings.is_in_scope_of_groups(member, kept.group_ids):
        state.weight = None
    elif state.orders.weighting != Weighting.DELEGATION:
        state.weight = Fraction(1)
    elif delegate_group is None:
        state.weight = None
    elif not line_members or not line_delegates:
        state.weight = Fraction(1)
    else:
        state.weight = Fraction(line_members, line_delegates)
    if state.proxies_held:
        _marks_of(state, member)
    elif state.vote is not None:
        state.has_voted = bool(voted)


@dataclass(frozen=True)
class _PerVersion:
    proxies: list[Proxy]
    group_ids: list[int] | None


_per_versions: Kept[tuple[str, str], _PerVersion] = Kept(SHARED_ENTRIES)


def _per_version(meeting: Meeting, version: str) -> _PerVersion:
    """The meeting's live proxies (with both members) and the groups in its scope, read once
    per fingerprint in each process (as ``_shared_state``)."""
    key = (str(meeting.uid), version)
    found = _per_versions.get(key)
    if found is None:
        proxies = list(
            Proxy.objects.filter(meeting=meeting, revoked_at__isnull=True)
            .select_related("principal", "holder")
            .order_by("principal__last_name")
        )
        found = _PerVersion(proxies=proxies, group_ids=group_ids_in(meeting))
        _per_versions.put(key, found)
    return found


# Placeholders the viewer's query is built with once per process, replaced at each page.
_MEMBER_PLACEHOLDER = -917_263_549
_VOTE_PLACEHOLDER = -917_263_550


def _viewer_queryset(meeting_id: int, member_id: int, vote_id: int) -> Any:
    seat = Delegate.objects.filter(
        meeting_id=meeting_id, member_id=member_id, withdrawn_at__isnull=True
    ).values("group_id")[:1]
    lines = AllocationLine.objects.filter(
        allocation__meeting_id=meeting_id,
        allocation__superseded_at__isnull=True,
        group_id=Subquery(seat),
    )
    return Attendance.objects.filter(meeting_id=meeting_id, member_id=member_id).annotate(
        delegate_group=Subquery(seat),
        line_members=Subquery(lines.values("members")[:1]),
        line_delegates=Subquery(lines.values("delegates")[:1]),
        voted=Exists(VoteMark.objects.filter(vote_id=vote_id, member_id=member_id)),
    )


@functools.cache
def _viewer_sql(vendor: str) -> tuple[str, tuple[Any, ...]]:
    sql, params = _viewer_queryset(
        _MEETING_PLACEHOLDER, _MEMBER_PLACEHOLDER, _VOTE_PLACEHOLDER
    ).query.sql_with_params()
    return sql, tuple(params)


_ATTENDANCE_FIELDS = [f.attname for f in Attendance._meta.concrete_fields]


def viewer_values(
    meeting_id: int, member_id: int, vote_id: int | None
) -> tuple[Attendance, int | None, int | None, int | None, bool] | None:
    """``_viewer_queryset``'s one row, from its SQL built once: the member's attendance, the
    group of their delegate seat, that group's line in the current allocation (members,
    delegates) and whether they voted in ``vote_id``; None when they have not signed in."""
    sql, template = _viewer_sql(connection.vendor)
    values = {_MEETING_PLACEHOLDER: meeting_id, _MEMBER_PLACEHOLDER: member_id}
    values[_VOTE_PLACEHOLDER] = vote_id if vote_id is not None else 0
    params = [values.get(p, p) if isinstance(p, int) else p for p in template]
    with hot_cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        names = [column[0] for column in cursor.description or ()]
    if row is None:
        return None
    found = dict(zip(names, row, strict=True))
    fields = [f for f in Attendance._meta.concrete_fields if isinstance(f, Field)]
    converted = convert(
        [found[f.column] for f in fields], converters_for(Attendance, fields, "default"), "default"
    )
    attendance = Attendance.from_db("default", _ATTENDANCE_FIELDS, converted)
    return (
        attendance,
        found["delegate_group"],
        found["line_members"],
        found["line_delegates"],
        bool(found["voted"]),
    )


def meeting_links(actor: User | AnonymousUser, meeting: Meeting) -> list[tuple[str, str]]:
    """The meeting page's link into the session, for those who may use it; the live page links
    the chair's console and the desk's pages for those who may use them."""
    if not in_session_kind(meeting) or not may_see_session(actor, meeting):
        return []
    label = gettext("The meeting in session: vote, speak, proxies, projector")
    if may(actor, Capability.CHAIR_MEETING, meeting):
        label = gettext("The meeting in session: vote, speak, proxies, projector, chair's console")
    return [(label, reverse("assembly:live", args=[meeting.pk]))]


def may_see_session(actor: User | AnonymousUser, meeting: Meeting) -> bool:
    return may(actor, Capability.RUN_MEETINGS, meeting) or meetings.is_in_scope(
        meetings.member_of(actor), meeting
    )


def _one(queryset: Any, value: Any) -> Subquery:
    """One aggregate of rows of this meeting, as a subquery of the meeting's row."""
    return Subquery(
        queryset.filter(meeting=OuterRef("pk"))
        .order_by()
        .values("meeting")
        .annotate(value=value)
        .values("value")[:1]
    )


# Placeholders the fingerprint's SQL is built with once per process (the ORM spends more CPU
# building its ten subqueries than the database spends running them), then replaced by the
# meeting's id and the time at each poll.
_MEETING_PLACEHOLDER = -917_263_548
_TIME_PLACEHOLDER = datetime.datetime(2001, 2, 3, 4, 5, 6, 789, tzinfo=datetime.UTC)


def _version_queryset(meeting_id: int, moment: datetime.datetime, with_marks: bool) -> Any:
    open_votes = LiveVote.objects.filter(closed_at__isnull=True)
    columns: dict[str, Any] = {
        "votes": _one(LiveVote.objects.all(), Max("id")),
        "closed": _one(LiveVote.objects.filter(closed_at__isnull=False), Count("id")),
        "due": _one(open_votes.filter(closes_at__lte=moment), Count("id")),
        "asked": _one(SpeakerRequest.objects.all(), Max("id")),
        "started": _one(SpeakerRequest.objects.all(), Max("started_at")),
        "ended": _one(SpeakerRequest.objects.all(), Max("ended_at")),
        "left": _one(SpeakerRequest.objects.filter(status="withdrawn"), Count("id")),
        "proxies": _one(Proxy.objects.all(), Max("id")),
        "revoked": _one(Proxy.objects.filter(revoked_at__isnull=False), Count("id")),
        "present": _one(Attendance.objects.all(), Count("id")),
        # The meeting's random uid: ids repeat across databases (tests), fingerprints must not.
        "meeting_uid": F("uid"),
        # What the pages draw besides the session's own rows: the orders (the list's order),
        # outcomes recorded by hand or from a vote (the motion's status and text), and what
        # became of a vote's result (written just after its close).
        "orders": _one(StandingOrders.objects.all(), Max("set_at")),
        "decided": _one(Outcome.objects.all(), Count("id")),
        "noted": _one(LiveVote.objects.exclude(outcome_note=""), Count("id")),
        "revisions": Subquery(
            MotionRevision.objects.filter(motion__meeting=OuterRef("pk"))
            .order_by()
            .values("motion__meeting")
            .annotate(value=Max("id"))
            .values("value")[:1]
        ),
    }
    if with_marks:
        columns["marks"] = Subquery(
            VoteMark.objects.filter(vote__meeting=OuterRef("pk"), vote__closed_at__isnull=True)
            .order_by()
            .values("vote__meeting")
            .annotate(value=Count("id"))
            .values("value")[:1]
        )
    return Meeting.objects.filter(pk=meeting_id).values(**columns)


@functools.cache
def _version_sql(vendor: str, with_marks: bool) -> tuple[str, tuple[Any, ...]]:
    sql, params = _version_queryset(
        _MEETING_PLACEHOLDER, _TIME_PLACEHOLDER, with_marks
    ).query.sql_with_params()
    return sql, tuple(params)


def version_values(
    meeting_id: int, moment: datetime.datetime, *, with_marks: bool = False
) -> dict[str, Any]:
    """``_version_queryset``'s one row, from its SQL built once (tests hold the two equal)."""
    sql, template = _version_sql(connection.vendor, with_marks)
    placeholder_time = connection.ops.adapt_datetimefield_value(_TIME_PLACEHOLDER)
    at = connection.ops.adapt_datetimefield_value(moment)
    params = [
        meeting_id if p == _MEETING_PLACEHOLDER else at if p == placeholder_time else p
        for p in template
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        names = [column[0] for column in cursor.description or ()]
    return dict(zip(names, row or (), strict=False))


# What the viewer's own part of the live page (their ballot, their place on the speakers'
# list, their proxies) depends on besides their own actions (which reload the page): a vote
# opened, a speaker called or done, a proxy given or revoked (by the desk, too), the standing
# orders. Not who else signed in or asked to speak, which changes only the shared part; not a
# vote's close, which the shared part itself carries to every page (it empties #live-ballot).
MINE_PARTS = ("votes", "started", "ended", "proxies", "revoked", "orders")


@dataclass(frozen=True)
class Fingerprint:
    """``version``: changes whenever anything the live pages show does; ``mine``: whenever
    the viewer's own part may (``MINE_PARTS``); ``due``: the open vote's closing time has
    passed; ``uid``: the meeting's, or "" when there is no such meeting."""

    version: str
    mine: str
    due: bool
    uid: str


def _digest(parts: list[str]) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def fingerprint(meeting_id: int, *, with_marks: bool = False) -> Fingerprint:
    """The live pages' fingerprints in one query."""
    values = version_values(meeting_id, clock.now(), with_marks=with_marks)
    parts = [str(values.get(name)) for name in sorted(values) if name != "due"]
    mine = [str(values.get(name)) for name in MINE_PARTS]
    return Fingerprint(
        version=_digest(parts),
        mine=_digest(mine),
        due=bool(values.get("due")),
        uid=str(values.get("meeting_uid") or ""),
    )


def state_version(meeting_id: int, *, with_marks: bool = False) -> tuple[str, bool]:
    """A short fingerprint of what the live pages show, and whether the open vote's closing
    time has passed, in one query: a poll that finds nothing changed gets an empty 204
    instead of a page (most polls, most of the time). ``with_marks``: the projector also shows
    how many have voted so far."""
    found = fingerprint(meeting_id, with_marks=with_marks)
    return found.version, found.due


POLL_SALT = "grassroots.assembly.poll"
POLL_TOKEN_HOURS = 6


def poll_token(meeting: Meeting, user: User) -> str:
    """Signed into the poll's address by the full page, which checked who may see the
    meeting: a poll that brings it back for the same login skips that check (three queries)
    until something changes; a changed state is drawn by the full, checked path."""
    return signing.dumps([meeting.pk, user.pk], salt=POLL_SALT, compress=False)


def poll_token_holds(token: str, meeting_id: int, user: User) -> bool:
    try:
        value = signing.loads(token, salt=POLL_SALT, max_age=POLL_TOKEN_HOURS * 3600)
    except signing.BadSignature:
        return False
    return bool(value == [meeting_id, user.pk])
