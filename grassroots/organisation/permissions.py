"""The one place that decides what each role may see and do, and where.

A view or service asks ``may(user, Capability.X, scope)``, where the scope is a body (a group,
area, region or ``NATION``), a member record or a row a body holds (a meeting, a ballot), or
builds its list from a scoped query (``scopes_for(user, Capability.X)``); nothing else
re-implements these rules.

Least privilege: only roles that need members' personal data to do their job get
``VIEW_MEMBERS``; chairs, secretaries and treasurers run their group without a member list
(messaging, meetings and ballots reach members without revealing their addresses). A group's
Secretary alone gets ``CONTACT_MEMBERS``: the names, email addresses and phone numbers of the
group's members who agreed to be contacted, and nothing else of their records.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import TYPE_CHECKING, Any, Protocol, cast

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, QuerySet

from grassroots import clock
from grassroots.organisation.models import (
    AgreementAcceptance,
    Area,
    Group,
    Region,
    Role,
    RoleAssignment,
    ScopeLevel,
)
from grassroots.organisation.recognition import AGREEMENT_VERSION
from grassroots.rows import Prepared

if TYPE_CHECKING:
    from grassroots.people.models import Member


class Capability(StrEnum):
    VIEW_MEMBERS = "view_members"  # member list and member records (audited)
    # Name, email and phone of the members in scope who consented to contact: no status, no
    # postcode, no record page (people.queries.members_contactable_by; audited).
    CONTACT_MEMBERS = "contact_members"
    EDIT_MEMBERS = "edit_members"
    IMPORT_MEMBERS = "import_members"
    MANAGE_GROUP = "manage_group"  # the group's public page
    VIEW_NATIONAL_OVERVIEW = "view_national_overview"
    VIEW_AUDIT_LOG = "view_audit_log"
    RUN_BALLOTS = "run_ballots"  # create, open, close and count ballots in the scope
    # Write to the members in the scope; the mail reaches them, their addresses never reach
    # the sender (grassroots.messaging), so this is not VIEW_MEMBERS.
    MESSAGE_MEMBERS = "message_members"
    # Recognition (docs/recognition.md). Who hears appeals is not a capability: the rules name
    # a body (RecognitionCriteria.appeal_body), asked through ``may_decide_appeals``.
    VIEW_RECOGNITION = "view_recognition"  # the dashboard: groups at risk and why
    MANAGE_RECOGNITION = "manage_recognition"  # set the criteria; de-recognise a suspended group
    RECORD_AGM = "record_agm"
    # Appoint and remove a group's officers by the decision of the area, region or national
    # office (and record the group's own vote, as a group's officers may).
    MANAGE_OFFICERS = "manage_officers"
    # Record officers the group appointed or removed by its own vote, citing the vote
    # (docs/officers.md). Not a choice of one's own: the vote is kept and everyone told.
    RECORD_GROUP_APPOINTMENTS = "record_group_appointments"
    APPEAL_RECOGNITION = "appeal_recognition"  # appeal the group's suspension or de-recognition
    # Download the member list as CSV (people.exports): a signed link that expires, a
    # watermark naming who and when, and an audit row with the purpose and row count.
    EXPORT_MEMBERS = "export_members"
    # Meetings (docs/meetings.md): schedule meetings and events for the body, set the agenda,
    # rule motions and amendments in order or not, sign members in, draft and publish minutes.
    RUN_MEETINGS = "run_meetings"
    # Chair a meeting of the body: record the outcome of motions and amendments, send a motion
    # to a ballot of members.
    CHAIR_MEETING = "chair_meeting"
    # Hide comments in a debate and resolve reports, with a reason that is kept and audited.
    MODERATE_DEBATE = "moderate_debate"
    # Change a body's quorum rule, with a reason kept in its history (docs/meetings.md). Only
    # for the body the role is held in (``OWN_BODY_ONLY``): a group's Chair or Secretary for
    # the group, a coordinator for their area or region; national office for any body.
    SET_QUORUM = "set_quorum"
    # Set up a body chosen by lot from volunteers in the scope, commit its seed, draw it and
    # draw replacements (grassroots.sortition; docs/sortition.md).
    RUN_SORTITION = "run_sortition"
    # Ask the members in the scope questions and read the answers, free text included
    # (grassroots.surveys; docs/surveys.md).
    RUN_SURVEYS = "run_surveys"
    # Delegation (docs/delegation.md): bodies above the groups.
    ALLOCATE_DELEGATES = "allocate_delegates"  # share an area/regional meeting's delegates out
    RECORD_DELEGATES = "record_delegates"  # record the group's elected delegates
    FORWARD_MOTIONS = "forward_motions"  # send a carried motion up to the next body
    # Put forwarded motions on the receiving body's agenda; propose composites of them.
    RECEIVE_MOTIONS = "receive_motions"
    # Oversight (docs/oversight.md). Recording a committee's meetings: the national committee's
    # own members and the national office for the national committee, a regional coordinator
    # for their region's committee.
    RECORD_DECISIONS = "record_decisions"
    MANAGE_COMMITMENTS = "manage_commitments"  # the national committee's accountability page
    SET_OVERSIGHT_RULES = "set_oversight_rules"  # thresholds, routes; prepare tellers' keys
    # Initiatives' signatures by region and group (never names: nobody sees who signed).
    VIEW_SIGNATURE_COUNTS = "view_signature_counts"
    # Slates (grassroots.slates, issue 16): create the movement's slates of endorsed candidates
    # and name the selection ballots that fill them.
    MANAGE_SLATES = "manage_slates"
    ANSWER_INITIATIVES = "answer_initiatives"  # the national committee answers a referral
    # Record (and withdraw) the group's support, by resolution of the group, for a nomination
    # in a ballot whose scope takes the group in (grassroots.ballots; docs/ballots.md).
    NOMINATE_BY_RESOLUTION = "nominate_by_resolution"
    # Create, rename, move, merge, split and close groups, areas and regions, with a reason
    # (docs/organisation.md): national office everywhere; a regional coordinator inside their
    # region where the rules allow (GRASSROOTS_REGIONAL_STRUCTURE_CHANGES).
    MANAGE_STRUCTURE = "manage_structure"
    # Renew or rejoin a member by hand, and give notice of a disciplinary case.
    MANAGE_MEMBERSHIP = "manage_membership"
    # Import the payment providers' exports and correct a member's dues by hand.
    RECORD_DUES = "record_dues"
    # Other organisations a ballot's eligibility can name (issue 16): add them, import their
    # membership lists and read members' declarations of membership (political-opinion and
    # trade-union data: national office only, every read audited; docs/slates.md).
    CHECK_AFFILIATIONS = "check_affiliations"


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.DATA_MANAGER: frozenset(
        {
            Capability.VIEW_MEMBERS,
            Capability.EDIT_MEMBERS,
            Capability.EXPORT_MEMBERS,
            Capability.APPEAL_RECOGNITION,
        }
    ),
    Role.SECRETARY: frozenset(
        {
            Capability.NOMINATE_BY_RESOLUTION,
            Capability.SET_QUORUM,
            Capability.RUN_MEETINGS,
            Capability.MODERATE_DEBATE,
            Capability.CONTACT_MEMBERS,
            Capability.MANAGE_GROUP,
            Capability.RUN_BALLOTS,
            Capability.RUN_SORTITION,
            Capability.RUN_SURVEYS,
            Capability.MESSAGE_MEMBERS,
            Capability.RECORD_AGM,
            Capability.RECORD_GROUP_APPOINTMENTS,
            Capability.APPEAL_RECOGNITION,
            Capability.RECORD_DELEGATES,
            Capability.FORWARD_MOTIONS,
        }
    ),
    Role.CHAIR: frozenset(
        {
            Capability.NOMINATE_BY_RESOLUTION,
            Capability.SET_QUORUM,
            Capability.RUN_MEETINGS,
            Capability.CHAIR_MEETING,
            Capability.MODERATE_DEBATE,
            Capability.MANAGE_GROUP,
            Capability.RUN_BALLOTS,
            Capability.RUN_SORTITION,
            Capability.RUN_SURVEYS,
            Capability.MESSAGE_MEMBERS,
            Capability.RECORD_AGM,
            Capability.RECORD_GROUP_APPOINTMENTS,
            Capability.APPEAL_RECOGNITION,
        }
    ),
    Role.TREASURER: frozenset(),
    Role.AREA_COORDINATOR: frozenset(
        {
            Capability.SET_QUORUM,
            Capability.RUN_MEETINGS,
            Capability.CHAIR_MEETING,
            Capability.MODERATE_DEBATE,
            Capability.VIEW_MEMBERS,
            Capability.RUN_BALLOTS,
            Capability.RUN_SORTITION,
            Capability.RUN_SURVEYS,
            Capability.MESSAGE_MEMBERS,
            Capability.VIEW_RECOGNITION,
            Capability.RECORD_AGM,
            Capability.MANAGE_OFFICERS,
            Capability.ALLOCATE_DELEGATES,
            Capability.FORWARD_MOTIONS,
            Capability.RECEIVE_MOTIONS,
        }
    ),
    Role.REGIONAL_COORDINATOR: frozenset(
        {
            Capability.SET_QUORUM,
            Capability.RUN_MEETINGS,
            Capability.CHAIR_MEETING,
            Capability.MODERATE_DEBATE,
            Capability.VIEW_MEMBERS,
            Capability.RUN_BALLOTS,
            Capability.RUN_SORTITION,
            Capability.RUN_SURVEYS,
            Capability.MESSAGE_MEMBERS,
            Capability.VIEW_RECOGNITION,
            Capability.MANAGE_OFFICERS,
            Capability.ALLOCATE_DELEGATES,
            Capability.FORWARD_MOTIONS,
            Capability.RECEIVE_MOTIONS,
            Capability.RECORD_DECISIONS,
            Capability.MANAGE_STRUCTURE,
        }
    ),
    Role.NATIONAL_OFFICE: frozenset(
        {
            Capability.MANAGE_STRUCTURE,
            Capability.MANAGE_MEMBERSHIP,
            Capability.RECORD_DUES,
            Capability.CHECK_AFFILIATIONS,
            Capability.SET_QUORUM,
            Capability.RUN_MEETINGS,
            Capability.CHAIR_MEETING,
            Capability.MODERATE_DEBATE,
            Capability.VIEW_MEMBERS,
            Capability.EDIT_MEMBERS,
            Capability.IMPORT_MEMBERS,
            Capability.EXPORT_MEMBERS,
            Capability.MANAGE_GROUP,
            Capability.VIEW_NATIONAL_OVERVIEW,
            Capability.RUN_BALLOTS,
            Capability.RUN_SORTITION,
            Capability.RUN_SURVEYS,
            Capability.MESSAGE_MEMBERS,
            Capability.VIEW_RECOGNITION,
            Capability.MANAGE_RECOGNITION,
            Capability.RECORD_AGM,
            Capability.MANAGE_OFFICERS,
            Capability.ALLOCATE_DELEGATES,
            Capability.RECORD_DELEGATES,
            Capability.FORWARD_MOTIONS,
            Capability.RECEIVE_MOTIONS,
            Capability.RECORD_DECISIONS,
            Capability.MANAGE_COMMITMENTS,
            Capability.SET_OVERSIGHT_RULES,
            Capability.VIEW_SIGNATURE_COUNTS,
            Capability.MANAGE_SLATES,
        }
    ),
    Role.NATIONAL_COMMITTEE: frozenset(
        {
            Capability.VIEW_NATIONAL_OVERVIEW,
            Capability.VIEW_RECOGNITION,
            Capability.RECORD_DECISIONS,
            Capability.MANAGE_COMMITMENTS,
            Capability.VIEW_SIGNATURE_COUNTS,
            Capability.ANSWER_INITIATIVES,
        }
    ),
    Role.AUDITOR: frozenset(
        {
            Capability.VIEW_NATIONAL_OVERVIEW,
            Capability.VIEW_AUDIT_LOG,
            Capability.VIEW_RECOGNITION,
            Capability.VIEW_SIGNATURE_COUNTS,
        }
    ),
}

# A Data Manager's access to members' personal data starts only once that appointment has
# accepted the current data protection agreement (recognition.AGREEMENT_VERSION); until then
# the role grants only what needs no personal data.
NEEDS_AGREEMENT: dict[str, frozenset[Capability]] = {
    Role.DATA_MANAGER: frozenset(
        {Capability.VIEW_MEMBERS, Capability.EDIT_MEMBERS, Capability.EXPORT_MEMBERS}
    ),
}

# Roles whose holders must log in with a second factor (grassroots.accounts.middleware).
OFFICER_ROLES = frozenset(Role)


@dataclass(frozen=True)
class Scopes:
    """Where one capability applies for one person: everywhere, or in these groups."""

    everywhere: bool
    group_ids: frozenset[int]

    def covers_group(self, group_id: int) -> bool:
        return self.everywhere or group_id in self.group_ids

    @property
    def is_empty(self) -> bool:
        return not self.everywhere and not self.group_ids


NOWHERE = Scopes(everywhere=False, group_ids=frozenset())
_CACHE_ATTR = "_grassroots_role_assignments"


def current_assignments(user: Any) -> list[RoleAssignment]:
    """The person's current role assignments, read once per request and kept on the user.

    Each carries ``has_accepted_agreement``: whether that appointment accepted the current
    data protection agreement (read in the same query, so no query per assignment)."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return []
    cached: list[RoleAssignment] | None = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = _CURRENT_ASSIGNMENTS.fetch(user.pk, clock.today())
        setattr(user, _CACHE_ATTR, cached)
    return cached


