"""Reads of meetings shared by the pages (and the JSON API): which meetings a person sees, who
may run, chair or moderate one, the quorum, and a motion's debate as a thread.

Permission-checked fetches (``get_*_for``) answer the same 404 for "missing" and "not allowed".
Who is in a meeting's scope: members (and, for seeing and RSVP, supporters) whose home group or
another of whose groups lies inside the body that holds it (a group, an area, a region, or the
nation). Taking part in debate (motions, seconding, amendments, comments, sign-in) needs
membership in good standing (``DEBATE_STATUSES``).
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.ballots.resolutions import CarriedMotion
from grassroots.meetings.models import (
    Amendment,
    AmendmentStatus,
    Attendance,
    BallotResult,
    Comment,
    CommentReport,
    CommentRevision,
    DebateThread,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    Motion,
    MotionStatus,
    Outcome,
    OutcomeResult,
    QuorumRule,
    QuorumRuleChange,
    Rsvp,
    RsvpResponse,
)
from grassroots.meetings.texts import DiffParagraph, diff_paragraphs
from grassroots.organisation.models import Area, Group, Region, ScopeLevel
from grassroots.organisation.permissions import (
    NATION,
    Capability,
    Nation,
    Scope,
    group_ids_in,
    may,
    scope_of,
    scopes_for,
)
from grassroots.people.models import Member, MembershipStatus
from grassroots.people.queries import own_member
from grassroots.people.standing import members_in_good_standing_on
from grassroots.rows import Prepared

# Who sees a body's meetings and may RSVP to its events; who may take part in its debates.
SEE_STATUSES = (MembershipStatus.MEMBER, MembershipStatus.SUPPORTER)
DEBATE_STATUSES = (MembershipStatus.MEMBER,)
# A body with no QuorumRule of its own: at least this many members present.
DEFAULT_QUORUM_MINIMUM = 3
# A calendar feed carries meetings that ended up to this long ago.
FEED_PAST = datetime.timedelta(days=60)
# Threads indent at most this deep on the page; deeper replies line up at the last level.
MAX_THREAD_DEPTH = 4


_MEMBER_ATTR = "_grassroots_meetings_member"
_GROUPS_ATTR = "_grassroots_meetings_group_ids"


def member_of(actor: User | AnonymousUser) -> Member | None:
    """The logged-in person's member record, read once per request and kept on the user."""
    if not getattr(actor, "is_authenticated", False):
        return None
    if not hasattr(actor, _MEMBER_ATTR):
        setattr(actor, _MEMBER_ATTR, own_member(actor))
    member: Member | None = getattr(actor, _MEMBER_ATTR)
    return member


def member_group_ids(member: Member) -> set[int]:
    """The member's home group and other groups (read once per member object)."""
    cached: set[int] | None = getattr(member, _GROUPS_ATTR, None)
    if cached is None:
        others = _OTHER_GROUPS.fetch(member.pk)
        cached = {member.home_group_id, *(int(getattr(row, "group_id")) for row in others)}  # noqa: B009
        setattr(member, _GROUPS_ATTR, cached)
    return cached


_OTHER_GROUPS = Prepared(lambda pk: Member.other_groups.through.objects.filter(member_id=pk), -1)


def members_in_scope(
    meeting: Meeting, statuses: Iterable[str] = DEBATE_STATUSES
) -> QuerySet[Member]:
    """The members of the meeting's body with one of ``statuses`` (home or other group)."""
    members = Member.objects.filter(status__in=list(statuses), erased_at__isnull=True)
    group_ids = group_ids_in(meeting)
    if group_ids is None:
        return members
    return members.filter(Q(home_group_id__in=group_ids) | Q(other_groups__in=group_ids)).distinct()


def members_in_good_standing_for(meeting: Meeting) -> QuerySet[Member]:
    """The members a quorum's percentage counts: for a meeting that has started, those in good
    standing on the day it started, from the status history (a member who lapsed since still
    counted then; one who joined since did not); for one still to come, those in good
    standing now."""
    if clock.now() < meeting.starts_at:
        return members_in_scope(meeting)
    day = timezone.localdate(meeting.starts_at)
    members = members_in_good_standing_on(day)
    group_ids = group_ids_in(meeting)
    if group_ids is None:
        return members
    return members.filter(Q(home_group_id__in=group_ids) | Q(other_groups__in=group_ids)).distinct()


