"""Reads about the movement's structure that pages share. Public facts only, no personal data
beyond officers' names, which the movement publishes on group pages."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from grassroots.accounts.models import User
from grassroots.organisation.models import (
    APPEAL_BODIES,
    AppealDecision,
    Group,
    GroupRecognition,
    GroupStatus,
    RecognitionAppeal,
    RecognitionCriteria,
    RecognitionEvent,
    Role,
    RoleAssignment,
)
from grassroots.organisation.permissions import (
    Capability,
    current_assignments,
    may_decide_appeals,
    may_end_role,
    scopes_for,
)
from grassroots.organisation.recognition_words import described_failing


def get_group(slug: str) -> Group:
    group = Group.objects.select_related("area__region").filter(slug=slug).first()
    if group is None:
        raise Http404("No such group.")
    return group


def current_officers(group: Group) -> list[RoleAssignment]:
    return list(
        RoleAssignment.objects.current()
        .filter(group=group)
        .select_related("member")
        .order_by("role", "member__last_name")
    )


def officer_history(group: Group) -> list[RoleAssignment]:
    """Every appointment in the group, current and past, newest first, with how it began and
    ended. Rows are never deleted, so this is the whole history."""
    return list(
        RoleAssignment.objects.filter(group=group)
        .select_related("member")
        .order_by("-starts_on", "-id")[:500]
    )


def groups_without_data_manager(on: datetime.date | None = None) -> QuerySet[Group]:
    has_dm = RoleAssignment.objects.current(on).filter(group=OuterRef("pk"), role=Role.DATA_MANAGER)
    return Group.objects.annotate(has_dm=Exists(has_dm)).filter(has_dm=False)


def groups_without_data_manager_among(group_ids: list[int], on: datetime.date) -> QuerySet[Group]:
    return groups_without_data_manager(on).filter(pk__in=group_ids)


def groups_needing_attention_of(actor: User | AnonymousUser) -> QuerySet[Group] | None:
    """Groups the actor looks after (by member access) that have no Data Manager; None when
    the actor looks after none."""
    scopes = scopes_for(actor, Capability.VIEW_MEMBERS)
    if scopes.is_empty:
        return None
    groups = groups_without_data_manager()
    if not scopes.everywhere:
        groups = groups.filter(pk__in=scopes.group_ids)
    return groups


# The home page lists at most this many groups without a Data Manager, by name.
GROUPS_NEEDING_ATTENTION_SHOWN = 50


def groups_needing_attention(actor: User | AnonymousUser) -> list[Group]:
    groups = groups_needing_attention_of(actor)
    if groups is None:
        return []
    return list(groups.select_related("area").order_by("name")[:GROUPS_NEEDING_ATTENTION_SHOWN])


def groups_needing_attention_listed(on: datetime.date) -> QuerySet[Group]:
    """``groups_needing_attention`` for a person who looks after every group, with its values
    apart (grassroots.people.attention.listed makes its SQL once)."""
    return groups_without_data_manager(on).order_by("name")[:GROUPS_NEEDING_ATTENTION_SHOWN]


def groups_needing_attention_listed_among(
    group_ids: list[int], on: datetime.date
) -> QuerySet[Group]:
    """``groups_needing_attention`` for a person who looks after ``group_ids``."""
    return groups_without_data_manager_among(group_ids, on).order_by("name")[
        :GROUPS_NEEDING_ATTENTION_SHOWN
    ]


@dataclass(frozen=True)
class GroupCount:
    name: str
    slug: str
    members: int
    url: str = ""

    @property
    def members_display(self) -> str:
        return f"{self.members:,}"


@dataclass(frozen=True)
class AreaCount:
    name: str
    groups: list[GroupCount]

    @property
    def members(self) -> int:
        return sum(g.members for g in self.groups)

    @property
    def members_display(self) -> str:
        return f"{self.members:,}"


@dataclass(frozen=True)
class RegionCount:
    name: str
    areas: list[AreaCount]

    @property
    def members(self) -> int:
        return sum(a.members for a in self.areas)

    @property
    def members_display(self) -> str:
        return f"{self.members:,}"

    def rows_html(self) -> SafeString:
        """The region's table rows, every value escaped. Drawn here rather than by the template
        engine: 800 rows through template tags were most of the page's CPU (about 90 ms of
        a 210 ms p95 on an idle machine, docs/benchmarks/groups.md)."""
        rows: list[str] = []
        for area in self.areas:
            first = True
            for g in area.groups:
                head = ""
                if first:
                    head = (
                        f'<th scope="rowgroup" rowspan="{len(area.groups)}">'
                        f"{escape(area.name)} ({area.members_display})</th>"
                    )
                    first = False
                rows.append(
                    f'<tr>{head}<td><a href="{escape(g.url)}">{escape(g.name)}</a></td>'
                    f'<td class="num">{g.members_display}</td></tr>'
                )
        # Every value in the rows above went through escape() (tested with tags in names).
        return mark_safe("\n".join(rows))  # noqa: S308  # nosec B308 B703


def national_overview() -> list[RegionCount]:
    """Every region, area and group with its count of members by home group (one query).

    The counts are read from ``people.HomeGroupCount``, which triggers on the member table
    keep exact (issue 22). Counting the members here, even by an index-only scan of the
    home-group index, made the page's speed depend on autovacuum: after a bulk update the
    visibility map is stale, every heap page is read, and the page took 1.1 s with 500,000
    members instead of 31 ms. Plain tuples, not model instances: 800 groups with their area
    and region cost more to build as objects than to count."""
    from grassroots.people.models import HomeGroupCount

    counts = HomeGroupCount.objects.filter(group=OuterRef("pk")).values("members")[:1]
    rows = (
        Group.objects.annotate(member_count=Coalesce(Subquery(counts), Value(0)))
        .order_by("area__region__name", "area__name", "name")
        .values_list(
            "name",
            "slug",
            "member_count",
            "area_id",
            "area__name",
            "area__region_id",
            "area__region__name",
        )
    )
    regions: dict[int, tuple[str, dict[int, AreaCount]]] = {}
    placeholder = "group-slug-placeholder"
    link = reverse("group_detail", args=[placeholder])
    for name, slug, member_count, area_id, area_name, region_id, region_name in rows:
        _, areas = regions.setdefault(region_id, (region_name, {}))
        area_count = areas.setdefault(area_id, AreaCount(name=area_name, groups=[]))
        area_count.groups.append(
            GroupCount(
                name=name, slug=slug, members=member_count, url=link.replace(placeholder, slug)
            )
        )
    return [
        RegionCount(name=region_name, areas=list(areas.values()))
        for region_name, areas in regions.values()
    ]


# --- Recognition -------------------------------------------------------------------------------


def current_criteria() -> RecognitionCriteria:
    """The criteria in force: the national office's row, or the rules' defaults until it has
    saved one."""
    return RecognitionCriteria.objects.filter(pk=1).first() or RecognitionCriteria(pk=1)


def group_status(group: Group) -> GroupRecognition:
    return GroupRecognition.objects.filter(group=group).first() or GroupRecognition(group=group)


def recognition_history(group: Group) -> list[RecognitionEvent]:
    return list(RecognitionEvent.objects.filter(group=group).order_by("-at", "-id")[:100])


def appeals_of(group: Group) -> list[RecognitionAppeal]:
    return list(RecognitionAppeal.objects.filter(group=group).select_related("against"))


def pending_appeal(group: Group) -> RecognitionAppeal | None:
    return RecognitionAppeal.objects.filter(group=group, decision=AppealDecision.PENDING).first()


def endable_roles(actor: User | AnonymousUser, group: Group) -> list[RoleAssignment]:
    """The group's current officers whose role ``actor`` may end (their own, or as manager)."""
    return [a for a in current_officers(group) if may_end_role(actor, a)]


