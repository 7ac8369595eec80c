"""Telling the roll in the app (grassroots.notifications) that a ballot has opened or that its
result is out. The ballot mail already reaches every voter; these are the inbox's entries, and
mail only for members who asked for ballot notifications by mail.

Written by a task once the open or the publication commits: a national roll is 500,000 rows.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse

from grassroots.ballots.models import Ballot, RollEntry
from grassroots.notifications.models import Kind
from grassroots.notifications.services import notify
from grassroots.people.models import Member

OPENED = "opened"
PUBLISHED = "published"


def notify_roll_later(ballot_id: int, event: str) -> None:
    """Queue the roll's notification for when the caller's transaction commits."""
    from grassroots.ballots.tasks import notify_roll_task

    transaction.on_commit(lambda: notify_roll_task.enqueue(ballot_id, event), robust=True)


def notify_roll(*, ballot_id: int, event: str) -> int:
    ballot = Ballot.objects.get(pk=ballot_id)
    params: dict[str, object] = {"title": ballot.title}
    if event == OPENED:
        message = "ballot_opened"
        params["closes"] = ballot.closes_at
        url = reverse("ballot_vote", args=[ballot.pk])
    elif event == PUBLISHED:
        message = "ballot_published"
        url = reverse("ballot_results", args=[ballot.pk])
    else:
        raise ValueError(f"no notice for {event!r}")
    # A queryset: the rows are written by one statement in the database (430,000 voters at a
    # national ballot), not made into model instances here.
    members = Member.objects.filter(
        pk__in=RollEntry.objects.filter(ballot=ballot).values("member_id")
    )
    with transaction.atomic():
        return notify(
            members,
            kind=Kind.BALLOT,
            url=url,
            message=message,
            params=params,
        )
