"""Reads of draws by lot shared by the pages. Permission-checked fetches answer the same 404
for "missing" and "not allowed"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404

from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record
from grassroots.organisation.models import ScopeLevel
from grassroots.organisation.permissions import Capability, group_ids_in, may, scopes_for
from grassroots.people.models import Member, MembershipStatus
from grassroots.people.queries import own_member
from grassroots.sortition.draw import Pool, Quota, QuotasInfeasible, SortitionError, check_feasible
from grassroots.sortition.draw import Volunteer as DrawVolunteer
from grassroots.sortition.models import Draw, DrawStatus, Volunteer
from grassroots.sortition.record import DrawRecord, Replacement, record_to_json
from grassroots.sortition.words import quota_in_words, reason_in_words


def is_in_scope(draw: Draw, member: Member | None) -> bool:
    """Is the member's home group inside the draw's scope?"""
    if member is None:
        return False
    group_ids = group_ids_in(draw)
    return group_ids is None or member.home_group_id in group_ids


def may_volunteer(draw: Draw, member: Member | None) -> bool:
    return (
        member is not None
        and member.status == MembershipStatus.MEMBER
        and is_in_scope(draw, member)
    )


def _scope_filter(member: Member) -> Q:
    group = member.home_group
    return (
        Q(level=ScopeLevel.NATION)
        | Q(level=ScopeLevel.GROUP, group_id=group.pk)
        | Q(level=ScopeLevel.AREA, area_id=group.area_id)
        | Q(level=ScopeLevel.REGION, region_id=group.area.region_id)
    )


def _run_filter(actor: User | AnonymousUser) -> Q | None:
    scopes = scopes_for(actor, Capability.RUN_SORTITION)
    if scopes.is_empty:
        return None
    if scopes.everywhere:
        return Q()
    return Q(level=ScopeLevel.GROUP, group_id__in=scopes.group_ids)


def draws_visible_to(actor: User | AnonymousUser) -> QuerySet[Draw]:
    """Draws in the actor's home group's scope, and those the actor runs."""
    member = own_member(actor)
    condition = Q(pk__in=[])
    if member is not None:
        condition |= _scope_filter(member)
    run = _run_filter(actor)
    if run is not None:
        condition |= run
    found = Draw.objects.filter(condition).select_related("group", "area", "region")
    if run is not None and not scopes_for(actor, Capability.RUN_SORTITION).everywhere:
        # Area and region draws the actor runs without living there.
        extra = [
            d.pk
            for d in Draw.objects.exclude(pk__in=found)
            if may(actor, Capability.RUN_SORTITION, d)
        ]
        found = Draw.objects.filter(Q(pk__in=found) | Q(pk__in=extra)).select_related(
            "group", "area", "region"
        )
    return found


def get_draw_for(actor: User | AnonymousUser, draw_id: int) -> Draw:
    draw = Draw.objects.select_related("group", "area", "region").filter(pk=draw_id).first()
    if draw is None or not (
        is_in_scope(draw, own_member(actor)) or may(actor, Capability.RUN_SORTITION, draw)
    ):
        raise Http404("No such draw.")
    return draw


def get_draw_to_run(actor: User | AnonymousUser, draw_id: int) -> Draw:
    draw = Draw.objects.select_related("group", "area", "region").filter(pk=draw_id).first()
    if draw is None or not may(actor, Capability.RUN_SORTITION, draw):
        raise Http404("No such draw.")
    return draw


def own_volunteering(actor: User | AnonymousUser, draw: Draw) -> Volunteer | None:
    member = own_member(actor)
    if member is None:
        return None
    return Volunteer.objects.filter(draw=draw, member=member).first()


def pool_of(draw: Draw) -> Pool:
    return Pool(
        seats=draw.seats,
        categories=tuple(draw.category_names),
        volunteers=tuple(
            DrawVolunteer(id=v.pseudonym, categories=dict(v.categories))
            for v in Volunteer.objects.filter(draw=draw).order_by("pseudonym")
        ),
        quotas=tuple(
            Quota(
                category=q["category"],
                value=q["value"],
                minimum=q["minimum"],
                maximum=q["maximum"],
            )
            for q in draw.quotas
        ),
    )


def draw_record(draw: Draw) -> DrawRecord:
    """The published record: pseudonyms and category values only."""
    return DrawRecord(
        title=draw.title,
        pool=pool_of(draw),
        commitment=draw.commitment,
        seed=draw.seed or None,
        selection=tuple(draw.selection) if draw.status == DrawStatus.DRAWN else None,
        replacements=tuple(
            Replacement(standing_down=tuple(r["standing_down"]), chosen=tuple(r["chosen"]))
            for r in draw.replacements
        ),
    )


def draw_record_json(draw: Draw) -> dict[str, Any]:
    return record_to_json(draw_record(draw))


def quota_problems(draw: Draw) -> list[str]:
    """Why the volunteers so far cannot meet the quotas (empty when they can)."""
    try:
        check_feasible(pool_of(draw))
    except QuotasInfeasible as error:
        return [reason_in_words(reason) for reason in error.reasons]
    except SortitionError as error:
        return [str(error)]
    return []


@dataclass(frozen=True)
class CategoryCount:
    category: str
    value: str
    volunteers: int
    quota: str


def volunteer_counts(draw: Draw) -> list[CategoryCount]:
    """How many volunteered with each category value (counts only: no one is named)."""
    counts: dict[tuple[str, str], int] = {}
    for values in Volunteer.objects.filter(draw=draw).values_list("categories", flat=True):
        for category, value in values.items():
            counts[(category, value)] = counts.get((category, value), 0) + 1
    quotas = {
        (q["category"], q["value"]): Quota(q["category"], q["value"], q["minimum"], q["maximum"])
        for q in draw.quotas
    }
    rows = []
    for category in draw.categories:
        for value in category["values"]:
            quota = quotas.get((category["name"], value))
            rows.append(
                CategoryCount(
                    category=category["name"],
                    value=value,
                    volunteers=counts.get((category["name"], value), 0),
                    quota=quota_in_words(quota) if quota else "",
                )
            )
    return rows


@dataclass(frozen=True)
class Seat:
    pseudonym: str
    categories: dict[str, str]
    name: str  # the member's name, for the draw's officers only ("" for everyone else)


def body_now(actor: User | AnonymousUser, draw: Draw) -> list[Seat]:
    """The body as it stands. Officers who run the draw see names (an audited read of
    personal data); members see pseudonyms and categories, as in the published record."""
    members = draw.members_now
    volunteers = {
        v.pseudonym: v
        for v in Volunteer.objects.filter(draw=draw, pseudonym__in=members).select_related("member")
    }
    show_names = may(actor, Capability.RUN_SORTITION, draw)
    if show_names and members:
        record(
            actor=actor,
            action=AuditAction.VIEW_SORTITION_BODY,
            subject_type="draw",
            subject_id=draw.pk,
            scope=draw.scope_name,
            purpose="the members of a body chosen by lot",
            detail={"seats": len(members)},
        )
    return [
        Seat(
            pseudonym=p,
            categories=dict(volunteers[p].categories),
            name=volunteers[p].member.full_name if show_names else "",
        )
        for p in members
        if p in volunteers
    ]
