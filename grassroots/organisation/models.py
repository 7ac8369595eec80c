"""The movement's shape: regions contain areas, areas contain local groups; officers hold roles
scoped to one of them or to the nation."""

from __future__ import annotations

import datetime
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _

from grassroots import clock
from grassroots.organisation.recognition_words import described_failing


class Region(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    # A closed body keeps its row and history (docs/organisation.md); it takes no new groups.
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name


class Area(models.Model):
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="areas")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["region", "name"], name="area_name_unique_in_region")
        ]

    def __str__(self) -> str:
        return self.name


class Group(models.Model):
    """A local group. Public fields only: what anyone may read on the group page."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="groups")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    meeting_place = models.CharField(max_length=200, blank=True)
    founded_on = models.DateField(null=True, blank=True)
    # The postcode districts (outward codes such as "LS6") the group covers, separated by
    # spaces: how a visitor finds their local group from a postcode.
    postcode_districts = models.CharField(max_length=500, blank=True)
    # Closed (by itself, or merged into another group): the row, its meetings and its history
    # stay; members and officers went with the merge or were moved first.
    closed_on = models.DateField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from"
    )

    class Meta:
        ordering: ClassVar = ["name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["area", "name"], name="group_name_unique_in_area")
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    DATA_MANAGER = "data_manager", _("Data Manager")
    SECRETARY = "secretary", _("Secretary")
    CHAIR = "chair", _("Chair")
    TREASURER = "treasurer", _("Treasurer")
    AREA_COORDINATOR = "area_coordinator", _("Area Coordinator")
    REGIONAL_COORDINATOR = "regional_coordinator", _("Regional Coordinator")
    NATIONAL_OFFICE = "national_office", _("National Office")
    NATIONAL_COMMITTEE = "national_committee", _("National Committee member")
    AUDITOR = "auditor", _("Auditor")


class ScopeLevel(models.TextChoices):
    GROUP = "group", _("Group")
    AREA = "area", _("Area")
    REGION = "region", _("Region")
    NATION = "nation", _("Nation")


def scope_matches_level() -> Q:
    """The check for a row scoped by ``level`` plus ``group``/``area``/``region`` columns:
    exactly the column the level names is set (none for the nation). Role assignments and
    ballots share it."""
    return (
        Q(level="group", group__isnull=False, area__isnull=True, region__isnull=True)
        | Q(level="area", group__isnull=True, area__isnull=False, region__isnull=True)
        | Q(level="region", group__isnull=True, area__isnull=True, region__isnull=False)
        | Q(level="nation", group__isnull=True, area__isnull=True, region__isnull=True)
    )


# Which level each role is held at. The database enforces that the scope columns match.
ROLE_LEVEL: dict[str, str] = {
    Role.DATA_MANAGER: ScopeLevel.GROUP,
    Role.SECRETARY: ScopeLevel.GROUP,
    Role.CHAIR: ScopeLevel.GROUP,
    Role.TREASURER: ScopeLevel.GROUP,
    Role.AREA_COORDINATOR: ScopeLevel.AREA,
    Role.REGIONAL_COORDINATOR: ScopeLevel.REGION,
    Role.NATIONAL_OFFICE: ScopeLevel.NATION,
    Role.NATIONAL_COMMITTEE: ScopeLevel.NATION,
    Role.AUDITOR: ScopeLevel.NATION,
}


class RoleAssignmentQuerySet(models.QuerySet["RoleAssignment"]):
    def current(self, on: datetime.date | None = None) -> RoleAssignmentQuerySet:
        day = on or clock.today()
        return self.filter(starts_on__lte=day).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))


class OfficerBasis(models.TextChoices):
    """On what authority an officer was appointed or a role ended (docs/officers.md)."""

    # Before appointments were recorded here (the demo, imports): no basis on file.
    NOT_RECORDED = "", _("Not recorded")
    GROUP_VOTE = "group_vote", _("The group's vote")
    OVERSIGHT = "oversight", _("Decision of the area, region or national office")
    RESIGNATION = "resignation", _("Resignation")


class RoleAssignment(models.Model):
    """A member holds a role in one scope from ``starts_on`` until ``ends_on`` (inclusive).

    Rows are never deleted: ended roles are the officer history, each with the basis on which
    it began and ended (the group's vote, with the meeting's date and the decision's reference;
    or a decision of whoever manages officers over the group, with its reason)."""

    member = models.ForeignKey(
        "people.Member", on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(max_length=32, choices=Role.choices)
    level = models.CharField(max_length=10, choices=ScopeLevel.choices)
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.PROTECT)
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    appointed_basis = models.CharField(
        max_length=12, choices=OfficerBasis.choices, blank=True, default=OfficerBasis.NOT_RECORDED
    )
    # The group's vote: the day of the meeting or ballot and the decision's reference (e.g.
    # "AGM minutes, item 4"); a decision from above: its reason.
    appointed_decided_on = models.DateField(null=True, blank=True)
    appointed_reference = models.CharField(max_length=200, blank=True)
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    appointed_by_label = models.CharField(max_length=254, blank=True)
    ended_basis = models.CharField(
        max_length=12, choices=OfficerBasis.choices, blank=True, default=OfficerBasis.NOT_RECORDED
    )
    ended_decided_on = models.DateField(null=True, blank=True)
    ended_reference = models.CharField(max_length=200, blank=True)
    ended_by_label = models.CharField(max_length=254, blank=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        ordering: ClassVar = ["role", "starts_on"]
        constraints: ClassVar = [
            models.CheckConstraint(
                name="role_scope_matches_level",
                condition=scope_matches_level(),
            ),
            models.CheckConstraint(
                name="role_level_fits_role",
                condition=(
                    Q(role__in=["data_manager", "secretary", "chair", "treasurer"], level="group")
                    | Q(role="area_coordinator", level="area")
                    | Q(role="regional_coordinator", level="region")
                    | Q(
                        role__in=["national_office", "national_committee", "auditor"],
                        level="nation",
                    )
                ),
            ),
            models.CheckConstraint(
                name="role_ends_after_start",
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
            ),
            # An appointment or removal by the group's vote names the vote.
            models.CheckConstraint(
                name="role_group_vote_appointment_cites_the_vote",
                condition=~Q(appointed_basis="group_vote")
                | Q(appointed_decided_on__isnull=False) & ~Q(appointed_reference=""),
            ),
            models.CheckConstraint(
                name="role_group_vote_removal_cites_the_vote",
                condition=~Q(ended_basis="group_vote")
                | Q(ended_decided_on__isnull=False) & ~Q(ended_reference=""),
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["member", "role"]),
            models.Index(fields=["group", "role"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} ({self.scope_name})"

    @property
    def scope_name(self) -> str:
        scope = self.group or self.area or self.region
        return str(scope) if scope else "National"


# --- Recognition (docs/recognition.md) ---------------------------------------------------------


class GroupStatus(models.TextChoices):
    PROVISIONAL = "provisional", _("Provisional")
    RECOGNISED = "recognised", _("Recognised")
    AT_RISK = "at_risk", _("At risk")
    SUSPENDED = "suspended", _("Suspended")
    DERECOGNISED = "derecognised", _("De-recognised")


# The states in which a group is recognised: a group at risk still is, until its fix-by date
# (docs/recognition.md). Provisional, suspended and de-recognised groups are not.
RECOGNISED_STATUSES = frozenset({GroupStatus.RECOGNISED, GroupStatus.AT_RISK})


# Bodies the rules may name to hear appeals against suspension and de-recognition.
APPEAL_BODIES = (Role.NATIONAL_COMMITTEE, Role.NATIONAL_OFFICE)


class RecognitionCriteria(models.Model):
    """The criteria a group must meet, set by the national office. One row (id 1); the defaults
    are the movement's rules as adopted."""

    require_data_manager = models.BooleanField(
        gettext_lazy("A Data Manager appointed"), default=True
    )
    require_secretary = models.BooleanField(gettext_lazy("A Secretary appointed"), default=True)
    minimum_members = models.PositiveIntegerField(
        gettext_lazy("Members needed (by home group)"),
        default=5,
        help_text=gettext_lazy(
            "Members in good standing whose home group it is; 0 to drop this criterion"
        ),
    )
    agm_within_months = models.PositiveIntegerField(
        gettext_lazy("AGM held within (months)"),
        default=13,
        help_text=gettext_lazy("0 to drop this criterion"),
    )
    require_agreement = models.BooleanField(
        gettext_lazy("The Data Manager accepted the data protection agreement"), default=True
    )
    days_to_fix = models.PositiveIntegerField(
        gettext_lazy("Days a group at risk has to put things right"), default=28
    )
    reminder_days = models.PositiveIntegerField(
        gettext_lazy("Remind the officers this many days before suspension"), default=7
    )
    appeal_body = models.CharField(
        gettext_lazy("Who hears appeals"),
        max_length=32,
        choices=[(r.value, r.label) for r in APPEAL_BODIES],
        default=Role.NATIONAL_COMMITTEE,
    )
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "recognition criteria"
        constraints: ClassVar = [
            models.CheckConstraint(name="recognition_criteria_single_row", condition=Q(id=1)),
            models.CheckConstraint(
                name="recognition_days_to_fix_positive", condition=Q(days_to_fix__gte=1)
            ),
            models.CheckConstraint(
                name="recognition_reminder_before_deadline",
                condition=Q(reminder_days__lt=models.F("days_to_fix")),
            ),
        ]

    def __str__(self) -> str:
        return "Recognition criteria"


