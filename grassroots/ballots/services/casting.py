"""Casting a vote: the member's one vote, its receipt, and the receipt by email.

Casting is the exception to "audited": an audit row is a dated record of who did what, and a
dated row per voter would let anyone holding the database line voters up against the sealer's
batches. The roll mark is the record that a member voted; docs/ballots.md has the reasoning.
"""

from __future__ import annotations

import hashlib
import json
import re
import smtplib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.ballots import sql
from grassroots.ballots.keys import open_receipt, seal_receipt
from grassroots.ballots.links import roll_entry_for_link
from grassroots.ballots.models import (
    Ballot,
    Question,
    QuestionKind,
    ReceiptKeeper,
    RollEntry,
)
from grassroots.ballots.queries import ballot_paper, voter_place
from grassroots.ballots.services.errors import (
    AlreadyVoted,
    BallotError,
    NotOnRoll,
    PollNotOpen,
    ReceiptNotSent,
    WrongStage,
)
from grassroots.ledger.crypto import seal_ballot, tracker
from grassroots.ledger.recount import BallotPaperError, ballot_plaintext
from grassroots.people.queries import own_member

IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


@dataclass(frozen=True)
class Receipt:
    """What the voter keeps: one tracker per question, in ballot-paper order."""

    election_id: str
    trackers: tuple[tuple[str, str], ...]  # (question title, tracker)
    is_repeat: bool = False

    def to_bytes(self) -> bytes:
        return json.dumps({"e": self.election_id, "t": [list(t) for t in self.trackers]}).encode()

    @classmethod
    def from_bytes(cls, data: bytes, *, is_repeat: bool) -> Receipt:
        value = json.loads(data)
        return cls(
            election_id=value["e"],
            trackers=tuple((str(q), str(t)) for q, t in value["t"]),
            is_repeat=is_repeat,
        )


# One preference on a paper: a candidate id, or (where the question allows equal preferences)
# the ids of the candidates marked equal there.
Mark = int | Sequence[int]


def _papers(
    ballot: Ballot, answers: Mapping[int, Sequence[Mark]], member_id: int
) -> list[tuple[Question, bytes]]:
    """Check the voter's marks against the ballot and make one plaintext paper per question.

    ``answers`` maps question id to candidate ids (in preference order for ranked questions;
    a list of ids in the place of one marks them equal, where the question allows it);
    an unanswered question is a blank paper, so papers per question always equal voters. So is
    a section the voter does not answer (another region's: docs/slates.md), which takes no
    mark. The questions come from ``queries.ballot_paper`` (read once per process while it is
    open).
    """
    paper = ballot_paper(ballot)
    questions = paper.questions
    unknown = set(answers) - {q.pk for q in questions}
    if unknown:
        raise BallotError(gettext("The ballot paper has a question that is not on this ballot."))
    voter = voter_place(ballot, member_id)
    answered = {q.pk for q in paper.questions_for(voter)}
    papers = []
    for question in questions:
        if question.pk not in answered and answers.get(question.pk):
            raise BallotError(
                gettext("“%(title)s” is not on your ballot paper.") % {"title": question.title}
            )
        candidates = list(question.candidates.all())
        index = {c.pk: i for i, c in enumerate(candidates)}
        given = list(answers.get(question.pk, ()))
        ranks = [[m] if isinstance(m, int) else list(m) for m in given]
        is_equal = any(len(rank) != 1 for rank in ranks)
        if is_equal and not question.allows_equal_preferences:
            raise BallotError(
                gettext(
                    "“%(title)s”: this question takes no equal preferences; give each candidate a "
                    "different number."
                )
                % {"title": question.title}
            )
        marks = [m for rank in ranks for m in rank]
        for mark in marks:
            if mark not in index:
                raise BallotError(
                    gettext("“%(title)s”: that is not a candidate on this ballot.")
                    % {"title": question.title}
                )
            if candidates[index[mark]].withdrawn:
                raise BallotError(
                    gettext("“%(title)s”: %(name)s has withdrawn.")
                    % {"title": question.title, "name": candidates[index[mark]].name}
                )
        if len(set(marks)) != len(marks):
            raise BallotError(
                gettext("“%(title)s”: a candidate is marked more than once.")
                % {"title": question.title}
            )
        if question.kind in (QuestionKind.YESNO, QuestionKind.SINGLE) and len(marks) > 1:
            raise BallotError(gettext("“%(title)s”: choose only one.") % {"title": question.title})
        try:
            plaintext = ballot_plaintext(
                paper.ledger[question.pk],
                [index[m] for m in marks],
                ranks=[[index[m] for m in rank] for rank in ranks] if is_equal else (),
                college=voter.colleges.get(question.pk),
            )
        except BallotPaperError as error:
            raise BallotError(
                gettext("“%(title)s”: %(error)s") % {"title": question.title, "error": error}
            ) from error
        papers.append((question, plaintext))
    return papers


