"""Reads for messaging: who a mailout would reach (as counts), the scopes an officer may write
to, and the officer's own mailouts. Nothing here returns a member's address to a sender."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext

from grassroots.accounts.models import User
from grassroots.messaging.models import (
    NOTIFICATIONS_SCOPE_KEY,
    Delivery,
    DeliveryState,
    Mailout,
    ScopeLevel,
    Unsubscribe,
)
from grassroots.organisation.models import Area, Group, Region
from grassroots.organisation.permissions import (
    ROLE_CAPABILITIES,
    Capability,
    current_assignments,
    may,
    scopes_for,
)
from grassroots.people.models import Member


@dataclass(frozen=True)
class Scope:
    """Where a mailout goes: one group, area or region, or the whole nation."""

    level: str
    group: Group | None = None
    area: Area | None = None
    region: Region | None = None

    @property
    def target(self) -> Group | Area | Region | None:
        return self.group or self.area or self.region

    @property
    def key(self) -> str:
        target = self.target
        return str(self.level) if target is None else f"{self.level}:{target.pk}"

    @property
    def name(self) -> str:
        target = self.target
        return "All members nationally" if target is None else str(target)

    @property
    def label(self) -> str:
        """How the compose page lists it: "Area: Leeds"."""
        if self.target is None:
            return self.name
        return f"{ScopeLevel(self.level).label}: {self.name}"


NATION = Scope(level=ScopeLevel.NATION)


def scope_from_key(key: str) -> Scope:
    """The scope a form's ``group:12`` names; ValueError for anything malformed or missing."""
    if key == ScopeLevel.NATION:
        return NATION
    level, _, raw_id = key.partition(":")
    if not raw_id.isdigit():
        raise ValueError(f"not a scope: {key!r}")
    pk = int(raw_id)
    if level == ScopeLevel.GROUP:
        group = Group.objects.filter(pk=pk).first()
        if group is not None:
            return Scope(level=level, group=group)
    elif level == ScopeLevel.AREA:
        area = Area.objects.filter(pk=pk).first()
        if area is not None:
            return Scope(level=level, area=area)
    elif level == ScopeLevel.REGION:
        region = Region.objects.filter(pk=pk).first()
        if region is not None:
            return Scope(level=level, region=region)
    raise ValueError(f"not a scope: {key!r}")


def scopes_to_message(actor: User | AnonymousUser) -> list[Scope]:
    """Every scope ``actor`` may write to, widest first: the nation, regions, areas, groups."""
    held = [
        a
        for a in current_assignments(actor)
        if Capability.MESSAGE_MEMBERS in ROLE_CAPABILITIES.get(a.role, frozenset())
    ]
    if not held:
        return []
    if scopes_for(actor, Capability.MESSAGE_MEMBERS).everywhere:
        regions = list(Region.objects.order_by("name"))
        areas = list(Area.objects.order_by("name"))
        groups = list(Group.objects.order_by("name"))
        return [
            NATION,
            *(Scope(level=ScopeLevel.REGION, region=r) for r in regions),
            *(Scope(level=ScopeLevel.AREA, area=a) for a in areas),
            *(Scope(level=ScopeLevel.GROUP, group=g) for g in groups),
        ]
    region_ids = {a.region_id for a in held if a.region_id is not None}
    area_ids = {a.area_id for a in held if a.area_id is not None}
    area_ids.update(Area.objects.filter(region_id__in=region_ids).values_list("id", flat=True))
    group_ids = {a.group_id for a in held if a.group_id is not None}
    group_ids.update(Group.objects.filter(area_id__in=area_ids).values_list("id", flat=True))
    return [
        *(
            Scope(level=ScopeLevel.REGION, region=r)
            for r in Region.objects.filter(id__in=region_ids)
        ),
        *(Scope(level=ScopeLevel.AREA, area=a) for a in Area.objects.filter(id__in=area_ids)),
        *(Scope(level=ScopeLevel.GROUP, group=g) for g in Group.objects.filter(id__in=group_ids)),
    ]


def may_message_members(actor: User | AnonymousUser) -> bool:
    """``bool(scopes_to_message(actor))`` without reading the bodies: any scope is offered
    when the person writes nationally, and otherwise exactly when a role that writes names a
    region, area or group (a foreign key, so that body exists). The home page asks this on
    every request; reading every region, area and group to answer it cost more than the rest
    of its role links together."""
    held = [
        a
        for a in current_assignments(actor)
        if Capability.MESSAGE_MEMBERS in ROLE_CAPABILITIES.get(a.role, frozenset())
    ]
    if not held:
        return False
    if any(
        a.region_id is not None or a.area_id is not None or a.group_id is not None for a in held
    ):
        return True
    return scopes_for(actor, Capability.MESSAGE_MEMBERS).everywhere