def is_in_scope(
    member: Member | None, meeting: Meeting, statuses: Iterable[str] = DEBATE_STATUSES
) -> bool:
    if member is None or member.status not in set(statuses) or member.erased_at is not None:
        return False
    return is_in_scope_of_groups(member, group_ids_in(meeting), statuses)


def is_in_scope_of_groups(
    member: Member | None, group_ids: list[int] | None, statuses: Iterable[str] = DEBATE_STATUSES
) -> bool:
    """``is_in_scope`` for a meeting whose groups (``group_ids_in``) are known already."""
    if member is None or member.status not in set(statuses) or member.erased_at is not None:
        return False
    return group_ids is None or bool(member_group_ids(member) & set(group_ids))


# --- who may do what ----------------------------------------------------------------------------


def forward_of(motion: Motion) -> Any:
    """Where a carried motion was forwarded (the delegation app's ``MotionForward``, reached by
    its reverse relation so this app imports nothing of the bodies above it), or None."""
    return getattr(motion, "forward", None) if motion.status == MotionStatus.CARRIED else None


def may_forward(actor: User | AnonymousUser, motion: Motion) -> bool:
    """The permission the delegation app's forwarding asks (``FORWARD_MOTIONS`` over the
    meeting's body), for a carried motion not yet forwarded from below the nation."""
    return (
        motion.status == MotionStatus.CARRIED
        and motion.meeting.level != ScopeLevel.NATION
        and forward_of(motion) is None
        and may(actor, Capability.FORWARD_MOTIONS, motion.meeting)
    )


def scope_choices(actor: User | AnonymousUser) -> list[tuple[str, str]]:
    """The bodies ``actor`` may schedule meetings for, as form choices ("group:3", ...)."""
    scopes = scopes_for(actor, Capability.RUN_MEETINGS)
    if scopes.is_empty:
        return []
    choices: list[tuple[str, str]] = []
    if scopes.everywhere:
        choices.append(("nation", gettext("The whole movement (national)")))
        regions: Iterable[Region] = Region.objects.all()
        areas: Iterable[Area] = Area.objects.all()
        groups: Iterable[Group] = Group.objects.all()
    else:
        groups = Group.objects.filter(pk__in=scopes.group_ids)
        areas = Area.objects.filter(groups__in=scopes.group_ids).distinct()
        regions = Region.objects.filter(areas__groups__in=scopes.group_ids).distinct()
    choices += [
        (f"region:{r.pk}", f"Region: {r.name}")
        for r in regions
        if may(actor, Capability.RUN_MEETINGS, r)
    ]
    choices += [
        (f"area:{a.pk}", f"Area: {a.name}") for a in areas if may(actor, Capability.RUN_MEETINGS, a)
    ]
    choices += [(f"group:{g.pk}", f"Group: {g.name}") for g in groups]
    return choices


def scope_from_choice(value: str) -> tuple[str, Scope]:
    """The body a form choice names; ValueError when it is malformed or missing."""
    level, _, pk = value.partition(":")
    if level == ScopeLevel.NATION:
        return ScopeLevel.NATION, NATION
    if not pk.isdigit():
        raise ValueError(value)
    found: Group | Area | Region | None
    if level == ScopeLevel.GROUP:
        found = Group.objects.filter(pk=int(pk)).first()
    elif level == ScopeLevel.AREA:
        found = Area.objects.filter(pk=int(pk)).first()
    elif level == ScopeLevel.REGION:
        found = Region.objects.filter(pk=int(pk)).first()
    else:
        raise ValueError(value)
    if found is None:
        raise ValueError(value)
    return level, found


def same_body(meeting: Meeting) -> Q:
    """Rows (meetings, quorum rules) that belong to the body holding ``meeting``."""
    columns: dict[str, Any] = {
        "level": meeting.level,
        "group_id": meeting.group_id,
        "area_id": meeting.area_id,
        "region_id": meeting.region_id,
    }
    return Q(**columns)


