"""One-time voting codes for attendees without a device: the secretary prints a card for each
(the code is shown once, only its hash kept), and the code is used at the kiosk page or read
to a teller who enters it there. A code is bound to one attendee and one vote and dies with it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.assembly import queries
from grassroots.assembly.models import LiveVote, VoteMark, VotingCode
from grassroots.assembly.services.common import AssemblyError, audit, require_run
from grassroots.assembly.services.votes import (
    cast_in_person,
    locked_open_vote,
    refuses_a_second_vote,
)
from grassroots.audit.actions import AuditAction
from grassroots.meetings.models import Meeting
from grassroots.people.models import Member

# No 0/O, 1/I/L: read aloud to a teller and typed on a tablet.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 10


def _name(member: Member) -> str:
    return f"{member.first_name} {member.last_name}"


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalise(code: str) -> str:
    raw = "".join(c for c in (code or "").upper() if c.isalnum())
    return f"{raw[:5]}-{raw[5:]}" if len(raw) == LENGTH else raw


def code_hash(vote: LiveVote, code: str) -> str:
    return hashlib.sha256(f"{vote.uid}:{normalise(code)}".encode()).hexdigest()


@dataclass(frozen=True)
class Card:
    member: Member
    code: str


@transaction.atomic(durable=True)
def issue_codes(
    *, actor: User, meeting: Meeting, numbers: list[str]
) -> tuple[LiveVote, list[Card]]:
    """Codes for the open vote, one per attendee named by membership number. An attendee who
    has a code already, has voted, or is not signed in is refused (with every such name)."""
    officer = require_run(actor, meeting)
    vote = queries.open_vote(meeting)
    if vote is None or queries.is_due(vote):
        raise AssemblyError(gettext("Codes are printed for the vote that is open: open one first."))
    chosen: list[Member] = []
    problems: list[str] = []
    wanted = [n.strip().upper() for n in numbers if n.strip()]
    if not wanted:
        raise AssemblyError(gettext("Choose at least one attendee."))
    for number in dict.fromkeys(wanted):
        member = Member.objects.filter(membership_number=number).first()
        if member is None or queries.attendance_of(meeting, member) is None:
            problems.append(gettext("%(number)s is not signed in as present.") % {"number": number})
        elif VotingCode.objects.filter(vote=vote, member=member).exists():
            problems.append(gettext("%(name)s already has a code.") % {"name": _name(member)})
        elif VoteMark.objects.filter(vote=vote, member=member).exists():
            problems.append(gettext("%(name)s has already voted.") % {"name": _name(member)})
        else:
            chosen.append(member)
    if problems:
        # Whole sentences, each translated: no fragment is glued or re-cased (a name kept as
        # written).
        raise AssemblyError(" ".join([*problems, gettext("No code was made.")]))
    moment = clock.now()
    cards = [Card(member, new_code()) for member in chosen]
    VotingCode.objects.bulk_create(
        VotingCode(
            vote=vote,
            member=card.member,
            code_hash=code_hash(vote, card.code),
            made_by=officer,
            made_at=moment,
        )
        for card in cards
    )
    audit(actor, AuditAction.ASSEMBLY_ISSUE_CODES, meeting, vote=vote.pk, count=len(cards))
    return vote, cards


@refuses_a_second_vote
@transaction.atomic(durable=True)
def vote_with_code(*, actor: User, meeting: Meeting, code: str, choice: list[int]) -> Member:
    """At the kiosk (logged in by an officer) or by a teller: the code's attendee votes."""
    require_run(actor, meeting)
    vote = queries.open_vote(meeting)
    if vote is None:
        raise AssemblyError(gettext("No vote is open: a code works only while its vote is open."))
    vote = locked_open_vote(meeting, vote.pk)
    found = (
        VotingCode.objects.select_for_update()
        .select_related("member")
        .filter(vote=vote, code_hash=code_hash(vote, code))
        .first()
    )
    if found is None:
        raise AssemblyError(
            gettext("That code is not valid for the vote that is open (codes die with their vote).")
        )
    if found.used_at is not None:
        raise AssemblyError(gettext("That code has already been used: a code votes once."))
    cast_in_person(vote, meeting, found.member, choice, found.member)
    found.used_at = clock.now()
    found.save(update_fields=["used_at"])
    audit(actor, AuditAction.ASSEMBLY_USE_CODE, meeting, vote=vote.pk)
    return found.member
