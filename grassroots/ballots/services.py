"""Every write to ballots: one function per step of the ballot's life, permission first, audited.

Casting is the exception to "audited": an audit row is a dated record of who did what, and a
dated row per voter would let anyone holding the database line voters up against the sealer's
batches. The roll mark is the record that a member voted; docs/ballots.md has the reasoning.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import re
import secrets
import smtplib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import connection, models, transaction
from django.db.models import Count, F, Q
from django.urls import reverse

from grassroots import clock
from grassroots.audit.services import record
from grassroots.ballots.invitations import ballot_mail
from grassroots.ballots.keys import (
    open_receipt,
    open_with_server_key,
    seal_receipt,
    seal_with_server_key,
)
from grassroots.ballots.links import roll_entry_for_link
from grassroots.ballots.models import (
    Ballot,
    BallotBoxEntry,
    BallotStatus,
    Candidate,
    GroupSupport,
    LogHead,
    Nomination,
    NominationStatus,
    NominationSupport,
    Question,
    QuestionKind,
    ReceiptKeeper,
    RollEntry,
    ScheduledReminder,
    Teller,
    UnsealedBallot,
)
from grassroots.ballots.photos import PhotoError, read_photo
from grassroots.ballots.publication import (
    ELECTION_KEY_PURPOSE,
    YESNO_ANSWERS,
    election_parameters,
    election_private_key,
)
from grassroots.ballots.queries import (
    CANDIDATE_KINDS,
    ballot_paper,
    eligible_members,
    is_eligible,
    may_run,
    may_run_in,
    nominations_report,
    scope_group_ids,
)
from grassroots.ballots.resolutions import carried_motion as find_carried_motion
from grassroots.ballots.results import deliver_result
from grassroots.ledger.crypto import (
    SealError,
    Share,
    ballot_opener,
    clamp,
    combine_shares,
    generate_tellers_key,
    seal_ballot,
    split_secret,
    tellers_public_key,
    tracker,
)
from grassroots.ledger.heads import (
    TreeHead,
    format_timestamp,
    generate_signing_key,
    sign_head,
)
from grassroots.ledger.merkle import MerkleLog
from grassroots.ledger.record import Question as LedgerQuestion
from grassroots.ledger.record import parameters_hash
from grassroots.ledger.recount import (
    BallotPaperError,
    ballot_plaintext,
    count_question,
    parse_plaintext,
    result_to_json,
)
from grassroots.messaging.models import MailKind
from grassroots.messaging.services import send_to_members
from grassroots.organisation.models import (
    RECOGNISED_STATUSES,
    Area,
    Group,
    GroupRecognition,
    GroupStatus,
    Region,
    ScopeLevel,
)
from grassroots.organisation.permissions import Capability, may
from grassroots.people.models import Member, MembershipStatus
from grassroots.people.queries import own_member
from grassroots.rows import hot_cursor, quoted
from grassroots.tally.report import render_html
from grassroots.tally.types import TallyError

logger = logging.getLogger(__name__)

IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")
SHARE_PURPOSE = "teller-share"


class BallotError(Exception):
    """A request the ballot's rules refuse, with a message for the person who made it."""

    http_status = 400


class WrongStage(BallotError):
    http_status = 409


class NotOnRoll(BallotError):
    http_status = 404


class PollNotOpen(BallotError):
    http_status = 409


class AlreadyVoted(BallotError):
    http_status = 409


class NotEligible(BallotError):
    http_status = 403


class ReceiptNotSent(BallotError):
    http_status = 503


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


def _require_runner(actor: Any, ballot: Ballot) -> None:
    if not may_run(actor, ballot):
        raise PermissionDenied("You cannot run this ballot.")


def _audit(actor: Any, action: str, ballot: Ballot, **detail: Any) -> None:
    record(
        actor=actor,
        action=action,
        subject_type="ballot",
        subject_id=ballot.election_id,
        scope=ballot.scope_name,
        purpose="ballot lifecycle",
        detail=detail,
    )


def _locked(ballot: Ballot, *, no_key: bool = False) -> Ballot:
    return Ballot.objects.select_for_update(no_key=no_key).get(pk=ballot.pk)


def _require_status(ballot: Ballot, *allowed: str) -> None:
    if ballot.status not in allowed:
        raise WrongStage(
            f"This cannot be done while the ballot is “{ballot.get_status_display()}”."
        )


# Setting up


@transaction.atomic(durable=True)
def create_ballot(
    *,
    actor: Any,
    title: str,
    description: str,
    level: str,
    scope: Group | Area | Region | None,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    eligible_statuses: Sequence[str] = (MembershipStatus.MEMBER,),
    joined_before: datetime.date | None = None,
    tellers_count: int = 3,
    threshold: int = 2,
) -> Ballot:
    if not may_run_in(actor, scope):
        raise PermissionDenied("You cannot run ballots there.")
    officer = own_member(actor)
    if officer is None:
        raise PermissionDenied("Only a member can be a returning officer.")
    if closes_at <= opens_at:
        raise BallotError("The poll must close after it opens.")
    if not 1 <= threshold <= tellers_count <= 20:
        raise BallotError("Between 1 and 20 tellers, and a threshold no more than the tellers.")
    if not eligible_statuses or set(eligible_statuses) - set(MembershipStatus.values):
        raise BallotError("Choose which membership statuses may vote.")
    expected: dict[str, type[object]] = {
        ScopeLevel.GROUP: Group,
        ScopeLevel.AREA: Area,
        ScopeLevel.REGION: Region,
        ScopeLevel.NATION: type(None),
    }
    if level not in expected or not isinstance(scope, expected[level]):
        raise BallotError("The scope does not match its level.")
    key = generate_signing_key()
    ballot = Ballot.objects.create(
        election_id=f"gr-{secrets.token_hex(8)}",
        title=title.strip(),
        description=description.strip(),
        level=level,
        group=scope if isinstance(scope, Group) else None,
        area=scope if isinstance(scope, Area) else None,
        region=scope if isinstance(scope, Region) else None,
        opens_at=opens_at,
        closes_at=closes_at,
        eligible_statuses=list(eligible_statuses),
        joined_before=joined_before,
        returning_officer=officer,
        election_public_key=key.public,
        election_private_key_sealed=seal_with_server_key(key.private, purpose=ELECTION_KEY_PURPOSE),
        tellers_count=tellers_count,
        threshold=threshold,
    )
    _audit(actor, "create_ballot", ballot, title=ballot.title)
    return ballot


@transaction.atomic(durable=True)
def add_question(
    *,
    actor: Any,
    ballot: Ballot,
    title: str,
    kind: str,
    stv_rule: str = "",
    seats: int = 1,
    constraints: Sequence[Mapping[str, Any]] = (),
) -> Question:
    _require_runner(actor, ballot)
    ballot = _locked(ballot)
    _require_status(ballot, BallotStatus.DRAFT, BallotStatus.NOMINATIONS)
    if kind != QuestionKind.STV:
        stv_rule, seats = "", 1
    elif not stv_rule:
        raise BallotError("Choose the STV rule.")
    position = ballot.questions.count() + 1
    question = Question.objects.create(
        ballot=ballot,
        position=position,
        title=title.strip(),
        kind=kind,
        stv_rule=stv_rule,
        seats=seats,
        constraints=[dict(c) for c in constraints],
        seed=secrets.randbelow(2**31),
    )
    if kind == QuestionKind.YESNO:
        for number, answer in enumerate(YESNO_ANSWERS, start=1):
            Candidate.objects.create(question=question, position=number, name=answer)
    _audit(actor, "add_question", ballot, question=question.position, kind=kind)
    return question


@transaction.atomic(durable=True)
def add_candidate(
    *,
    actor: Any,
    question: Question,
    name: str,
    statement: str = "",
    categories: Sequence[str] = (),
    member: Member | None = None,
) -> Candidate:
    ballot = question.ballot
    _require_runner(actor, ballot)
    ballot = _locked(ballot)
    _require_status(ballot, BallotStatus.DRAFT, BallotStatus.NOMINATIONS)
    if question.kind == QuestionKind.YESNO:
        raise BallotError("A yes/no question has its answers already.")
    candidate = Candidate.objects.create(
        question=question,
        position=question.candidates.count() + 1,
        name=name.strip(),
        statement=statement.strip(),
        categories=sorted({c.strip().lower() for c in categories if c.strip()}),
        member=member,
    )
    _audit(actor, "add_candidate", ballot, question=question.position, candidate=candidate.name)
    return candidate


