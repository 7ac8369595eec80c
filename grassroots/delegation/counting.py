"""Members in good standing per group at a stated date, counted by the database.

The register keeps no history of membership status, so "in good standing on D" reads as: a
member now (not a supporter, lapsed or suspended), joined on or before D, with no renewal
falling due before D, and not erased. Each member counts once, in their home group, as for
recognition (associate membership of a second group adds no weight).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Count, Q

from grassroots.people.models import Member, MembershipStatus


def members_in_good_standing(group_ids: Iterable[int], on: datetime.date) -> dict[int, int]:
    """Group id to its count; groups with none are present with 0. One query."""
    ids = list(group_ids)
    rows = (
        Member.objects.filter(
            home_group_id__in=ids,
            status=MembershipStatus.MEMBER,
            joined_on__lte=on,
            erased_at__isnull=True,
        )
        .filter(Q(renewal_due_on__isnull=True) | Q(renewal_due_on__gte=on))
        .order_by()
        .values("home_group_id")
        .annotate(n=Count("id"))
        .values_list("home_group_id", "n")
    )
    counts = dict.fromkeys(ids, 0)
    counts.update(dict(rows))
    return counts
