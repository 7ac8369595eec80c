"""Membership status over time: recording each change, and who was in good standing on a date.

Every code path that sets ``Member.status`` (creating a member, an import that changes one,
demo and benchmark seeding) also calls ``record_status_changes`` in the same transaction. A
member's status on a day is the latest ``MemberStatusChange`` effective on or before it; on
PostgreSQL a deferred trigger refuses to commit a member whose status disagrees with their
latest entry, so a writer that forgets fails loudly (migration people 0005, docs/delegation.md).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import OuterRef, Q, QuerySet, Subquery

from grassroots import clock
from grassroots.people.models import Member, MembershipStatus, MemberStatusChange

BATCH_SIZE = 5_000

# (member id, the status it became, the day it took effect)
StatusEntry = tuple[int, str, datetime.date]


def record_status_changes(entries: Iterable[StatusEntry], *, cause: str) -> int:
    """Write one history entry per (member id, status, effective day), in bulk; the count."""
    stamp = clock.now()
    if connection.vendor == "postgresql":
        return _copy_status_changes(entries, cause=cause, stamp=stamp)
    rows = [
        MemberStatusChange(
            member_id=member_id,
            status=status,
            effective_on=effective_on,
            cause=cause,
            recorded_at=stamp,
        )
        for member_id, status, effective_on in entries
    ]
    MemberStatusChange.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    return len(rows)


def _copy_status_changes(
    entries: Iterable[StatusEntry], *, cause: str, stamp: datetime.datetime
) -> int:
    """PostgreSQL: the entries by COPY, as the import writes its members (100,000 entries in
    about a third of the time ``bulk_create`` takes, which kept the import under its 10 s)."""
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(str(MemberStatusChange._meta.get_field(name).column))  # type: ignore[union-attr]
        for name in ("member", "status", "effective_on", "cause", "recorded_at")
    )
    table = quote(str(MemberStatusChange._meta.db_table))
    count = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for member_id, status, effective_on in entries:
            copy.write_row((member_id, status, effective_on, cause, stamp))
            count += 1
    return count


def record_joined(members: Iterable[Member], *, cause: str) -> int:
    """New members' first entries: their status from the day they joined."""
    return record_status_changes(((m.pk, m.status, m.joined_on) for m in members), cause=cause)


def status_on(on: datetime.date) -> Subquery:
    """Annotation: a member's status on ``on`` from the history (None before the first entry)."""
    return Subquery(
        MemberStatusChange.objects.filter(member=OuterRef("pk"), effective_on__lte=on)
        .order_by("-effective_on", "-id")
        .values("status")[:1]
    )


def members_in_good_standing_on(
    on: datetime.date, *, home_group_ids: Iterable[int] | None = None
) -> QuerySet[Member]:
    """Members in good standing on ``on``, whose home group is one of ``home_group_ids`` (None:
    the whole movement).

    In good standing: their status on that day, by the history, was *member*; they had joined
    by then; no renewal recorded on their record fell due before it; and their record had not
    been erased by then (an erased record counts on days before its erasure, so a count made
    then can be made again and agree)."""
    members = Member.objects.filter(joined_on__lte=on)
    if home_group_ids is not None:
        members = members.filter(home_group_id__in=list(home_group_ids))
    return (
        members.filter(Q(renewal_due_on__isnull=True) | Q(renewal_due_on__gte=on))
        .filter(Q(erased_at__isnull=True) | Q(erased_at__date__gt=on))
        .alias(status_then=status_on(on))
        .filter(status_then=MembershipStatus.MEMBER)
    )


def good_standing_select(
    on: datetime.date, *, home_group_ids: Iterable[int] | None = None
) -> tuple[str, tuple[Any, ...]] | None:
    """:func:`members_in_good_standing_on` as the SQL of one ``SELECT`` of member ids (its one
    column) and its parameters, for a statement that writes from it inside the database
    (``INSERT ... SELECT``): the same query, compiled by the ORM, so the rule is still said in
    one place and no member passes through Python. None when no group is given (nobody)."""
    if home_group_ids is not None:
        home_group_ids = list(home_group_ids)
        if not home_group_ids:
            return None
    members = members_in_good_standing_on(on, home_group_ids=home_group_ids)
    sql, params = members.order_by().values("pk").query.sql_with_params()
    return sql, tuple(params)


def status_history(member: Member) -> QuerySet[MemberStatusChange]:
    """The member's own history, oldest first (subject access, the member's record)."""
    return MemberStatusChange.objects.filter(member=member).order_by("effective_on", "id")