class GroupRecognition(models.Model):
    """A group's recognition state: changed only by ``organisation.services``, each change
    recorded as a ``RecognitionEvent``."""

    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="recognition")
    status = models.CharField(
        max_length=16, choices=GroupStatus.choices, default=GroupStatus.PROVISIONAL
    )
    fix_by = models.DateField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(
                name="recognition_at_risk_has_fix_by",
                condition=~Q(status="at_risk") | Q(fix_by__isnull=False),
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.group}: {self.get_status_display()}"


class AgmRecord(models.Model):
    """That a group held its annual general meeting on a day, and who said so. (Until the
    meetings app records AGMs itself.)"""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="agm_records")
    held_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by_label = models.CharField(max_length=254)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["-held_on", "-id"]
        indexes: ClassVar = [models.Index(fields=["group", "held_on"])]

    def __str__(self) -> str:
        return f"{self.group} AGM {self.held_on}"


class AgreementAcceptance(models.Model):
    """A Data Manager accepted a version of the data protection agreement for one appointment."""

    assignment = models.ForeignKey(
        RoleAssignment, on_delete=models.CASCADE, related_name="agreement_acceptances"
    )
    version = models.CharField(max_length=20)
    accepted_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["assignment", "version"], name="agreement_accepted_once_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assignment} accepted {self.version}"


