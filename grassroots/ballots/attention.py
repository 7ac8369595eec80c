"""What ballots ask of a member, for the home page (grassroots.people.attention)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from grassroots import clock
from grassroots.ballots.models import (
    BallotStatus,
    Nomination,
    NominationStatus,
    RollEntry,
    Teller,
)
from grassroots.people.attention import AttentionItem
from grassroots.people.models import Member

# Before a ballot opens its tellers collect their key shares; after it closes they enter them.
_BEFORE_OPENING = (BallotStatus.DRAFT, BallotStatus.NOMINATIONS, BallotStatus.READY)


def attention_items(user: Any, member: Member | None) -> list[AttentionItem]:
    if member is None:
        return []
    items = [
        AttentionItem(
            kind="vote",
            text=f"Vote in “{entry.ballot.title}”",
            url=reverse("ballot_vote", args=[entry.ballot_id]),
            due=entry.ballot.closes_at,
        )
        for entry in RollEntry.objects.filter(
            member=member,
            has_voted=False,
            ballot__status=BallotStatus.OPEN,
            ballot__closes_at__gt=clock.now(),
        ).select_related("ballot")
    ]
    for teller in Teller.objects.filter(member=member).select_related("ballot"):
        ballot = teller.ballot
        if ballot.status in _BEFORE_OPENING and not teller.has_collected_share:
            items.append(
                AttentionItem(
                    kind="teller",
                    text=f"Collect your teller's key share for “{ballot.title}”",
                    url=reverse("ballot_teller_share", args=[ballot.pk]),
                    due=ballot.opens_at,
                )
            )
        elif ballot.status == BallotStatus.CLOSED and not teller.revealed_share:
            items.append(
                AttentionItem(
                    kind="teller",
                    text=f"Enter your teller's key share so “{ballot.title}” can be counted",
                    url=reverse("ballot_teller_reveal", args=[ballot.pk]),
                )
            )
    for nomination in Nomination.objects.filter(
        member=member, status=NominationStatus.AWAITING_CONSENT
    ).select_related("question__ballot"):
        ballot = nomination.question.ballot
        items.append(
            AttentionItem(
                kind="nomination",
                text=f"You have been nominated in “{ballot.title}”: agree to stand or decline",
                url=reverse("ballot_nomination", args=[ballot.pk, nomination.pk]),
                due=ballot.nominations_close_at,
            )
        )
    return items
