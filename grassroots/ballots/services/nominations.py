"""Nominations: opened by the returning officer, made, consented to, supported, withdrawn or
rejected by members, and confirmed as candidates after the close.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.ballots.eligibility import is_eligible, why_not_eligible
from grassroots.ballots.models import (
    Ballot,
    BallotStatus,
    Candidate,
    Nomination,
    NominationStatus,
    NominationSupport,
    Question,
    QuestionKind,
)
from grassroots.ballots.photos import PhotoError, read_photo
from grassroots.ballots.queries import (
    CANDIDATE_KINDS,
    in_section,
    nominations_report,
)
from grassroots.ballots.services._common import (
    audit_ballot,
    locked_ballot,
    require_runner,
    require_status,
)
from grassroots.ballots.services.errors import BallotError, NotEligible, WrongStage
from grassroots.ballots.services.setup import quota_problem
from grassroots.people.models import Member
from grassroots.people.queries import own_member


def _require_returning_officer(actor: User, ballot: Ballot) -> None:
    require_runner(actor, ballot)
    member = own_member(actor)
    if member is None or ballot.returning_officer_id != member.pk:
        raise PermissionDenied(gettext("Only the returning officer can do this."))


def _require_nominations_open(ballot: Ballot) -> None:
    if not ballot.nominations_are_open:
        raise WrongStage(gettext("Nominations are not open for this ballot."))


def _eligible_member(actor: User, ballot: Ballot) -> Member:
    member = own_member(actor)
    if member is None:
        raise NotEligible(gettext("Only members who may vote in this ballot can do this."))
    if not is_eligible(ballot, member):
        reasons = "; ".join(why_not_eligible(ballot, member))
        raise NotEligible(
            "Only members who may vote in this ballot can do this"
            + (f": {reasons}." if reasons else ".")
        )
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
    actor: User,
    ballot: Ballot,
    close_at: datetime.datetime,
    supporters_needed: int = 0,
    groups_needed: int = 0,
) -> None:
    """Open nominations for the ballot's candidate questions until ``close_at``."""
    require_runner(actor, ballot)
    ballot = locked_ballot(ballot)
    require_status(ballot, BallotStatus.DRAFT)
    if not ballot.questions.filter(kind__in=CANDIDATE_KINDS).exists():
        raise BallotError(
            gettext("Add a question with candidates (not yes/no) before opening nominations.")
        )
    if close_at <= clock.now():
        raise BallotError(gettext("The close of nominations must be in the future."))
    if close_at > ballot.opens_at:
        raise BallotError(gettext("Nominations must close before voting opens."))
    if supporters_needed < 0 or groups_needed < 0:
        raise BallotError(gettext("Thresholds cannot be negative."))
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
    audit_ballot(
        actor,
        AuditAction.OPEN_NOMINATIONS,
        ballot,
        close_at=close_at.isoformat(),
        supporters=supporters_needed,
        groups=groups_needed,
    )