def _current_assignments_of(user_id: int, day: datetime.date) -> QuerySet[RoleAssignment]:
    return (
        RoleAssignment.objects.current(day)
        .filter(member__user_id=user_id)
        .select_related("group", "area", "region")
        .annotate(
            has_accepted_agreement=Exists(
                AgreementAcceptance.objects.filter(
                    assignment=OuterRef("pk"), version=AGREEMENT_VERSION
                )
            )
        )
    )


# Every page asks for the person's roles (the officers' MFA check, the permission checks): its
# SQL is compiled once (grassroots.rows.Prepared), with a login id and a day no row holds.
_CURRENT_ASSIGNMENTS = Prepared(_current_assignments_of, -917_263_552, datetime.date(1901, 2, 3))


def forget_cached_roles(user: Any) -> None:
    for attr in (_CACHE_ATTR, _GROUPS_CACHE_ATTR):
        if hasattr(user, attr):
            delattr(user, attr)


# The groups inside the areas and regions a person's roles cover, kept on the user beside the
# roles (and forgotten with them): a page asks ``scopes_for`` once per capability (the home
# page's role links, its attention sources), and each asked the database for the same groups.
_GROUPS_CACHE_ATTR = "_grassroots_scope_groups"


def _groups_within(
    user: Any, area_ids: frozenset[int], region_ids: frozenset[int]
) -> frozenset[int]:
    cache: dict[tuple[frozenset[int], frozenset[int]], frozenset[int]] | None = getattr(
        user, _GROUPS_CACHE_ATTR, None
    )
    if cache is None:
        cache = {}
        setattr(user, _GROUPS_CACHE_ATTR, cache)
    key = (area_ids, region_ids)
    if key not in cache:
        found: set[int] = set()
        if area_ids:
            found.update(Group.objects.filter(area_id__in=area_ids).values_list("id", flat=True))
        if region_ids:
            found.update(
                Group.objects.filter(area__region_id__in=region_ids).values_list("id", flat=True)
            )
        cache[key] = frozenset(found)
    return cache[key]


