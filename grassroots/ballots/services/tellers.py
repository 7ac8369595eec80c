"""The tellers' key: made and split when the tellers are named, each share collected once
before the open and entered again after the close (the count combines them).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext

from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.ballots.keys import open_with_server_key, seal_with_server_key
from grassroots.ballots.models import Ballot, BallotStatus, QuestionKind, Teller
from grassroots.ballots.services._common import (
    audit_ballot,
    locked_ballot,
    require_runner,
    require_status,
)
from grassroots.ballots.services.errors import BallotError, WrongStage
from grassroots.ledger.crypto import (
    SealError,
    Share,
    clamp,
    combine_shares,
    generate_tellers_key,
    share_hash,
    split_secret,
    tellers_public_key,
)
from grassroots.people.models import Member
from grassroots.people.queries import own_member

SHARE_PURPOSE = "teller-share"


@transaction.atomic(durable=True)
def set_up_tellers(*, actor: User, ballot: Ballot, members: Sequence[Member]) -> None:
    """Make the tellers' key, split it k-of-n, and hold each share for its teller to collect.

    The whole private key exists only in this function's memory; what is stored is the public
    key and each share sealed under the server key until its teller collects it.
    """
    require_runner(actor, ballot)
    ballot = locked_ballot(ballot)
    if ballot.status == BallotStatus.NOMINATIONS:
        raise WrongStage(
            gettext(
                "Confirm the nominations before naming the tellers: the key commits to the "
                "candidates."
            )
        )
    require_status(ballot, BallotStatus.DRAFT)
    if len({m.pk for m in members}) != len(members) or len(members) != ballot.tellers_count:
        raise BallotError(
            gettext("Name %(tellers_count)s different members as tellers.")
            % {"tellers_count": ballot.tellers_count}
        )
    questions = list(ballot.questions.prefetch_related("candidates"))
    if not questions:
        raise BallotError(gettext("Add at least one question first."))
    for question in questions:
        standing = [c for c in question.candidates.all() if not c.withdrawn]
        if len(standing) < (2 if question.kind != QuestionKind.STV else question.seats + 1):
            raise BallotError(
                gettext("“%(title)s” needs more candidates before the ballot opens.")
                % {"title": question.title}
            )
    if ballot.is_end_to_end:
        # No key is made here: the tellers make it together on their own devices
        # (services.ceremony); the server never holds a share.
        for number, member in enumerate(members, start=1):
            Teller.objects.create(ballot=ballot, member=member, share_index=number)
        audit_ballot(
            actor,
            AuditAction.SET_UP_TELLERS,
            ballot,
            tellers=[m.membership_number for m in members],
            end_to_end=True,
        )
        return
    private, public = generate_tellers_key()
    shares = split_secret(private, threshold=ballot.threshold, shares=ballot.tellers_count)
    del private
    for member, share in zip(members, shares, strict=True):
        Teller.objects.create(
            ballot=ballot,
            member=member,
            share_index=share.index,
            share_hash=share_hash(share.to_text()),
            pending_share_sealed=seal_with_server_key(
                share.to_text().encode(), purpose=f"{SHARE_PURPOSE}:{ballot.election_id}"
            ),
        )
    ballot.tellers_public_key = public
    ballot.save(update_fields=["tellers_public_key"])
    audit_ballot(
        actor, AuditAction.SET_UP_TELLERS, ballot, tellers=[m.membership_number for m in members]
    )


@transaction.atomic(durable=True)
def collect_share(*, actor: User, teller: Teller) -> str:
    """Show a teller their share, once; the server keeps no copy afterwards."""
    teller = Teller.objects.select_for_update().select_related("ballot").get(pk=teller.pk)
    member = own_member(actor)
    if member is None or teller.member_id != member.pk:
        raise PermissionDenied(gettext("That share is not yours."))
    if teller.has_collected_share or teller.pending_share_sealed is None:
        raise WrongStage(gettext("You have already collected your share; it is shown only once."))
    ballot = locked_ballot(teller.ballot)
    share = open_with_server_key(
        bytes(teller.pending_share_sealed), purpose=f"{SHARE_PURPOSE}:{ballot.election_id}"
    ).decode()
    teller.pending_share_sealed = None
    teller.has_collected_share = True
    teller.save(update_fields=["pending_share_sealed", "has_collected_share"])
    if not ballot.tellers.filter(has_collected_share=False).exists():
        ballot.status = BallotStatus.READY
        ballot.save(update_fields=["status"])
    audit_ballot(actor, AuditAction.COLLECT_SHARE, ballot, teller=teller.share_index)
    return share


@transaction.atomic(durable=True)
def reveal_share(*, actor: User, teller: Teller, share_text: str) -> None:
    """A teller enters their share after the close; it will be published in the record."""
    teller = Teller.objects.select_for_update().select_related("ballot").get(pk=teller.pk)
    member = own_member(actor)
    if member is None or teller.member_id != member.pk:
        raise PermissionDenied(gettext("You are not this teller."))
    require_status(teller.ballot, BallotStatus.CLOSED)
    try:
        share = Share.from_text(share_text.strip().lower())
    except SealError as error:
        raise BallotError(
            gettext(
                "That is not a key share. Copy it exactly as it was shown: a number, a colon, "
                "then 132 letters and digits."
            )
        ) from error
    if share.index != teller.share_index:
        raise BallotError(
            gettext("That share is number %(index)s; yours is number %(share_index)s.")
            % {"index": share.index, "share_index": teller.share_index}
        )
    # Checked now, against the hash kept (and published) when the key was made, so a mistyped
    # share is named here rather than failing the count later (issue 20, item 10). Ballots set
    # up before hashes were kept have none to check against.
    if teller.share_hash and share_hash(share.to_text()) != teller.share_hash:
        raise BallotError(
            gettext(
                "This is not the share you were given as teller %(share_index)s: it does not "
                "match the one made for you when the key was set up. Copy it again exactly as it "
                "was shown (a number, a colon, then 132 letters and digits) and enter it again."
            )
            % {"share_index": teller.share_index}
        )
    teller.revealed_share = share.to_text()
    teller.save(update_fields=["revealed_share"])
    audit_ballot(actor, AuditAction.REVEAL_SHARE, teller.ballot, teller=teller.share_index)


def tellers_private_key(ballot: Ballot) -> bytes:
    """The tellers' key from the shares entered, checked against the published public key."""
    tellers = list(ballot.tellers.exclude(revealed_share=""))
    if len(tellers) < ballot.threshold:
        raise BallotError(
            gettext("%(count)s of the %(threshold)s key shares needed have been entered.")
            % {"count": len(tellers), "threshold": ballot.threshold}
        )
    try:
        private = combine_shares([Share.from_text(t.revealed_share) for t in tellers])
    except SealError:
        private = b""
    if (
        not private
        or clamp(private) != private
        or tellers_public_key(private) != bytes(ballot.tellers_public_key or b"")
    ):
        raise BallotError(
            gettext(
                "The shares entered do not combine to the tellers' key: one was mistyped. "
                "Ask each teller to check and enter their share again."
            )
        )
    return private
