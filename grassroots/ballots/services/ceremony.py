"""The tellers' key ceremony of an end-to-end ballot, without a dealer (docs/e2e.md).

Each teller, on their own device (``python -m grassroots.ledger teller ...``):
  1. makes a transport key and publishes its public half here (``publish_transport_key``);
  2. once every teller's is in, deals: publishes their commitments, proof of knowledge and a
     share sealed to each teller (``publish_deal``; the server checks the proof and the form);
  3. once every deal is in, opens the shares sealed to them, checks each against its sender's
     commitments, keeps their key share, and confirms here with the election key their
     device computed (``confirm_shares``). When every teller has, the election key is the sum
     of the tellers' first commitments and the ballot is ready to open.
The server stores only public values; a teller named in a refusal at step 3 is reported to
the returning officer, who starts the ceremony again (``restart_ceremony``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext

from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.ballots.e2e import commitments
from grassroots.ballots.models import Ballot, BallotStatus, Teller
from grassroots.ballots.services._common import (
    audit_ballot,
    locked_ballot,
    require_runner,
    require_status,
)
from grassroots.ballots.services.errors import BallotError, WrongStage
from grassroots.ledger.e2e.ceremony import (
    CeremonyError,
    check_commitment,
    election_public_key,
)
from grassroots.ledger.e2e.files import E2EFileError, deal_from_json, deal_to_json
from grassroots.ledger.e2e.group import GroupError, point_from_hex
from grassroots.ledger.e2e.record_checks import commitment_hash
from grassroots.people.queries import own_member

HEX64 = frozenset("0123456789abcdef")


def _own_teller(actor: User, teller: Teller) -> tuple[Teller, Ballot]:
    teller = Teller.objects.select_for_update().select_related("ballot").get(pk=teller.pk)
    member = own_member(actor)
    if member is None or teller.member_id != member.pk:
        raise PermissionDenied(gettext("You are not this teller."))
    ballot = locked_ballot(teller.ballot)
    if not ballot.is_end_to_end:
        raise WrongStage(
            gettext("This ballot is not end-to-end verifiable: it has no key ceremony.")
        )
    require_status(ballot, BallotStatus.DRAFT)
    return teller, ballot


def _hex_key(text: str, what: str) -> str:
    value = text.strip().lower()
    if len(value) != 64 or not set(value) <= HEX64:
        raise BallotError(
            gettext("%(what)s is 64 letters and digits (0-9, a-f); copy it again exactly.")
            % {"what": what}
        )
    return value


@transaction.atomic(durable=True)
def publish_transport_key(*, actor: User, teller: Teller, key_hex: str) -> None:
    """Step 1: the public half of the key the other tellers seal this teller's shares to."""
    teller, ballot = _own_teller(actor, teller)
    if ballot.tellers.exclude(deal=None).exists():
        raise WrongStage(
            gettext("Tellers have already dealt to the published keys; it cannot change now.")
        )
    teller.transport_key = _hex_key(key_hex, gettext("A transport key"))
    teller.save(update_fields=["transport_key"])
    audit_ballot(actor, AuditAction.PUBLISH_TRANSPORT_KEY, ballot, teller=teller.share_index)


@transaction.atomic(durable=True)
def publish_deal(*, actor: User, teller: Teller, document: object) -> None:
    """Step 2: the teller's deal-<i>.json, checked before it is kept."""
    teller, ballot = _own_teller(actor, teller)
    number = teller.share_index
    if ballot.tellers.filter(transport_key="").exists():
        raise WrongStage(gettext("Deal once every teller's transport key is published."))
    if teller.deal is not None:
        raise WrongStage(gettext("You have dealt already; a deal is never replaced."))
    try:
        dealt = deal_from_json(document, "your deal")
    except E2EFileError as error:
        raise BallotError(
            gettext("That file is not a deal: %(error)s.") % {"error": error}
        ) from error
    if dealt.election_id != ballot.election_id:
        raise BallotError(
            gettext("That deal is for election %(election_id)s, not this ballot.")
            % {"election_id": dealt.election_id}
        )
    if (dealt.threshold, dealt.tellers) != (ballot.threshold, ballot.tellers_count):
        raise BallotError(
            gettext(
                "That deal is for %(threshold)s of %(tellers)s tellers; this ballot needs "
                "%(needed)s of %(tellers_count)s."
            )
            % {
                "threshold": dealt.threshold,
                "tellers": dealt.tellers,
                "needed": ballot.threshold,
                "tellers_count": ballot.tellers_count,
            }
        )
    if dealt.commitment.teller != number:
        raise BallotError(
            gettext("That is teller %(teller)s's deal; you are teller %(number)s.")
            % {"teller": dealt.commitment.teller, "number": number}
        )
    if set(dealt.sealed_shares) != set(range(1, ballot.tellers_count + 1)):
        raise BallotError(
            gettext("A deal seals one share for each of tellers 1 to %(tellers_count)s.")
            % {"tellers_count": ballot.tellers_count}
        )
    try:
        check_commitment(
            election_id=ballot.election_id,
            commitment=dealt.commitment,
            threshold=ballot.threshold,
            tellers=ballot.tellers_count,
        )
    except CeremonyError as error:
        raise BallotError(f"{error}.") from error
    teller.deal = deal_to_json(dealt)
    teller.save(update_fields=["deal"])
    audit_ballot(actor, AuditAction.PUBLISH_DEAL, ballot, teller=number)


@transaction.atomic(durable=True)
def confirm_shares(*, actor: User, teller: Teller, election_key_hex: str) -> None:
    """Step 3: the teller opened and checked every share dealt to them; their device printed
    the election key, which must be the one the published commitments give."""
    teller, ballot = _own_teller(actor, teller)
    if ballot.tellers.filter(deal=None).exists():
        raise WrongStage(gettext("Check your shares once every teller has dealt."))
    published = commitments(ballot)
    expected = election_public_key(published)
    try:
        given = point_from_hex(_hex_key(election_key_hex, gettext("The election key")))
    except GroupError as error:
        raise BallotError(gettext("That is not an election key; copy it again exactly.")) from error
    if given != expected:
        raise BallotError(
            gettext(
                "That is not the election key the tellers' published commitments give: check that "
                "you received from the deals on this page, and copy the key your device printed."
            )
        )
    teller.has_checked_shares = True
    teller.save(update_fields=["has_checked_shares"])
    if not ballot.tellers.filter(has_checked_shares=False).exists():
        # Each teller's commitments, hashed into the parameters the first head signs.
        for row, commitment in zip(ballot.tellers.order_by("share_index"), published, strict=True):
            row.share_hash = commitment_hash(commitment)
            row.save(update_fields=["share_hash"])
        ballot.tellers_public_key = expected
        ballot.status = BallotStatus.READY
        ballot.save(update_fields=["tellers_public_key", "status"])
    audit_ballot(actor, AuditAction.CONFIRM_TELLER_SHARES, ballot, teller=teller.share_index)


@transaction.atomic(durable=True)
def restart_ceremony(*, actor: User, ballot: Ballot, reason: str) -> None:
    """Start the ceremony again (a teller reported a share that does not match its sender's
    commitments): every deal is discarded, so no share of the old polynomials is ever used."""
    require_runner(actor, ballot)
    ballot = locked_ballot(ballot)
    if not ballot.is_end_to_end:
        raise WrongStage(gettext("This ballot is not end-to-end verifiable."))
    require_status(ballot, BallotStatus.DRAFT)
    ballot.tellers.update(deal=None, has_checked_shares=False)
    audit_ballot(actor, AuditAction.RESTART_KEY_CEREMONY, ballot, reason=reason.strip()[:300])