def has_officer_role(user: Any) -> bool:
    return any(a.role in OFFICER_ROLES for a in current_assignments(user))


def agreement_pending(assignment: RoleAssignment) -> bool:
    """Does this appointment still wait on the data protection agreement for some of its
    capabilities? (An assignment not read by ``current_assignments`` counts as pending.)"""
    return assignment.role in NEEDS_AGREEMENT and not getattr(
        assignment, "has_accepted_agreement", False
    )


def _grants(assignment: RoleAssignment, capability: Capability) -> bool:
    if capability not in ROLE_CAPABILITIES.get(assignment.role, frozenset()):
        return False
    if capability in NEEDS_AGREEMENT.get(assignment.role, frozenset()):
        return not agreement_pending(assignment)
    return True


def scopes_for(user: Any, capability: Capability) -> Scopes:
    everywhere = False
    group_ids: set[int] = set()
    area_ids: set[int] = set()
    region_ids: set[int] = set()
    for assignment in current_assignments(user):
        if not _grants(assignment, capability):
            continue
        if assignment.level == ScopeLevel.NATION:
            everywhere = True
        elif assignment.level == ScopeLevel.REGION and assignment.region_id is not None:
            region_ids.add(assignment.region_id)
        elif assignment.level == ScopeLevel.AREA and assignment.area_id is not None:
            area_ids.add(assignment.area_id)
        elif assignment.group_id is not None:
            group_ids.add(assignment.group_id)
    if everywhere:
        return Scopes(everywhere=True, group_ids=frozenset())
    if area_ids or region_ids:
        group_ids.update(_groups_within(user, frozenset(area_ids), frozenset(region_ids)))
    return Scopes(everywhere=False, group_ids=frozenset(group_ids))