# --- which meetings a person sees ---------------------------------------------------------------


@dataclass
class _Visible:
    """The bodies whose meetings someone sees: all, none, or their groups (theirs and those
    they run meetings for) with the groups' areas and regions (read only when asked)."""

    everything: bool = False
    nothing: bool = False
    group_ids: frozenset[int] = frozenset()
    member: Member | None = None
    _bodies: list[tuple[int, int | None]] | None = None

    def bodies(self) -> tuple[set[int], set[int]]:
        if self._bodies is None:
            self._bodies = _bodies_of(set(self.group_ids), self.member)
        areas = {area_id for area_id, _ in self._bodies}
        # None (an area outside any region) matches no meeting, in SQL's IN as here.
        regions = {region_id for _, region_id in self._bodies if region_id is not None}
        return areas, regions

    def q(self) -> Q:
        areas, regions = self.bodies()
        return (
            Q(level=ScopeLevel.NATION)
            | Q(group_id__in=self.group_ids)
            | Q(area_id__in=areas)
            | Q(region_id__in=regions)
        )

    def covers(self, meeting: Meeting) -> bool:
        if self.everything:  # q() asked of one meeting already read
            return True
        if self.nothing:
            return False
        if meeting.level == ScopeLevel.NATION or meeting.group_id in self.group_ids:
            return True
        if meeting.area_id is None and meeting.region_id is None:
            return False
        areas, regions = self.bodies()
        return meeting.area_id in areas or meeting.region_id in regions


def _visible_to(actor: User | AnonymousUser) -> _Visible:
    if not getattr(actor, "is_authenticated", False):
        return _Visible(nothing=True)
    runs = scopes_for(actor, Capability.RUN_MEETINGS)
    if runs.everywhere:
        return _Visible(everything=True)
    group_ids = set(runs.group_ids)
    member = member_of(actor)
    if member is not None and member.status in SEE_STATUSES:
        group_ids |= member_group_ids(member)
    elif not group_ids:
        return _Visible(nothing=True)
    return _Visible(group_ids=frozenset(group_ids), member=member)


def meetings_visible_to(actor: User | AnonymousUser) -> QuerySet[Meeting]:
    """Meetings of the bodies ``actor`` belongs to (their groups, those groups' areas and
    regions, and the nation) or runs meetings for."""
    visible = _visible_to(actor)
    if visible.nothing:
        return Meeting.objects.none()
    base = Meeting.objects.select_related("group", "area", "region")
    if visible.everything:
        return base
    return base.filter(visible.q())


# One meeting as the session's pages and the meeting's own read it: SQL compiled once.
_MEETING = Prepared(
    lambda pk: Meeting.objects.select_related("group", "area", "region").filter(pk=pk), -1
)


def _bodies_of(group_ids: set[int], member: Member | None) -> list[tuple[int, int | None]]:
    """(area, region) of each of ``group_ids`` that lies in an area. One query for both: every
    meetings page asks this, so each round trip counts; none when the only group is the
    member's home group, whose area and region ``own_member`` read with the member."""
    if member is not None and group_ids == {member.home_group_id}:
        home = Member.home_group.field.get_cached_value(member, None)  # read with the member?
        area = Group.area.field.get_cached_value(home, None) if home is not None else None
        if isinstance(area, Area):
            return [(area.pk, area.region_id)]
    return list(Group.objects.filter(pk__in=group_ids).values_list("area_id", "area__region_id"))


def upcoming_meetings_for(actor: User | AnonymousUser) -> QuerySet[Meeting]:
    return meetings_visible_to(actor).filter(ends_at__gte=clock.now()).order_by("starts_at")


def past_meetings_for(actor: User | AnonymousUser) -> QuerySet[Meeting]:
    return meetings_visible_to(actor).filter(ends_at__lt=clock.now()).order_by("-starts_at")


def get_meeting_for(actor: User | AnonymousUser, meeting_id: int) -> Meeting:
    """The meeting, when ``actor`` sees it (``meetings_visible_to``: the meeting read by its
    id, then asked the same question of its body); 404 alike for missing and not theirs."""
    visible = _visible_to(actor)
    found = [] if visible.nothing else _MEETING.fetch(meeting_id)
    meeting = found[0] if found and visible.covers(found[0]) else None
    if meeting is None:
        raise Http404(gettext("No such meeting."))
    return meeting