@transaction.atomic(durable=True)
def set_up_tellers(*, actor: Any, ballot: Ballot, members: Sequence[Member]) -> None:
    """Make the tellers' key, split it k-of-n, and hold each share for its teller to collect.

    The whole private key exists only in this function's memory; what is stored is the public
    key and each share sealed under the server key until its teller collects it.
    """
    _require_runner(actor, ballot)
    ballot = _locked(ballot)
    if ballot.status == BallotStatus.NOMINATIONS:
        raise WrongStage(
            "Confirm the nominations before naming the tellers: the key commits to the candidates."
        )
    _require_status(ballot, BallotStatus.DRAFT)
    if len({m.pk for m in members}) != len(members) or len(members) != ballot.tellers_count:
        raise BallotError(f"Name {ballot.tellers_count} different members as tellers.")
    questions = list(ballot.questions.prefetch_related("candidates"))
    if not questions:
        raise BallotError("Add at least one question first.")
    for question in questions:
        standing = [c for c in question.candidates.all() if not c.withdrawn]
        if len(standing) < (2 if question.kind != QuestionKind.STV else question.seats + 1):
            raise BallotError(f"“{question.title}” needs more candidates before the ballot opens.")
    private, public = generate_tellers_key()
    shares = split_secret(private, threshold=ballot.threshold, shares=ballot.tellers_count)
    del private
    for member, share in zip(members, shares, strict=True):
        Teller.objects.create(
            ballot=ballot,
            member=member,
            share_index=share.index,
            pending_share_sealed=seal_with_server_key(
                share.to_text().encode(), purpose=f"{SHARE_PURPOSE}:{ballot.election_id}"
            ),
        )
    ballot.tellers_public_key = public
    ballot.save(update_fields=["tellers_public_key"])
    _audit(actor, "set_up_tellers", ballot, tellers=[m.membership_number for m in members])


@transaction.atomic(durable=True)
def collect_share(*, actor: Any, teller: Teller) -> str:
    """Show a teller their share, once; the server keeps no copy afterwards."""
    teller = Teller.objects.select_for_update().select_related("ballot").get(pk=teller.pk)
    member = own_member(actor)
    if member is None or teller.member_id != member.pk:
        raise PermissionDenied("That share is not yours.")
    if teller.has_collected_share or teller.pending_share_sealed is None:
        raise WrongStage("You have already collected your share; it is shown only once.")
    ballot = _locked(teller.ballot)
    share = open_with_server_key(
        bytes(teller.pending_share_sealed), purpose=f"{SHARE_PURPOSE}:{ballot.election_id}"
    ).decode()
    teller.pending_share_sealed = None
    teller.has_collected_share = True
    teller.save(update_fields=["pending_share_sealed", "has_collected_share"])
    if not ballot.tellers.filter(has_collected_share=False).exists():
        ballot.status = BallotStatus.READY
        ballot.save(update_fields=["status"])
    _audit(actor, "collect_share", ballot, teller=teller.share_index)
    return share


# Opening, sealing and closing


@transaction.atomic(durable=True)
def open_ballot(*, actor: Any, ballot: Ballot) -> int:
    """Freeze the roll and open the poll; returns the roll size, which is published."""
    _require_runner(actor, ballot)
    ballot = _locked(ballot)
    return _open_locked(actor, ballot)


def _open_locked(actor: Any, ballot: Ballot) -> int:
    _require_status(ballot, BallotStatus.READY)
    if ballot.tellers_public_key is None:
        raise BallotError("The tellers have not set up their key.")
    moment = clock.now()
    if moment >= ballot.closes_at:
        raise BallotError("The closing time has passed; this ballot can no longer open.")
    members = list(eligible_members(ballot).order_by("pk").values_list("pk", "home_group_id"))
    RollEntry.objects.bulk_create(
        [RollEntry(ballot=ballot, member_id=pk, group_id=group) for pk, group in members],
        batch_size=2000,
    )
    ballot.status = BallotStatus.OPEN
    ballot.roll_size = len(members)
    ballot.opened_at = moment
    ballot.save(update_fields=["status", "roll_size", "opened_at"])
    _seal_locked(ballot, final=True)  # the first head: an empty log, committing the parameters
    _send_ballot_mail(actor, ballot, reminder=False)
    ballot.invitations_sent_at = moment
    ballot.save(update_fields=["invitations_sent_at"])
    _audit(actor, "open_ballot", ballot, roll_size=ballot.roll_size)
    return len(members)


def _send_ballot_mail(
    actor: Any, ballot: Ballot, *, reminder: bool, only_not_voted: bool = False
) -> int:
    """Queue the invitation or a reminder to the roll; it goes after the commit. Returns how
    many members it is addressed to."""
    subject, body, personal = ballot_mail(ballot, reminder=reminder, only_not_voted=only_not_voted)
    if not personal:
        return 0
    send_to_members(
        actor=actor,
        members=list(personal),
        subject=subject,
        body=body,
        purpose=f"ballot {'reminder' if reminder else 'invitation'}: {ballot.election_id}",
        kind=MailKind.BALLOT,
        personal=personal,
    )
    return len(personal)


@transaction.atomic(durable=True)
def send_reminder(*, actor: Any, ballot: Ballot) -> int:
    """Remind everyone on the roll while the poll is open (``actor`` None: the scheduler's
    command). Everyone, not only those yet to vote: see grassroots.ballots.invitations."""
    if actor is not None:
        _require_runner(actor, ballot)
    ballot = _locked(ballot)
    _require_status(ballot, BallotStatus.OPEN)
    if not ballot.is_open:
        raise PollNotOpen("The poll is not open, so there is nothing to remind members of.")
    _send_ballot_mail(actor, ballot, reminder=True)
    ballot.reminders_sent += 1
    ballot.save(update_fields=["reminders_sent"])
    _audit(actor, "send_reminder", ballot, reminder=ballot.reminders_sent)
    return ballot.roll_size or 0


MAX_REMINDERS = 10


@transaction.atomic(durable=True)
def set_reminder_schedule(
    *,
    actor: Any,
    ballot: Ballot,
    hours_before_close: Sequence[int],
    to_everyone: bool = False,
) -> list[ScheduledReminder]:
    """Replace the ballot's scheduled reminders: one per number of hours before the close.

    Only while the ballot is being prepared (before it opens). Each time must fall inside the
    polling window, so every reminder can be sent while the poll is open.
    """
    _require_runner(actor, ballot)
    ballot = _locked(ballot)
    _require_status(ballot, BallotStatus.DRAFT, BallotStatus.NOMINATIONS, BallotStatus.READY)
    hours = sorted(set(hours_before_close), reverse=True)
    if len(hours) > MAX_REMINDERS:
        raise BallotError(f"Schedule at most {MAX_REMINDERS} reminders.")
    window = ballot.closes_at - ballot.opens_at
    for value in hours:
        if value < 1:
            raise BallotError("A reminder must be at least 1 hour before the close.")
        if datetime.timedelta(hours=value) >= window:
            raise BallotError(
                f"A reminder {value} hours before the close would come before voting opens."
            )
    ballot.reminders.all().delete()
    reminders = ScheduledReminder.objects.bulk_create(
        [ScheduledReminder(ballot=ballot, hours_before_close=value) for value in hours]
    )
    ballot.reminders_to_everyone = to_everyone
    ballot.save(update_fields=["reminders_to_everyone"])
    _audit(
        actor,
        "set_reminder_schedule",
        ballot,
        hours_before_close=hours,
        to_everyone=to_everyone,
    )
    return reminders