class Nation(Enum):
    """The whole movement as a scope: a capability over it needs a role held nationally.

    Said explicitly (``NATION``) rather than by ``None``, which meant "the nation" in some
    callers and "anywhere at all" in others."""

    NATION = "nation"

    def __str__(self) -> str:
        return "the whole movement"


NATION = Nation.NATION

# A body a capability can be held over: a group, an area, a region or the whole movement.
Scope = Group | Area | Region | Nation


class ScopedRow(Protocol):
    """A row held by one body through the usual ``level`` with ``group``/``area``/``region``
    columns (``models.scope_matches_level``): a meeting, ballot, draw, survey, mail scope or
    delegation body."""

    @property
    def level(self) -> str: ...
    @property
    def group(self) -> Group | None: ...
    @property
    def area(self) -> Area | None: ...
    @property
    def region(self) -> Region | None: ...


def _is_scoped_row(obj: object) -> bool:
    return all(hasattr(obj, name) for name in ("level", "group", "area", "region"))


def scope_of(row: ScopedRow) -> Scope:
    """The body that holds a scoped row."""
    body: Scope = row.group or row.area or row.region or NATION
    return body


def group_ids_in(scope: Scope | ScopedRow) -> list[int] | None:
    """The ids of the groups inside a body, or inside the body holding a scoped row; None for
    the nation (every group). A row's body is read from its ``*_id`` column when it has one,
    so asking about a meeting or ballot fetches no group, area or region."""
    if isinstance(scope, Nation):
        return None
    if isinstance(scope, Group):
        return [scope.pk]
    level: str
    pk: int | None
    if isinstance(scope, Area | Region):
        level, pk = (ScopeLevel.AREA if isinstance(scope, Area) else ScopeLevel.REGION), scope.pk
    else:
        level = scope.level
        if level == ScopeLevel.NATION:
            return None
        pk = getattr(scope, f"{level}_id", None)
        if pk is None:
            body = getattr(scope, level, None)
            pk = body.pk if body is not None else None
        if pk is None:
            return []
        if level == ScopeLevel.GROUP:
            return [pk]
    groups = Group.objects.all()
    if level == ScopeLevel.AREA:
        groups = groups.filter(area_id=pk)
    else:
        groups = groups.filter(area__region_id=pk)
    return list(groups.values_list("id", flat=True))


