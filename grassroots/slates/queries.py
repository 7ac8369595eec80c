"""Reads of the slates app: the public list and page, and what the national office may name."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from grassroots.ballots.models import Ballot, BallotStatus, Candidate
from grassroots.slates.models import Slate, SlateBallot


def public_slates() -> list[Slate]:
    return list(Slate.objects.all())


def get_slate(slate_id: int) -> Slate:
    slate = Slate.objects.filter(pk=slate_id).first()
    if slate is None:
        raise Http404("No such slate.")
    return slate


@dataclass(frozen=True)
class Selection:
    """One selection ballot on the slate's page: its state and, once published, whom it chose."""

    ballot: Ballot
    is_published: bool
    chosen: tuple[Candidate, ...]


def selections(slate: Slate) -> list[Selection]:
    """The slate's ballots in the order named; chosen candidates only once a ballot is
    published (the result's own page and record are linked beside them)."""
    out = []
    rows = SlateBallot.objects.filter(slate=slate).select_related("ballot")
    for row in rows.prefetch_related("places__candidate"):
        published = row.ballot.status == BallotStatus.PUBLISHED
        chosen = tuple(p.candidate for p in row.places.all()) if published else ()
        out.append(Selection(ballot=row.ballot, is_published=published, chosen=chosen))
    return out


def ballots_to_name(slate: Slate) -> list[Ballot]:
    """Ballots the national office could name as filling a slate: not published, not already
    filling one, with a question that has candidates."""
    from grassroots.slates.services import SELECTION_KINDS

    return list(
        Ballot.objects.exclude(status=BallotStatus.PUBLISHED)
        .filter(slate_selection__isnull=True, questions__kind__in=SELECTION_KINDS)
        .distinct()
        .order_by("-opens_at")[:200]
    )