def send_due_reminders() -> list[str]:
    """Send every scheduled reminder that is due, once (the scheduler's step).

    Each ballot's due reminders are taken under the ballot's row lock and re-checked, so a
    second scheduler (another run, another node) waits, then finds them sent. If the scheduler
    was down through several reminder times, one mail goes and all of them are marked sent.
    """
    done = []
    moment = clock.now()
    due_ballots = (
        ScheduledReminder.objects.filter(
            sent_at__isnull=True, ballot__status=BallotStatus.OPEN, ballot__closes_at__gt=moment
        )
        .values_list("ballot_id", flat=True)
        .distinct()
    )
    for ballot_id in list(due_ballots):
        with transaction.atomic(durable=True):
            ballot = Ballot.objects.select_for_update().get(pk=ballot_id)
            if not ballot.is_open:
                continue
            now = clock.now()
            due = [
                reminder
                for reminder in ScheduledReminder.objects.select_for_update().filter(
                    ballot=ballot, sent_at__isnull=True
                )
                if ballot.closes_at - datetime.timedelta(hours=reminder.hours_before_close) <= now
            ]
            if not due:
                continue
            sent = _send_ballot_mail(
                None, ballot, reminder=True, only_not_voted=not ballot.reminders_to_everyone
            )
            for reminder in due:
                reminder.sent_at = now
                reminder.recipients = sent
                reminder.save(update_fields=["sent_at", "recipients"])
            ballot.reminders_sent += 1
            ballot.save(update_fields=["reminders_sent"])
            _audit(
                None,
                "send_reminder",
                ballot,
                reminder=ballot.reminders_sent,
                scheduled=[r.hours_before_close for r in due],
            )
            done.append(f"reminded {sent} members of {ballot.election_id}")
    return done


def open_due_ballots() -> list[str]:
    """Open every ready ballot whose opening time has passed (the scheduler's first step).

    A ballot whose tellers have not all collected their shares is not ready, so it waits; a
    ballot whose closing time passed before it could open stays unopened for its officers.
    """
    opened = []
    moment = clock.now()
    due = Ballot.objects.filter(
        status=BallotStatus.READY, opens_at__lte=moment, closes_at__gt=moment
    )
    for ballot_id in due.values_list("pk", flat=True):
        with transaction.atomic(durable=True):
            ballot = Ballot.objects.select_for_update().get(pk=ballot_id)
            now = clock.now()
            if ballot.status == BallotStatus.READY and ballot.opens_at <= now < ballot.closes_at:
                _open_locked(None, ballot)
                opened.append(ballot.election_id)
    return opened


def _lock_ballot_for_casting(ballot_id: int) -> tuple[str, datetime.datetime, datetime.datetime]:
    """Status and polling window, read under a lock that the close must wait for.

    On PostgreSQL FOR KEY SHARE lets casts run side by side but conflicts with the close's FOR
    UPDATE: a close waits for casts in flight, and a cast after it sees the ballot closed. The
    lock and the read are one statement. SQLite takes the database write lock at BEGIN, so
    every transaction is serial there.
    """
    if connection.vendor == "postgresql":
        table = Ballot._meta.db_table
        with connection.cursor() as cursor:
            # The table name is the model's own and the id a query parameter (bandit B608).
            cursor.execute(
                f"SELECT status, opens_at, closes_at FROM {table} WHERE id = %s FOR KEY SHARE",  # noqa: S608  # nosec B608
                [ballot_id],
            )
            row = cursor.fetchone()
        if row is None:
            raise Ballot.DoesNotExist()
        status, opens_at, closes_at = row
        return str(status), opens_at, closes_at
    rows = Ballot.objects.filter(pk=ballot_id)
    status, opens_at, closes_at = rows.values_list("status", "opens_at", "closes_at").get()
    return status, opens_at, closes_at


def _papers(ballot: Ballot, answers: Mapping[int, Sequence[int]]) -> list[tuple[Question, bytes]]:
    """Check the voter's marks against the ballot and make one plaintext paper per question.

    ``answers`` maps question id to candidate ids (in preference order for ranked questions);
    an unanswered question is a blank paper, so papers per question always equal voters.
    The questions come from ``queries.ballot_paper`` (read once per process while it is open).
    """
    paper = ballot_paper(ballot)
    questions = paper.questions
    unknown = set(answers) - {q.pk for q in questions}
    if unknown:
        raise BallotError("The ballot paper has a question that is not on this ballot.")
    papers = []
    for question in questions:
        candidates = list(question.candidates.all())
        index = {c.pk: i for i, c in enumerate(candidates)}
        marks = list(answers.get(question.pk, ()))
        for mark in marks:
            if mark not in index:
                raise BallotError(f"“{question.title}”: that is not a candidate on this ballot.")
            if candidates[index[mark]].withdrawn:
                raise BallotError(
                    f"“{question.title}”: {candidates[index[mark]].name} has withdrawn."
                )
        if len(set(marks)) != len(marks):
            raise BallotError(f"“{question.title}”: a candidate is marked more than once.")
        if question.kind in (QuestionKind.YESNO, QuestionKind.SINGLE) and len(marks) > 1:
            raise BallotError(f"“{question.title}”: choose only one.")
        try:
            plaintext = ballot_plaintext(paper.ledger[question.pk], [index[m] for m in marks])
        except BallotPaperError as error:
            raise BallotError(f"“{question.title}”: {error}") from error
        papers.append((question, plaintext))
    return papers


def _idempotency_hash(ballot: Ballot, member_id: int, key: str) -> str:
    data = f"grassroots-cast/1\x00{ballot.election_id}\x00{member_id}\x00{key}".encode()
    return hashlib.sha256(data).hexdigest()