def motions_visible_to(actor: User | AnonymousUser, meeting: Meeting) -> QuerySet[Motion]:
    """A motion is public to the meeting's members once seconded; before that only its proposer,
    its named seconder and the officers see it."""
    motions = Motion.objects.filter(meeting=meeting).select_related("proposer", "seconder")
    if may(actor, Capability.RUN_MEETINGS, meeting):
        return motions
    member = member_of(actor)
    mine = Q(proposer=member) | Q(seconder=member) if member else Q(pk__in=[])
    return motions.filter(~Q(status=MotionStatus.AWAITING_SECONDER) | mine)


def get_motion_for(actor: User | AnonymousUser, meeting_id: int, motion_id: int) -> Motion:
    meeting = get_meeting_for(actor, meeting_id)
    motion = motions_visible_to(actor, meeting).filter(pk=motion_id).first()
    if motion is None:
        raise Http404(gettext("No such motion."))
    motion.meeting = meeting
    return motion


def get_amendment_for(
    actor: User | AnonymousUser, meeting_id: int, motion_id: int, amendment_id: int
) -> Amendment:
    motion = get_motion_for(actor, meeting_id, motion_id)
    amendment = motion.amendments.select_related("proposer").filter(pk=amendment_id).first()
    if amendment is None:
        raise Http404(gettext("No such amendment."))
    amendment.motion = motion
    return amendment


def get_comment_for(
    actor: User | AnonymousUser, meeting_id: int, motion_id: int, comment_id: int
) -> Comment:
    motion = get_motion_for(actor, meeting_id, motion_id)
    comment = motion.comments.select_related("author").filter(pk=comment_id).first()
    if comment is None:
        raise Http404(gettext("No such comment."))
    comment.motion = motion
    return comment


def motions_awaiting_my_seconding(actor: User | AnonymousUser) -> QuerySet[Motion]:
    member = member_of(actor)
    if member is None:
        return Motion.objects.none()
    return Motion.objects.filter(
        seconder=member, status=MotionStatus.AWAITING_SECONDER
    ).select_related("meeting", "proposer")


# --- deadlines and states -----------------------------------------------------------------------


def motions_open(meeting: Meeting) -> bool:
    """Are motions and amendments still being taken for this meeting?"""
    return (
        meeting.takes_motions
        and meeting.status == MeetingStatus.SCHEDULED
        and meeting.motions_deadline is not None
        and clock.now() <= meeting.motions_deadline
    )


def debate_open(motion: Motion) -> bool:
    """Is the online debate on this motion still open for comments?"""
    return (
        not motion.is_closed
        and motion.status != MotionStatus.AWAITING_SECONDER
        and motion.debate_closed_at is None
        and motion.meeting.status == MeetingStatus.SCHEDULED
    )


def has_started(meeting: Meeting) -> bool:
    return clock.now() >= meeting.starts_at


# Members may sign themselves in from an hour before the start until the meeting ends.
SIGN_IN_OPENS_BEFORE_MINUTES = 60


def sign_in_open(meeting: Meeting) -> bool:
    moment = clock.now()
    opens = meeting.starts_at - datetime.timedelta(minutes=SIGN_IN_OPENS_BEFORE_MINUTES)
    return meeting.status != MeetingStatus.CANCELLED and opens <= moment <= meeting.ends_at


# --- quorum and attendance ----------------------------------------------------------------------


@dataclass(frozen=True)
class QuorumCheck:
    present: int
    required: int
    members_in_scope: int
    minimum_present: int
    percent_of_members: int
    rule_is_default: bool
    # The body's rule has changed since the meeting started; the meeting keeps the old one.
    rule_changed_since: bool = False

    @property
    def is_quorate(self) -> bool:
        return self.present >= self.required


@dataclass(frozen=True)
class QuorumTerms:
    """A quorum rule's two numbers; ``is_default`` when the body has no rule of its own."""

    minimum_present: int
    percent_of_members: int
    is_default: bool


