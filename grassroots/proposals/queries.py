"""Reads of decisions between meetings that the pages, the API and the services share."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.meetings.models import Comment, CommentReport
from grassroots.meetings.queries import ThreadedComment, thread_comments
from grassroots.organisation.models import Area, Group, Region, ScopeLevel
from grassroots.organisation.permissions import (
    NATION,
    Capability,
    Nation,
    Scope,
    group_ids_in,
    may,
)
from grassroots.people.models import Member, MembershipStatus
from grassroots.people.queries import own_member
from grassroots.proposals.models import (
    Participant,
    Position,
    PositionChange,
    Proposal,
    ProposalRules,
    ProposalStatus,
    WhoMayPropose,
)

# Members and supporters of a body see its proposals; only members in good standing take part.
SEE_STATUSES = (MembershipStatus.MEMBER, MembershipStatus.SUPPORTER)


@dataclass(frozen=True)
class Body:
    """A body that decides: its level and its group, area or region (``NATION`` for the nation)."""

    level: str
    scope: Scope

    @property
    def name(self) -> str:
        return "National" if isinstance(self.scope, Nation) else str(self.scope)

    @property
    def key(self) -> str:
        """The body's part of a URL: ``group-<slug>``, ``area-<slug>``, ``region-<slug>``."""
        if isinstance(self.scope, Nation):
            return "nation"
        return f"{self.level}-{self.scope.slug}"

    @property
    def columns(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "group": self.scope if isinstance(self.scope, Group) else None,
            "area": self.scope if isinstance(self.scope, Area) else None,
            "region": self.scope if isinstance(self.scope, Region) else None,
        }

    @property
    def filter(self) -> Q:
        return Q(**self.columns)


def body_of(proposal: Proposal) -> Body:
    scope = proposal.group or proposal.area or proposal.region or NATION
    return Body(proposal.level, scope)


def body_of_group(group: Group) -> Body:
    return Body(ScopeLevel.GROUP, group)


def body_from_key(key: str) -> Body:
    """The body a URL names; 404 for anything else."""
    if key == "nation":
        return Body(ScopeLevel.NATION, NATION)
    level, _, slug = key.partition("-")
    models: dict[str, type[Group] | type[Area] | type[Region]] = {
        ScopeLevel.GROUP: Group,
        ScopeLevel.AREA: Area,
        ScopeLevel.REGION: Region,
    }
    model = models.get(level)
    found = model.objects.filter(slug=slug).first() if model is not None and slug else None
    if found is None:
        raise Http404(gettext("No such body."))
    return Body(level, found)


def bodies_above(body: Body) -> list[Body]:
    """The area and region a group's or an area's proposals sit under, nearest first."""
    if isinstance(body.scope, Group):
        area = body.scope.area
        return [Body(ScopeLevel.AREA, area), Body(ScopeLevel.REGION, area.region)]
    if isinstance(body.scope, Area):
        return [Body(ScopeLevel.REGION, body.scope.region)]
    return []


def rules_for(body: Body) -> ProposalRules:
    """The body's rules, or the defaults (unsaved) when it has set none."""
    found = ProposalRules.objects.filter(body.filter).first()
    return found or ProposalRules(**body.columns, updated_at=clock.now())


def _member_group_ids(member: Member) -> set[int]:
    return {member.home_group_id, *member.other_groups.values_list("id", flat=True)}


def belongs_to(member: Member | None, body: Body, statuses: tuple[str, ...] = SEE_STATUSES) -> bool:
    if member is None or member.status not in statuses or member.erased_at is not None:
        return False
    ids = group_ids_in(body.scope)
    return ids is None or bool(_member_group_ids(member) & set(ids))


def may_run(actor: User | AnonymousUser, body: Body | Proposal) -> bool:
    """The officers who run the body's meetings look after its decisions between them."""
    scope = body.scope if isinstance(body, Body) else body
    return bool(actor.is_authenticated) and may(actor, Capability.RUN_MEETINGS, scope)


def may_see_body(actor: User | AnonymousUser, body: Body) -> bool:
    return belongs_to(own_member(actor), body) or may_run(actor, body)


def may_propose(actor: User | AnonymousUser, body: Body) -> bool:
    if may_run(actor, body):
        return own_member(actor) is not None
    if rules_for(body).who_may_propose == WhoMayPropose.OFFICERS:
        return False
    return belongs_to(own_member(actor), body, (MembershipStatus.MEMBER,))