@transaction.atomic(durable=True)
def nominate(
    *,
    actor: User,
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
    ballot = locked_ballot(question.ballot)
    _require_nominations_open(ballot)
    if question.kind not in CANDIDATE_KINDS or question.ballot_id != ballot.pk:
        raise BallotError(gettext("This question does not take nominations."))
    nominator = _eligible_member(actor, ballot)
    if not is_eligible(ballot, nominee):
        reasons = "; ".join(why_not_eligible(ballot, nominee))
        raise NotEligible(
            gettext(
                "Only a member who may vote in this ballot can be nominated (%(name)s: %(why)s)."
            )
            % {"name": nominee.full_name, "why": reasons}
            if reasons
            else gettext("Only a member who may vote in this ballot can be nominated.")
        )
    if not in_section(question, nominee):
        raise NotEligible(
            gettext(
                "“%(title)s” is the section for members in %(region)s: %(name)s is not one of them."
            )
            % {
                "title": question.title,
                "region": question.section_region,
                "name": nominee.full_name,
            }
        )
    if Nomination.objects.filter(question=question, member=nominee).exists():
        raise WrongStage(
            gettext("%(full_name)s is already nominated for “%(title)s”.")
            % {"full_name": nominee.full_name, "title": question.title}
        )
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
    audit_ballot(
        actor,
        AuditAction.NOMINATE,
        ballot,
        question=question.position,
        nominee=nominee.membership_number,
        self_nomination=is_self,
    )
    return nomination


@transaction.atomic(durable=True)
def update_nomination(
    *,
    actor: User,
    nomination: Nomination,
    statement: str,
    categories: Sequence[str],
    photo: File[bytes] | None = None,
) -> None:
    """The nominee consents (if nominated by another) and sets statement, categories, photo."""
    ballot = locked_ballot(nomination.question.ballot)
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    _require_nominations_open(ballot)
    member = own_member(actor)
    if member is None or member.pk != nomination.member_id:
        raise PermissionDenied(gettext("Only the nominee can change their nomination."))
    if nomination.status not in (NominationStatus.STANDING, NominationStatus.AWAITING_CONSENT):
        raise WrongStage(gettext("This nomination has been withdrawn."))
    consented = nomination.status == NominationStatus.AWAITING_CONSENT
    nomination.statement = statement.strip()
    nomination.categories = _clean_categories(categories)
    nomination.status = NominationStatus.STANDING
    _store_photo(nomination, photo)
    nomination.save(update_fields=["statement", "categories", "status", "photo"])
    audit_ballot(
        actor, AuditAction.UPDATE_NOMINATION, ballot, nomination=nomination.pk, consented=consented
    )


@transaction.atomic(durable=True)
def support_nomination(*, actor: User, nomination: Nomination) -> None:
    """A member in the ballot's scope adds their support (once) to a nomination."""
    ballot = locked_ballot(nomination.question.ballot)
    _require_nominations_open(ballot)
    supporter = _eligible_member(actor, ballot)
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    if nomination.status not in (NominationStatus.STANDING, NominationStatus.AWAITING_CONSENT):
        raise WrongStage(gettext("This nomination has been withdrawn."))
    if supporter.pk == nomination.member_id:
        raise BallotError(gettext("You cannot support your own nomination."))
    question = nomination.question
    if not in_section(question, supporter):
        raise NotEligible(
            gettext(
                "“%(title)s” is the section for members in %(region)s: only they can support its "
                "nominations."
            )
            % {"title": question.title, "region": question.section_region}
        )
    if NominationSupport.objects.filter(nomination=nomination, member=supporter).exists():
        raise WrongStage(gettext("You already support this nomination."))
    NominationSupport.objects.create(
        nomination=nomination, member=supporter, group_id=supporter.home_group_id
    )
    audit_ballot(actor, AuditAction.SUPPORT_NOMINATION, ballot, nomination=nomination.pk)


@transaction.atomic(durable=True)
def withdraw_nomination(*, actor: User, nomination: Nomination) -> None:
    """The nominee withdraws, up to the close of nominations."""
    ballot = locked_ballot(nomination.question.ballot)
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    member = own_member(actor)
    if member is None or member.pk != nomination.member_id:
        raise PermissionDenied(gettext("Only the nominee can withdraw their nomination."))
    if not ballot.nominations_are_open:
        raise WrongStage(
            gettext("Nominations have closed: a withdrawal is no longer possible here.")
        )
    if nomination.status == NominationStatus.WITHDRAWN:
        raise WrongStage(gettext("This nomination is already withdrawn."))
    nomination.status = NominationStatus.WITHDRAWN
    nomination.save(update_fields=["status"])
    audit_ballot(actor, AuditAction.WITHDRAW_NOMINATION, ballot, nomination=nomination.pk)


@transaction.atomic(durable=True)
def reject_nomination(*, actor: User, nomination: Nomination, reason: str) -> None:
    """An officer who runs the ballot rejects a nomination that fails the rules, with a reason.

    Only before the close of nominations, so the nominee sees it (on their nomination page and
    the report) while there is still time to put it right with a new nomination elsewhere or a
    complaint. The reason is public, like the nomination itself, and audited.
    """
    require_runner(actor, nomination.question.ballot)
    ballot = locked_ballot(nomination.question.ballot)
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    reason = " ".join(reason.split())
    if not reason:
        raise BallotError(
            gettext("Give the reason for rejecting the nomination; the nominee will see it.")
        )
    if len(reason) > 300:
        raise BallotError(gettext("Keep the reason to 300 characters."))
    if not ballot.nominations_are_open:
        raise WrongStage(
            gettext("Nominations have closed: a nomination can no longer be rejected.")
        )
    if nomination.status not in (NominationStatus.STANDING, NominationStatus.AWAITING_CONSENT):
        raise WrongStage(
            gettext("This nomination cannot be rejected: it is “%(status)s”.")
            % {"status": nomination.get_status_display()}
        )
    nomination.status = NominationStatus.REJECTED
    nomination.status_reason = reason
    nomination.save(update_fields=["status", "status_reason"])
    audit_ballot(
        actor,
        AuditAction.REJECT_NOMINATION,
        ballot,
        nomination=nomination.pk,
        nominee=nomination.member.membership_number,
        reason=reason,
    )


@transaction.atomic(durable=True)
def confirm_nominations(*, actor: User, ballot: Ballot) -> list[Candidate]:
    """After the close of nominations, the returning officer makes every valid one a candidate.

    Valid: standing (consented, not withdrawn) and meeting the supporters threshold. The rest
    are marked not valid with the reason, which the nominations report shows. The ballot goes
    back to draft, ready for its tellers.
    """
    _require_returning_officer(actor, ballot)
    ballot = locked_ballot(ballot)
    require_status(ballot, BallotStatus.NOMINATIONS)
    if ballot.nominations_close_at is None or clock.now() < ballot.nominations_close_at:
        raise WrongStage(gettext("Nominations are still open; confirm them after they close."))
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
    for question in ballot.questions.filter(kind=QuestionKind.STV).exclude(constraints=[]):
        # A question nobody validly stood for is left to the officer (who may add candidates);
        # once anyone stands, the rules must be possible to meet with them.
        problem = quota_problem(question) if question.candidates.exists() else ""
        if problem:
            # Nothing is confirmed: the officer changes the rules (or the rules stand and the
            # ballot waits) with the nominations still as they were.
            raise BallotError(
                gettext("%(title)s: %(problem)s Change the question's quota rules, then confirm.")
                % {"title": question.title, "problem": problem}
            )
    ballot.status = BallotStatus.DRAFT
    ballot.save(update_fields=["status"])
    audit_ballot(
        actor, AuditAction.CONFIRM_NOMINATIONS, ballot, candidates=[c.name for c in confirmed]
    )
    return confirmed