def get_role_to_end_for(
    actor: User | AnonymousUser, group: Group, assignment_id: int
) -> RoleAssignment:
    """A current role in ``group`` that ``actor`` may end; one 404 for missing and forbidden."""
    assignment = (
        RoleAssignment.objects.current()
        .filter(group=group, pk=assignment_id)
        .select_related("member", "group")
        .first()
    )
    if assignment is None or not may_end_role(actor, assignment):
        raise Http404("No such role.")
    return assignment


def data_manager_roles_of(actor: User | AnonymousUser) -> list[RoleAssignment]:
    return [a for a in current_assignments(actor) if a.role == Role.DATA_MANAGER]


def appeal_bodies_of(actor: User | AnonymousUser) -> list[str]:
    """The appeal bodies ``actor`` sits on that have appeals to hear: the one the rules name
    now, and any named when an appeal still on record was lodged."""
    named = {current_criteria().appeal_body}
    named.update(RecognitionAppeal.objects.values_list("body", flat=True).distinct())
    return [body for body in APPEAL_BODIES if body in named and may_decide_appeals(actor, body)]


def appeals_for_body(actor: User | AnonymousUser) -> list[RecognitionAppeal]:
    bodies = appeal_bodies_of(actor)
    if not bodies:
        return []
    return list(
        RecognitionAppeal.objects.filter(body__in=bodies)
        .select_related("group", "against")
        .order_by("decision", "-lodged_at")[:200]
    )


