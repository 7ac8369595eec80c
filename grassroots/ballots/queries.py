"""Reads of ballots shared by the pages: who may run, vote in, or tell which ballot.

Permission-checked fetches answer the same 404 for "missing" and "not allowed".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from grassroots.ballots.models import Ballot, BallotBoxEntry, BallotStatus, RollEntry, Teller
from grassroots.organisation.models import Area, Group, Region, ScopeLevel
from grassroots.organisation.permissions import Capability, may, scopes_for
from grassroots.people.models import Member
from grassroots.people.queries import own_member


def scope_object(ballot: Ballot) -> Group | Area | Region | None:
    return ballot.group or ballot.area or ballot.region


def may_run_in(actor: Any, scope: Group | Area | Region | None) -> bool:
    """May ``actor`` run ballots in this scope (None: the nation)?"""
    if scope is None:
        return scopes_for(actor, Capability.RUN_BALLOTS).everywhere
    return may(actor, Capability.RUN_BALLOTS, scope)


def may_run(actor: Any, ballot: Ballot) -> bool:
    return may_run_in(actor, scope_object(ballot))


def get_ballot_to_run(actor: Any, ballot_id: int) -> Ballot:
    ballot = Ballot.objects.select_related("group", "area", "region").filter(pk=ballot_id).first()
    if ballot is None or not may_run(actor, ballot):
        raise Http404("No such ballot.")
    return ballot


def get_ballot_to_vote(actor: Any, ballot_id: int) -> tuple[Ballot, RollEntry]:
    """The ballot and the actor's own roll entry; 404 unless the actor is on the roll."""
    member = own_member(actor)
    entry = (
        RollEntry.objects.select_related("ballot")
        .filter(ballot_id=ballot_id, member=member)
        .first()
        if member is not None
        else None
    )
    if entry is None:
        raise Http404("No such ballot.")
    return entry.ballot, entry


def get_teller_for(actor: Any, ballot_id: int) -> Teller:
    member = own_member(actor)
    teller = (
        Teller.objects.select_related("ballot").filter(ballot_id=ballot_id, member=member).first()
        if member is not None
        else None
    )
    if teller is None:
        raise Http404("No such ballot.")
    return teller


def get_public_ballot(ballot_id: int) -> Ballot:
    """A ballot whose poll has opened: its log and (once published) results are public."""
    ballot = (
        Ballot.objects.exclude(
            status__in=[BallotStatus.DRAFT, BallotStatus.NOMINATIONS, BallotStatus.READY]
        )
        .filter(pk=ballot_id)
        .first()
    )
    if ballot is None:
        raise Http404("No such ballot.")
    return ballot


@dataclass(frozen=True)
class MemberBallot:
    ballot: Ballot
    has_voted: bool


def ballots_on_my_roll(actor: Any) -> list[MemberBallot]:
    member = own_member(actor)
    if member is None:
        return []
    entries = RollEntry.objects.filter(member=member).select_related("ballot")
    return [
        MemberBallot(ballot=e.ballot, has_voted=e.has_voted)
        for e in entries.order_by("-ballot__closes_at")
    ]


def ballots_i_run(actor: Any) -> list[Ballot]:
    scopes = scopes_for(actor, Capability.RUN_BALLOTS)
    if scopes.is_empty:
        return []
    ballots: QuerySet[Ballot] = Ballot.objects.select_related("group", "area", "region")
    if scopes.everywhere:
        return list(ballots)
    candidates = ballots.exclude(level=ScopeLevel.NATION).filter(
        group_id__in=scopes.group_ids
    ) | ballots.filter(level__in=[ScopeLevel.AREA, ScopeLevel.REGION])
    return [b for b in candidates.distinct() if may_run(actor, b)]


def ballots_i_tell(actor: Any) -> list[Teller]:
    member = own_member(actor)
    if member is None:
        return []
    return list(Teller.objects.filter(member=member).select_related("ballot"))


def scope_choices(actor: Any) -> list[tuple[str, str]]:
    """Where ``actor`` may create a ballot, as form choices ("nation", "region:3", ...)."""
    scopes = scopes_for(actor, Capability.RUN_BALLOTS)
    if scopes.is_empty:
        return []
    choices: list[tuple[str, str]] = []
    if scopes.everywhere:
        choices.append(("nation", "The whole movement"))
    regions = Region.objects.all() if scopes.everywhere else Region.objects.none()
    areas = Area.objects.all() if scopes.everywhere else Area.objects.none()
    groups = Group.objects.all()
    if not scopes.everywhere:
        groups = groups.filter(pk__in=scopes.group_ids)
        areas = Area.objects.filter(groups__in=scopes.group_ids).distinct()
        regions = Region.objects.filter(areas__groups__in=scopes.group_ids).distinct()
    choices += [(f"region:{r.pk}", f"Region: {r.name}") for r in regions if may_run_in(actor, r)]
    choices += [(f"area:{a.pk}", f"Area: {a.name}") for a in areas if may_run_in(actor, a)]
    choices += [(f"group:{g.pk}", f"Group: {g.name}") for g in groups]
    return choices


def scope_from_choice(value: str) -> tuple[str, Group | Area | Region | None]:
    level, _, pk = value.partition(":")
    if level == ScopeLevel.NATION:
        return ScopeLevel.NATION, None
    if level == ScopeLevel.GROUP:
        return level, Group.objects.get(pk=int(pk))
    if level == ScopeLevel.AREA:
        return level, Area.objects.get(pk=int(pk))
    return ScopeLevel.REGION, Region.objects.get(pk=int(pk))


@dataclass(frozen=True)
class ReceiptStatus:
    tracker: str
    found: bool
    sealed: bool
    log_index: int | None
    plaintext: str | None


def look_up_receipt(ballot: Ballot, tracker: str) -> ReceiptStatus:
    """Is this tracker in the ballot box, and (after publication) what did it decrypt to?"""
    from grassroots.ballots.models import UnsealedBallot

    entry = BallotBoxEntry.objects.filter(ballot=ballot, tracker=tracker).first()
    if entry is not None:
        shown = None
        if ballot.status == BallotStatus.PUBLISHED and entry.plaintext is not None:
            shown = bytes(entry.plaintext).decode("utf-8")
        return ReceiptStatus(tracker, True, True, entry.log_index, shown)
    waiting = UnsealedBallot.objects.filter(ballot=ballot, tracker=tracker).exists()
    return ReceiptStatus(tracker, waiting, False, None, None)


def roll_member_for(actor: Any) -> Member | None:
    return own_member(actor)