DEFAULT_QUORUM = QuorumTerms(
    minimum_present=DEFAULT_QUORUM_MINIMUM, percent_of_members=0, is_default=True
)


def body_filter(level: str, body: Scope) -> Q:
    """Rows (quorum rules and their changes) that belong to one body."""
    if level == ScopeLevel.NATION:
        return Q(level=ScopeLevel.NATION)
    return Q(level=level, **{f"{level}_id": None if isinstance(body, Nation) else body.pk})


def current_quorum_terms(level: str, body: Scope) -> QuorumTerms:
    rule = QuorumRule.objects.filter(body_filter(level, body)).first()
    if rule is None:
        return DEFAULT_QUORUM
    return QuorumTerms(rule.minimum_present, rule.percent_of_members, is_default=False)


def get_quorum_body_for(
    actor: User | AnonymousUser, level: str, body_id: int | None
) -> tuple[str, Scope]:
    """The body whose quorum rule ``actor`` may change; the same 404 for a body that does not
    exist and one that is not theirs."""
    body: Scope | None = NATION
    pk = body_id or 0
    if level == ScopeLevel.GROUP:
        body = Group.objects.filter(pk=pk).first()
    elif level == ScopeLevel.AREA:
        body = Area.objects.filter(pk=pk).first()
    elif level == ScopeLevel.REGION:
        body = Region.objects.filter(pk=pk).first()
    elif level != ScopeLevel.NATION or body_id is not None:
        raise Http404(gettext("No such body."))
    if body is None or not may(actor, Capability.SET_QUORUM, body):
        raise Http404(gettext("No such body."))
    return level, body


def quorum_rule_url(actor: User | AnonymousUser, meeting: Meeting) -> str | None:
    """The link to the meeting's body's quorum rule, for those who may change it."""
    body = scope_of(meeting)
    if not may(actor, Capability.SET_QUORUM, body):
        return None
    if isinstance(body, Nation):
        return reverse("meetings:quorum_rule_national")
    return reverse("meetings:quorum_rule", args=[meeting.level, body.pk])


def quorum_history(level: str, body: Scope) -> QuerySet[QuorumRuleChange]:
    """Every change of the body's rule, newest first."""
    return QuorumRuleChange.objects.filter(body_filter(level, body)).order_by("-changed_at", "-id")


def quorum_rule_in_force(meeting: Meeting) -> QuorumTerms:
    """The body's rule as it stood when ``meeting`` started (for a meeting still to come, the
    rule now). A rule changed during or after a meeting does not apply to it: the last change
    made before the start gives the rule; with none, the first change made since gives the
    rule it replaced; with no change at all, the rule now."""
    changes = quorum_history(meeting.level, scope_of(meeting))
    before = changes.filter(changed_at__lt=meeting.starts_at).first()
    if before is not None:
        return QuorumTerms(before.minimum_present, before.percent_of_members, is_default=False)
    since = changes.order_by("changed_at", "id").first()
    if since is not None:
        if since.previous_minimum_present is None:
            return DEFAULT_QUORUM
        return QuorumTerms(
            since.previous_minimum_present,
            since.previous_percent_of_members or 0,
            is_default=False,
        )
    return current_quorum_terms(meeting.level, scope_of(meeting))


def quorum(meeting: Meeting) -> QuorumCheck:
    """The body's quorum rule in force when the meeting started, against those signed in: at
    least the rule's minimum, and at least its percentage of members in good standing (rounded
    up), whichever is more."""
    terms = quorum_rule_in_force(meeting)
    minimum, percent = terms.minimum_present, terms.percent_of_members
    in_scope = members_in_good_standing_for(meeting).count() if percent else 0
    required = max(minimum, math.ceil(in_scope * percent / 100))
    present = Attendance.objects.filter(meeting=meeting).count()
    return QuorumCheck(
        present=present,
        required=required,
        members_in_scope=in_scope,
        minimum_present=minimum,
        percent_of_members=percent,
        rule_is_default=terms.is_default,
        rule_changed_since=terms != current_quorum_terms(meeting.level, scope_of(meeting)),
    )