class RecognitionEvent(models.Model):
    """One change of a group's status: from, to, why, which criteria failed, who decided."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="recognition_events")
    from_status = models.CharField(max_length=16, choices=GroupStatus.choices)
    to_status = models.CharField(max_length=16, choices=GroupStatus.choices)
    reason = models.TextField()
    failing = models.JSONField(default=list, blank=True)
    fix_by = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by_label = models.CharField(max_length=254)
    at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["-at", "-id"]
        indexes: ClassVar = [models.Index(fields=["group", "at"])]

    def __str__(self) -> str:
        return f"{self.group}: {self.from_status} -> {self.to_status}"

    @property
    def is_by_system(self) -> bool:
        return self.decided_by_id is None and self.decided_by_label == "system"

    @property
    def failing_shown(self) -> list[dict[str, str]]:
        """The failing criteria in the reader's language."""
        return described_failing(self.failing)


class AppealDecision(models.TextChoices):
    PENDING = "pending", _("Awaiting a decision")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


class RecognitionAppeal(models.Model):
    """A group's officers appeal a suspension or de-recognition to the body the rules name."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="recognition_appeals")
    against = models.ForeignKey(RecognitionEvent, on_delete=models.PROTECT, related_name="+")
    statement = models.TextField()
    lodged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    lodged_by_label = models.CharField(max_length=254)
    lodged_at = models.DateTimeField()
    body = models.CharField(max_length=32, choices=Role.choices)
    decision = models.CharField(
        max_length=10, choices=AppealDecision.choices, default=AppealDecision.PENDING
    )
    decision_reasons = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by_label = models.CharField(max_length=254, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-lodged_at", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(decision="pending"),
                name="one_pending_appeal_per_group",
            ),
            models.CheckConstraint(
                name="appeal_decided_with_reasons",
                condition=Q(decision="pending", decided_at__isnull=True)
                | (~Q(decision="pending") & Q(decided_at__isnull=False) & ~Q(decision_reasons="")),
            ),
        ]

    def __str__(self) -> str:
        return f"Appeal by {self.group} ({self.get_decision_display()})"

    @property
    def is_pending(self) -> bool:
        return self.decision == AppealDecision.PENDING


# --- Changes to the structure (docs/organisation.md) ---------------------------------------------


class StructureChangeKind(models.TextChoices):
    CREATE = "create", _("Created")
    RENAME = "rename", _("Renamed")
    MOVE = "move", _("Moved")
    MERGE = "merge", _("Merged")
    SPLIT = "split", _("Split")
    CLOSE = "close", _("Closed")


class StructureChange(models.Model):
    """One change to the movement's regions, areas and groups: what, why and who decided.

    Public: the change log page lists every row. ``body`` names the group, area or region the
    change was made to (by the column its ``level`` names); ``other_*`` the one it went into
    (a merge's surviving group, a move's new area, a split's new group)."""

    kind = models.CharField(max_length=10, choices=StructureChangeKind.choices)
    level = models.CharField(max_length=10, choices=ScopeLevel.choices)
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    other_group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    other_area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    summary = models.CharField(max_length=300)
    reason = models.TextField()
    details = models.JSONField(default=dict, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by_label = models.CharField(max_length=254)
    at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["-at", "-id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                name="structure_change_scope_matches_level", condition=scope_matches_level()
            ),
            models.CheckConstraint(name="structure_change_has_reason", condition=~Q(reason="")),
        ]

    def __str__(self) -> str:
        return self.summary

    @property
    def summary_shown(self) -> str:
        """The summary in the reader's language (as stored for changes logged before their
        words were kept apart from their names)."""
        words = (self.details or {}).get("summary_words")
        if not words:
            return self.summary
        return str(gettext(words[0]) % words[1])

    @property
    def decided_as_shown(self) -> str:
        decided_as = str((self.details or {}).get("decided_as") or "National office")
        if decided_as == "National office":
            return gettext("National office")
        prefix = "Regional coordinator, "
        if decided_as.startswith(prefix):
            return gettext("Regional coordinator, %(scope)s") % {"scope": decided_as[len(prefix) :]}
        return decided_as
