"""Reads of ballots shared by the pages: who may run, vote in, or tell which ballot.

Permission-checked fetches answer the same 404 for "missing" and "not allowed".
"""

from __future__ import annotations

import datetime
import threading
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.ballots import sql
from grassroots.ballots.eligibility import is_eligible, why_not_eligible
from grassroots.ballots.models import (
    BackgroundStep,
    Ballot,
    BallotBoxEntry,
    BallotStatus,
    Candidate,
    CollegeMember,
    GroupSupport,
    MixStage,
    MixStageStatus,
    Nomination,
    NominationStatus,
    Question,
    QuestionKind,
    RollEntry,
    Teller,
)
from grassroots.ballots.models import threshold_text as models_threshold_text
from grassroots.ballots.publication import ledger_question
from grassroots.ballots.resolutions import CarriedMotion, carried_motions
from grassroots.ballots.result_display import ShownPaper, show_paper
from grassroots.ledger.e2e.checks import MINIMUM_MIXES
from grassroots.ledger.record import Question as LedgerQuestion
from grassroots.organisation.models import (
    RECOGNISED_STATUSES,
    Area,
    Group,
    GroupRecognition,
    Region,
    ScopeLevel,
)
from grassroots.organisation.permissions import (
    Capability,
    group_ids_in,
    may,
    scopes_for,
)
from grassroots.people.models import Member
from grassroots.people.queries import own_member


def in_section(question: Question, member: Member) -> bool:
    """Whether the member is on the section's roll by residence: their home group is in the
    section's region (a question that is no section takes every member on the roll)."""
    if question.section_region_id is None:
        return True
    return Member.objects.filter(
        pk=member.pk, home_group__area__region_id=question.section_region_id
    ).exists()


def get_ballot_to_run(actor: User | AnonymousUser, ballot_id: int) -> Ballot:
    ballot = Ballot.objects.select_related("group", "area", "region").filter(pk=ballot_id).first()
    if ballot is None or not may(actor, Capability.RUN_BALLOTS, ballot):
        raise Http404("No such ballot.")
    return ballot


def get_ballot_to_vote(actor: User | AnonymousUser, ballot_id: int) -> tuple[Ballot, RollEntry]:
    """The ballot and the actor's own roll entry; 404 unless the actor is on the roll.

    One query: the ballot with the roll entry of the member whose login is ``actor`` (a scalar
    subquery, so the (ballot, member) index is used whatever the table statistics say), carrying
    the officer-MFA flags for the vote view, which makes the middleware's decision itself from
    them: ``entry.mfa_is_officer`` (holds a current role in OFFICER_ROLES, as
    ``officer_mfa_annotations``) and ``entry.mfa_has_totp``. ``entry.voter_user_id`` is the
    actor's user id.

    This is the query behind every cast, so its SQL is written once per process
    (``sql.ballot_to_vote_row``) instead of being built by the ORM on each request, which cost
    about half of a cast's CPU (docs/benchmarks/ballots.md). tests/ballots/test_vote_query.py
    holds it to the ORM's answer (``sql.ballot_to_vote_orm``) over every case of roll, roles
    and authenticators.
    """
    if not isinstance(actor, User):
        raise Http404("No such ballot.")
    found = sql.ballot_to_vote_row(actor.pk, ballot_id, clock.today())
    if found is None:
        raise Http404("No such ballot.")
    values, (entry_id, member_id, group_id, has_voted, admitted_by, is_officer, has_totp) = found
    ballot = Ballot.from_db(connection.alias, sql.BALLOT_ATTNAMES, values)
    entry = RollEntry.from_db(
        connection.alias,
        ["id", "ballot_id", "member_id", "group_id", "has_voted", "admitted_by"],
        [entry_id, ballot.pk, member_id, group_id, bool(has_voted), admitted_by],
    )
    entry.ballot = ballot
    entry.mfa_is_officer = bool(is_officer)  # type: ignore[attr-defined]
    entry.mfa_has_totp = bool(has_totp)  # type: ignore[attr-defined]
    entry.voter_user_id = actor.pk  # type: ignore[attr-defined]
    return ballot, entry