def get_appeal_for(actor: User | AnonymousUser, appeal_id: int) -> RecognitionAppeal:
    appeal = (
        RecognitionAppeal.objects.filter(pk=appeal_id).select_related("group", "against").first()
    )
    if appeal is None or not may_decide_appeals(actor, appeal.body):
        raise Http404("No such appeal.")
    return appeal


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


@dataclass(frozen=True)
class GroupAtRisk:
    group: Group
    status: str
    fix_by: Any
    failing: list[dict[str, str]]


@dataclass(frozen=True)
class RecognitionDashboard:
    scope_label: str
    counts: list[StatusCount]
    at_risk: list[GroupAtRisk]  # this page of the groups at risk or suspended
    troubled: int = 0  # how many groups are at risk or suspended in all
    page: int = 1

    @property
    def pages(self) -> int:
        return max(1, -(-self.troubled // AT_RISK_PAGE))

    @property
    def previous_page(self) -> int | None:
        return self.page - 1 if self.page > 1 else None

    @property
    def next_page(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None

    @property
    def total(self) -> int:
        return sum(c.count for c in self.counts)

    @property
    def bars(self) -> list[ChartBar]:
        """The bar chart's geometry (bars up to 300 units long after the labels), so the template
        only places what is computed here."""
        largest = max([c.count for c in self.counts] + [1])
        return [
            ChartBar(
                label=c.label,
                count=c.count,
                width=round(300 * c.count / largest),
                y=index * BAR_PITCH,
            )
            for index, c in enumerate(self.counts)
        ]

    @property
    def chart_height(self) -> int:
        return len(self.counts) * BAR_PITCH


# Groups at risk or suspended shown per page, soonest fix-by date first: national office's list
# of 160 such groups out of 800 took 65 ms of CPU to draw in one page
# (docs/benchmarks/groups.md).
AT_RISK_PAGE = 50
BAR_PITCH = 36
BAR_LEFT = 110


@dataclass(frozen=True)
class ChartBar:
    label: str
    count: int
    width: int
    y: int

    @property
    def bar_y(self) -> int:
        return self.y + 6

    @property
    def text_y(self) -> int:
        return self.y + 22

    @property
    def count_x(self) -> int:
        return BAR_LEFT + self.width + 6


def recognition_dashboard(
    actor: User | AnonymousUser, page: int = 1
) -> RecognitionDashboard | None:
    """Counts by status and one page of the groups at risk or suspended, with the criteria they
    fail, for the groups ``actor`` oversees (None when they oversee none). Two queries."""
    scopes = scopes_for(actor, Capability.VIEW_RECOGNITION)
    if scopes.is_empty:
        return None
    groups = Group.objects.all()
    label = "All groups"
    if not scopes.everywhere:
        groups = groups.filter(pk__in=scopes.group_ids)
        areas = {a.area.name for a in current_assignments(actor) if a.area is not None}
        regions = {a.region.name for a in current_assignments(actor) if a.region is not None}
        label = ", ".join(sorted(regions | areas)) or "Your groups"
    by_status = dict(
        groups.annotate(state=Coalesce("recognition__status", Value(GroupStatus.PROVISIONAL.value)))
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    counts = [StatusCount(s.value, str(s.label), by_status.get(s.value, 0)) for s in GroupStatus]
    troubled_total = by_status.get(GroupStatus.AT_RISK.value, 0) + by_status.get(
        GroupStatus.SUSPENDED.value, 0
    )
    last_page = max(1, -(-troubled_total // AT_RISK_PAGE))
    page = min(max(page, 1), last_page)
    first = (page - 1) * AT_RISK_PAGE
    latest_failing = (
        RecognitionEvent.objects.filter(group=OuterRef("pk"))
        .order_by("-at", "-id")
        .values("failing")[:1]
    )
    troubled = (
        groups.filter(recognition__status__in=[GroupStatus.AT_RISK, GroupStatus.SUSPENDED])
        .select_related("area__region", "recognition")
        .annotate(latest_failing=Subquery(latest_failing))
        .order_by("recognition__fix_by", "name", "pk")[first : first + AT_RISK_PAGE]
    )
    at_risk = [
        GroupAtRisk(
            group=g,
            status=g.recognition.status,
            fix_by=g.recognition.fix_by,
            failing=described_failing(list(g.latest_failing or [])),
        )
        for g in troubled
    ]
    return RecognitionDashboard(
        scope_label=label, counts=counts, at_risk=at_risk, troubled=troubled_total, page=page
    )
