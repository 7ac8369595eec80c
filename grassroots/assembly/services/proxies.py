"""Proxies: a member lets another attendee vote for them at one meeting. Recorded, revocable
until a vote opens (and again once it has closed), capped per holder by the standing orders; the
secretary can enter a block at once (all or nothing). A proxy goes only to someone present.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.assembly import queries
from grassroots.assembly.models import Proxy
from grassroots.assembly.services.common import (
    AssemblyError,
    acting_member,
    audit,
    member_by_number,
    require_run,
)
from grassroots.audit.actions import AuditAction
from grassroots.meetings import queries as meetings
from grassroots.meetings.models import Meeting
from grassroots.people.models import Member

MAX_BLOCK = 500


def _name(member: Member) -> str:
    return f"{member.first_name} {member.last_name}"


def _check(meeting: Meeting, principal: Member, holder: Member, pending: dict[int, int]) -> None:
    """``pending``: proxies each holder gains in the same block, counted against the cap."""
    if meeting.status != "scheduled" or meeting.ends_at <= clock.now():
        raise AssemblyError(
            gettext("Proxies are given for a meeting still to be held or under way.")
        )
    if queries.open_vote(meeting) is not None:
        raise AssemblyError(
            gettext("A vote is open: proxies can be given or revoked once it has closed.")
        )
    if principal.pk == holder.pk:
        raise AssemblyError(gettext("A proxy goes to someone else."))
    orders = queries.standing_orders(meeting)
    if orders.proxies_per_holder == 0:
        raise AssemblyError(gettext("This meeting's standing orders allow no proxies."))
    if queries.weight_of(meeting, principal, orders) is None:
        raise AssemblyError(
            gettext("%(principal)s has no vote at this meeting to give.")
            % {"principal": _name(principal)}
        )
    if queries.attendance_of(meeting, holder) is None:
        raise AssemblyError(
            gettext(
                "%(holder)s is not signed in as present: a proxy goes only to someone "
                "at the meeting (in the room or online)."
            )
            % {"holder": _name(holder)}
        )
    if queries.proxy_given_by(meeting, principal) is not None:
        raise AssemblyError(
            gettext("%(principal)s has already given a proxy: revoke it first.")
            % {"principal": _name(principal)}
        )
    held = Proxy.objects.filter(meeting=meeting, holder=holder, revoked_at__isnull=True).count()
    if held + pending.get(holder.pk, 0) >= orders.proxies_per_holder:
        count = held + pending.get(holder.pk, 0)
        message = (
            gettext(
                "%(holder)s already holds %(count)s proxy: "
                "the standing orders allow %(allowed)s per person."
            )
            if count == 1
            else gettext(
                "%(holder)s already holds %(count)s proxies: "
                "the standing orders allow %(allowed)s per person."
            )
        )
        raise AssemblyError(
            message
            % {"holder": _name(holder), "count": count, "allowed": orders.proxies_per_holder}
        )
    if Proxy.objects.filter(meeting=meeting, principal=holder, revoked_at__isnull=True).exists():
        raise AssemblyError(
            gettext("%(holder)s has given their own proxy away.") % {"holder": _name(holder)}
        )


@transaction.atomic(durable=True)
def give_proxy(*, actor: User, meeting: Meeting, holder_number: str) -> Proxy:
    """A member gives their proxy for this meeting to an attendee, by membership number."""
    principal = acting_member(actor)
    if not meetings.is_in_scope(principal, meeting):
        raise AssemblyError(
            gettext("Only members of %(scope_name)s can give a proxy.")
            % {"scope_name": meeting.scope_name}
        )
    holder = member_by_number(meeting, holder_number)
    _check(meeting, principal, holder, {})
    proxy = Proxy.objects.create(
        meeting=meeting,
        principal=principal,
        holder=holder,
        given_at=clock.now(),
        entered_by=principal,
    )
    audit(
        actor,
        AuditAction.ASSEMBLY_GIVE_PROXY,
        meeting,
        principal=principal.membership_number,
        holder=holder.membership_number,
    )
    return proxy


@transaction.atomic(durable=True)
def revoke_proxy(*, actor: User, meeting: Meeting, proxy_id: int) -> None:
    """The member who gave it, or an officer, revokes a proxy while no vote is open."""
    member = acting_member(actor)
    proxy = Proxy.objects.select_for_update().filter(pk=proxy_id, meeting=meeting).first()
    if proxy is None or proxy.revoked_at is not None:
        raise AssemblyError(gettext("There is no such proxy to revoke."))
    if proxy.principal_id != member.pk:
        require_run(actor, meeting)
    if queries.open_vote(meeting) is not None:
        raise AssemblyError(gettext("A vote is open: the proxy can be revoked once it has closed."))
    proxy.revoked_at = clock.now()
    proxy.save(update_fields=["revoked_at"])
    audit(actor, AuditAction.ASSEMBLY_REVOKE_PROXY, meeting, proxy=proxy.pk)


@dataclass(frozen=True)
class BlockLine:
    number: int
    principal: str
    holder: str


def parse_block(text: str) -> tuple[list[BlockLine], list[tuple[int, str]]]:
    """One proxy a line: the giver's membership number, then the holder's (spaces, commas or
    tabs between). Blank lines are skipped; a malformed line is a problem, named by number."""
    lines: list[BlockLine] = []
    problems: list[tuple[int, str]] = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        parts = raw.replace(",", " ").replace(";", " ").split()
        if not parts:
            continue
        if len(parts) != 2:
            problems.append(
                (number, gettext("give two membership numbers, the giver's then the holder's."))
            )
            continue
        lines.append(BlockLine(number, parts[0], parts[1]))
    if not lines and not problems:
        raise AssemblyError(gettext("Enter at least one proxy: two membership numbers a line."))
    if len(lines) > MAX_BLOCK:
        raise AssemblyError(
            gettext("At most %(max_block)s proxies at once.") % {"max_block": MAX_BLOCK}
        )
    return lines, problems


@transaction.atomic(durable=True)
def enter_proxies(*, actor: User, meeting: Meeting, text: str) -> list[Proxy]:
    """The secretary enters a block of proxies (from paper forms). All or nothing: one bad line
    and none is stored, and the message names every bad line."""
    officer = require_run(actor, meeting)
    lines, problems = parse_block(text)
    pending: dict[int, int] = {}
    givers: set[int] = set()
    pairs: list[tuple[Member, Member]] = []
    for line in lines:
        try:
            principal = member_by_number(meeting, line.principal)
            holder = member_by_number(meeting, line.holder)
            if principal.pk in givers:
                raise AssemblyError(
                    gettext("%(principal)s is given twice in this block.")
                    % {"principal": _name(principal)}
                )
            _check(meeting, principal, holder, pending)
        except AssemblyError as error:
            problems.append((line.number, str(error)))
            continue
        givers.add(principal.pk)
        pending[holder.pk] = pending.get(holder.pk, 0) + 1
        pairs.append((principal, holder))
    if problems:
        problems.sort(key=lambda p: p[0])
        said = [
            gettext("Line %(number)s: %(problem)s") % {"number": n, "problem": p}
            for n, p in problems
        ]
        raise AssemblyError(" ".join([*said, gettext("No proxy in the block was recorded.")]))
    moment = clock.now()
    proxies = Proxy.objects.bulk_create(
        Proxy(meeting=meeting, principal=p, holder=h, given_at=moment, entered_by=officer)
        for p, h in pairs
    )
    audit(actor, AuditAction.ASSEMBLY_ENTER_PROXIES, meeting, count=len(proxies))
    return proxies