@dataclass(frozen=True)
class BallotPaper:
    """An open ballot's questions (each with its candidates, in order) and their ledger form."""

    questions: tuple[Question, ...]
    ledger: dict[int, LedgerQuestion]  # by question id

    @property
    def has_sections(self) -> bool:
        return any(q.is_section for q in self.questions)

    @property
    def has_colleges(self) -> bool:
        return any(q.colleges for q in self.questions)

    def questions_for(self, voter: Voter) -> tuple[Question, ...]:
        """The questions ``voter`` answers: every question that is not a section, the
        sections of their region, and an electoral college's question if they are in one of
        its colleges."""
        return tuple(
            q
            for q in self.questions
            if q.is_on_roll(voter.region_id) and (not q.colleges or q.pk in voter.colleges)
        )


@dataclass(frozen=True)
class Voter:
    """Where a voter stands on a ballot with sections or electoral colleges: the region their
    frozen roll entry records, and their college (its index) in each college question."""

    region_id: int | None = None
    colleges: dict[int, int] = field(default_factory=dict)


EVERY_VOTER = Voter()


def voter_place(ballot: Ballot, member_id: int) -> Voter:
    """The voter's region and colleges, read only for a ballot with sections or colleges:
    the others' vote pages and casts cost no query more."""
    paper = ballot_paper(ballot)
    if not (paper.has_sections or paper.has_colleges):
        return EVERY_VOTER
    region_id: int | None = (
        RollEntry.objects.filter(ballot_id=ballot.pk, member_id=member_id)
        .values_list("region_id", flat=True)
        .first()
    )
    colleges: dict[int, int] = {}
    if paper.has_colleges:
        listed = dict(
            CollegeMember.objects.filter(
                question__ballot_id=ballot.pk, member_id=member_id
            ).values_list("question_id", "college")
        )
        for question in paper.questions:
            if not question.colleges:
                continue
            college = listed.get(question.pk, question.everyone_else_college)
            if college is not None:
                colleges[question.pk] = college
    return Voter(region_id=region_id, colleges=colleges)


_PAPERS: dict[tuple[int, str, datetime.datetime | None], BallotPaper] = {}
_PAPERS_LOCK = threading.Lock()
_PAPERS_KEPT = 64


def ballot_paper(ballot: Ballot) -> BallotPaper:
    """The questions and candidates of ``ballot``, read once per process while it is open.

    Questions and candidates can change only while the ballot is a draft or taking nominations
    (``add_question``/``add_candidate`` lock the ballot and check), and the signed heads commit
    to them from the opening on, so an open ballot's paper is fixed: every vote page and every
    cast of it needs the same two queries' worth of rows, and reads them from here. Keyed by
    id, election id and the moment of opening: ids can be reused after a rollback, and a
    database restored from a copy (the demo's reset, a backup) brings back the same id and
    election id with other candidates, but each opening has its own moment. Any other status
    is read fresh. The objects are shared between requests and must not be changed.
    """
    key = (ballot.pk, ballot.election_id, ballot.opened_at)
    if ballot.status == BallotStatus.OPEN:
        kept = _PAPERS.get(key)
        if kept is not None:
            return kept
    # Not through ballot.questions: that would tie every kept question to this request's Ballot.
    questions = tuple(
        Question.objects.filter(ballot_id=ballot.pk)
        .select_related("ballot", "section_region")
        .prefetch_related("candidates")
    )
    paper = BallotPaper(questions=questions, ledger={q.pk: ledger_question(q) for q in questions})
    if ballot.status == BallotStatus.OPEN:
        with _PAPERS_LOCK:
            if len(_PAPERS) >= _PAPERS_KEPT:
                _PAPERS.pop(next(iter(_PAPERS)))
            _PAPERS[key] = paper
    return paper


def get_candidate_photo_for(
    actor: User | AnonymousUser, ballot_id: int, candidate_id: int
) -> Candidate:
    """A candidate with a photo: anyone's once the poll has opened (it is on the ballot paper,
    which personal links open without a login), before that only an officer's who runs the
    ballot. 404 alike for missing, no photo and not allowed."""
    candidate = (
        Candidate.objects.select_related("question__ballot")
        .filter(pk=candidate_id, question__ballot_id=ballot_id)
        .exclude(photo="")
        .first()
    )
    if candidate is None:
        raise Http404("No such photo.")
    ballot = candidate.question.ballot
    before_opening = ballot.status in (
        BallotStatus.DRAFT,
        BallotStatus.NOMINATIONS,
        BallotStatus.READY,
    )
    if before_opening and not may(actor, Capability.RUN_BALLOTS, ballot):
        raise Http404("No such photo.")
    return candidate


