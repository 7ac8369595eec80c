"""What ballots ask of a member, for the home page (grassroots.people.attention)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from grassroots import clock
from grassroots.ballots.models import (
    BallotStatus,
    Nomination,
    NominationStatus,
    RollEntry,
    Teller,
)
from grassroots.people.attention import AttentionItem, Probe, listed
from grassroots.people.models import Member

# Before a ballot opens its tellers collect their key shares; after it closes they enter them.
_BEFORE_OPENING = (BallotStatus.DRAFT, BallotStatus.NOMINATIONS, BallotStatus.READY)
_TELLER_STATUSES = (*_BEFORE_OPENING, BallotStatus.CLOSED)


def _to_vote_of(member_id: int, now: datetime.datetime) -> QuerySet[RollEntry]:
    return RollEntry.objects.filter(
        member_id=member_id,
        has_voted=False,
        ballot__status=BallotStatus.OPEN,
        ballot__closes_at__gt=now,
    )


def _tellers_of(member_id: int) -> QuerySet[Teller]:
    """The member's tellerships in a ballot that may still need them (the rest of the rule is
    in ``teller_items``)."""
    return Teller.objects.filter(member_id=member_id, ballot__status__in=_TELLER_STATUSES)


def _tellers(member: Member) -> QuerySet[Teller]:
    return _tellers_of(member.pk)


def _to_consent_of(member_id: int) -> QuerySet[Nomination]:
    return Nomination.objects.filter(member_id=member_id, status=NominationStatus.AWAITING_CONSENT)


def _to_consent(member: Member) -> QuerySet[Nomination]:
    return _to_consent_of(member.pk)


def vote_probe(user: Any, member: Member | None) -> list[Probe]:
    if member is None:
        return []
    return [Probe(_to_vote_of, {"member_id": member.pk, "now": clock.now()})]


def teller_probe(user: Any, member: Member | None) -> list[Probe]:
    return [] if member is None else [Probe(_tellers_of, {"member_id": member.pk})]


def nomination_probe(user: Any, member: Member | None) -> list[Probe]:
    return [] if member is None else [Probe(_to_consent_of, {"member_id": member.pk})]


def _to_vote_listed(member_id: int, now: datetime.datetime) -> QuerySet[RollEntry]:
    return _to_vote_of(member_id, now).order_by("ballot__closes_at", "ballot_id")


def vote_items(user: Any, member: Member | None) -> list[AttentionItem]:
    if member is None:
        return []
    rows = listed(
        Probe(_to_vote_listed, {"member_id": member.pk, "now": clock.now()}),
        "ballot_id",
        "ballot__title",
        "ballot__closes_at",
    )
    return [
        AttentionItem(
            kind="vote",
            text=_("Vote in “%(title)s”") % {"title": title},
            url=reverse("ballot_vote", args=[ballot_id]),
            due=closes_at,
        )
        for ballot_id, title, closes_at in rows
    ]


def teller_items(user: Any, member: Member | None) -> list[AttentionItem]:
    if member is None:
        return []
    items: list[AttentionItem] = []
    for teller in _tellers(member).select_related("ballot"):
        ballot = teller.ballot
        if ballot.is_end_to_end and ballot.status == BallotStatus.DRAFT:
            if not teller.has_checked_shares:
                items.append(
                    AttentionItem(
                        kind="teller",
                        text=_("Take part in the tellers' key ceremony for “%(title)s”")
                        % {"title": ballot.title},
                        url=reverse("ballot_teller_share", args=[ballot.pk]),
                        due=ballot.opens_at,
                    )
                )
        elif ballot.is_end_to_end and ballot.status == BallotStatus.CLOSED:
            items.append(
                AttentionItem(
                    kind="teller",
                    text=_("Mix and decrypt “%(title)s” so it can be counted")
                    % {"title": ballot.title},
                    url=reverse("ballot_teller_reveal", args=[ballot.pk]),
                )
            )
        elif ballot.is_end_to_end:
            continue
        elif ballot.status in _BEFORE_OPENING and not teller.has_collected_share:
            items.append(
                AttentionItem(
                    kind="teller",
                    text=_("Collect your teller's key share for “%(title)s”")
                    % {"title": ballot.title},
                    url=reverse("ballot_teller_share", args=[ballot.pk]),
                    due=ballot.opens_at,
                )
            )
        elif ballot.status == BallotStatus.CLOSED and not teller.revealed_share:
            items.append(
                AttentionItem(
                    kind="teller",
                    text=_("Enter your teller's key share so “%(title)s” can be counted")
                    % {"title": ballot.title},
                    url=reverse("ballot_teller_reveal", args=[ballot.pk]),
                )
            )
    return items


def nomination_items(user: Any, member: Member | None) -> list[AttentionItem]:
    if member is None:
        return []
    items: list[AttentionItem] = []
    for nomination in _to_consent(member).select_related("question__ballot"):
        ballot = nomination.question.ballot
        items.append(
            AttentionItem(
                kind="nomination",
                text=_("You have been nominated in “%(title)s”: agree to stand or decline")
                % {"title": ballot.title},
                url=reverse("ballot_nomination", args=[ballot.pk, nomination.pk]),
                due=ballot.nominations_close_at,
            )
        )
    return items