def _resolve(obj: object) -> Scope | Member:
    """The body (or member) ``may`` asks about; TypeError for anything else, so a caller that
    passes the wrong thing hears of it rather than being quietly refused."""
    from grassroots.people.models import Member

    if isinstance(obj, Group | Area | Region | Nation | Member):
        return obj
    if obj is not None and _is_scoped_row(obj):
        return scope_of(cast(ScopedRow, obj))
    raise TypeError(
        f"may() takes a group, area, region, NATION, member or a row scoped to one of them; "
        f"not {type(obj).__name__}"
    )


# Capabilities held over one body only: a role grants them for exactly the body it is held in
# (not the groups below it), and a national role for every body. A quorum rule is the body's
# own: a coordinator does not set the rules of the groups below them, and national office may
# set every body's rule (it did so alone before the page existed, and a body without officers
# still needs someone who can).
OWN_BODY_ONLY = frozenset({Capability.SET_QUORUM})


def _holds_for_exactly(user: Any, capability: Capability, body: Scope) -> bool:
    for assignment in current_assignments(user):
        if not _grants(assignment, capability):
            continue
        if assignment.level == ScopeLevel.NATION:
            return True
        if isinstance(body, Group) and assignment.level == ScopeLevel.GROUP:
            if assignment.group_id == body.pk:
                return True
        elif isinstance(body, Area) and assignment.level == ScopeLevel.AREA:
            if assignment.area_id == body.pk:
                return True
        elif (
            isinstance(body, Region)
            and assignment.level == ScopeLevel.REGION
            and assignment.region_id == body.pk
        ):
            return True
    return False


