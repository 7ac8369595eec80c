"""Every write to the oversight app: one function per use case, permission first, audited.

Signing is the one hot path: the initiative's row is locked for the few statements a
signature takes, so the counts on it are exact however many members sign at once, and the
threshold is crossed (and acted on) by exactly one signature.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import Http404
from django.urls import reverse
from django.utils import dateformat
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record
from grassroots.ballots.keys import open_with_server_key, seal_with_server_key
from grassroots.ballots.models import Ballot
from grassroots.ballots.results import yes_no_result
from grassroots.ballots.services.errors import BallotError
from grassroots.ballots.services.initiatives import create_initiative_ballot
from grassroots.ledger.crypto import generate_tellers_key, split_secret
from grassroots.notifications.models import Kind
from grassroots.notifications.services import notify_scope, scope_key_for
from grassroots.organisation.models import Region
from grassroots.organisation.permissions import NATION, Capability, may
from grassroots.oversight import queries
from grassroots.oversight.ballot_texts import ballot_question
from grassroots.oversight.models import (
    Body,
    CallInResult,
    Decision,
    DecisionVote,
    Initiative,
    InitiativeEvent,
    InitiativeKind,
    InitiativeStatus,
    Meeting,
    Outcome,
    OversightRules,
    Paper,
    PreparedKey,
    PreparedShare,
    Route,
    Signature,
    Vote,
    default_publish_by,
)
from grassroots.oversight.papers import PaperError, read_paper
from grassroots.people.models import Member, MembershipStatus
from grassroots.people.queries import own_member
from grassroots.tally.declared import contradiction

SHARE_PURPOSE = "oversight-prepared-share"
MAX_KEYS_AT_ONCE = 20


class OversightError(Exception):
    """A request the rules refuse, with a message for the person who made it."""


def _audit(
    actor: User | None, action: AuditAction, subject_type: str, subject_id: object, **detail: Any
) -> None:
    record(
        actor=actor,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        purpose="members' oversight",
        detail=detail,
    )


def _event(initiative: Initiative, text: str) -> None:
    InitiativeEvent.objects.create(initiative=initiative, at=clock.now(), text=text[:500])


# --- Rules ---------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def set_rules(
    *, actor: User, values: Mapping[str, Any], standing_tellers: Sequence[Member]
) -> OversightRules:
    """Record the rules as adopted (national office). Initiatives already started keep the
    thresholds they started with."""
    if not may(actor, Capability.SET_OVERSIGHT_RULES, NATION):
        raise PermissionDenied(gettext("You cannot set the oversight rules."))
    rules = OversightRules.objects.select_for_update().get(pk=queries.current_rules().pk)
    for name, value in values.items():
        if name not in {f.name for f in OversightRules._meta.concrete_fields} or name in (
            "id",
            "updated_at",
            "updated_by",
        ):
            raise OversightError(gettext("%(name)s is not one of the rules.") % {"name": name})
        setattr(rules, name, value)
    if Decimal(rules.signature_percent) <= 0 and rules.groups_needed <= 0:
        raise OversightError(
            gettext(
                "Set a share of members or a number of groups: an initiative needs a threshold."
            )
        )
    if rules.returning_officer is not None and not queries.holds_national_office(
        rules.returning_officer
    ):
        raise OversightError(gettext("The returning officer must hold a national office role."))
    if standing_tellers and not 1 <= rules.tellers_threshold <= len(standing_tellers):
        raise OversightError(
            gettext("Tellers needed to count: at least 1 and no more than the tellers.")
        )
    rules.updated_at = clock.now()
    rules.updated_by = actor
    rules.save()
    rules.standing_tellers.set(standing_tellers)
    _audit(
        actor,
        AuditAction.SET_OVERSIGHT_RULES,
        "oversight_rules",
        rules.pk,
        **{k: str(v.pk if isinstance(v, Member) else v) for k, v in values.items()},
        standing_tellers=[m.membership_number for m in standing_tellers],
    )
    return rules


# --- The decisions register ----------------------------------------------------------------


def _require_recorder(actor: User, meeting: Meeting) -> None:
    if not queries.may_record(actor, meeting.body, meeting.region):
        raise PermissionDenied(gettext("You do not record this committee's meetings."))


def _locked_draft(actor: User, meeting: Meeting) -> Meeting:
    _require_recorder(actor, meeting)
    locked = (
        Meeting.objects.select_for_update(of=("self",)).select_related("region").get(pk=meeting.pk)
    )
    if locked.is_published:
        raise OversightError(
            gettext(
                "This record is published and cannot change; record a correction at a later "
                "meeting."
            )
        )
    return locked


@transaction.atomic(durable=True)
def start_meeting(
    *, actor: User, body: str, region: Region | None, title: str, held_on: datetime.date
) -> Meeting:
    if not queries.may_record(actor, body, region):
        raise PermissionDenied(gettext("You do not record this committee's meetings."))
    if held_on > clock.today():
        raise OversightError(
            gettext("Record a meeting once it has been held: the date is in the future.")
        )
    rules = queries.current_rules()
    meeting = Meeting.objects.create(
        body=body,
        region=region if body == Body.REGIONAL_COMMITTEE else None,
        title=title.strip(),
        held_on=held_on,
        publish_by=default_publish_by(held_on, rules.publish_within_days),
        created_by=actor,
        created_at=clock.now(),
    )
    _audit(actor, AuditAction.START_MEETING_RECORD, "meeting", meeting.pk, body=meeting.body_name)
    return meeting


@transaction.atomic(durable=True)
def save_minutes(*, actor: User, meeting: Meeting, minutes: str) -> None:
    meeting = _locked_draft(actor, meeting)
    meeting.minutes = minutes.strip()
    meeting.save(update_fields=["minutes"])
    _audit(actor, AuditAction.SAVE_MINUTES, "meeting", meeting.pk, characters=len(meeting.minutes))


@transaction.atomic(durable=True)
def record_decision(
    *,
    actor: User,
    meeting: Meeting,
    title: str,
    text: str,
    outcome: str,
    totals: tuple[int, int, int] | None = None,
    named_votes: Mapping[int, str] | None = None,
    threshold: str = "majority",
) -> Decision:
    """Add a decision to a draft record.

    Where the rules say this committee's votes are recorded by name, ``named_votes`` (member
    id to vote) must give every member who sat on the committee that day, and the totals are
    worked out from it; otherwise the totals are given, or None for a decision agreed without
    a vote.
    """
    meeting = _locked_draft(actor, meeting)
    if not title.strip() or not text.strip():
        raise OversightError(gettext("Give the decision a title and its wording."))
    if outcome not in Outcome.values:
        raise OversightError(gettext("Say whether the decision was agreed or rejected."))
    rules = queries.current_rules()
    roster: list[Member] = []
    if queries.votes_are_named(rules, meeting.body):
        roster = queries.committee_members(meeting.body, meeting.region, meeting.held_on)
        given = dict(named_votes or {})
        expected = {m.pk for m in roster}
        if set(given) != expected:
            raise OversightError(
                gettext(
                    "The rules say this committee's votes are recorded by name: give the vote of "
                    "every member who sat on it that day (absent if they were not there)."
                )
            )
        if set(given.values()) - set(Vote.values):
            raise OversightError(gettext("Each vote is for, against, abstained or absent."))
        if all(v == Vote.ABSENT for v in given.values()):
            raise OversightError(gettext("Nobody voted: record at least one member's vote."))
        totals = (
            sum(v == Vote.FOR for v in given.values()),
            sum(v == Vote.AGAINST for v in given.values()),
            sum(v == Vote.ABSTAIN for v in given.values()),
        )
    elif named_votes:
        raise OversightError(
            gettext("This committee's votes are not recorded by name; give the totals.")
        )
    if totals is not None and any(t < 0 for t in totals):
        raise OversightError(gettext("Vote totals cannot be negative."))
    if threshold not in ("majority", "two-thirds"):
        raise OversightError(gettext("The majority needed is a simple or a two-thirds majority."))
    if totals is not None:
        problem = contradiction(
            carried=outcome == Outcome.AGREED,
            votes_for=totals[0],
            votes_against=totals[1],
            threshold=threshold,
        )
        if problem:
            problem = problem.replace("Carried", "Agreed", 1).replace("Fallen", "Rejected", 1)
            raise OversightError(
                gettext("%(problem)s Nothing has been recorded.") % {"problem": problem}
            )
    position = (meeting.decisions.aggregate(top=Max("position"))["top"] or 0) + 1
    decision = Decision.objects.create(
        meeting=meeting,
        position=position,
        title=title.strip(),
        text=text.strip(),
        outcome=outcome,
        votes_for=totals[0] if totals else None,
        votes_against=totals[1] if totals else None,
        abstentions=totals[2] if totals else None,
    )
    if roster:
        votes = dict(named_votes or {})
        DecisionVote.objects.bulk_create(
            DecisionVote(decision=decision, member=m, name=m.full_name, vote=votes[m.pk])
            for m in roster
        )
    _audit(
        actor,
        AuditAction.RECORD_DECISION,
        "meeting",
        meeting.pk,
        decision=decision.pk,
        outcome=outcome,
    )
    return decision


@transaction.atomic(durable=True)
def add_paper(
    *, actor: User, meeting: Meeting, title: str, upload: IO[bytes], size: int | None
) -> Paper:
    meeting = _locked_draft(actor, meeting)
    if not title.strip():
        raise OversightError(gettext("Give the paper a title."))
    try:
        data, kind = read_paper(upload, size=size)
    except PaperError as error:
        raise OversightError(str(error)) from error
    from grassroots.oversight.papers import KINDS

    paper = Paper(
        meeting=meeting,
        title=title.strip(),
        content_type=KINDS[kind],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    # The stored name is random: nothing the uploader chose reaches the file system.
    paper.file.save(f"{secrets.token_hex(16)}.{kind}", ContentFile(data), save=False)
    paper.save()
    _audit(actor, AuditAction.ADD_PAPER, "meeting", meeting.pk, paper=paper.pk, sha256=paper.sha256)
    return paper


@transaction.atomic(durable=True)
def publish_meeting(*, actor: User, meeting: Meeting) -> Meeting:
    meeting = _locked_draft(actor, meeting)
    if not meeting.decisions.exists() and not meeting.minutes:
        raise OversightError(gettext("Add the minutes or at least one decision before publishing."))
    meeting.published_at = clock.now()
    meeting.save(update_fields=["published_at"])
    _audit(actor, AuditAction.PUBLISH_MEETING, "meeting", meeting.pk, days_late=meeting.days_late)
    return meeting


# --- Initiatives ---------------------------------------------------------------------------


def _region_of(member: Member) -> int:
    return member.home_group.area.region_id


@transaction.atomic(durable=True)
def start_initiative(
    *, actor: User, kind: str, title: str, text: str, decision_id: int | None = None
) -> Initiative:
    """Any member in good standing starts a proposal, or a call-in of a published decision;
    their own signature is the first."""
    member = own_member(actor)
    if member is None or member.status != MembershipStatus.MEMBER:
        raise OversightError(gettext("Only a member in good standing can start an initiative."))
    if kind not in InitiativeKind.values:
        raise OversightError(gettext("Choose what kind of initiative this is."))
    if not title.strip() or not text.strip():
        raise OversightError(gettext("Give the initiative a title and say what it proposes."))
    decision = None
    region = None
    if kind == InitiativeKind.CALL_IN:
        decision = queries.published_decision(decision_id)
        if decision is None:
            raise OversightError(
                gettext(
                    "There is no published decision with that number. Find the decision in the "
                    "register and use its “Call in this decision” link."
                )
            )
        region = (
            decision.meeting.region if decision.meeting.body == Body.REGIONAL_COMMITTEE else None
        )
        if region is not None and _region_of(member) != region.pk:
            raise OversightError(
                gettext(
                    "Only members in %(region)s can call in a decision of their regional committee."
                )
                % {"region": region}
            )
        if Initiative.objects.filter(
            decision=decision, status=InitiativeStatus.COLLECTING
        ).exists():
            raise OversightError(
                gettext("This decision already has a call-in collecting signatures: sign that one.")
            )
    elif decision_id is not None:
        raise OversightError(gettext("Only a call-in names a decision."))
    rules = queries.current_rules()
    in_scope = queries.members_in_scope(region).count()
    now = clock.now()
    initiative = Initiative.objects.create(
        kind=kind,
        title=title.strip(),
        text=text.strip(),
        decision=decision,
        region=region,
        started_by=member,
        started_at=now,
        closes_at=now + datetime.timedelta(days=rules.signing_days),
        route=rules.route_for(kind),
        members_in_scope=in_scope,
        signatures_needed=queries.signatures_needed(in_scope, Decimal(rules.signature_percent)),
        groups_needed=rules.groups_needed,
        regions_needed=rules.regions_needed if region is None else min(rules.regions_needed, 1),
        combine=rules.combine,
    )
    _event(
        initiative,
        f"Started by a member; collecting signatures until {initiative.closes_at:%d %B %Y}.",
    )
    _audit(
        actor,
        AuditAction.START_INITIATIVE,
        "initiative",
        initiative.pk,
        kind=kind,
        decision=decision_id,
    )
    _add_signature(actor, initiative, member)
    notify_scope(
        scope_key_for("region" if region is not None else "nation", region.pk if region else None),
        kind=Kind.INITIATIVE,
        message="initiative_to_sign",
        params={"title": initiative.title},
        url=reverse("oversight_initiative", args=[initiative.pk]),
    )
    return initiative


def sign_initiative(*, actor: User, initiative_id: int) -> Initiative:
    """Add the actor's signature (once, in scope, while it collects); see the module note."""
    member = own_member(actor)
    if member is None:
        raise OversightError(gettext("Only members can sign initiatives."))
    try:
        with transaction.atomic(durable=True):
            initiative = Initiative.objects.select_for_update().filter(pk=initiative_id).first()
            if initiative is None:
                raise Http404("No such initiative.")
            _add_signature(actor, initiative, member)
            return initiative
    except IntegrityError as error:  # the unique constraint, should two tabs race past the check
        raise OversightError(gettext("You have already signed this initiative.")) from error


