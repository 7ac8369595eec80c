"""Reads for the oversight pages: the register, initiatives, commitments and the tellers' keys.

Permission-checked fetches answer the same 404 for "missing" and "not allowed". No query here
returns who signed an initiative, except a member's own signature to that member.
"""

from __future__ import annotations

import datetime
import math
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.organisation.models import Region, Role, RoleAssignment, ScopeLevel
from grassroots.organisation.permissions import (
    NATION,
    Capability,
    current_assignments,
    may,
    scopes_for,
)
from grassroots.oversight.models import (
    Body,
    Commitment,
    Decision,
    Initiative,
    Meeting,
    OversightRules,
    PreparedKey,
    PreparedShare,
    Signature,
)
from grassroots.people.models import Member, MembershipStatus
from grassroots.people.queries import own_member


def current_rules() -> OversightRules:
    rules, _ = OversightRules.objects.get_or_create(pk=1)
    return rules


# --- Who records for which committee -------------------------------------------------------


def may_record(actor: User | AnonymousUser, body: str, region: Region | None) -> bool:
    """The national committee's record: its members and the national office. A regional
    committee's: whoever records decisions over the whole region (its regional coordinator)."""
    if body == Body.NATIONAL_COMMITTEE:
        return may(actor, Capability.RECORD_DECISIONS, NATION)
    return region is not None and may(actor, Capability.RECORD_DECISIONS, region)


def bodies_recordable_by(actor: User | AnonymousUser) -> list[tuple[str, str]]:
    """Choices for a new meeting record: ``national`` or ``region:<id>``."""
    scopes = scopes_for(actor, Capability.RECORD_DECISIONS)
    if scopes.is_empty:
        return []
    choices = []
    if scopes.everywhere:
        choices.append(("national", str(Body.NATIONAL_COMMITTEE.label)))
    for region in Region.objects.order_by("name"):
        if may(actor, Capability.RECORD_DECISIONS, region):
            choices.append(
                (
                    f"region:{region.pk}",
                    gettext("%(region)s regional committee") % {"region": region},
                )
            )
    return choices


def body_from_choice(choice: str) -> tuple[str, Region | None]:
    if choice == "national":
        return Body.NATIONAL_COMMITTEE, None
    _, _, region_id = choice.partition(":")
    region = Region.objects.filter(pk=int(region_id) if region_id.isdigit() else 0).first()
    if region is None:
        raise Http404("No such committee.")
    return Body.REGIONAL_COMMITTEE, region


def committee_members(body: str, region: Region | None, on: datetime.date) -> list[Member]:
    """Who sat on the committee on a day. The national committee is its role holders; a
    regional committee is the region's regional and area coordinators (the organisation has
    no separate regional committee role)."""
    current = RoleAssignment.objects.current(on=on)
    if body == Body.NATIONAL_COMMITTEE:
        seats = current.filter(role=Role.NATIONAL_COMMITTEE)
    else:
        seats = current.filter(
            Q(role=Role.REGIONAL_COORDINATOR, region=region)
            | Q(role=Role.AREA_COORDINATOR, area__region=region)
        )
    ids = seats.values_list("member_id", flat=True)
    return list(Member.objects.filter(pk__in=ids).order_by("last_name", "first_name", "pk"))


def votes_are_named(rules: OversightRules, body: str) -> bool:
    if body == Body.NATIONAL_COMMITTEE:
        return rules.national_votes_named
    return rules.regional_votes_named


# --- The register --------------------------------------------------------------------------


def published_meetings() -> QuerySet[Meeting]:
    return Meeting.objects.filter(published_at__isnull=False).select_related("region")


def overdue_records() -> list[Meeting]:
    """Meetings held whose record is past its deadline and still unpublished: members see
    that they are late (body and date only) even before they see what was decided."""
    return list(
        Meeting.objects.filter(published_at__isnull=True, publish_by__lt=clock.today())
        .select_related("region")
        .order_by("held_on")
    )


def drafts_for(actor: User | AnonymousUser) -> list[Meeting]:
    return [
        m
        for m in Meeting.objects.filter(published_at__isnull=True).select_related("region")
        if may_record(actor, m.body, m.region)
    ]


def search_decisions(text: str, body: str = "") -> QuerySet[Decision]:
    """Published decisions matching ``text``: PostgreSQL full-text search (English stemming,
    web-search syntax, best match first) over the decision and its meeting's title and
    minutes; a plain case-insensitive match on SQLite."""
    decisions = Decision.objects.filter(meeting__published_at__isnull=False).select_related(
        "meeting__region"
    )
    if body:
        decisions = decisions.filter(meeting__body=body)
    text = text.strip()
    if not text:
        return decisions.order_by("-meeting__held_on", "position")
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = (
            SearchVector("title", weight="A", config="english")
            + SearchVector("text", weight="B", config="english")
            + SearchVector("meeting__title", "meeting__minutes", weight="C", config="english")
        )
        query = SearchQuery(text, search_type="websearch", config="english")
        return (
            decisions.annotate(document=vector, rank=SearchRank(vector, query))
            .filter(document=query)
            .order_by("-rank", "-meeting__held_on", "position")
        )
    return decisions.filter(
        Q(title__icontains=text)
        | Q(text__icontains=text)
        | Q(meeting__title__icontains=text)
        | Q(meeting__minutes__icontains=text)
    ).order_by("-meeting__held_on", "position")