def _idempotency_hash(ballot: Ballot, member_id: int, key: str) -> str:
    data = f"grassroots-cast/1\x00{ballot.election_id}\x00{member_id}\x00{key}".encode()
    return hashlib.sha256(data).hexdigest()


def cast_ballot(
    *,
    actor: User | AnonymousUser,
    ballot: Ballot,
    answers: Mapping[int, Sequence[Mark]],
    idempotency_key: str,
    roll_entry: RollEntry | None = None,
) -> Receipt:
    """Cast the logged-in member's one vote; see :func:`_cast`.

    ``roll_entry`` is the one ``queries.get_ballot_to_vote`` found for this actor and ballot
    (it saves looking the member up again); any other entry is ignored and the member is
    looked up from ``actor``.
    """
    if (
        roll_entry is not None
        and getattr(roll_entry, "voter_user_id", None) == getattr(actor, "pk", None) is not None
        and roll_entry.ballot_id == ballot.pk
    ):
        member_id = roll_entry.member_id
    else:
        member = own_member(actor)
        if member is None:
            raise NotOnRoll(gettext("You are not on the roll for this ballot."))
        member_id = member.pk
    return _cast(
        member_id=member_id, ballot=ballot, answers=answers, idempotency_key=idempotency_key
    )


def cast_ballot_with_link(
    *,
    actor: User | AnonymousUser | None,
    ballot: Ballot,
    token: str,
    answers: Mapping[int, Sequence[Mark]],
    idempotency_key: str,
) -> Receipt:
    """Cast the vote of the member whose personal link this is (``actor`` may be anonymous).

    The link is good for this one ballot and nothing else; see grassroots.ballots.links.
    """
    entry = roll_entry_for_link(ballot, token)
    return _cast(
        member_id=entry.member_id, ballot=ballot, answers=answers, idempotency_key=idempotency_key
    )


RECEIPT_MAIL_BODY = gettext_lazy(
    "Dear %(first_name)s,\n"
    "\n"
    'You asked for your receipt for "%(title)s" (election %(election_id)s) by email. It does not '
    "say how you voted. Each tracker below is one of your ballot papers, as stored, encrypted, "
    "in the ballot box:\n"
    "\n"
    "%(trackers)s\n"
    "\n"
    "Check that each is in the public log, and after the result what it decrypted to:\n"
    "%(check)s\n"
    "\n"
    "This mail now links your address to these trackers on every mail server that holds it, so "
    "after the result whoever can read it can look up how you voted. Delete it if that matters "
    "to you. Grassroots itself keeps no record of having sent it.\n"
)


def email_receipt(
    *, actor: User | AnonymousUser, ballot: Ballot, idempotency_key: str, token: str | None = None
) -> tuple[str, Receipt]:
    """Mail the voter their receipt, at once, from this request; returns the address used and
    the receipt (to show again).

    The receipt is found as a retry finds it (``ReceiptKeeper``, opened with the voter's own
    idempotency key), so only the voter's genuine trackers are mailed, and only while the poll
    is open (the keepers are deleted at the close). Nothing is written: no task, no mail row,
    no audit entry, since each would be a dated record linking the member to the moment they
    voted, or to the trackers (docs/ballots.md, "The receipt by email"). A failed send is
    reported on the page and not retried.
    """
    if not IDEMPOTENCY_KEY.fullmatch(idempotency_key):
        raise BallotError(
            gettext("This receipt can no longer be mailed. Copy it from the page instead.")
        )
    if token is not None:
        member = roll_entry_for_link(ballot, token).member
    else:
        found = own_member(actor)
        if found is None:
            raise NotOnRoll(gettext("You are not on the roll for this ballot."))
        member = found
    kept = ReceiptKeeper.objects.filter(
        ballot=ballot, key_hash=_idempotency_hash(ballot, member.pk, idempotency_key)
    ).first()
    if kept is None:
        raise WrongStage(
            gettext(
                "This receipt can no longer be mailed (the poll has closed, or the page is not the "
                "one shown when you voted). Copy the trackers from the page instead."
            )
        )
    receipt = Receipt.from_bytes(
        open_receipt(bytes(kept.receipt_sealed), idempotency_key), is_repeat=True
    )
    if not member.email:
        raise BallotError(
            gettext("We hold no email address for you. Copy the trackers from the page.")
        )
    site = settings.GRASSROOTS_SITE_URL.rstrip("/")
    # In the voter's language: this mail is sent from their own request.
    body = str(RECEIPT_MAIL_BODY) % {
        "first_name": member.first_name,
        "title": ballot.title,
        "election_id": ballot.election_id,
        "trackers": "\n".join(f"{title}:\n  {value}" for title, value in receipt.trackers),
        "check": site + reverse("ballot_receipt_check", args=[ballot.pk]),
    }
    subject = gettext("Your receipt: %(title)s") % {"title": ballot.title}
    message = EmailMessage(subject=subject[:150], body=body, to=[member.email])
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        raise ReceiptNotSent(
            gettext(
                "The mail could not be sent just now. Copy the trackers from this page, "
                "or try again."
            )
        ) from error
    return str(member.email), receipt