@dataclass(frozen=True)
class CountProgress:
    """Where the count of a closed ballot has got to, for the pages that show it.

    ``stage``: "decrypting" (``done`` of ``total`` ballots opened), "counting" (every ballot
    opened; ``questions_done`` of ``questions_total`` counted), "done", or "failed" (``error``
    says why). ``is_running`` while decrypting or counting: the page refreshes itself then.
    """

    stage: str
    done: int
    total: int
    questions_done: int
    questions_total: int
    error: str

    @property
    def is_running(self) -> bool:
        return self.stage in ("decrypting", "counting")


def count_progress(ballot: Ballot) -> CountProgress | None:
    """The count's progress; None when no count has been asked for."""
    if ballot.count_requested_at is None:
        return None
    if ballot.status in (BallotStatus.COUNTED, BallotStatus.PUBLISHED):
        stage = "done"
    elif ballot.status != BallotStatus.CLOSED:
        return None
    elif ballot.count_error:
        stage = "failed"
    elif ballot.count_done < (ballot.count_total or 0):
        stage = "decrypting"
    else:
        stage = "counting"
    return CountProgress(
        stage=stage,
        done=ballot.count_done,
        total=ballot.count_total or 0,
        questions_done=ballot.count_questions_done,
        questions_total=Question.objects.filter(ballot_id=ballot.pk).count()
        if stage == "counting"
        else 0,
        error=ballot.count_error,
    )


@dataclass(frozen=True)
class BackgroundProgress:
    """Where a background step of opening, closing or publishing has got to (``step`` is
    its label, ``done`` of ``total`` units), or why it stopped (``error``)."""

    step: str
    label: str
    done: int
    total: int | None
    error: str

    @property
    def is_running(self) -> bool:
        return not self.error


def background_progress(ballot: Ballot) -> BackgroundProgress | None:
    """The ballot's background step; None when there is none."""
    if not ballot.background_step:
        return None
    return BackgroundProgress(
        step=ballot.background_step,
        label=str(BackgroundStep(ballot.background_step).label),
        done=ballot.background_done,
        total=ballot.background_total,
        error=ballot.background_error,
    )


def get_teller_for(actor: User | AnonymousUser, ballot_id: int) -> Teller:
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


def get_ballot_by_link(ballot_id: int) -> Ballot | None:
    """The ballot a personal link names; the link's signature decides the rest."""
    return (
        Ballot.objects.exclude(
            status__in=[BallotStatus.DRAFT, BallotStatus.NOMINATIONS, BallotStatus.READY]
        )
        .filter(pk=ballot_id)
        .first()
    )


def published_election_keys(limit: int = 50) -> list[Ballot]:
    """The most recently published ballots, for the guarantees page's table of election keys."""
    return list(
        Ballot.objects.filter(status=BallotStatus.PUBLISHED)
        .only("pk", "title", "election_public_key", "published_at")
        .order_by("-published_at", "-pk")[:limit]
    )


def get_published_ballot(ballot_id: int) -> Ballot:
    ballot = Ballot.objects.filter(pk=ballot_id, status=BallotStatus.PUBLISHED).first()
    if ballot is None:
        raise Http404("The result is not published yet.")
    return ballot


@dataclass(frozen=True)
class MemberBallot:
    ballot: Ballot
    has_voted: bool


def ballots_on_my_roll(actor: User | AnonymousUser) -> list[MemberBallot]:
    member = own_member(actor)
    if member is None:
        return []
    entries = RollEntry.objects.filter(member=member).select_related("ballot")
    return [
        MemberBallot(ballot=e.ballot, has_voted=e.has_voted)
        for e in entries.order_by("-ballot__closes_at")
    ]


def ballots_i_run(actor: User | AnonymousUser) -> list[Ballot]:
    scopes = scopes_for(actor, Capability.RUN_BALLOTS)
    if scopes.is_empty:
        return []
    ballots: QuerySet[Ballot] = Ballot.objects.select_related("group", "area", "region")
    if scopes.everywhere:
        return list(ballots)
    candidates = ballots.exclude(level=ScopeLevel.NATION).filter(
        group_id__in=scopes.group_ids
    ) | ballots.filter(level__in=[ScopeLevel.AREA, ScopeLevel.REGION])
    return [b for b in candidates.distinct() if may(actor, Capability.RUN_BALLOTS, b)]


