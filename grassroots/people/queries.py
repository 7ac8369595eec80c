"""Reads of members' personal data. Every list is built from a scoped queryset, and every read
of another member's record writes an audit row, so a forgotten filter cannot leak a group."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.db.models.functions import Upper
from django.http import Http404
from django.utils.functional import cached_property

from grassroots.audit.services import record
from grassroots.organisation.permissions import Capability, scopes_for
from grassroots.people.models import Member


def members_visible_to(
    actor: Any, capability: Capability = Capability.VIEW_MEMBERS
) -> QuerySet[Member]:
    scopes = scopes_for(actor, capability)
    if scopes.everywhere:
        return Member.objects.all()
    if not scopes.group_ids:
        return Member.objects.none()
    # The ids of associate members are read first (a small list: members whose second group
    # is in scope), so the database can combine two index scans instead of reading every
    # member to test a subquery (measured: 80 ms -> 2 ms for a Data Manager with 100,000
    # members; docs/benchmarks/foundation.md).
    through = Member.other_groups.through
    # Associates whose home group is in scope already match the first condition, so leave
    # them out: for an area coordinator the list is then almost empty.
    associate_ids = list(
        through.objects.filter(group_id__in=scopes.group_ids)
        .exclude(member__home_group_id__in=scopes.group_ids)
        .values_list("member_id", flat=True)
        .distinct()
    )
    return Member.objects.filter(Q(home_group_id__in=scopes.group_ids) | Q(pk__in=associate_ids))


def own_member(actor: Any) -> Member | None:
    if not getattr(actor, "is_authenticated", False):
        return None
    return Member.objects.select_related("home_group__area__region").filter(user=actor).first()


def get_member_for(actor: Any, membership_number: str, *, purpose: str) -> Member:
    """The member's record if ``actor`` may see it, audited; 404 alike for missing and forbidden."""
    member = (
        members_visible_to(actor)
        .select_related("home_group__area__region")
        .filter(membership_number=membership_number)
        .first()
    )
    if member is None:
        raise Http404("No such member.")
    if member.user_id != actor.pk:
        record(
            actor=actor,
            action="view_member",
            subject_type="member",
            subject_id=member.membership_number,
            scope=member.home_group.name,
            purpose=purpose,
        )
    return member


@dataclass(frozen=True)
class MemberFilters:
    text: str = ""
    status: str = ""
    group_id: int | None = None


def search_members(actor: Any, filters: MemberFilters) -> QuerySet[Member]:
    """Members visible to ``actor`` that match the filters, newest surname order first."""
    members = members_visible_to(actor).select_related("home_group")
    text = filters.text.strip()
    if text:
        if text.isdigit() or text.upper().startswith("GR"):
            members = members.filter(membership_number__iexact=text)
        elif "@" in text:
            members = members.filter(email__iexact=text)
        else:
            for word in text.split()[:3]:
                members = members.filter(
                    Q(last_name__istartswith=word)
                    | Q(first_name__istartswith=word)
                    | Q(postcode__istartswith=word)
                )
    if filters.status:
        members = members.filter(status=filters.status)
    if filters.group_id is not None:
        members = members.filter(home_group_id=filters.group_id)
    if text and not (text.isdigit() or "@" in text):
        # A name search matches a few hundred members; ordering them by an expression that no
        # index provides makes PostgreSQL find them by the prefix indexes and sort them, rather
        # than walk the whole list in name order looking for matches (300 ms -> a few ms at
        # 100,000 members; docs/benchmarks/foundation.md).
        return members.order_by(Upper("last_name"), Upper("first_name"), "id")
    return members.order_by("last_name", "first_name", "id")


def record_member_list_view(
    actor: Any, filters: MemberFilters, shown: int, *, purpose: str
) -> None:
    record(
        actor=actor,
        action="list_members",
        subject_type="member_list",
        purpose=purpose,
        detail={
            "text": filters.text,
            "status": filters.status,
            "group": filters.group_id,
            "shown": shown,
        },
    )


def import_group_directory() -> dict[str, int]:
    """Every group's slug and name, to resolve the group columns of a member import."""
    from grassroots.organisation.models import Group
    from grassroots.people.importing import group_directory

    return group_directory(list(Group.objects.values_list("id", "slug", "name")))


class CappedPaginator(Paginator[Member]):
    """Counts at most ``cap`` + 1 matching members, so a page of a 500,000-member list does not
    count the whole table on every request; past the cap the page says "more than" and a
    search or filter narrows the list (the exact totals are on the national overview)."""

    cap = 10_000

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by()[: self.cap + 1].count()  # type: ignore[attr-defined, no-any-return]

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap
