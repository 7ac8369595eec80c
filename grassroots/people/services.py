"""Every write to members' records: one function per use case, permission first, audited."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Max, Q, QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record
from grassroots.organisation.models import Group, Role, RoleAssignment, ScopeLevel
from grassroots.organisation.permissions import (
    NATION,
    Capability,
    current_assignments,
    may,
    scopes_for,
)
from grassroots.people.importing import MemberRow, ParsedFile, Problem
from grassroots.people.models import (
    ConsentSource,
    ContactOutcome,
    ContactOutcomeKind,
    Language,
    Member,
    StatusCause,
)
from grassroots.people.standing import record_status_changes
from grassroots.transactions import lift_statement_timeout


@transaction.atomic
def update_own_profile(
    *,
    actor: User,
    first_name: str,
    last_name: str,
    phone: str,
    postcode: str,
    consent_to_contact: bool,
    language: str = "",
) -> Member:
    """A member edits their own record; a change of consent is dated and sourced. An empty
    ``language`` leaves the member's language as it is."""
    member = Member.objects.select_for_update().filter(user=actor).first()
    if member is None:
        raise PermissionDenied(gettext("Only a member can edit a member profile."))
    changed = []
    for field, value in (
        ("first_name", first_name.strip()),
        ("last_name", last_name.strip()),
        ("phone", phone.strip()),
        ("postcode", postcode.strip().upper()),
        ("language", language if language in Language.values else member.language),
    ):
        if getattr(member, field) != value:
            setattr(member, field, value)
            changed.append(field)
    if consent_to_contact != member.consent_to_contact:
        member.consent_to_contact = consent_to_contact
        member.consent_recorded_at = clock.now()
        member.consent_source = ConsentSource.PROFILE
        changed += ["consent_to_contact", "consent_recorded_at", "consent_source"]
    if changed:
        member.save(update_fields=[*changed, "updated_at"])
        record(
            actor=actor,
            action=AuditAction.UPDATE_OWN_PROFILE,
            subject_type="member",
            subject_id=member.membership_number,
            scope=member.home_group.name,
            purpose="member edited their own profile",
            detail={"fields": changed},
        )
    return member


IMPORT_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "postcode",
    "status",
    "joined_on",
    "renewal_due_on",
    "home_group_id",
    "consent_to_contact",
    "consent_recorded_at",
    "consent_source",
)
IMPORT_BATCH = 2_000
LOOKUP_CHUNK = 5_000  # keeps IN (...) lists under SQLite's limit on query parameters
NEW_NUMBER_RE = r"^GR[0-9]{7}$"
WHOLE_TABLE_ABOVE = 20_000  # rows in a file above which matching reads the whole table


@dataclass
class ImportOutcome:
    """What an import did, or would do (``applied`` is False when it was refused or a dry run)."""

    problems: list[Problem]
    rows_read: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    applied: bool = False
    dry_run: bool = False

    @property
    def rejected(self) -> int:
        """Rows with a problem; a problem with the file itself is no row's."""
        return len({p.line for p in self.problems if p.line and not p.whole_file})

    @property
    def file_problems(self) -> list[Problem]:
        return [p for p in self.problems if p.whole_file]


def import_members(
    *,
    actor: User | None,
    parsed: ParsedFile,
    allow_partial: bool = False,
    dry_run: bool = False,
    source_name: str = "",
) -> ImportOutcome:
    """Create or update members from a parsed import file, all in one transaction.

    A row matches an existing member by membership number, else by email (case-insensitively);
    a matched member whose record already says what the row says is left untouched, so the same
    file imported twice changes nothing. Any problem refuses the whole file unless
    ``allow_partial``; then only the good rows are written. ``actor`` None is the command line,
    whose operator already holds the database.
    """
    if actor is not None and not may(actor, Capability.IMPORT_MEMBERS, NATION):
        raise PermissionDenied(gettext("Only the national office may import members."))
    with transaction.atomic(durable=True):
        if actor is None:
            # The command line: a whole register's COPY may outlast a request's timeout.
            lift_statement_timeout()
        _take_import_lock()
        outcome = ImportOutcome(
            problems=list(parsed.problems), rows_read=parsed.rows_read, dry_run=dry_run
        )
        rows = _refuse_erased(parsed.rows, outcome.problems)
        plan = _plan_import(rows, outcome.problems)
        outcome.unchanged = plan.unchanged
        # A file whose form is wrong (header, encoding) is refused even with allow_partial.
        refused = bool(outcome.file_problems) or (bool(outcome.problems) and not allow_partial)
        if not refused:
            outcome.created, outcome.updated = len(plan.new), len(plan.changed)
            _write_import(plan)
            outcome.applied = not dry_run
        record(
            actor=actor,
            action=AuditAction.IMPORT_MEMBERS,
            subject_type="member_import",
            subject_id=source_name[:64],
            purpose="member import",
            detail={
                "rows": parsed.rows_read,
                "created": outcome.created,
                "updated": outcome.updated,
                "unchanged": outcome.unchanged,
                "rejected_rows": outcome.rejected,
                "allow_partial": allow_partial,
                "outcome": "refused" if refused else "imported",
            },
        )
        if dry_run:
            transaction.set_rollback(True)
    return outcome


def _refuse_erased(rows: list[MemberRow], problems: list[Problem]) -> list[MemberRow]:
    """Rows that do not bring back an erased member; a problem for each one that would, by
    its address (the suppression list) or by an erased record's membership number."""
    from grassroots.people.erasure import suppressed_emails

    suppressed = suppressed_emails(r.email for r in rows)
    # Erased records are few: read their numbers whole rather than look up every row's.
    erased_numbers = {
        n.upper()
        for n in Member.objects.filter(erased_at__isnull=False).values_list(
            "membership_number", flat=True
        )
    }
    kept = []
    for row in rows:
        if row.email in suppressed:
            problems.append(
                Problem(
                    row.line,
                    "email",
                    gettext(
                        "%(email)s belongs to a member whose record was erased; it is on the "
                        "suppression list and cannot be imported again."
                    )
                    % {"email": row.email},
                )
            )
        elif row.membership_number.upper() in erased_numbers:
            problems.append(
                Problem(
                    row.line,
                    "membership_number",
                    gettext(
                        "Member %(membership_number)s was erased; an erased record cannot be "
                        "filled in again by an import."
                    )
                    % {"membership_number": row.membership_number},
                )
            )
        else:
            kept.append(row)
    return kept


# Any constant: the advisory lock that lets one import at a time plan and allocate numbers.
_IMPORT_LOCK_KEY = 4_711_001


def _take_import_lock() -> None:
    """Serialise imports, so two at once never match against the same snapshot or hand out the
    same new membership number. SQLite's IMMEDIATE transactions already serialise writers."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_IMPORT_LOCK_KEY])


# An existing member as the import compares it: (pk, number, lower-cased email, *IMPORT_FIELDS)
_Existing = tuple[Any, ...]
_STATUS_AT = 3 + IMPORT_FIELDS.index("status")


@dataclass
class _ImportPlan:
    new: list[tuple[str, MemberRow]]  # (membership number, row)
    changed: list[tuple[int, MemberRow]]  # (member pk, row)
    unchanged: int
    new_links: list[tuple[str, frozenset[int]]]  # new member's number -> other groups
    replaced_links: dict[int, frozenset[int]]  # existing member's pk -> its new other groups
    # Existing members whose status the file changes (their status history gets an entry).
    status_changed: list[tuple[int, MemberRow]] = dataclasses.field(default_factory=list)


def _chunks(values: list[Any], size: int = LOOKUP_CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _values(row: MemberRow) -> tuple[Any, ...]:
    return tuple(getattr(row, f) for f in IMPORT_FIELDS)


def _plan_import(rows: list[MemberRow], problems: list[Problem]) -> _ImportPlan:
    """Match rows to existing members and work out what to write; add conflicts to problems."""
    numbers = [r.membership_number for r in rows if r.membership_number]
    by_number, by_email = _existing_members(numbers, [r.email.lower() for r in rows])
    matched = list({m[0] for m in (*by_number.values(), *by_email.values())})
    links: dict[int, set[int]] = {}
    through = Member.other_groups.through
    pairs = through.objects.values_list("member_id", "group_id").order_by()
    if len(matched) > WHOLE_TABLE_ABOVE:
        wanted = set(matched)
        found_pairs = [p for p in pairs.iterator(chunk_size=20_000) if p[0] in wanted]
    else:
        found_pairs = [p for chunk in _chunks(matched) for p in pairs.filter(member_id__in=chunk)]
    for member_id, group_id in found_pairs:
        links.setdefault(member_id, set()).add(group_id)

    plan = _ImportPlan(new=[], changed=[], unchanged=0, new_links=[], replaced_links={})
    claimed: dict[int, int] = {}
    taken_numbers = set(numbers)
    next_number = _first_free_number()
    for row in rows:
        member = by_number.get(row.membership_number) if row.membership_number else None
        holder = by_email.get(row.email.lower())
        number_is_new = member is None and bool(row.membership_number)
        if holder is not None and (number_is_new or (member and holder[0] != member[0])):
            problems.append(
                Problem(
                    row.line,
                    "email",
                    gettext(
                        "%(email)s already belongs to member %(member)s, not to the membership "
                        "number on this row."
                    )
                    % {"email": row.email, "member": holder[1]},
                )
            )
            continue
        member = member or holder
        if member is not None:
            pk = member[0]
            if pk in claimed:
                problems.append(
                    Problem(
                        row.line,
                        "membership_number",
                        gettext("This row and line %(line)s both match member %(member)s.")
                        % {"line": claimed[pk], "member": member[1]},
                    )
                )
                continue
            claimed[pk] = row.line
            fields_changed = member[3:] != _values(row)
            groups_changed = links.get(pk, set()) != row.other_group_ids
            if fields_changed or groups_changed:
                plan.changed.append((pk, row))
            if member[_STATUS_AT] != row.status:
                plan.status_changed.append((pk, row))
            else:
                plan.unchanged += 1
            if groups_changed:
                plan.replaced_links[pk] = row.other_group_ids
            continue
        number = row.membership_number
        if not number:
            while f"GR{next_number:07d}" in taken_numbers:
                next_number += 1
            number = f"GR{next_number:07d}"
            taken_numbers.add(number)
        plan.new.append((number, row))
        if row.other_group_ids:
            plan.new_links.append((number, row.other_group_ids))
    return plan


def _existing_members(
    numbers: list[str], emails: list[str]
) -> tuple[dict[str, _Existing], dict[str, _Existing]]:
    """Existing members whose number or (lower-cased) email is in the file, by each key.

    A large file is matched by reading every member once, which is much faster than sending
    tens of thousands of values in IN (...) lists.
    """
    query = Member.objects.values_list(
        "pk", "membership_number", Lower("email"), *IMPORT_FIELDS
    ).order_by()
    wanted_numbers, wanted_emails = set(numbers), set(emails)
    found: list[_Existing] = []
    if len(emails) > WHOLE_TABLE_ABOVE:
        found = [
            m
            for m in query.iterator(chunk_size=20_000)
            if m[1].upper() in wanted_numbers or m[2] in wanted_emails
        ]
    else:
        for chunk in _chunks(numbers):
            found += query.filter(membership_number__in=chunk)
        for chunk in _chunks(emails):
            found += query.alias(email_lower=Lower("email")).filter(email_lower__in=chunk)
    by_number = {m[1].upper(): m for m in found if m[1].upper() in wanted_numbers}
    by_email = {m[2]: m for m in found if m[2] in wanted_emails}
    return by_number, by_email


def _first_free_number() -> int:
    highest = (
        Member.objects.filter(membership_number__regex=NEW_NUMBER_RE)
        .aggregate(highest=Max("membership_number"))
        .get("highest")
    )
    return int(highest[2:]) + 1 if highest else 1


def _write_import(plan: _ImportPlan) -> None:
    stamp = clock.now()
    if connection.vendor == "postgresql":
        new_ids = _copy_new_members(plan.new, stamp)
        _copy_changed_members(plan.changed, stamp)
    else:
        created = Member.objects.bulk_create(
            [
                Member(membership_number=number, **{f: getattr(row, f) for f in IMPORT_FIELDS})
                for number, row in plan.new
            ],
            batch_size=IMPORT_BATCH,
        )
        new_ids = {m.membership_number: m.pk for m in created}
        Member.objects.bulk_update(
            [
                Member(pk=pk, updated_at=stamp, **{f: getattr(row, f) for f in IMPORT_FIELDS})
                for pk, row in plan.changed
            ],
            [*IMPORT_FIELDS, "updated_at"],
            batch_size=IMPORT_BATCH // 2,
        )
    _record_import_statuses(plan, new_ids)
    through = Member.other_groups.through
    for chunk in _chunks(list(plan.replaced_links)):
        through.objects.filter(member_id__in=chunk).delete()
    through.objects.bulk_create(
        [
            through(member_id=member_id, group_id=group_id)
            for member_id, group_ids in [
                *((new_ids[number], groups) for number, groups in plan.new_links),
                *plan.replaced_links.items(),
            ]
            for group_id in sorted(group_ids)
        ],
        batch_size=IMPORT_BATCH,
    )


def _record_import_statuses(plan: _ImportPlan, new_ids: dict[str, int]) -> None:
    """Status history for the import: a new member's status from the day they joined; a changed
    status from today (the day the movement learnt of it; never before the member joined)."""
    day = clock.today()
    record_status_changes(
        [
            *((new_ids[number], row.status, row.joined_on) for number, row in plan.new),
            *((pk, row.status, max(day, row.joined_on)) for pk, row in plan.status_changed),
        ],
        cause=StatusCause.IMPORT,
    )


def _copy_new_members(new: list[tuple[str, MemberRow]], stamp: datetime.datetime) -> dict[str, int]:
    """Insert new members with PostgreSQL's COPY, several times faster than INSERTs; return
    their ids by membership number."""
    if not new:
        return {}
    columns = ("membership_number", *IMPORT_FIELDS, "created_at", "updated_at")
    quote = connection.ops.quote_name
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            f"COPY {quote(Member._meta.db_table)} ({', '.join(map(quote, columns))}) FROM STDIN"
        ) as copy,
    ):
        for number, row in new:
            copy.write_row((number, *_values(row), stamp, stamp))
    return dict(
        Member.objects.filter(created_at=stamp).values_list("membership_number", "pk").order_by()
    )


def _copy_changed_members(changed: list[tuple[int, MemberRow]], stamp: datetime.datetime) -> None:
    """Update changed members from a temporary table filled by COPY: one UPDATE for all."""
    if not changed:
        return
    quote = connection.ops.quote_name
    columns = ("id", *IMPORT_FIELDS, "updated_at")
    fields = {f.attname: f for f in Member._meta.concrete_fields}
    table = "import_member_changes"
    definitions = ", ".join(f"{quote(c)} {fields[c].db_type(connection)}" for c in columns)
    assignments = ", ".join(f"{quote(c)} = u.{quote(c)}" for c in columns[1:])
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {table} ({definitions})")
        with cursor.cursor.copy(
            f"COPY {table} ({', '.join(map(quote, columns))}) FROM STDIN"
        ) as copy:
            for pk, row in changed:
                copy.write_row((pk, *_values(row), stamp))
        # Every name is the model's own or a constant, quoted: no input (bandit B608).
        cursor.execute(
            f"UPDATE {quote(Member._meta.db_table)} AS m SET {assignments} "  # noqa: S608  # nosec B608
            f"FROM {table} AS u WHERE m.id = u.id"
        )
        cursor.execute(f"DROP TABLE {table}")


@transaction.atomic
def follow_login_email_change(*, actor: User, new_email: str) -> Member | None:
    """A member who changes their login address is written to at the new address too: the
    member record's email follows the account's, so mail never goes to an address they left."""
    member = Member.objects.select_for_update().filter(user=actor).first()
    if member is None or member.email.lower() == new_email.lower():
        return member
    member.email = new_email.lower()
    member.save(update_fields=["email", "updated_at"])
    record(
        actor=actor,
        action=AuditAction.CHANGE_EMAIL,
        subject_type="member",
        subject_id=member.membership_number,
        scope=member.home_group.name,
        purpose="member changed their login address",
    )
    return member


NOTE_MAX = 500


@transaction.atomic
def record_contact_outcome(
    *, actor: User, member: Member, outcome: str, note: str = ""
) -> ContactOutcome:
    """An officer notes what happened when they contacted ``member``. "Asked not to be
    contacted" also withdraws the member's consent to contact, dated and sourced."""
    if not may(actor, Capability.EDIT_MEMBERS, member):
        raise PermissionDenied(gettext("You may not record contact with this member."))
    if outcome not in ContactOutcomeKind.values:
        raise ValueError(f"Unknown contact outcome {outcome!r}.")
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise ValueError(f"The note can be at most {NOTE_MAX} characters.")
    member = Member.objects.select_for_update().select_related("home_group").get(pk=member.pk)
    stamp = clock.now()
    entry = ContactOutcome.objects.create(
        member=member,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        recorded_at=stamp,
        outcome=outcome,
        note=note,
    )
    withdrew = outcome == ContactOutcomeKind.DO_NOT_CONTACT and member.consent_to_contact
    if withdrew:
        member.consent_to_contact = False
        member.consent_recorded_at = stamp
        member.consent_source = ConsentSource.CONTACT_OUTCOME
        member.save(
            update_fields=[
                "consent_to_contact",
                "consent_recorded_at",
                "consent_source",
                "updated_at",
            ]
        )
    record(
        actor=actor,
        action=AuditAction.RECORD_CONTACT_OUTCOME,
        subject_type="member",
        subject_id=member.membership_number,
        scope=member.home_group.name,
        purpose="follow-up contact with a member",
        detail={"outcome": outcome, "consent_withdrawn": withdrew},
    )
    return entry


class TransferError(Exception):
    """A transfer that cannot be made, with a reason to show the officer."""


COORDINATOR_ROLES = frozenset({Role.AREA_COORDINATOR, Role.REGIONAL_COORDINATOR})


def _coordinator_group_ids(actor: User) -> set[int]:
    """The groups in the areas and regions ``actor`` coordinates today."""
    area_ids = set()
    region_ids = set()
    for a in current_assignments(actor):
        if a.role not in COORDINATOR_ROLES:
            continue
        if a.level == ScopeLevel.AREA and a.area_id is not None:
            area_ids.add(a.area_id)
        elif a.level == ScopeLevel.REGION and a.region_id is not None:
            region_ids.add(a.region_id)
    if not area_ids and not region_ids:
        return set()
    return set(
        Group.objects.filter(Q(area_id__in=area_ids) | Q(area__region_id__in=region_ids))
        .values_list("id", flat=True)
        .order_by()
    )


def transfer_destinations(actor: User, member: Member) -> QuerySet[Group] | None:
    """The groups ``actor`` may move ``member`` to, or None when they may not move the member
    at all: any group for national office and the Data Manager of the member's home group
    (who moves a member out); for a coordinator, the other groups in their scope, when the
    member's home group is in it too."""
    edit = scopes_for(actor, Capability.EDIT_MEMBERS)
    groups = Group.objects.exclude(pk=member.home_group_id).order_by("name")
    if edit.covers_group(member.home_group_id):
        return groups
    coordinated = _coordinator_group_ids(actor)
    if member.home_group_id in coordinated:
        return groups.filter(pk__in=coordinated)
    return None


def may_transfer(actor: User, member: Member) -> bool:
    return transfer_destinations(actor, member) is not None


@transaction.atomic
def transfer_member(*, actor: User, member: Member, to_group: Group, reason: str) -> Member:
    """Move ``member``'s home group to ``to_group``, audited; the Data Managers of both groups
    are sent a notice naming the member and the groups (no contact details)."""
    from grassroots.messaging.languages import in_every_language
    from grassroots.messaging.models import MailKind
    from grassroots.messaging.services import send_to_members

    member = Member.objects.select_for_update().select_related("home_group").get(pk=member.pk)
    destinations = transfer_destinations(actor, member)
    if destinations is None:
        raise PermissionDenied(gettext("You may not move this member to another group."))
    reason = reason.strip()
    if not reason:
        raise TransferError(
            gettext("Say why the member is moving group; it is kept in the audit log.")
        )
    if to_group.pk == member.home_group_id:
        raise TransferError(
            gettext("%(member)s is already in %(to_group)s.")
            % {"member": member.full_name, "to_group": to_group.name}
        )
    if not destinations.filter(pk=to_group.pk).exists():
        raise TransferError(
            gettext("You cannot move members to %(to_group)s.") % {"to_group": to_group.name}
        )
    if member.is_erased:
        raise TransferError(gettext("An erased record cannot be moved."))
    from_group = member.home_group
    member.home_group = to_group
    member.save(update_fields=["home_group", "updated_at"])
    # The new home group is no longer a second group of the member's.
    member.other_groups.remove(to_group)
    record(
        actor=actor,
        action=AuditAction.TRANSFER_MEMBER,
        subject_type="member",
        subject_id=member.membership_number,
        scope=f"{from_group.name} -> {to_group.name}",
        purpose=reason[:200],
        detail={"from_group": from_group.slug, "to_group": to_group.slug},
    )
    data_managers = list(
        RoleAssignment.objects.current(clock.today())
        .filter(group__in=[from_group, to_group], role=Role.DATA_MANAGER)
        .values_list("member_id", flat=True)
        .distinct()
    )
    if data_managers:
        names = {
            "member": member.full_name,
            "number": member.membership_number,
            "from_group": from_group.name,
            "to_group": to_group.name,
        }
        subject, body, translations = in_every_language(
            lambda: (
                gettext("Member moved from %(from_group)s to %(to_group)s") % names,
                gettext(
                    "Dear $first_name,\n\n%(member)s (membership number %(number)s) has moved "
                    "from %(from_group)s to %(to_group)s.\n\n"
                    "You are told because you are the Data Manager of one of these groups. The "
                    "member's record is in Grassroots for those who may see it; the reason for "
                    "the move is kept in the audit log.\n"
                )
                % names,
            )
        )
        send_to_members(
            actor=actor,
            members=data_managers,
            subject=subject,
            body=body,
            translations=translations,
            purpose="member transfer notice to both groups' Data Managers",
            kind=MailKind.NOTICE,
        )
    return member