def ballots_i_tell(actor: User | AnonymousUser) -> list[Teller]:
    member = own_member(actor)
    if member is None:
        return []
    return list(Teller.objects.filter(member=member).select_related("ballot"))


def scope_choices(actor: User | AnonymousUser) -> list[tuple[str, str]]:
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
    choices += [
        (f"region:{r.pk}", f"Region: {r.name}")
        for r in regions
        if may(actor, Capability.RUN_BALLOTS, r)
    ]
    choices += [
        (f"area:{a.pk}", f"Area: {a.name}") for a in areas if may(actor, Capability.RUN_BALLOTS, a)
    ]
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
    paper: ShownPaper | None = None  # the plaintext with the candidates' names


def look_up_receipt(ballot: Ballot, tracker: str) -> ReceiptStatus:
    """Is this tracker in the ballot box, and (after publication) what did it decrypt to?"""
    from grassroots.ballots.models import UnsealedBallot

    entry = BallotBoxEntry.objects.filter(ballot=ballot, tracker=tracker).first()
    if entry is not None:
        shown = paper = None
        if ballot.status == BallotStatus.PUBLISHED and entry.plaintext is not None:
            shown = bytes(entry.plaintext).decode("utf-8")
            paper = show_paper(shown, list(ballot.questions.prefetch_related("candidates")))
        return ReceiptStatus(tracker, True, True, entry.log_index, shown, paper)
    waiting = UnsealedBallot.objects.filter(ballot=ballot, tracker=tracker).exists()
    return ReceiptStatus(tracker, waiting, False, None, None)


def roll_member_for(actor: User | AnonymousUser) -> Member | None:
    return own_member(actor)


def why_not_on_roll(actor: User | AnonymousUser, ballot: Ballot) -> list[str] | None:
    """For a logged-in member not on an opened ballot's roll, why (the eligibility rules that
    leave them out as things stand now, or that they were not on the roll when it was frozen);
    None for anyone else."""
    member = own_member(actor)
    if member is None or ballot.opened_at is None:
        return None
    if RollEntry.objects.filter(ballot=ballot, member=member).exists():
        return None
    return why_not_eligible(ballot, member) or [
        "you were not on the roll when it was frozen as voting opened (a member who joins or "
        "whose membership changes later is not added)"
    ]


# Nominations

CANDIDATE_KINDS = (QuestionKind.SINGLE, QuestionKind.APPROVAL, QuestionKind.IRV, QuestionKind.STV)


def get_ballot_for_nominations(actor: User | AnonymousUser, ballot_id: int) -> Ballot:
    """A ballot that has taken nominations, for a member who may nominate in it or an officer
    who runs it; 404 alike for missing and not allowed."""
    ballot = Ballot.objects.select_related("group", "area", "region").filter(pk=ballot_id).first()
    if ballot is None or ballot.nominations_close_at is None:
        raise Http404("No such ballot.")
    if not (
        may(actor, Capability.RUN_BALLOTS, ballot)
        or is_eligible(ballot, own_member(actor))
        or nominates_by_resolution_in(actor, ballot)
    ):
        raise Http404("No such ballot.")
    return ballot


def groups_nominating_for(actor: User | AnonymousUser) -> list[Group]:
    """The groups whose resolutions ``actor`` may record (as their Chair or Secretary)."""
    scopes = scopes_for(actor, Capability.NOMINATE_BY_RESOLUTION)
    if scopes.is_empty:
        return []
    groups = (
        Group.objects.all() if scopes.everywhere else Group.objects.filter(pk__in=scopes.group_ids)
    )
    return list(groups.order_by("name"))


def nominates_by_resolution_in(actor: User | AnonymousUser, ballot: Ballot) -> bool:
    """Is ``actor`` an officer who records resolutions for a group within the ballot's scope?"""
    scopes = scopes_for(actor, Capability.NOMINATE_BY_RESOLUTION)
    if scopes.is_empty:
        return False
    in_scope = group_ids_in(ballot)
    return scopes.everywhere or in_scope is None or bool(scopes.group_ids & set(in_scope))


def carried_motions_of(groups: list[Group]) -> list[CarriedMotion]:
    """Motions carried at these groups' own meetings in the last 13 months (newest first): what
    a group's support by resolution can link to (grassroots.ballots.resolutions)."""
    since = clock.today() - datetime.timedelta(days=400)
    return carried_motions([g.pk for g in groups], since)


