"""Members in good standing per group at a stated date, counted by the database.

"In good standing on D" comes from the membership status history
(``people.standing.members_in_good_standing_on``): a member who lapsed after D counts, one who
joined after D does not. Each member counts once, in their home group, as for recognition
(associate membership of a second group adds no weight).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Count

from grassroots.people.dues import only_paid_up
from grassroots.people.standing import members_in_good_standing_on


def members_in_good_standing(
    group_ids: Iterable[int], on: datetime.date, *, paid_up_by: datetime.date | None = None
) -> dict[int, int]:
    """Group id to its count; groups with none are present with 0. One query. With
    ``paid_up_by``, only members whose dues are paid up to it count (people.dues)."""
    ids = list(group_ids)
    rows = (
        only_paid_up(members_in_good_standing_on(on, home_group_ids=ids), paid_up_by)
        .order_by()
        .values("home_group_id")
        .annotate(n=Count("id"))
        .values_list("home_group_id", "n")
    )
    counts = dict.fromkeys(ids, 0)
    counts.update(dict(rows))
    return counts