def attendance_list(meeting: Meeting) -> QuerySet[Attendance]:
    """Who signed in (names only: the meeting's own record of who was there)."""
    return Attendance.objects.filter(meeting=meeting).select_related("member", "signed_in_by")


def has_signed_in(actor: User | AnonymousUser, meeting: Meeting) -> bool:
    member = member_of(actor)
    return member is not None and Attendance.objects.filter(meeting=meeting, member=member).exists()


# --- RSVP ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RsvpSummary:
    going: int
    capacity: int | None
    mine: str | None

    @property
    def places_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.going, 0)

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.going >= self.capacity


def rsvp_summary(actor: User | AnonymousUser, meeting: Meeting) -> RsvpSummary:
    member = member_of(actor)
    mine = (
        Rsvp.objects.filter(meeting=meeting, member=member)
        .values_list("response", flat=True)
        .first()
        if member
        else None
    )
    going = Rsvp.objects.filter(meeting=meeting, response=RsvpResponse.GOING).count()
    return RsvpSummary(going=going, capacity=meeting.capacity, mine=mine)


# --- the debate ---------------------------------------------------------------------------------


class DebateComment(NamedTuple):
    """What the debate page shows of one comment and its author, read as a plain row: building
    a model instance for each comment and its author cost more than drawing the comment."""

    pk: int
    parent_id: int | None
    amendment_id: int | None
    author_id: int
    author_first_name: str
    author_last_name: str
    body: str
    created_at: datetime.datetime
    edited_at: datetime.datetime | None
    status: str
    moderation_reason: str
    open_reports: int


@dataclass(slots=True)
class ThreadedComment:
    comment: DebateComment
    depth: int
    open_reports: int = 0


# The columns of DebateComment, in its order (the open reports are counted separately).
THREAD_FIELDS = (
    "id",
    "parent_id",
    "amendment_id",
    "author_id",
    "author__first_name",
    "author__last_name",
    "body",
    "created_at",
    "edited_at",
    "status",
    "moderation_reason",
)


def debate_thread(
    motion: Motion, *, amendment: Amendment | None = None, for_moderator: bool = False
) -> list[ThreadedComment]:
    """The comments on the motion (or on one amendment), threaded and flattened in reading
    order, each with its depth. One query however many comments there are."""
    comments = Comment.objects.filter(motion=motion).order_by("created_at", "id")
    if amendment is not None:
        comments = comments.filter(amendment=amendment)
    return _threaded(comments, for_moderator=for_moderator)


def thread_comments(
    thread: DebateThread | None, *, for_moderator: bool = False
) -> list[ThreadedComment]:
    """The comments in another app's thread (none before its first), as ``debate_thread``."""
    if thread is None:
        return []
    comments = Comment.objects.filter(thread=thread).order_by("created_at", "id")
    return _threaded(comments, for_moderator=for_moderator)


def _threaded(comments: QuerySet[Comment], *, for_moderator: bool) -> list[ThreadedComment]:
    rows: list[DebateComment]
    if for_moderator:
        counted = comments.annotate(
            open_report_count=Count("reports", filter=Q(reports__resolved_at__isnull=True))
        )
        rows = [
            DebateComment._make(row)
            for row in counted.values_list(*THREAD_FIELDS, "open_report_count")
        ]
    else:
        rows = [DebateComment._make((*row, 0)) for row in comments.values_list(*THREAD_FIELDS)]
    by_parent: dict[int | None, list[DebateComment]] = defaultdict(list)
    ids = {c.pk for c in rows}
    for comment in rows:
        parent = comment.parent_id if comment.parent_id in ids else None
        by_parent[parent].append(comment)
    flat: list[ThreadedComment] = []
    stack: list[tuple[DebateComment, int]] = [(c, 0) for c in reversed(by_parent[None])]
    while stack:
        comment, depth = stack.pop()
        flat.append(ThreadedComment(comment, min(depth, MAX_THREAD_DEPTH), comment.open_reports))
        stack.extend((c, depth + 1) for c in reversed(by_parent[comment.pk]))
    return flat


def comment_history(comment: Comment) -> QuerySet[CommentRevision]:
    return CommentRevision.objects.filter(comment=comment)