def get_meeting_for(actor: User | AnonymousUser, meeting_id: int) -> Meeting:
    """A published record for any member; a draft only for those who record for its body."""
    meeting = Meeting.objects.select_related("region").filter(pk=meeting_id).first()
    if meeting is None or not getattr(actor, "is_authenticated", False):
        raise Http404("No such meeting.")
    if not meeting.is_published and not may_record(actor, meeting.body, meeting.region):
        raise Http404("No such meeting.")
    return meeting


def get_meeting_to_record(actor: User | AnonymousUser, meeting_id: int) -> Meeting:
    meeting = Meeting.objects.select_related("region").filter(pk=meeting_id).first()
    if meeting is None or not may_record(actor, meeting.body, meeting.region):
        raise Http404("No such meeting.")
    return meeting


def get_decision_for(actor: User | AnonymousUser, decision_id: int) -> Decision:
    decision = Decision.objects.select_related("meeting__region").filter(pk=decision_id).first()
    if decision is None:
        raise Http404("No such decision.")
    get_meeting_for(actor, decision.meeting_id)
    return decision


def published_decision(decision_id: int | None) -> Decision | None:
    if decision_id is None:
        return None
    return (
        Decision.objects.select_related("meeting__region")
        .filter(pk=decision_id, meeting__published_at__isnull=False)
        .first()
    )


# --- Initiatives ---------------------------------------------------------------------------


def members_in_scope(region: Region | None) -> QuerySet[Member]:
    """Who may sign: members in good standing, in the region when the initiative has one."""
    members = Member.objects.filter(status=MembershipStatus.MEMBER)
    if region is not None:
        members = members.filter(home_group__area__region=region)
    return members


def signatures_needed(members: int, percent: Decimal) -> int:
    """The share of members in scope, rounded up (exact decimal arithmetic, no floats)."""
    if percent <= 0:
        return 0
    return max(1, math.ceil(Decimal(members) * percent / 100))


def initiatives() -> QuerySet[Initiative]:
    return Initiative.objects.select_related("decision__meeting__region", "region", "ballot")


def get_initiative_for(actor: User | AnonymousUser, initiative_id: int) -> Initiative:
    """Initiatives are public to every logged-in member (signing is checked when signing)."""
    initiative = initiatives().filter(pk=initiative_id).first()
    if initiative is None or not getattr(actor, "is_authenticated", False):
        raise Http404("No such initiative.")
    return initiative


def own_signature(actor: User | AnonymousUser, initiative: Initiative) -> Signature | None:
    """The actor's own signature, if they signed: the only signature anyone is shown."""
    member = own_member(actor)
    if member is None:
        return None
    return Signature.objects.filter(initiative=initiative, member=member).first()


def signature_counts_by_region(initiative: Initiative) -> list[dict[str, Any]]:
    """Signatures per region and the number of groups they came from: counts, never names."""
    rows = (
        Signature.objects.filter(initiative=initiative)
        .values("region__name")
        .annotate(signatures=Count("pk"), groups=Count("group", distinct=True))
        .order_by("region__name")
    )
    return [dict(row) for row in rows]


# --- Commitments and keys ------------------------------------------------------------------


def commitments() -> QuerySet[Commitment]:
    return Commitment.objects.select_related("decision").prefetch_related("updates")


def get_commitment_to_manage(actor: User | AnonymousUser, commitment_id: int) -> Commitment:
    commitment = Commitment.objects.filter(pk=commitment_id).first()
    if commitment is None or not may(actor, Capability.MANAGE_COMMITMENTS, NATION):
        raise Http404("No such commitment.")
    return commitment


def prepared_keys() -> list[PreparedKey]:
    return list(
        PreparedKey.objects.select_related("used_by").annotate(
            collected=Count("shares", filter=Q(shares__has_collected_share=True)),
            share_total=Count("shares"),
        )
    )


def usable_key_count() -> int:
    return (
        PreparedKey.objects.filter(used_by__isnull=True)
        .exclude(shares__has_collected_share=False)
        .count()
    )


def my_prepared_shares(actor: User | AnonymousUser) -> list[PreparedShare]:
    member = own_member(actor)
    if member is None:
        return []
    return list(PreparedShare.objects.filter(member=member).select_related("key__used_by"))


def get_prepared_share_for(actor: User | AnonymousUser, share_id: int) -> PreparedShare:
    member = own_member(actor)
    share = PreparedShare.objects.select_related("key").filter(pk=share_id).first()
    if share is None or member is None or share.member_id != member.pk:
        raise Http404("No such share.")
    return share


def holds_national_office(member: Member) -> bool:
    return (
        RoleAssignment.objects.current()
        .filter(member=member, role=Role.NATIONAL_OFFICE, level=ScopeLevel.NATION)
        .exists()
    )


def is_standing_teller(actor: User | AnonymousUser) -> bool:
    member = own_member(actor)
    return member is not None and PreparedShare.objects.filter(member=member).exists()


def sits_on_national_committee(actor: User | AnonymousUser) -> bool:
    return any(a.role == Role.NATIONAL_COMMITTEE for a in current_assignments(actor))