def may(user: Any, capability: Capability, scope: Scope | Member | ScopedRow) -> bool:
    """May ``user`` exercise ``capability`` over ``scope``?

    ``scope`` is a body (``Group``, ``Area``, ``Region`` or ``NATION``), a member record, or a
    row held by a body (a meeting, ballot, draw, survey...), which stands for its body. For a
    member record it is enough that one of the member's groups is in scope; for an area or
    region, the capability must cover the whole of it; for ``NATION``, the role must be held
    nationally. Anything else raises TypeError.
    """
    from grassroots.people.models import Member

    target = _resolve(scope)
    if capability in OWN_BODY_ONLY and not isinstance(target, Member):
        return _holds_for_exactly(user, capability, target)
    scopes = scopes_for(user, capability)
    if scopes.is_empty:
        return False
    if scopes.everywhere:
        return True
    if isinstance(target, Nation):
        return False
    if isinstance(target, Member):
        ids = [target.home_group_id, *target.other_groups.values_list("id", flat=True)]
        return any(scopes.covers_group(g) for g in ids)
    ids = group_ids_in(target) or []
    return bool(ids) and all(scopes.covers_group(g) for g in ids)


def may_decide_appeals(user: Any, body: str) -> bool:
    """Does ``user`` sit on ``body``, the role the rules name to hear recognition appeals
    (``RecognitionCriteria.appeal_body``, kept on each appeal when it is lodged)?"""
    return any(a.role == body and a.level == ScopeLevel.NATION for a in current_assignments(user))


def officer_bases(user: Any, group: Group) -> list[str]:
    """On which bases ``user`` may appoint or remove ``group``'s officers: the group's vote
    (its Chair or Secretary records it, or whoever manages officers over the group), and a
    decision of the area, region or national office (MANAGE_OFFICERS over the group)."""
    from grassroots.organisation.models import OfficerBasis

    manages = scopes_for(user, Capability.MANAGE_OFFICERS).covers_group(group.pk)
    records = scopes_for(user, Capability.RECORD_GROUP_APPOINTMENTS).covers_group(group.pk)
    bases: list[str] = []
    if manages or records:
        bases.append(OfficerBasis.GROUP_VOTE)
    if manages:
        bases.append(OfficerBasis.OVERSIGHT)
    return bases


def is_holder(user: Any, assignment: RoleAssignment) -> bool:
    member = getattr(user, "member", None) if getattr(user, "is_authenticated", False) else None
    return member is not None and assignment.member_id == member.pk


def may_end_role(user: Any, assignment: RoleAssignment) -> bool:
    """The holder may resign; a group's roles also end by the group's vote (recorded by its
    Chair or Secretary) or by whoever manages officers over the group; other roles by
    national office."""
    if is_holder(user, assignment):
        return True
    if assignment.group_id is not None:
        return bool(officer_bases(user, Group(pk=assignment.group_id)))
    return may(user, Capability.MANAGE_OFFICERS, NATION)


def may_see_recognition_history(user: Any, group: Group) -> bool:
    """The reasons a group's status changed are for its own members and those who oversee it:
    they can name officers and circumstances the group has not chosen to publish."""
    if not getattr(user, "is_authenticated", False):
        return False
    member = getattr(user, "member", None)
    if member is not None and (
        member.home_group_id == group.pk or member.other_groups.filter(pk=group.pk).exists()
    ):
        return True
    return may(user, Capability.VIEW_RECOGNITION, group) or any(
        a.group_id == group.pk for a in current_assignments(user)
    )


def changes_structure_somewhere(user: Any) -> bool:
    """Does ``user`` change the structure anywhere (their home page offers the page)?"""
    return may_change_structure(user, None) or any(
        a.level == ScopeLevel.REGION
        and a.region is not None
        and may_change_structure(user, a.region)
        for a in current_assignments(user)
    )


def may_change_structure(user: Any, region: Region | None) -> bool:
    """May ``user`` create, rename, move, merge, split or close bodies inside ``region``?

    National office anywhere; a regional coordinator inside their own region where the rules
    allow it (``GRASSROOTS_REGIONAL_STRUCTURE_CHANGES``). ``region`` None is a change to the
    regions themselves, which only a national role makes."""
    from django.conf import settings

    regional = getattr(settings, "GRASSROOTS_REGIONAL_STRUCTURE_CHANGES", True)
    for assignment in current_assignments(user):
        if not _grants(assignment, Capability.MANAGE_STRUCTURE):
            continue
        if assignment.level == ScopeLevel.NATION:
            return True
        if (
            regional
            and region is not None
            and assignment.level == ScopeLevel.REGION
            and assignment.region_id == region.pk
        ):
            return True
    return False