def get_group_support_for(
    actor: User | AnonymousUser, ballot_id: int, nomination_id: int, support_id: int
) -> GroupSupport:
    """A group's support of a nomination, for an officer who records that group's resolutions;
    404 alike for missing and not allowed."""
    nomination = get_nomination_for(actor, ballot_id, nomination_id)
    support = (
        GroupSupport.objects.select_related("group", "nomination__question__ballot")
        .filter(pk=support_id, nomination=nomination)
        .first()
    )
    if support is None or not may(actor, Capability.NOMINATE_BY_RESOLUTION, support.group):
        raise Http404("No such support.")
    return support


def get_nomination_for(
    actor: User | AnonymousUser, ballot_id: int, nomination_id: int
) -> Nomination:
    ballot = get_ballot_for_nominations(actor, ballot_id)
    nomination = (
        Nomination.objects.select_related("question__ballot", "member", "nominated_by")
        .filter(pk=nomination_id, question__ballot=ballot)
        .first()
    )
    if nomination is None:
        raise Http404("No such nomination.")
    return nomination


@dataclass(frozen=True)
class Resolution:
    """A group's support by resolution, on the report: ``counts`` unless the group has lost
    its recognition since it was recorded."""

    support: GroupSupport
    counts: bool


@dataclass(frozen=True)
class NominationLine:
    """One line of the nominations report."""

    nomination: Nomination
    supporters: int
    groups: int
    resolutions: tuple[Resolution, ...]
    meets_threshold: bool
    is_valid: bool
    problem: str


def recognised_group_ids(group_ids: set[int]) -> set[int]:
    """Which of these groups are recognised now (organisation.models.RECOGNISED_STATUSES)."""
    if not group_ids:
        return set()
    return set(
        GroupRecognition.objects.filter(
            group_id__in=group_ids, status__in=RECOGNISED_STATUSES
        ).values_list("group_id", flat=True)
    )


def nomination_line(
    nomination: Nomination, ballot: Ballot, recognised: set[int] | None = None
) -> NominationLine:
    """The nomination's standing against the threshold. Groups count once each, whether a
    member of theirs supports it (their home group) or the group resolved to: by resolution
    only while the group is recognised. ``recognised``: the recognised groups among those
    that resolved, when the caller has read them already (the report, for every line)."""
    supports = list(nomination.supports.all())
    supporters = len(supports)
    standing = [g for g in nomination.group_supports.all() if g.withdrawn_at is None]
    if recognised is None:
        recognised = recognised_group_ids({g.group_id for g in standing})
    resolutions = tuple(Resolution(g, g.group_id in recognised) for g in standing)
    group_ids = {s.group_id for s in supports if s.group_id is not None}
    group_ids |= {r.support.group_id for r in resolutions if r.counts}
    groups = len(group_ids)
    # A section may have its own threshold (docs/slates.md); else the ballot's.
    question = nomination.question
    needs_supporters = (
        ballot.nomination_supporters
        if question.nomination_supporters is None
        else question.nomination_supporters
    )
    needs_groups = (
        ballot.nomination_groups
        if question.nomination_groups is None
        else question.nomination_groups
    )
    meets = not (needs_supporters or needs_groups) or (
        (needs_supporters > 0 and supporters >= needs_supporters)
        or (needs_groups > 0 and groups >= needs_groups)
    )
    problem = ""
    if nomination.status == NominationStatus.WITHDRAWN:
        problem = gettext("withdrawn")
    elif nomination.status == NominationStatus.AWAITING_CONSENT:
        problem = gettext("the nominee has not consented")
    elif nomination.status in (NominationStatus.INVALID, NominationStatus.REJECTED):
        problem = nomination.status_reason or gettext("not valid")
    elif not meets:
        problem = gettext("not enough supporters yet")
    return NominationLine(
        nomination=nomination,
        supporters=supporters,
        groups=groups,
        resolutions=resolutions,
        meets_threshold=meets,
        is_valid=not problem,
        problem=problem,
    )


def threshold_text(ballot: Ballot) -> str:
    return models_threshold_text(ballot.nomination_supporters, ballot.nomination_groups)