def get_proposal_for(actor: User | AnonymousUser, proposal_id: int) -> Proposal:
    """The proposal if ``actor`` may see it; the same 404 for missing and not allowed."""
    proposal = (
        Proposal.objects.select_related("group", "area", "region", "proposer", "previous")
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None or not may_see_body(actor, body_of(proposal)):
        raise Http404(gettext("No such proposal."))
    return proposal


def proposals_of(body: Body) -> QuerySet[Proposal]:
    return Proposal.objects.filter(body.filter).select_related("proposer")


def open_proposals(body: Body) -> QuerySet[Proposal]:
    return proposals_of(body).filter(status=ProposalStatus.OPEN).order_by("closes_at", "id")


def decision_log(body: Body) -> QuerySet[Proposal]:
    """The body's decisions between meetings: closed proposals, latest first."""
    return (
        proposals_of(body)
        .filter(status=ProposalStatus.CLOSED)
        .select_related("chosen_option", "scheduled_meeting")
        .order_by("-closed_at", "-id")
    )


def group_panel(group: Group, *, limit: int = 10) -> dict[str, Any]:
    """The group page's section: open proposals (how many, the soonest to close) and the latest
    decisions. Two queries whatever the number of members or proposals."""
    body = body_of_group(group)
    open_ones = list(
        Proposal.objects.filter(group=group, level=ScopeLevel.GROUP, status=ProposalStatus.OPEN)
        .only("id", "title", "process", "closes_at", "status")
        .order_by("closes_at", "id")[: limit + 1]
    )
    decided = list(
        Proposal.objects.filter(group=group, level=ScopeLevel.GROUP, status=ProposalStatus.CLOSED)
        .only("id", "title", "process", "closed_at", "result", "status", "closes_at")
        .order_by("-closed_at", "-id")[:3]
    )
    return {
        "body_key": body.key,
        "open_proposals": open_ones[:limit],
        "more_open": len(open_ones) > limit,
        "decided": decided,
    }


def is_participant(member: Member | None, proposal: Proposal) -> bool:
    return member is not None and (
        Participant.objects.filter(proposal=proposal, member=member).exists()
    )


def position_of(member: Member | None, proposal: Proposal) -> Position | None:
    if member is None:
        return None
    return Position.objects.filter(proposal=proposal, member=member).first()


def positions(proposal: Proposal) -> QuerySet[Position]:
    return (
        Position.objects.filter(proposal=proposal)
        .select_related("member")
        .order_by("updated_at", "id")
    )


def history(proposal: Proposal) -> QuerySet[PositionChange]:
    return PositionChange.objects.filter(proposal=proposal).select_related("member")


# --- the discussion: a meetings debate thread, with proposals deciding who takes part ---------


def may_discuss(actor: User | AnonymousUser, proposal: Proposal) -> bool:
    """Members and supporters of the body, and its officers, post and report in the discussion."""
    return belongs_to(own_member(actor), body_of(proposal)) or may_run(actor, proposal)


def discussion_open(proposal: Proposal) -> bool:
    """The discussion goes on after the close; an amended version's moves to the newest one."""
    return proposal.status != ProposalStatus.SUPERSEDED


def may_moderate(actor: User | AnonymousUser, proposal: Proposal) -> bool:
    return bool(actor.is_authenticated) and may(actor, Capability.MODERATE_DEBATE, proposal)


def discussion(proposal: Proposal, *, for_moderator: bool = False) -> list[ThreadedComment]:
    """The discussion threaded in reading order (empty before its first comment)."""
    return thread_comments(proposal.thread, for_moderator=for_moderator)


def get_comment_for(actor: User | AnonymousUser, proposal_id: int, comment_id: int) -> Comment:
    """A comment in the discussion of a proposal ``actor`` may see; the same 404 for a missing
    proposal, one not allowed, and a comment in another thread or a motion's debate."""
    proposal = get_proposal_for(actor, proposal_id)
    comment = (
        Comment.objects.select_related("author")
        .filter(pk=comment_id, thread__isnull=False, thread_id=proposal.thread_id)
        .first()
    )
    if comment is None:
        raise Http404(gettext("No such comment."))
    return comment


def open_reports(proposal: Proposal) -> QuerySet[CommentReport]:
    return (
        CommentReport.objects.filter(
            comment__thread__isnull=False,
            comment__thread_id=proposal.thread_id,
            resolved_at__isnull=True,
        )
        .select_related("comment__author", "reporter")
        .order_by("reported_at", "id")
    )


@dataclass(frozen=True)
class Turnout:
    eligible: int
    responded: int

    @property
    def percent(self) -> int:
        return self.responded * 100 // self.eligible if self.eligible else 0


def turnout(proposal: Proposal) -> Turnout:
    return Turnout(
        eligible=Participant.objects.filter(proposal=proposal).count(),
        responded=Position.objects.filter(proposal=proposal).count(),
    )


def not_responded(proposal: Proposal) -> QuerySet[Member]:
    """The participants with no position, for the officers' turnout page and the reminder."""
    responded = Position.objects.filter(proposal=proposal, member=OuterRef("pk"))
    return (
        Member.objects.filter(pk__in=Participant.objects.filter(proposal=proposal).values("member"))
        .exclude(Exists(responded))
        .order_by("last_name", "first_name", "pk")
    )


def taking_part(member: Member) -> QuerySet[Proposal]:
    """Open proposals ``member`` may take part in, soonest to close first."""
    return (
        Proposal.objects.filter(
            status=ProposalStatus.OPEN,
            pk__in=Participant.objects.filter(member=member).values("proposal"),
        )
        .select_related("group", "area", "region")
        .order_by("closes_at", "id")
    )


def awaiting(member: Member) -> QuerySet[Proposal]:
    """Open proposals ``member`` may take part in and has not (the home page's attention)."""
    return awaiting_of(member.pk, clock.now())


def awaiting_of(member_id: int, now: datetime.datetime) -> QuerySet[Proposal]:
    taken = Position.objects.filter(proposal=OuterRef("pk"), member_id=member_id)
    return (
        Proposal.objects.filter(
            status=ProposalStatus.OPEN,
            closes_at__gt=now,
            pk__in=Participant.objects.filter(member_id=member_id).values("proposal"),
        )
        .exclude(Exists(taken))
        .order_by("closes_at")
    )


def decided_between(
    body_filter: Q, after: datetime.datetime | None, until: datetime.datetime
) -> QuerySet[Proposal]:
    """Proposals of a body closed in (after, until]: what its minutes report as decided between
    meetings."""
    found = Proposal.objects.filter(body_filter, status=ProposalStatus.CLOSED, closed_at__lte=until)
    if after is not None:
        found = found.filter(closed_at__gt=after)
    return found.select_related("proposer", "chosen_option").order_by("closed_at", "id")