def _cast(
    *,
    member_id: int,
    ballot: Ballot,
    answers: Mapping[int, Sequence[Mark]],
    idempotency_key: str,
) -> Receipt:
    """Cast the member's one vote and return the receipt, only after the vote has committed.

    In one durable transaction (``sql.cast_transaction`` and ``sql.cast``): read the ballot's
    status under the lock the close waits for; if the poll is open, set the member's roll mark
    with one conditional UPDATE (``has_voted`` false → true), store the sealed papers in the
    unsealed box and the receipt for retries. The UPDATE takes the roll entry's row lock, so
    of concurrent submissions from one member exactly one changes the row: the others wait
    for it, re-read ``has_voted`` and change nothing. When nothing changed (or the poll is not
    open) the roll entry is read to say why: not on the roll, already voted (a retry with the
    same idempotency key gets its original receipt), or the poll is not open.
    """
    if not IDEMPOTENCY_KEY.fullmatch(idempotency_key):
        raise BallotError(gettext("The form was incomplete. Reload the ballot page and try again."))
    if ballot.tellers_public_key is None:
        raise NotOnRoll(gettext("You are not on the roll for this ballot."))
    if ballot.is_end_to_end:
        raise BallotError(
            gettext(
                "This ballot is end-to-end verifiable: your paper is encrypted in your browser, "
                "which needs JavaScript. The server never takes a readable paper for it."
            )
        )
    papers = _papers(ballot, answers, member_id)
    public = bytes(ballot.tellers_public_key)
    sealed = []
    for question, plaintext in papers:
        ciphertext = seal_ballot(plaintext, public)
        sealed.append((question, ciphertext, tracker(ballot.election_id, ciphertext)))
    return store_cast(
        ballot=ballot,
        member_id=member_id,
        idempotency_key=idempotency_key,
        papers=[(q.title, c, t) for q, c, t in sealed],
    )


def store_cast(
    *,
    ballot: Ballot,
    member_id: int,
    idempotency_key: str,
    papers: Sequence[tuple[str, bytes, str]],
) -> Receipt:
    """The durable part of a cast, for server-sealed and end-to-end papers alike: each
    ``(question title, stored bytes, tracker)`` goes into the unsealed box with the roll mark
    in one transaction (see :func:`_cast`); the receipt only after the commit."""
    receipt = Receipt(
        election_id=ballot.election_id,
        trackers=tuple((title, t) for title, _, t in papers),
    )
    key_hash = _idempotency_hash(ballot, member_id, idempotency_key)
    receipt_sealed = seal_receipt(receipt.to_bytes(), idempotency_key)
    rows = sql.CastRows(
        papers=[(c, t) for _, c, t in papers], key_hash=key_hash, receipt_sealed=receipt_sealed
    )
    with sql.cast_transaction():
        marked = sql.cast(ballot.pk, member_id, clock.now(), rows)
        if not marked:
            entry = RollEntry.objects.filter(ballot_id=ballot.pk, member_id=member_id).first()
            if entry is None:
                raise NotOnRoll(gettext("You are not on the roll for this ballot."))
            if entry.has_voted:
                kept = ReceiptKeeper.objects.filter(ballot=ballot, key_hash=key_hash).first()
                if kept is not None:
                    return Receipt.from_bytes(
                        open_receipt(bytes(kept.receipt_sealed), idempotency_key), is_repeat=True
                    )
                raise AlreadyVoted(
                    gettext("You have already voted in this ballot. You can vote only once.")
                )
            raise PollNotOpen(gettext("This ballot is not open for voting."))
    return receipt