def cast_ballot(
    *,
    actor: Any,
    ballot: Ballot,
    answers: Mapping[int, Sequence[int]],
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
            raise NotOnRoll("You are not on the roll for this ballot.")
        member_id = member.pk
    return _cast(
        member_id=member_id, ballot=ballot, answers=answers, idempotency_key=idempotency_key
    )


def cast_ballot_with_link(
    *,
    actor: Any,
    ballot: Ballot,
    token: str,
    answers: Mapping[int, Sequence[int]],
    idempotency_key: str,
) -> Receipt:
    """Cast the vote of the member whose personal link this is (``actor`` may be anonymous).

    The link is good for this one ballot and nothing else; see grassroots.ballots.links.
    """
    entry = roll_entry_for_link(ballot, token)
    return _cast(
        member_id=entry.member_id, ballot=ballot, answers=answers, idempotency_key=idempotency_key
    )


RECEIPT_MAIL_BODY = """Dear {first_name},

You asked for your receipt for "{title}" (election {election_id}) by email. It does not say how
you voted. Each tracker below is one of your ballot papers, as stored, encrypted, in the ballot
box:

{trackers}

Check that each is in the public log, and after the result what it decrypted to:
{check}

This mail now links your address to these trackers on every mail server that holds it, so after
the result whoever can read it can look up how you voted. Delete it if that matters to you.
Grassroots itself keeps no record of having sent it.
"""


def email_receipt(
    *, actor: Any, ballot: Ballot, idempotency_key: str, token: str | None = None
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
        raise BallotError("This receipt can no longer be mailed. Copy it from the page instead.")
    if token is not None:
        member = roll_entry_for_link(ballot, token).member
    else:
        found = own_member(actor)
        if found is None:
            raise NotOnRoll("You are not on the roll for this ballot.")
        member = found
    kept = ReceiptKeeper.objects.filter(
        ballot=ballot, key_hash=_idempotency_hash(ballot, member.pk, idempotency_key)
    ).first()
    if kept is None:
        raise WrongStage(
            "This receipt can no longer be mailed (the poll has closed, or the page is not the "
            "one shown when you voted). Copy the trackers from the page instead."
        )
    receipt = Receipt.from_bytes(
        open_receipt(bytes(kept.receipt_sealed), idempotency_key), is_repeat=True
    )
    if not member.email:
        raise BallotError("We hold no email address for you. Copy the trackers from the page.")
    site = settings.GRASSROOTS_SITE_URL.rstrip("/")
    body = RECEIPT_MAIL_BODY.format(
        first_name=member.first_name,
        title=ballot.title,
        election_id=ballot.election_id,
        trackers="\n".join(f"{title}:\n  {value}" for title, value in receipt.trackers),
        check=site + reverse("ballot_receipt_check", args=[ballot.pk]),
    )
    message = EmailMessage(
        subject=f"Your receipt: {ballot.title}"[:150], body=body, to=[member.email]
    )
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        raise ReceiptNotSent(
            "The mail could not be sent just now. Copy the trackers from this page, or try again."
        ) from error
    return str(member.email), receipt


def _cast(
    *,
    member_id: int,
    ballot: Ballot,
    answers: Mapping[int, Sequence[int]],
    idempotency_key: str,
) -> Receipt:
    """Cast the member's one vote and return the receipt, only after the vote has committed.

    In one durable transaction: read the ballot's status under the lock the close waits for;
    if the poll is open, set the member's roll mark with one conditional UPDATE (``has_voted``
    false → true), store the sealed papers in the unsealed box and the receipt for retries.
    The UPDATE takes the roll entry's row lock, so of concurrent submissions from one member
    exactly one changes the row: the others wait for it, re-read ``has_voted`` and change
    nothing. When nothing changed (or the poll is not open) the roll entry is read to say why:
    not on the roll, already voted (a retry with the same idempotency key gets its original
    receipt), or the poll is not open.
    """
    if not IDEMPOTENCY_KEY.fullmatch(idempotency_key):
        raise BallotError("The form was incomplete. Reload the ballot page and try again.")
    if ballot.tellers_public_key is None:
        raise NotOnRoll("You are not on the roll for this ballot.")
    papers = _papers(ballot, answers)
    public = bytes(ballot.tellers_public_key)
    sealed = []
    for question, plaintext in papers:
        ciphertext = seal_ballot(plaintext, public)
        sealed.append((question, ciphertext, tracker(ballot.election_id, ciphertext)))
    receipt = Receipt(
        election_id=ballot.election_id,
        trackers=tuple((q.title, t) for q, _, t in sealed),
    )
    key_hash = _idempotency_hash(ballot, member_id, idempotency_key)
    receipt_sealed = seal_receipt(receipt.to_bytes(), idempotency_key)
    papers_rows = [UnsealedBallot(ballot=ballot, ciphertext=c, tracker=t) for _, c, t in sealed]
    keeper = ReceiptKeeper(ballot=ballot, key_hash=key_hash, receipt_sealed=receipt_sealed)
    with transaction.atomic(durable=True):
        if connection.vendor == "postgresql":
            marked = _cast_in_one_statement(ballot.pk, member_id, clock.now(), papers_rows, keeper)
        else:
            status, opens_at, closes_at = _lock_ballot_for_casting(ballot.pk)
            moment = clock.now()
            is_open = status == BallotStatus.OPEN and opens_at <= moment < closes_at
            marked = is_open and _mark_voted(ballot.pk, member_id)
            if marked:
                _insert(papers_rows)
                _insert([keeper])
        if not marked:
            entry = RollEntry.objects.filter(ballot_id=ballot.pk, member_id=member_id).first()
            if entry is None:
                raise NotOnRoll("You are not on the roll for this ballot.")
            if entry.has_voted:
                kept = ReceiptKeeper.objects.filter(ballot=ballot, key_hash=key_hash).first()
                if kept is not None:
                    return Receipt.from_bytes(
                        open_receipt(bytes(kept.receipt_sealed), idempotency_key), is_repeat=True
                    )
                raise AlreadyVoted("You have already voted in this ballot. You can vote only once.")
            raise PollNotOpen("This ballot is not open for voting.")
    return receipt


# The casting transaction's three writes, as plain statements made once per process: the ORM
# built them afresh on every cast, which cost more CPU than the ballot's own work (sealing and
# hashing). Same statements, same rows; tests/ballots/test_vote_cost.py pins them.
_CAST_SQL: dict[tuple[str, str, int], str] = {}


def _mark_voted(ballot_id: int, member_id: int) -> bool:
    """Set the member's roll mark if it is not set; True when this statement set it.

    The conditional UPDATE takes the row lock, so of concurrent casts by one member exactly one
    sees a row change (see :func:`_cast`)."""
    key = (connection.vendor, "mark", 0)
    sql = _CAST_SQL.get(key)
    if sql is None:
        q = connection.ops.quote_name
        meta = RollEntry._meta
        voted, ballot, member = (
            quoted(RollEntry, name) for name in ("has_voted", "ballot", "member")
        )
        # Only the model's own table and column names are formatted in (bandit B608).
        sql = (
            f"UPDATE {q(str(meta.db_table))} SET {voted} = %s "  # noqa: S608  # nosec B608
            f"WHERE {ballot} = %s AND {member} = %s AND {voted} = %s"
        )
        _CAST_SQL[key] = sql
    with connection.cursor() as cursor:
        cursor.execute(sql, [True, ballot_id, member_id, False])
        return bool(cursor.rowcount == 1)


def _cast_in_one_statement(
    ballot_id: int,
    member_id: int,
    moment: datetime.datetime,
    papers: Sequence[UnsealedBallot],
    keeper: ReceiptKeeper,
) -> bool:
    """PostgreSQL: the cast's lock, roll mark and writes as one statement; True if it voted.

    One round trip instead of four. ``open_ballot`` reads the ballot under FOR KEY SHARE, as
    :func:`_lock_ballot_for_casting` does, so a close waits for casts in flight and a cast
    after the close finds the ballot closed (the lock re-reads the row the close changed).
    ``marked`` is the conditional roll-mark UPDATE; the papers and the receipt keeper are
    inserted once per row it changed, so all or nothing is written.
    """
    key = ("postgresql", "cast", len(papers))
    sql = _CAST_SQL.get(key)
    if sql is None:
        sql = _one_statement_sql(len(papers))
        _CAST_SQL[key] = sql
    params: list[Any] = [ballot_id, BallotStatus.OPEN, moment, moment, member_id]
    params += _row_params(papers)
    params += _row_params([keeper])
    with hot_cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return bool(row and row[0] == 1)


def _one_statement_sql(paper_count: int) -> str:
    q = connection.ops.quote_name
    col = quoted

    def insert(model: type[models.Model], rows: int) -> str:
        fields = model._meta.concrete_fields
        columns = ", ".join(q(str(f.column)) for f in fields)
        values = ", ".join(f"CAST(%s AS {f.db_type(connection)})" for f in fields)
        selects = " UNION ALL ".join([f"SELECT {values} FROM marked"] * rows)  # noqa: S608  # nosec B608
        return f"INSERT INTO {q(str(model._meta.db_table))} ({columns}) {selects}"  # nosec B608

    roll = q(str(RollEntry._meta.db_table))
    # Only the models' own table, column and type names are formatted in (bandit B608).
    return (
        "WITH open_ballot AS ("  # noqa: S608  # nosec B608
        f"SELECT {col(Ballot, 'id')} FROM {q(str(Ballot._meta.db_table))} "
        f"WHERE {col(Ballot, 'id')} = %s AND {col(Ballot, 'status')} = %s "
        f"AND {col(Ballot, 'opens_at')} <= %s AND {col(Ballot, 'closes_at')} > %s "
        "FOR KEY SHARE), "
        f"marked AS (UPDATE {roll} SET {col(RollEntry, 'has_voted')} = true "
        f"WHERE {col(RollEntry, 'ballot')} IN (SELECT {col(Ballot, 'id')} FROM open_ballot) "
        f"AND {col(RollEntry, 'member')} = %s AND NOT {col(RollEntry, 'has_voted')} "
        f"RETURNING {col(RollEntry, 'id')}), "
        f"papers AS ({insert(UnsealedBallot, paper_count)}), "
        f"keeper AS ({insert(ReceiptKeeper, 1)}) "
        "SELECT count(*) FROM marked"
    )


def _row_params(objs: Sequence[models.Model]) -> list[Any]:
    """Each new row's values in its model's column order, as the database takes them."""
    fields = type(objs[0])._meta.concrete_fields
    return [f.get_db_prep_save(f.pre_save(obj, True), connection) for obj in objs for f in fields]


def _insert(objs: Sequence[models.Model]) -> None:
    """INSERT these new rows of one model in one statement, as ``bulk_create`` would (each
    field's default and database form), without building the statement through the ORM."""
    model = type(objs[0])
    fields = model._meta.concrete_fields
    key = (connection.vendor, model._meta.label, len(objs))
    sql = _CAST_SQL.get(key)
    if sql is None:
        q = connection.ops.quote_name
        columns = ", ".join(q(str(f.column)) for f in fields)
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        # Only the model's own table and column names are formatted in (bandit B608).
        sql = f"INSERT INTO {q(str(model._meta.db_table))} ({columns}) VALUES " + ", ".join(  # noqa: S608  # nosec B608
            [row] * len(objs)
        )
        _CAST_SQL[key] = sql
    with connection.cursor() as cursor:
        cursor.execute(sql, _row_params(objs))


def _seal_locked(
    ballot: Ballot,
    *,
    final: bool = False,
    min_batch: int = 1,
    head_every: datetime.timedelta | None = None,
) -> int:
    """Move unsealed ballots into the log in a fresh random order and sign a head.

    Runs inside a transaction holding the ballot's row lock. New rows get new random ids and are
    inserted in the shuffled order, so neither id, physical position nor transaction id carries
    anything over from the casting transactions; the unsealed rows are deleted.
    """
    pending = list(UnsealedBallot.objects.filter(ballot=ballot).only("id", "ciphertext", "tracker"))
    if not final and len(pending) < min_batch:
        pending = []
    secrets.SystemRandom().shuffle(pending)
    start = BallotBoxEntry.objects.filter(ballot=ballot).count()
    UnsealedBallot.objects.filter(pk__in=[p.pk for p in pending]).delete()
    BallotBoxEntry.objects.bulk_create(
        [
            BallotBoxEntry(
                ballot=ballot,
                log_index=start + i,
                ciphertext=bytes(p.ciphertext),
                tracker=p.tracker,
            )
            for i, p in enumerate(pending)
        ],
        batch_size=1000,
    )
    size = start + len(pending)
    last = ballot.heads.order_by("-id").first()
    moment = clock.now()
    is_stale = (
        last is not None
        and head_every is not None
        and last.timestamp <= format_timestamp(moment - head_every)
    )
    if last is None or last.tree_size != size or is_stale:
        log = MerkleLog()
        for leaf in (
            BallotBoxEntry.objects.filter(ballot=ballot)
            .order_by("log_index")
            .values_list("tracker", flat=True)
            .iterator()
        ):
            log.append(bytes.fromhex(leaf))
        head = TreeHead(
            election_id=ballot.election_id,
            tree_size=size,
            root_hash=log.root(),
            parameters_hash=parameters_hash(election_parameters(ballot)),
            timestamp=format_timestamp(moment),
        )
        signed = sign_head(head, election_private_key(ballot))
        LogHead.objects.create(
            ballot=ballot,
            tree_size=size,
            root_hash=head.root_hash,
            timestamp=head.timestamp,
            signature=signed.signature,
        )
    return len(pending)


def seal_pending(
    ballot: Ballot, *, min_batch: int = 1, head_every: datetime.timedelta | None = None
) -> int:
    """The sealer's one step for one ballot (manage.py seal_ballots); returns ballots sealed.

    Batches smaller than ``min_batch`` wait (unless the poll has closed), so that a batch of one
    cannot be matched to the one roll mark set in the same minute. With ``head_every``, a new
    head is signed when the last is that old even if no ballot was sealed: members watching the
    log see it is alive, and a rewrite would have to match every head already seen.
    """
    with transaction.atomic(durable=True):
        locked = _locked(ballot, no_key=True)
        if locked.status not in (BallotStatus.OPEN, BallotStatus.CLOSED):
            return 0
        return _seal_locked(
            locked,
            final=locked.status == BallotStatus.CLOSED,
            min_batch=min_batch,
            head_every=head_every if locked.status == BallotStatus.OPEN else None,
        )


def _turnout_by_group(ballot: Ballot) -> list[dict[str, Any]]:
    """Roll size and votes per group (home group when the roll was frozen), by group name."""
    rows = (
        ballot.roll.values("group__name")
        .annotate(roll_size=Count("pk"), voted=Count("pk", filter=Q(has_voted=True)))
        .order_by("group__name")
    )
    return [
        {
            "scope": row["group__name"] or "No group",
            "roll_size": row["roll_size"],
            "voted": row["voted"],
        }
        for row in rows
    ]


def _close_locked(actor: Any, ballot: Ballot, moment: datetime.datetime) -> None:
    ballot.status = BallotStatus.CLOSED
    ballot.closed_at = moment
    ballot.voted_count = ballot.roll.filter(has_voted=True).count()
    ballot.turnout = _turnout_by_group(ballot)
    ballot.save(update_fields=["status", "closed_at", "voted_count", "turnout"])
    ReceiptKeeper.objects.filter(ballot=ballot).delete()
    _seal_locked(ballot, final=True)
    _audit(actor, "close_ballot", ballot, voted=ballot.voted_count)


@transaction.atomic(durable=True)
def close_ballot(*, actor: Any, ballot: Ballot) -> None:
    """Record the close once the closing time has passed (casting already stops by the clock)."""
    _require_runner(actor, ballot)
    ballot = _locked(ballot)
    _require_status(ballot, BallotStatus.OPEN)
    moment = clock.now()
    if moment < ballot.closes_at:
        if not ballot.is_demo:
            raise BallotError("The poll closes at its published time; it cannot be closed early.")
        # A demo ballot, so a visitor can try the count: the close becomes now. Casting checks
        # the window under the lock this holds, so no cast commits after it.
        ballot.closes_at = moment
        ballot.save(update_fields=["closes_at"])
    _close_locked(actor, ballot, moment)


def close_due_ballots() -> list[str]:
    """Close every open ballot whose closing time has passed (run by manage.py seal_ballots)."""
    closed = []
    due = Ballot.objects.filter(status=BallotStatus.OPEN, closes_at__lte=clock.now())
    for ballot_id in due.values_list("pk", flat=True):
        with transaction.atomic(durable=True):
            ballot = Ballot.objects.select_for_update().get(pk=ballot_id)
            moment = clock.now()
            if ballot.status == BallotStatus.OPEN and moment >= ballot.closes_at:
                _close_locked(None, ballot, moment)
                closed.append(ballot.election_id)
    return closed


DEMO_SHARES_PURPOSE = "demo-teller-shares"


@transaction.atomic(durable=True)
def keep_demo_shares(*, ballot: Ballot, shares: Mapping[int, str]) -> None:
    """Demo only: keep the tellers' shares so a visitor can close, count and publish.

    Refused unless ``settings.GRASSROOTS_DEMO_KEEPS_SHARES`` is on (the demo's settings only),
    so seeding the demo on a production configuration keeps no share; a check constraint keeps
    shares off every ballot not marked as a demo.
    """
    if not getattr(settings, "GRASSROOTS_DEMO_KEEPS_SHARES", False):
        raise BallotError("Only the demo keeps tellers' shares.")
    ballot = _locked(ballot)
    ballot.is_demo = True
    ballot.demo_shares_sealed = seal_with_server_key(
        json.dumps({str(index): share for index, share in shares.items()}).encode(),
        purpose=DEMO_SHARES_PURPOSE,
    )
    ballot.save(update_fields=["is_demo", "demo_shares_sealed"])
    _audit(None, "keep_demo_shares", ballot, tellers=len(shares))


def demo_share_for(teller: Teller) -> str | None:
    """The teller's share on a demo ballot that kept its shares; None on every other ballot."""
    ballot = teller.ballot
    if not ballot.is_demo or ballot.demo_shares_sealed is None:
        return None
    shares = json.loads(
        open_with_server_key(bytes(ballot.demo_shares_sealed), purpose=DEMO_SHARES_PURPOSE)
    )
    share = shares.get(str(teller.share_index))
    return str(share) if share is not None else None


# Counting and publishing


@transaction.atomic(durable=True)
def reveal_share(*, actor: Any, teller: Teller, share_text: str) -> None:
    """A teller enters their share after the close; it will be published in the record."""
    teller = Teller.objects.select_for_update().select_related("ballot").get(pk=teller.pk)
    member = own_member(actor)
    if member is None or teller.member_id != member.pk:
        raise PermissionDenied("You are not this teller.")
    _require_status(teller.ballot, BallotStatus.CLOSED)
    try:
        share = Share.from_text(share_text.strip().lower())
    except SealError as error:
        raise BallotError(
            "That is not a key share. Copy it exactly as it was shown: a number, a colon, "
            "then 132 letters and digits."
        ) from error
    if share.index != teller.share_index:
        raise BallotError(
            f"That share is number {share.index}; yours is number {teller.share_index}."
        )
    teller.revealed_share = share.to_text()
    teller.save(update_fields=["revealed_share"])
    _audit(actor, "reveal_share", teller.ballot, teller=teller.share_index)


COUNT_BATCH = 500


def _tellers_private_key(ballot: Ballot) -> bytes:
    """The tellers' key from the shares entered, checked against the published public key."""
    tellers = list(ballot.tellers.exclude(revealed_share=""))
    if len(tellers) < ballot.threshold:
        raise BallotError(
            f"{len(tellers)} of the {ballot.threshold} key shares needed have been entered."
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
            "The shares entered do not combine to the tellers' key: one was mistyped. "
            "Ask each teller to check and enter their share again."
        )
    return private


@transaction.atomic(durable=True)
def request_count(*, actor: Any, ballot: Ballot) -> None:
    """Start decrypting and counting in the background (grassroots.ballots.tasks).

    The shares are checked here, so a mistyped share is reported at once; the page then shows
    the count's progress until :func:`run_count` has finished.
    """
    _require_runner(actor, ballot)
    ballot = _locked(ballot)
    _require_status(ballot, BallotStatus.CLOSED)
    if ballot.count_requested_at is not None and not ballot.count_error:
        raise WrongStage("The count is already running.")
    _seal_locked(ballot, final=True)
    _tellers_private_key(ballot)
    ballot.count_requested_at = clock.now()
    ballot.count_total = BallotBoxEntry.objects.filter(ballot=ballot).count()
    ballot.count_done = BallotBoxEntry.objects.filter(
        ballot=ballot, plaintext__isnull=False
    ).count()
    ballot.count_error = ""
    ballot.count_questions_done = 0
    ballot.save(
        update_fields=[
            "count_requested_at",
            "count_total",
            "count_done",
            "count_error",
            "count_questions_done",
        ]
    )
    _audit(actor, "request_count", ballot, ballots=ballot.count_total)
    ballot_id = ballot.pk

    def enqueue() -> None:
        from grassroots.ballots.tasks import count_ballot_task

        count_ballot_task.enqueue(ballot_id)

    transaction.on_commit(enqueue)


def _decrypt_batch(
    ballot_id: int, opener: Callable[[bytes], bytes], by_id: dict[str, LedgerQuestion]
) -> int:
    with transaction.atomic(durable=True):
        entries = list(
            BallotBoxEntry.objects.select_for_update()
            .filter(ballot_id=ballot_id, plaintext__isnull=True)
            .order_by("log_index")[:COUNT_BATCH]
        )
        for entry in entries:
            try:
                entry.plaintext = opener(bytes(entry.ciphertext))
                parse_plaintext(entry.plaintext, by_id)
            except (SealError, BallotPaperError) as error:
                raise BallotError(f"Ballot {entry.log_index + 1} in the log: {error}") from error
        BallotBoxEntry.objects.bulk_update(entries, ["plaintext"], batch_size=1000)
        Ballot.objects.filter(pk=ballot_id).update(count_done=F("count_done") + len(entries))
        return len(entries)


def run_count(*, ballot_id: int) -> None:
    """The count task: decrypt the box in batches, then count each question, then store.

    Progress is written after each batch (``count_done``) and after each question
    (``count_questions_done``), each in its own short transaction, so the page can show it
    while the task runs. The results are stored in one transaction at the end. Safe to run
    again after a crash: only ballots not yet decrypted are opened. Any error is kept on the
    ballot for the page (an unexpected one too, logged with its traceback), so the page never
    shows a count still running that has stopped.
    """
    ballot = Ballot.objects.get(pk=ballot_id)
    if ballot.status != BallotStatus.CLOSED:
        return
    try:
        opener = ballot_opener(_tellers_private_key(ballot))
        by_id = {q.id: q for q in election_parameters(ballot).questions}
        while _decrypt_batch(ballot_id, opener, by_id):
            pass
        results = _count_questions(ballot, by_id)
        _finish_count(ballot_id, results)
    except BallotError as error:
        Ballot.objects.filter(pk=ballot_id).update(count_error=str(error))
    except Exception as error:
        logger.exception("The count of ballot %s stopped", ballot_id)
        Ballot.objects.filter(pk=ballot_id).update(
            count_error=(
                f"an unexpected error ({type(error).__name__}) stopped it. Start the count "
                "again; the ballots already decrypted are kept. If it stops again, tell the "
                "site's administrators."
            )
        )


@dataclass(frozen=True)
class _Counted:
    question_id: int
    result: dict[str, Any]
    report_html: str


def _count_questions(ballot: Ballot, by_id: dict[str, LedgerQuestion]) -> list[_Counted]:
    """Count every question of the decrypted box, outside any transaction, with progress."""
    Ballot.objects.filter(pk=ballot.pk).update(count_questions_done=0)
    plaintexts = BallotBoxEntry.objects.filter(ballot=ballot).order_by("log_index")
    papers = []
    for plaintext in plaintexts.values_list("plaintext", flat=True).iterator():
        if plaintext is None:
            raise BallotError("Some ballots are not decrypted yet.")
        papers.append(parse_plaintext(bytes(plaintext), by_id))
    counted = []
    for done, question in enumerate(Question.objects.filter(ballot=ballot), start=1):
        try:
            result = count_question(
                by_id[question.ledger_id], papers, roll_size=ballot.roll_size or 0
            )
        except TallyError as error:
            raise BallotError(f"“{question.title}” could not be counted: {error}") from error
        counted.append(
            _Counted(
                question_id=question.pk,
                result=result_to_json(result),
                report_html=render_html(result, chart_id=f"chart-{question.ledger_id}"),
            )
        )
        Ballot.objects.filter(pk=ballot.pk).update(count_questions_done=done)
    return counted


@transaction.atomic(durable=True)
def _finish_count(ballot_id: int, results: list[_Counted]) -> None:
    ballot = Ballot.objects.select_for_update().get(pk=ballot_id)
    _require_status(ballot, BallotStatus.CLOSED)
    papers = BallotBoxEntry.objects.filter(ballot=ballot, plaintext__isnull=False).count()
    for counted in results:
        Question.objects.filter(pk=counted.question_id, ballot=ballot).update(
            result=counted.result, report_html=counted.report_html
        )
    ballot.status = BallotStatus.COUNTED
    ballot.counted_at = clock.now()
    ballot.count_done = papers
    ballot.save(update_fields=["status", "counted_at", "count_done"])
    _audit(None, "count_ballot", ballot, ballots=papers)


def count_ballot(*, actor: Any, ballot: Ballot) -> None:
    """Decrypt and count now, in this process (the demo, the tests, small ballots).

    The page uses :func:`request_count`, which runs the same steps as a background task.
    """
    request_count(actor=actor, ballot=ballot)
    run_count(ballot_id=ballot.pk)
    error = Ballot.objects.filter(pk=ballot.pk).values_list("count_error", flat=True).get()
    if error:
        raise BallotError(error)


@transaction.atomic(durable=True)
def publish_results(*, actor: Any, ballot: Ballot) -> None:
    """The returning officer declares the result; the record and plaintexts become public."""
    _require_runner(actor, ballot)
    ballot = _locked(ballot)
    member = own_member(actor)
    if member is None or ballot.returning_officer_id != member.pk:
        raise PermissionDenied("Only the returning officer publishes the result.")
    _require_status(ballot, BallotStatus.COUNTED)
    ballot.status = BallotStatus.PUBLISHED
    ballot.published_at = clock.now()
    ballot.save(update_fields=["status", "published_at"])
    _audit(actor, "publish_results", ballot)
    # In this transaction, so the motion or initiative that asked for the ballot shows the
    # result the moment it is public; a failure there is kept and retried (results.py).
    deliver_result(ballot)


def latest_published() -> Ballot | None:
    return (
        Ballot.objects.filter(status=BallotStatus.PUBLISHED)
        .filter(~Q(published_at=None))
        .order_by("-published_at", "-id")
        .first()
    )


# Nominations


def _require_returning_officer(actor: Any, ballot: Ballot) -> None:
    _require_runner(actor, ballot)
    member = own_member(actor)
    if member is None or ballot.returning_officer_id != member.pk:
        raise PermissionDenied("Only the returning officer can do this.")


def _require_nominations_open(ballot: Ballot) -> None:
    if not ballot.nominations_are_open:
        raise WrongStage("Nominations are not open for this ballot.")


def _eligible_member(actor: Any, ballot: Ballot) -> Member:
    member = own_member(actor)
    if member is None or not is_eligible(ballot, member):
        raise NotEligible("Only members who may vote in this ballot can do this.")
    return member


def _clean_categories(categories: Sequence[str]) -> list[str]:
    return sorted({c.strip().lower() for c in categories if c.strip()})


def _store_photo(target: Nomination, photo: File[bytes] | None) -> None:
    if photo is None:
        return
    try:
        data, kind = read_photo(photo, size=photo.size)
    except PhotoError as error:
        raise BallotError(str(error)) from error
    # The stored name is random: nothing the uploader chose reaches the file system.
    target.photo.save(f"{secrets.token_hex(16)}.{kind}", ContentFile(data), save=False)


@transaction.atomic(durable=True)
def open_nominations(
    *,
    actor: Any,
    ballot: Ballot,
    close_at: datetime.datetime,
    supporters_needed: int = 0,
    groups_needed: int = 0,
) -> None:
    """Open nominations for the ballot's candidate questions until ``close_at``."""
    _require_runner(actor, ballot)
    ballot = _locked(ballot)
    _require_status(ballot, BallotStatus.DRAFT)
    if not ballot.questions.filter(kind__in=CANDIDATE_KINDS).exists():
        raise BallotError("Add a question with candidates (not yes/no) before opening nominations.")
    if close_at <= clock.now():
        raise BallotError("The close of nominations must be in the future.")
    if close_at > ballot.opens_at:
        raise BallotError("Nominations must close before voting opens.")
    if supporters_needed < 0 or groups_needed < 0:
        raise BallotError("Thresholds cannot be negative.")
    ballot.status = BallotStatus.NOMINATIONS
    ballot.nominations_close_at = close_at
    ballot.nomination_supporters = supporters_needed
    ballot.nomination_groups = groups_needed
    ballot.save(
        update_fields=[
            "status",
            "nominations_close_at",
            "nomination_supporters",
            "nomination_groups",
        ]
    )
    _audit(
        actor,
        "open_nominations",
        ballot,
        close_at=close_at.isoformat(),
        supporters=supporters_needed,
        groups=groups_needed,
    )


@transaction.atomic(durable=True)
def nominate(
    *,
    actor: Any,
    question: Question,
    nominee: Member,
    statement: str = "",
    categories: Sequence[str] = (),
    photo: File[bytes] | None = None,
) -> Nomination:
    """Nominate ``nominee`` (the actor themselves, or another member, who must then consent).

    Categories are the nominee's own declaration (e.g. "women" for a quota), so only a
    self-nomination or the nominee's consent sets them, with the statement and photo.
    """
    ballot = _locked(question.ballot)
    _require_nominations_open(ballot)
    if question.kind not in CANDIDATE_KINDS or question.ballot_id != ballot.pk:
        raise BallotError("This question does not take nominations.")
    nominator = _eligible_member(actor, ballot)
    if not is_eligible(ballot, nominee):
        raise NotEligible("Only a member who may vote in this ballot can be nominated.")
    if Nomination.objects.filter(question=question, member=nominee).exists():
        raise WrongStage(f"{nominee.full_name} is already nominated for “{question.title}”.")
    is_self = nominator.pk == nominee.pk
    nomination = Nomination(
        question=question,
        member=nominee,
        nominated_by=nominator,
        name=nominee.full_name,
        statement=statement.strip() if is_self else "",
        categories=_clean_categories(categories) if is_self else [],
        status=NominationStatus.STANDING if is_self else NominationStatus.AWAITING_CONSENT,
    )
    if is_self:
        _store_photo(nomination, photo)
    nomination.save()
    _audit(
        actor,
        "nominate",
        ballot,
        question=question.position,
        nominee=nominee.membership_number,
        self_nomination=is_self,
    )
    return nomination


@transaction.atomic(durable=True)
def update_nomination(
    *,
    actor: Any,
    nomination: Nomination,
    statement: str,
    categories: Sequence[str],
    photo: File[bytes] | None = None,
) -> None:
    """The nominee consents (if nominated by another) and sets statement, categories, photo."""
    ballot = _locked(nomination.question.ballot)
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    _require_nominations_open(ballot)
    member = own_member(actor)
    if member is None or member.pk != nomination.member_id:
        raise PermissionDenied("Only the nominee can change their nomination.")
    if nomination.status not in (NominationStatus.STANDING, NominationStatus.AWAITING_CONSENT):
        raise WrongStage("This nomination has been withdrawn.")
    consented = nomination.status == NominationStatus.AWAITING_CONSENT
    nomination.statement = statement.strip()
    nomination.categories = _clean_categories(categories)
    nomination.status = NominationStatus.STANDING
    _store_photo(nomination, photo)
    nomination.save(update_fields=["statement", "categories", "status", "photo"])
    _audit(actor, "update_nomination", ballot, nomination=nomination.pk, consented=consented)


@transaction.atomic(durable=True)
def support_nomination(*, actor: Any, nomination: Nomination) -> None:
    """A member in the ballot's scope adds their support (once) to a nomination."""
    ballot = _locked(nomination.question.ballot)
    _require_nominations_open(ballot)
    supporter = _eligible_member(actor, ballot)
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    if nomination.status not in (NominationStatus.STANDING, NominationStatus.AWAITING_CONSENT):
        raise WrongStage("This nomination has been withdrawn.")
    if supporter.pk == nomination.member_id:
        raise BallotError("You cannot support your own nomination.")
    if NominationSupport.objects.filter(nomination=nomination, member=supporter).exists():
        raise WrongStage("You already support this nomination.")
    NominationSupport.objects.create(
        nomination=nomination, member=supporter, group_id=supporter.home_group_id
    )
    _audit(actor, "support_nomination", ballot, nomination=nomination.pk)


@transaction.atomic(durable=True)
def withdraw_nomination(*, actor: Any, nomination: Nomination) -> None:
    """The nominee withdraws, up to the close of nominations."""
    ballot = _locked(nomination.question.ballot)
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    member = own_member(actor)
    if member is None or member.pk != nomination.member_id:
        raise PermissionDenied("Only the nominee can withdraw their nomination.")
    if not ballot.nominations_are_open:
        raise WrongStage("Nominations have closed: a withdrawal is no longer possible here.")
    if nomination.status == NominationStatus.WITHDRAWN:
        raise WrongStage("This nomination is already withdrawn.")
    nomination.status = NominationStatus.WITHDRAWN
    nomination.save(update_fields=["status"])
    _audit(actor, "withdraw_nomination", ballot, nomination=nomination.pk)


def _group_support_refusal(ballot: Ballot, group: Group) -> str:
    """Why ``group`` cannot nominate in ``ballot`` (out of scope, not recognised), or ""."""
    group_ids = scope_group_ids(ballot)
    if group_ids is not None and group.pk not in group_ids:
        return (
            f"{group.name} is not in this ballot's scope ({ballot.scope_name}): only groups "
            "within it can nominate."
        )
    status = (
        GroupRecognition.objects.filter(group=group).values_list("status", flat=True).first()
        or GroupStatus.PROVISIONAL
    )
    if status not in RECOGNISED_STATUSES:
        return (
            f"{group.name} is not a recognised group (it is {GroupStatus(status).label.lower()}): "
            "only recognised groups can nominate."
        )
    return ""


@transaction.atomic(durable=True)
def record_group_support(
    *,
    actor: Any,
    nomination: Nomination,
    group: Group,
    resolved_on: datetime.date,
    reference: str,
    carried_motion: int | None = None,
) -> GroupSupport:
    """A group's officer records that the group resolved to support a nomination.

    Only a recognised group within the ballot's scope, once per nomination (until withdrawn),
    while nominations are open. When the meeting is recorded in grassroots.meetings the
    officer links the carried motion (``carried_motion``: its outcome's id, looked up through
    grassroots.ballots.resolutions); it must be the group's own meeting, on the day given.
    Audited: the group's support is a public act, like a member's.
    """
    member = own_member(actor)
    if member is None or not may(actor, Capability.NOMINATE_BY_RESOLUTION, group):
        raise PermissionDenied(f"Only an officer of {group.name} can record its resolutions.")
    ballot = _locked(nomination.question.ballot)
    if not ballot.nominations_are_open:
        raise WrongStage("Nominations have closed: a group's support can no longer be recorded.")
    refusal = _group_support_refusal(ballot, group)
    if refusal:
        raise BallotError(refusal)
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    if nomination.status not in (NominationStatus.STANDING, NominationStatus.AWAITING_CONSENT):
        raise WrongStage(
            f"This nomination is “{nomination.get_status_display()}”: it takes no more support."
        )
    reference = " ".join(reference.split())
    if not reference:
        raise BallotError("Say where the resolution is recorded, e.g. “Minutes, item 4”.")
    if len(reference) > 200:
        raise BallotError("Keep the reference to 200 characters.")
    if resolved_on > clock.today():
        raise BallotError("The resolution's date cannot be in the future.")
    motion = None
    if carried_motion is not None:
        motion = find_carried_motion(carried_motion)
        if motion is None:
            raise BallotError("Link the outcome of a motion the meeting carried.")
        if motion.group_id != group.pk:
            raise BallotError(f"That meeting is not a meeting of {group.name}.")
        if motion.held_on != resolved_on:
            raise BallotError(
                f"That meeting was held on {motion.held_on:%-d %B %Y}, not {resolved_on:%-d %B %Y}."
            )
    if GroupSupport.objects.filter(
        nomination=nomination, group=group, withdrawn_at__isnull=True
    ).exists():
        raise WrongStage(f"{group.name} already supports this nomination.")
    support = GroupSupport.objects.create(
        nomination=nomination,
        group=group,
        resolved_on=resolved_on,
        reference=reference,
        carried_motion_id=motion.outcome_id if motion else None,
        carried_motion_label=motion.label if motion else "",
        carried_motion_url=motion.url if motion else "",
        recorded_by=member,
        recorded_at=clock.now(),
    )
    _audit(
        actor,
        "record_group_support",
        ballot,
        nomination=nomination.pk,
        nominee=nomination.member.membership_number,
        group=group.slug,
        resolved_on=resolved_on.isoformat(),
        reference=reference,
        carried_motion=motion.outcome_id if motion else None,
    )
    return support


@transaction.atomic(durable=True)
def withdraw_group_support(*, actor: Any, support: GroupSupport) -> None:
    """A group's officer withdraws the group's support (say, the group rescinded it), up to
    the close of nominations. The row stays, marked withdrawn; the threshold stops counting it."""
    member = own_member(actor)
    if member is None or not may(actor, Capability.NOMINATE_BY_RESOLUTION, support.group):
        raise PermissionDenied(f"Only an officer of {support.group.name} can withdraw its support.")
    ballot = _locked(support.nomination.question.ballot)
    support = GroupSupport.objects.select_for_update().get(pk=support.pk)
    if not ballot.nominations_are_open:
        raise WrongStage("Nominations have closed: a group's support can no longer be withdrawn.")
    if support.withdrawn_at is not None:
        raise WrongStage("This support is already withdrawn.")
    support.withdrawn_at = clock.now()
    support.withdrawn_by = member
    support.save(update_fields=["withdrawn_at", "withdrawn_by"])
    _audit(
        actor,
        "withdraw_group_support",
        ballot,
        nomination=support.nomination_id,
        group=support.group.slug,
    )


@transaction.atomic(durable=True)
def reject_nomination(*, actor: Any, nomination: Nomination, reason: str) -> None:
    """An officer who runs the ballot rejects a nomination that fails the rules, with a reason.

    Only before the close of nominations, so the nominee sees it (on their nomination page and
    the report) while there is still time to put it right with a new nomination elsewhere or a
    complaint. The reason is public, like the nomination itself, and audited.
    """
    _require_runner(actor, nomination.question.ballot)
    ballot = _locked(nomination.question.ballot)
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    reason = " ".join(reason.split())
    if not reason:
        raise BallotError("Give the reason for rejecting the nomination; the nominee will see it.")
    if len(reason) > 300:
        raise BallotError("Keep the reason to 300 characters.")
    if not ballot.nominations_are_open:
        raise WrongStage("Nominations have closed: a nomination can no longer be rejected.")
    if nomination.status not in (NominationStatus.STANDING, NominationStatus.AWAITING_CONSENT):
        raise WrongStage(
            f"This nomination cannot be rejected: it is “{nomination.get_status_display()}”."
        )
    nomination.status = NominationStatus.REJECTED
    nomination.status_reason = reason
    nomination.save(update_fields=["status", "status_reason"])
    _audit(
        actor,
        "reject_nomination",
        ballot,
        nomination=nomination.pk,
        nominee=nomination.member.membership_number,
        reason=reason,
    )


@transaction.atomic(durable=True)
def confirm_nominations(*, actor: Any, ballot: Ballot) -> list[Candidate]:
    """After the close of nominations, the returning officer makes every valid one a candidate.

    Valid: standing (consented, not withdrawn) and meeting the supporters threshold. The rest
    are marked not valid with the reason, which the nominations report shows. The ballot goes
    back to draft, ready for its tellers.
    """
    _require_returning_officer(actor, ballot)
    ballot = _locked(ballot)
    _require_status(ballot, BallotStatus.NOMINATIONS)
    if ballot.nominations_close_at is None or clock.now() < ballot.nominations_close_at:
        raise WrongStage("Nominations are still open; confirm them after they close.")
    confirmed: list[Candidate] = []
    for question, lines in nominations_report(ballot):
        position = question.candidates.count()
        for line in lines:
            nomination = line.nomination
            if nomination.status in (NominationStatus.WITHDRAWN, NominationStatus.REJECTED):
                continue
            if not line.is_valid:
                nomination.status = NominationStatus.INVALID
                nomination.status_reason = line.problem
                nomination.save(update_fields=["status", "status_reason"])
                continue
            position += 1
            candidate = Candidate.objects.create(
                question=question,
                position=position,
                name=nomination.name,
                statement=nomination.statement,
                member_id=nomination.member_id,
                categories=list(nomination.categories),
                photo=nomination.photo.name or "",
            )
            nomination.status = NominationStatus.CONFIRMED
            nomination.candidate = candidate
            nomination.save(update_fields=["status", "candidate"])
            confirmed.append(candidate)
    ballot.status = BallotStatus.DRAFT
    ballot.save(update_fields=["status"])
    _audit(actor, "confirm_nominations", ballot, candidates=[c.name for c in confirmed])
    return confirmed


# Ballots that members' initiatives call (grassroots.oversight)


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
        raise BallotError("The poll must close after it opens.")
    if not 1 <= threshold <= len(tellers) <= 20 or len(tellers_public_key) != 32:
        raise BallotError("The prepared tellers' key does not fit this ballot.")
    if len({m.pk for m, _ in tellers}) != len(tellers):
        raise BallotError("Each teller holds one share.")
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
    _audit(None, "create_initiative_ballot", ballot, title=ballot.title, reason=reason)
    if opens_at <= clock.now():
        _open_locked(None, _locked(ballot))
    return Ballot.objects.get(pk=ballot.pk)
