"""Ballots that members' initiatives call (grassroots.oversight)."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext

from grassroots import clock
from grassroots.audit.actions import AuditAction
from grassroots.ballots.keys import seal_with_server_key
from grassroots.ballots.models import (
    Ballot,
    BallotStatus,
    Candidate,
    Question,
    QuestionKind,
    Teller,
)
from grassroots.ballots.publication import ELECTION_KEY_PURPOSE, YESNO_ANSWERS
from grassroots.ballots.services._common import audit_ballot, locked_ballot
from grassroots.ballots.services.errors import BallotError
from grassroots.ballots.services.lifecycle import open_locked
from grassroots.ledger.heads import generate_signing_key
from grassroots.organisation.models import ScopeLevel
from grassroots.people.models import Member, MembershipStatus


@transaction.atomic
def create_initiative_ballot(
    *,
    title: str,
    description: str,
    question: str,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    returning_officer: Member,
    tellers_public_key: bytes,
    tellers: Sequence[tuple[Member, int]],
    threshold: int,
    reason: str,
) -> Ballot:
    """A national yes/no ballot called by a member initiative that met its threshold.

    No person asks for it: the movement's rules do, so there is no actor and the oversight
    service that calls this (inside its own transaction, so the initiative and its ballot
    commit together) is the permission check. The tellers' key was made in advance and its
    shares collected by the standing tellers (``tellers``: each member with the index of the
    share they hold), so the ballot is ready at once, and opens now if ``opens_at`` has come.
    """
    if closes_at <= opens_at:
        raise BallotError(gettext("The poll must close after it opens."))
    if not 1 <= threshold <= len(tellers) <= 20 or len(tellers_public_key) != 32:
        raise BallotError(gettext("The prepared tellers' key does not fit this ballot."))
    if len({m.pk for m, _ in tellers}) != len(tellers):
        raise BallotError(gettext("Each teller holds one share."))
    key = generate_signing_key()
    ballot = Ballot.objects.create(
        election_id=f"gr-{secrets.token_hex(8)}",
        title=title.strip(),
        description=description.strip(),
        level=ScopeLevel.NATION,
        opens_at=opens_at,
        closes_at=closes_at,
        eligible_statuses=[MembershipStatus.MEMBER],
        returning_officer=returning_officer,
        election_public_key=key.public,
        election_private_key_sealed=seal_with_server_key(key.private, purpose=ELECTION_KEY_PURPOSE),
        tellers_count=len(tellers),
        threshold=threshold,
    )
    paper = Question.objects.create(
        ballot=ballot,
        position=1,
        title=question.strip(),
        kind=QuestionKind.YESNO,
        seed=secrets.randbelow(2**31),
    )
    for number, answer in enumerate(YESNO_ANSWERS, start=1):
        Candidate.objects.create(question=paper, position=number, name=answer)
    Teller.objects.bulk_create(
        Teller(ballot=ballot, member=member, share_index=index, has_collected_share=True)
        for member, index in tellers
    )
    ballot.tellers_public_key = tellers_public_key
    ballot.status = BallotStatus.READY
    ballot.save(update_fields=["tellers_public_key", "status"])
    audit_ballot(
        None, AuditAction.CREATE_INITIATIVE_BALLOT, ballot, title=ballot.title, reason=reason
    )
    if opens_at <= clock.now():
        open_locked(None, locked_ballot(ballot))
    return Ballot.objects.get(pk=ballot.pk)