def open_reports(meeting: Meeting) -> QuerySet[CommentReport]:
    return (
        CommentReport.objects.filter(comment__motion__meeting=meeting, resolved_at__isnull=True)
        .select_related("comment__author", "comment__motion", "reporter")
        .order_by("reported_at")
    )


@dataclass(frozen=True)
class AmendmentView:
    amendment: Amendment
    diff: list[DiffParagraph]


def amendment_diff(amendment: Amendment) -> list[DiffParagraph]:
    """What the amendment does to the text it was written against."""
    from grassroots.meetings.texts import AmendmentDoesNotApply, apply_amendment

    try:
        after = apply_amendment(
            amendment.base_text, amendment.kind, amendment.paragraph, amendment.new_text
        )
    except AmendmentDoesNotApply:
        after = amendment.base_text
    return diff_paragraphs(amendment.base_text, after)


def amendments_with_diffs(motion: Motion) -> list[AmendmentView]:
    amendments = motion.amendments.select_related("proposer").order_by("number")
    return [AmendmentView(a, amendment_diff(a)) for a in amendments]


def open_amendments(motion: Motion) -> QuerySet[Amendment]:
    return motion.amendments.filter(status=AmendmentStatus.PROPOSED)


# --- minutes ------------------------------------------------------------------------------------


def minutes_for(actor: User | AnonymousUser, meeting: Meeting) -> Minutes | None:
    """The minutes if ``actor`` may read them: members once published, officers always."""
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes is None:
        return None
    if minutes.status == MinutesStatus.PUBLISHED or may(actor, Capability.RUN_MEETINGS, meeting):
        return minutes
    return None


def later_meetings_of_body(meeting: Meeting) -> QuerySet[Meeting]:
    """Meetings of the same body after this one, where its minutes may be approved."""
    return (
        Meeting.objects.filter(same_body(meeting), starts_at__gt=meeting.starts_at)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("starts_at")
    )


def ballot_result(motion: Motion) -> BallotResult | None:
    """The published result of the ballot the motion was sent to, once written back."""
    if motion.ballot_id is None:
        return None
    return BallotResult.objects.filter(motion=motion).first()


def minutes_addenda(meeting: Meeting) -> list[BallotResult]:
    """Ballot results published after the meeting's minutes were approved, shown after them."""
    return list(
        BallotResult.objects.filter(motion__meeting=meeting, is_addendum=True).select_related(
            "motion"
        )
    )


class CarriedMotions:
    """The motions groups' own meetings carried, lent to ballots (grassroots.ballots.resolutions)
    so a group's support for a nomination can cite the resolution."""

    def _query(self) -> QuerySet[Outcome]:
        return Outcome.objects.filter(
            meeting__level=ScopeLevel.GROUP,
            motion__isnull=False,
            result=OutcomeResult.CARRIED,
        ).select_related("meeting__group", "motion")

    @staticmethod
    def _as_carried(outcome: Outcome) -> CarriedMotion:
        from django.urls import reverse
        from django.utils import timezone

        meeting, motion = outcome.meeting, outcome.motion
        assert motion is not None and meeting.group_id is not None
        held_on = timezone.localdate(meeting.starts_at)
        return CarriedMotion(
            outcome_id=outcome.pk,
            group_id=meeting.group_id,
            held_on=held_on,
            label=gettext("%(title)s, %(held_on)s: motion %(number)s, %(motion)s")
            % {
                "title": meeting.title,
                "held_on": f"{held_on:%-d %b %Y}",
                "number": motion.number,
                "motion": motion.title,
            },
            url=reverse("meetings:motion_detail", args=[meeting.pk, motion.pk]),
        )

    def carried_motions(self, group_ids: list[int], since: datetime.date) -> list[CarriedMotion]:
        outcomes = self._query().filter(
            meeting__group_id__in=group_ids, meeting__starts_at__date__gte=since
        )
        return [self._as_carried(o) for o in outcomes.order_by("-meeting__starts_at")[:200]]

    def carried_motion(self, outcome_id: int) -> CarriedMotion | None:
        outcome = self._query().filter(pk=outcome_id).first()
        return self._as_carried(outcome) if outcome is not None else None