def members_in_scope(scope: Scope, statuses: Sequence[str]) -> QuerySet[Member]:
    """Members of the scope (home or associate group in it) with one of ``statuses``."""
    members = Member.objects.filter(status__in=list(statuses))
    if scope.level == ScopeLevel.NATION:
        return members
    groups = Group.objects.all()
    if scope.group is not None:
        groups = groups.filter(pk=scope.group.pk)
    elif scope.area is not None:
        groups = groups.filter(area=scope.area)
    elif scope.region is not None:
        groups = groups.filter(area__region=scope.region)
    group_ids = groups.values("id")
    through = Member.other_groups.through
    associates = through.objects.filter(group_id__in=group_ids).values("member_id")
    return members.filter(Q(home_group_id__in=group_ids) | Q(pk__in=associates))


def _unsubscribed_from(scope_key: str) -> Exists:
    return Exists(
        Unsubscribe.objects.filter(
            member=OuterRef("pk"), scope_key__in=[Unsubscribe.ALL, scope_key]
        )
    )


def campaign_recipients(scope: Scope, statuses: Sequence[str]) -> QuerySet[Member]:
    """Who campaign mail to the scope reaches: consenting members who have not unsubscribed."""
    return (
        members_in_scope(scope, statuses)
        .filter(consent_to_contact=True)
        .exclude(_unsubscribed_from(scope.key))
    )


@dataclass(frozen=True)
class RecipientCount:
    in_scope: int
    no_consent: int
    unsubscribed: int

    @property
    def to_send(self) -> int:
        return self.in_scope - self.no_consent - self.unsubscribed


def count_recipients(scope: Scope, statuses: Sequence[str]) -> RecipientCount:
    """The preview's numbers, in one query. Counts only: the sender never sees who."""
    totals = members_in_scope(scope, statuses).aggregate(
        in_scope=Count("pk"),
        no_consent=Count("pk", filter=Q(consent_to_contact=False)),
        unsubscribed=Count(
            "pk", filter=Q(consent_to_contact=True) & Q(_unsubscribed_from(scope.key))
        ),
    )
    return RecipientCount(
        in_scope=totals["in_scope"],
        no_consent=totals["no_consent"],
        unsubscribed=totals["unsubscribed"],
    )


def mailouts_sent_by(actor: User) -> QuerySet[Mailout]:
    return Mailout.objects.filter(sender=actor).select_related("group", "area", "region")


def get_mailout_for(actor: User | AnonymousUser, mailout_id: int) -> Mailout:
    """The mailout if ``actor`` sent it or may write to its scope; 404 alike otherwise."""
    mailout = (
        Mailout.objects.select_related("group", "area", "region").filter(pk=mailout_id).first()
    )
    if mailout is None or not _may_follow(actor, mailout):
        raise Http404("No such mailout.")
    return mailout


def _may_follow(actor: User | AnonymousUser, mailout: Mailout) -> bool:
    if not getattr(actor, "is_authenticated", False):
        return False
    if mailout.sender_id is not None and mailout.sender_id == actor.pk:
        return True
    if mailout.scope_level == ScopeLevel.MEMBERS:
        return may(actor, Capability.MESSAGE_MEMBERS, NATION)
    scope = Scope(
        level=mailout.scope_level, group=mailout.group, area=mailout.area, region=mailout.region
    )
    return may(actor, Capability.MESSAGE_MEMBERS, scope)


def failure_reasons(mailout: Mailout) -> list[tuple[str, int]]:
    """Why deliveries failed, as (reason, how many): the report names no recipient."""
    rows = (
        Delivery.objects.filter(mailout=mailout, state=DeliveryState.FAILED)
        .values("error")
        .annotate(n=Count("id"))
        .order_by("-n", "error")
    )
    return [(row["error"] or "Unknown", row["n"]) for row in rows]


def scope_name_for_key(scope_key: str) -> str:
    """What an unsubscribe link's scope is called on the unsubscribe page."""
    if scope_key == Unsubscribe.ALL:
        return gettext("every group, area and region")
    if scope_key == NOTIFICATIONS_SCOPE_KEY:
        return gettext("your notifications by email")
    try:
        return scope_from_key(scope_key).name
    except ValueError:
        return gettext("this part of the movement")
