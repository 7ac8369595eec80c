"""Reads of members' personal data. Every list is built from a scoped queryset, and every read
of another member's record writes an audit row, so a forgotten filter cannot leak a group."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, TypedDict

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet, TextChoices
from django.db.models.functions import Upper
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record
from grassroots.organisation.models import Group
from grassroots.organisation.permissions import Capability, scopes_for
from grassroots.people.models import Member, MembershipStatus
from grassroots.rows import Prepared


def members_visible_to(
    actor: User | AnonymousUser, capability: Capability = Capability.VIEW_MEMBERS
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


def own_member(actor: User | AnonymousUser) -> Member | None:
    if isinstance(actor, AnonymousUser) or not getattr(actor, "is_authenticated", False):
        return None
    found = _OWN_MEMBER.fetch(actor.pk)
    return found[0] if found else None


def _own_member_of(user_id: int) -> QuerySet[Member]:
    """As ``Member.objects.select_related(...).filter(user=...).first()`` asks it."""
    return Member.objects.select_related("home_group__area__region").filter(user_id=user_id)[:1]


# Most pages read the logged-in person's own record: its SQL compiled once (grassroots.rows).
_OWN_MEMBER = Prepared(_own_member_of, -917_263_553)


def _other_groups_of(member_id: int) -> QuerySet[Group]:
    """As ``member.other_groups.select_related("area")`` asks it."""
    return Group.objects.filter(associate_members=member_id).select_related("area")


# The home page reads the person's other groups on every visit: its SQL compiled once, too.
_OTHER_GROUPS = Prepared(_other_groups_of, -917_263_554)


def own_groups(member: Member) -> list[Group]:
    """The member's home group, then their other groups by name (the home page's "My groups")."""
    return [member.home_group, *_OTHER_GROUPS.fetch(member.pk)]


def get_member_for(actor: User | AnonymousUser, membership_number: str, *, purpose: str) -> Member:
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
            action=AuditAction.VIEW_MEMBER,
            subject_type="member",
            subject_id=member.membership_number,
            scope=member.home_group.name,
            purpose=purpose,
        )
    return member


class ContactRow(TypedDict):
    first_name: str
    last_name: str
    email: str
    phone: str


def members_contactable_by(actor: User | AnonymousUser) -> QuerySet[Member, ContactRow]:
    """Name, email and phone of the members in ``actor``'s CONTACT_MEMBERS scope (a Secretary's
    group, home or associate members) who consented to contact and are not erased.

    Rows are dicts of those four fields alone, so no page built on them can show a status,
    postcode or membership number by accident.
    """
    members = members_visible_to(actor, Capability.CONTACT_MEMBERS)
    return (
        members.filter(consent_to_contact=True, erased_at__isnull=True)
        .order_by("last_name", "first_name", "id")
        .values("first_name", "last_name", "email", "phone")
    )


def contact_scope_names(actor: User | AnonymousUser) -> list[str]:
    """The groups whose contact list ``actor`` sees, for the page heading and the audit row."""
    scopes = scopes_for(actor, Capability.CONTACT_MEMBERS)
    groups = Group.objects.order_by("name")
    if not scopes.everywhere:
        groups = groups.filter(pk__in=scopes.group_ids)
    return list(groups.values_list("name", flat=True))


def record_contact_list_view(
    actor: User | AnonymousUser, groups: list[str], shown: int, page: int, *, purpose: str
) -> None:
    record(
        actor=actor,
        action=AuditAction.LIST_MEMBER_CONTACTS,
        subject_type="member_list",
        scope=", ".join(groups),
        purpose=purpose,
        detail={"shown": shown, "page": page},
    )


class FollowUp(TextChoices):
    """The follow-up lists on the member list (``?show=``), for members' officers to work."""

    ALL = "", gettext_lazy("All members")
    NEW = "new", gettext_lazy("New joiners")  # joined in the last ``days`` days
    LAPSED = (
        "lapsed",
        gettext_lazy("Lapsed or renewal overdue"),
    )  # status lapsed, or renewal date passed


FOLLOW_UP_PURPOSES = {
    FollowUp.ALL: "member list page",
    FollowUp.NEW: "new-joiner follow-up list",
    FollowUp.LAPSED: "lapsed-member follow-up list",
}
NEW_JOINER_DAYS = 60


@dataclass(frozen=True)
class MemberFilters:
    text: str = ""
    status: str = ""
    group_id: int | None = None
    follow_up: str = ""
    days: int = NEW_JOINER_DAYS


def search_members(
    actor: User | AnonymousUser,
    filters: MemberFilters,
    *,
    capability: Capability = Capability.VIEW_MEMBERS,
) -> QuerySet[Member]:
    """Members in ``actor``'s scope for ``capability`` (the list, or an export) that match the
    filters, newest surname order first."""
    members = members_visible_to(actor, capability).select_related("home_group")
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
    if filters.follow_up == FollowUp.NEW:
        since = clock.today() - datetime.timedelta(days=filters.days)
        members = members.filter(joined_on__gte=since, erased_at__isnull=True)
        return members.order_by("-joined_on", "last_name", "first_name", "id")
    if filters.follow_up == FollowUp.LAPSED:
        members = members.filter(
            Q(status=MembershipStatus.LAPSED) | Q(renewal_due_on__lt=clock.today()),
            erased_at__isnull=True,
        )
    if text and not (text.isdigit() or "@" in text):
        # A name search matches a few hundred members; ordering them by an expression that no
        # index provides makes PostgreSQL find them by the prefix indexes and sort them, rather
        # than walk the whole list in name order looking for matches (300 ms -> a few ms at
        # 100,000 members; docs/benchmarks/foundation.md).
        return members.order_by(Upper("last_name"), Upper("first_name"), "id")
    return members.order_by("last_name", "first_name", "id")


def record_member_list_view(
    actor: User | AnonymousUser, filters: MemberFilters, shown: int, *, purpose: str | None = None
) -> None:
    """One audit row per page of the member list; the purpose defaults to the list's own
    (the whole list, or a follow-up list)."""
    detail: dict[str, Any] = {
        "text": filters.text,
        "status": filters.status,
        "group": filters.group_id,
        "shown": shown,
    }
    if filters.follow_up:
        detail["list"] = filters.follow_up
        if filters.follow_up == FollowUp.NEW:
            detail["days"] = filters.days
    record(
        actor=actor,
        action=AuditAction.LIST_MEMBERS,
        subject_type="member_list",
        purpose=purpose or FOLLOW_UP_PURPOSES[FollowUp(filters.follow_up)],
        detail=detail,
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