def nominations_report(ballot: Ballot) -> list[tuple[Question, list[NominationLine]]]:
    """Every candidate question with its nominations, supporters, the groups that resolved to
    support each, and whether each is valid. A fixed number of queries, however many lines."""
    questions = list(
        ballot.questions.filter(kind__in=CANDIDATE_KINDS)
        .select_related("section_region")
        .prefetch_related(
            "nominations__supports",
            "nominations__member",
            Prefetch(
                "nominations__group_supports",
                queryset=GroupSupport.objects.select_related("group"),
            ),
        )
    )
    resolved = {
        g.group_id for q in questions for n in q.nominations.all() for g in n.group_supports.all()
    }
    recognised = recognised_group_ids(resolved)
    return [
        (q, [nomination_line(n, ballot, recognised) for n in q.nominations.all()])
        for q in questions
    ]


def nominee_for(actor: User | AnonymousUser, membership_number: str) -> Member | None:
    """The member a nomination form names: the actor when left empty, else by number."""
    if not membership_number:
        return own_member(actor)
    return Member.objects.filter(membership_number=membership_number).first()


def get_nomination_to_reject(
    actor: User | AnonymousUser, ballot_id: int, nomination_id: int
) -> Nomination:
    """A nomination in a ballot the actor runs; 404 alike for missing and not allowed."""
    nomination = get_nomination_for(actor, ballot_id, nomination_id)
    if not may(actor, Capability.RUN_BALLOTS, nomination.question.ballot):
        raise Http404("No such nomination.")
    return nomination


def supports_nomination(member: Member | None, nomination: Nomination) -> bool:
    return member is not None and nomination.supports.filter(member=member).exists()


def ballots_reaching_group(group: Group) -> list[Ballot]:
    """Ballots whose scope takes in ``group`` (the group itself, its area, its region or the
    nation) that are taking nominations, about to open or open, or whose results came out in
    the last 90 days: what the public group page lists as coming up or just decided."""
    recent = clock.now() - datetime.timedelta(days=90)
    reaches = (
        Q(level=ScopeLevel.NATION)
        | Q(level=ScopeLevel.REGION, region_id=group.area.region_id)
        | Q(level=ScopeLevel.AREA, area_id=group.area_id)
        | Q(level=ScopeLevel.GROUP, group_id=group.pk)
    )
    active = Q(status__in=[BallotStatus.NOMINATIONS, BallotStatus.READY, BallotStatus.OPEN]) | Q(
        status=BallotStatus.PUBLISHED, published_at__gte=recent
    )
    return list(Ballot.objects.filter(reaches & active).order_by("closes_at")[:20])


@dataclass(frozen=True)
class MixProgress:
    """One question's mixing, for the tellers' page: the accepted stages, and the stage after
    them if one was uploaded: being checked, stopped (``problem``, still ``checking``) or
    refused (``problem`` says why)."""

    question: Question
    accepted: int
    latest: MixStage | None
    decrypted_by_teller: bool

    @property
    def is_checking(self) -> bool:
        return self.latest is not None and self.latest.status == MixStageStatus.CHECKING

    @property
    def is_running(self) -> bool:
        return self.is_checking and not self.latest_problem

    @property
    def is_refused(self) -> bool:
        return self.latest is not None and self.latest.status == MixStageStatus.REFUSED

    @property
    def latest_problem(self) -> str:
        return self.latest.problem if self.latest is not None else ""


def mix_progress(ballot: Ballot, teller: Teller) -> list[MixProgress]:
    """Each question's mix stages as the tellers' page shows them."""
    rows = []
    for question in ballot.questions.all():
        accepted = question.accepted_mixes().count()
        latest = (
            question.mix_stages.exclude(status=MixStageStatus.ACCEPTED)
            .filter(stage=accepted + 1)
            .order_by("-pk")
            .first()
        )
        rows.append(
            MixProgress(
                question=question,
                accepted=accepted,
                latest=latest,
                decrypted_by_teller=question.decryptions.filter(teller=teller).exists(),
            )
        )
    return rows


def is_ready_to_count(ballot: Ballot, shares_entered: int) -> bool:
    """Whether the count can start: k tellers' key shares entered (server mode), or every
    question mixed by enough mixers and decrypted by k tellers (end-to-end)."""
    if not ballot.is_end_to_end:
        return shares_entered >= ballot.threshold
    return all(
        question.accepted_mixes().count() >= MINIMUM_MIXES
        and question.decryptions.count() >= ballot.threshold
        for question in ballot.questions.all()
    )