def _add_signature(actor: User, initiative: Initiative, member: Member) -> None:
    """Under the initiative's row lock: check, insert, count, and act on the threshold."""
    if not initiative.is_signing_open:
        raise OversightError(
            gettext("Signing closed on %(closes_at)s; signatures can no longer be added.")
            % {"closes_at": dateformat.format(initiative.closes_at, "d F Y")}
        )
    if member.status != MembershipStatus.MEMBER:
        raise OversightError(gettext("Only members in good standing can sign initiatives."))
    region_id = _region_of(member)
    if initiative.region_id is not None and region_id != initiative.region_id:
        raise OversightError(
            gettext(
                "This initiative is for members in %(region)s; your group is in another region."
            )
            % {"region": initiative.region}
        )
    signatures = Signature.objects.filter(initiative=initiative)
    if signatures.filter(member=member).exists():
        raise OversightError(gettext("You have already signed this initiative."))
    new_group = not signatures.filter(group_id=member.home_group_id).exists()
    new_region = not signatures.filter(region_id=region_id).exists()
    Signature.objects.create(
        initiative=initiative,
        member=member,
        group_id=member.home_group_id,
        region_id=region_id,
        signed_at=clock.now(),
    )
    initiative.signature_count += 1
    initiative.group_count += int(new_group)
    initiative.region_count += int(new_region)
    fields = ["signature_count", "group_count", "region_count"]
    if initiative.status == InitiativeStatus.COLLECTING and initiative.threshold_met():
        fields += _reach(initiative)
    initiative.save(update_fields=fields)
    _audit(actor, AuditAction.SIGN_INITIATIVE, "initiative", initiative.pk)


def _reach(initiative: Initiative) -> list[str]:
    """The threshold is met (once: the status leaves COLLECTING under the row lock)."""
    initiative.reached_at = clock.now()
    _event(
        initiative,
        f"Threshold reached with {initiative.signature_count} signatures from "
        f"{initiative.group_count} groups in {initiative.region_count} regions.",
    )
    if initiative.route == Route.NATIONAL_COMMITTEE:
        rules = queries.current_rules()
        initiative.status = InitiativeStatus.REFERRED
        initiative.response_due_on = clock.today() + datetime.timedelta(days=rules.response_days)
        _event(
            initiative,
            "Sent to the National Committee, which must answer by "
            f"{initiative.response_due_on:%d %B %Y}.",
        )
        _audit(
            None, AuditAction.REFER_INITIATIVE, "initiative", initiative.pk, body=initiative.route
        )
        return ["status", "reached_at", "response_due_on"]
    initiative.status = InitiativeStatus.REACHED
    _audit(None, AuditAction.INITIATIVE_REACHED_THRESHOLD, "initiative", initiative.pk)
    transaction.on_commit(_enqueue_ballots)
    return ["status", "reached_at"]


def _enqueue_ballots() -> None:
    from grassroots.oversight.tasks import put_reached_initiatives_to_ballot_task

    put_reached_initiatives_to_ballot_task.enqueue()


def put_reached_initiatives_to_ballot() -> list[int]:
    """The task: every initiative waiting for its ballot gets one, if it can (ids of those
    that did). Safe to run at any time, by any number of workers."""
    done = []
    waiting = Initiative.objects.filter(status=InitiativeStatus.REACHED, route=Route.BALLOT)
    for initiative_id in waiting.order_by("reached_at").values_list("pk", flat=True):
        if put_initiative_to_ballot(initiative_id=initiative_id) is not None:
            done.append(initiative_id)
    return done


def _wait(initiative: Initiative, text: str) -> None:
    last = initiative.events.order_by("-at", "-id").first()
    if last is None or last.text != text:
        _event(initiative, text)


@transaction.atomic(durable=True)
def put_initiative_to_ballot(*, initiative_id: int) -> Ballot | None:
    """Create and open the all-member yes/no ballot, with the returning officer the rules name
    and the next key the standing tellers prepared; or note on the timeline what it waits for."""
    initiative = (
        Initiative.objects.select_for_update(of=("self",))
        .select_related("decision__meeting__region")
        .get(pk=initiative_id)
    )
    if initiative.status != InitiativeStatus.REACHED:
        return None
    rules = queries.current_rules()
    officer = rules.returning_officer
    if officer is None or not queries.holds_national_office(officer):
        _wait(initiative, "Waiting for the national office to name a returning officer.")
        return None
    key = (
        PreparedKey.objects.select_for_update(skip_locked=True)
        .filter(used_by__isnull=True)
        .exclude(shares__has_collected_share=False)
        .order_by("number")
        .first()
    )
    if key is None:
        _wait(initiative, "Waiting for the standing tellers to prepare a key for the ballot.")
        return None
    shares = list(key.shares.select_related("member"))
    title, description, question = ballot_question(initiative)
    now = clock.now()
    try:
        ballot = create_initiative_ballot(
            title=title,
            description=f"{description}\n\nTellers: this ballot uses prepared key {key.label}.",
            question=question,
            opens_at=now,
            closes_at=now + datetime.timedelta(days=rules.ballot_days),
            returning_officer=officer,
            tellers_public_key=bytes(key.public_key),
            tellers=[(s.member, s.share_index) for s in shares],
            threshold=key.threshold,
            reason=f"initiative {initiative.pk} reached its threshold",
        )
    except BallotError as error:
        _wait(initiative, f"The ballot could not be created: {error}")
        return None
    key.used_by = initiative
    key.save(update_fields=["used_by"])
    initiative.ballot = ballot
    initiative.status = InitiativeStatus.BALLOT
    initiative.save(update_fields=["ballot", "status"])
    _event(
        initiative,
        f"All-member ballot opened: voting until {ballot.closes_at:%d %B %Y %H:%M}.",
    )
    _audit(
        None,
        AuditAction.PUT_INITIATIVE_TO_BALLOT,
        "initiative",
        initiative.pk,
        ballot=ballot.election_id,
    )
    return ballot


def close_lapsed_initiatives() -> list[str]:
    """The scheduler's step: close every initiative whose signing deadline has passed short of
    its threshold, with its final count on the timeline. Each is locked and checked again (a
    signature commits before the deadline or not at all, under the same lock), so ticks on
    several nodes close each once; running it again changes nothing."""
    done = []
    due = Initiative.objects.filter(status=InitiativeStatus.COLLECTING, closes_at__lte=clock.now())
    for initiative_id in due.values_list("pk", flat=True):
        with transaction.atomic(durable=True):
            initiative = (
                Initiative.objects.select_for_update(skip_locked=True)
                .filter(pk=initiative_id)
                .first()
            )
            moment = clock.now()
            if (
                initiative is None
                or initiative.status != InitiativeStatus.COLLECTING
                or moment < initiative.closes_at
            ):
                continue
            initiative.status = InitiativeStatus.CLOSED
            initiative.closed_at = moment
            initiative.save(update_fields=["status", "closed_at"])
            _event(initiative, f"Closed short of its threshold: {initiative.signatures_summary}.")
            _audit(
                None,
                AuditAction.CLOSE_INITIATIVE,
                "initiative",
                initiative.pk,
                signatures=initiative.signature_count,
                needed=initiative.signatures_needed,
            )
            done.append(f"closed initiative {initiative.pk}")
    return done


@transaction.atomic
def record_ballot_result(ballot: Ballot) -> Initiative | None:
    """Write a published ballot's result back to the initiative it was called for and, for a
    call-in, to the decision called in (its question asks whether to reverse it: carried means
    overturned). Registered with ``grassroots.ballots.results`` (apps.py) and called inside the
    publishing transaction; nothing happens for other ballots, or a second time."""
    initiative = (
        Initiative.objects.select_for_update(of=("self",))
        .filter(ballot=ballot, status=InitiativeStatus.BALLOT)
        .first()
    )
    if initiative is None:
        return None
    result = yes_no_result(ballot)
    initiative.status = (
        InitiativeStatus.CARRIED if result.is_carried else InitiativeStatus.NOT_CARRIED
    )
    initiative.votes_yes = result.votes_yes
    initiative.votes_no = result.votes_no
    initiative.votes_abstain = result.votes_abstain
    initiative.result_published_at = result.published_at
    initiative.save(
        update_fields=["status", "votes_yes", "votes_no", "votes_abstain", "result_published_at"]
    )
    decided = "carried" if result.is_carried else "not carried"
    _event(
        initiative,
        f"The members' ballot {decided} it ({result.figures}); result published "
        f"{result.published_at:%d %B %Y}.",
    )
    detail: dict[str, Any] = {"ballot": ballot.election_id, "result": initiative.status}
    if initiative.kind == InitiativeKind.CALL_IN and initiative.decision_id is not None:
        decision = Decision.objects.select_for_update().get(pk=initiative.decision_id)
        decision.call_in_result = (
            CallInResult.OVERTURNED if result.is_carried else CallInResult.UPHELD
        )
        decision.call_in_decided_at = result.published_at
        decision.call_in_ballot = ballot
        decision.save(update_fields=["call_in_result", "call_in_decided_at", "call_in_ballot"])
        detail["decision"] = decision.pk
        detail["call_in_result"] = decision.call_in_result
    _audit(None, AuditAction.RECORD_BALLOT_RESULT, "initiative", initiative.pk, **detail)
    return initiative


@transaction.atomic(durable=True)
def answer_initiative(*, actor: User, initiative: Initiative, response: str) -> None:
    """The National Committee answers an initiative referred to it."""
    if not may(actor, Capability.ANSWER_INITIATIVES, NATION):
        raise PermissionDenied(gettext("Only the National Committee answers initiatives."))
    initiative = Initiative.objects.select_for_update().get(pk=initiative.pk)
    if initiative.status != InitiativeStatus.REFERRED:
        raise OversightError(
            gettext("This initiative is not waiting for the National Committee's answer.")
        )
    if not response.strip():
        raise OversightError(gettext("Write the committee's answer."))
    initiative.response = response.strip()
    initiative.responded_at = clock.now()
    initiative.status = InitiativeStatus.ANSWERED
    initiative.save(update_fields=["response", "responded_at", "status"])
    late = initiative.response_due_on is not None and clock.today() > initiative.response_due_on
    _event(initiative, "The National Committee answered" + (" (late)." if late else "."))
    _audit(actor, AuditAction.ANSWER_INITIATIVE, "initiative", initiative.pk, late=late)


# --- Standing tellers' prepared keys --------------------------------------------------------


@transaction.atomic(durable=True)
def prepare_keys(*, actor: User, count: int) -> list[PreparedKey]:
    """Make ``count`` tellers' keys for future initiative ballots, each split among the
    standing tellers; each share waits, sealed, until its teller collects it."""
    if not may(actor, Capability.SET_OVERSIGHT_RULES, NATION):
        raise PermissionDenied(gettext("You cannot prepare keys."))
    if not 1 <= count <= MAX_KEYS_AT_ONCE:
        raise OversightError(
            gettext("Prepare between 1 and %(MAX_KEYS_AT_ONCE)s keys at a time.")
            % {"MAX_KEYS_AT_ONCE": MAX_KEYS_AT_ONCE}
        )
    rules = OversightRules.objects.select_for_update().get(pk=queries.current_rules().pk)
    tellers = list(rules.standing_tellers.order_by("pk"))
    if not tellers or not 1 <= rules.tellers_threshold <= len(tellers):
        raise OversightError(gettext("Name the standing tellers in the rules first."))
    number = (PreparedKey.objects.aggregate(top=Max("number"))["top"] or 0) + 1
    made = []
    for offset in range(count):
        private, public = generate_tellers_key()
        shares = split_secret(private, threshold=rules.tellers_threshold, shares=len(tellers))
        del private
        key = PreparedKey.objects.create(
            number=number + offset,
            public_key=public,
            threshold=rules.tellers_threshold,
            created_at=clock.now(),
        )
        PreparedShare.objects.bulk_create(
            PreparedShare(
                key=key,
                member=member,
                share_index=share.index,
                pending_share_sealed=seal_with_server_key(
                    share.to_text().encode(), purpose=f"{SHARE_PURPOSE}:{key.number}"
                ),
            )
            for member, share in zip(tellers, shares, strict=True)
        )
        made.append(key)
    _audit(
        actor,
        AuditAction.PREPARE_KEYS,
        "prepared_key",
        made[0].number,
        keys=[k.label for k in made],
    )
    return made


@transaction.atomic(durable=True)
def collect_prepared_share(*, actor: User, share: PreparedShare) -> str:
    """Show a standing teller their share of a prepared key, once; no copy is kept."""
    share = PreparedShare.objects.select_for_update().select_related("key").get(pk=share.pk)
    member = own_member(actor)
    if member is None or share.member_id != member.pk:
        raise PermissionDenied(gettext("That share is not yours."))
    if share.has_collected_share or share.pending_share_sealed is None:
        raise OversightError(
            gettext("You have already collected this share; it is shown only once.")
        )
    text = open_with_server_key(
        bytes(share.pending_share_sealed), purpose=f"{SHARE_PURPOSE}:{share.key.number}"
    ).decode()
    share.pending_share_sealed = None
    share.has_collected_share = True
    share.save(update_fields=["pending_share_sealed", "has_collected_share"])
    _audit(
        actor,
        AuditAction.COLLECT_PREPARED_SHARE,
        "prepared_key",
        share.key.label,
        share=share.share_index,
    )
    if not share.key.shares.filter(has_collected_share=False).exists():
        transaction.on_commit(_enqueue_ballots)  # a waiting initiative can have its ballot now
    return text
