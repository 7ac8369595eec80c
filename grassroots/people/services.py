"""Every write to members' records: one function per use case, permission first, audited."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.db.models.functions import Lower

from grassroots.audit.services import record
from grassroots.clock import now
from grassroots.organisation.permissions import Capability, may
from grassroots.people.importing import MemberRow, ParsedFile, Problem
from grassroots.people.models import ConsentSource, Member


@transaction.atomic
def update_own_profile(
    *,
    actor: Any,
    first_name: str,
    last_name: str,
    phone: str,
    postcode: str,
    consent_to_contact: bool,
) -> Member:
    """A member edits their own record; a change of consent is dated and sourced."""
    member = Member.objects.select_for_update().filter(user=actor).first()
    if member is None:
        raise PermissionDenied("Only a member can edit a member profile.")
    changed = []
    for field, value in (
        ("first_name", first_name.strip()),
        ("last_name", last_name.strip()),
        ("phone", phone.strip()),
        ("postcode", postcode.strip().upper()),
    ):
        if getattr(member, field) != value:
            setattr(member, field, value)
            changed.append(field)
    if consent_to_contact != member.consent_to_contact:
        member.consent_to_contact = consent_to_contact
        member.consent_recorded_at = now()
        member.consent_source = ConsentSource.PROFILE
        changed += ["consent_to_contact", "consent_recorded_at", "consent_source"]
    if changed:
        member.save(update_fields=[*changed, "updated_at"])
        record(
            actor=actor,
            action="update_own_profile",
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
        return len({p.line for p in self.problems if p.line})


def import_members(
    *,
    actor: Any,
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
    if actor is not None and not may(actor, Capability.IMPORT_MEMBERS):
        raise PermissionDenied("Only the national office may import members.")
    with transaction.atomic(durable=True):
        outcome = ImportOutcome(
            problems=list(parsed.problems), rows_read=parsed.rows_read, dry_run=dry_run
        )
        plan = _plan_import(parsed.rows, outcome.problems)
        outcome.unchanged = plan.unchanged
        refused = bool(outcome.problems) and not allow_partial
        if not refused:
            outcome.created, outcome.updated = len(plan.new), len(plan.changed)
            _write_import(plan)
            outcome.applied = not dry_run
        record(
            actor=actor,
            action="import_members",
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


@dataclass
class _ImportPlan:
    new: list[Member]
    changed: list[Member]
    unchanged: int
    # members whose other groups the file sets, with those groups
    other_groups: list[tuple[Member, frozenset[int]]]
    replace_links_of: list[int]


def _chunks(values: list[Any], size: int = LOOKUP_CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _plan_import(rows: list[MemberRow], problems: list[Problem]) -> _ImportPlan:
    """Match rows to existing members and work out what to write; add conflicts to problems."""
    by_number: dict[str, Member] = {}
    by_email: dict[str, Member] = {}
    numbers = [r.membership_number for r in rows if r.membership_number]
    for chunk in _chunks(numbers):
        for found in Member.objects.filter(membership_number__in=chunk):
            by_number[found.membership_number.upper()] = found
    emails = [r.email.lower() for r in rows]
    for chunk in _chunks(emails):
        for found in Member.objects.alias(email_lower=Lower("email")).filter(email_lower__in=chunk):
            by_email[found.email.lower()] = found
    matched = [m.pk for m in {*by_number.values(), *by_email.values()}]
    links: dict[int, set[int]] = {}
    through = Member.other_groups.through
    for chunk in _chunks(matched):
        for member_id, group_id in through.objects.filter(member_id__in=chunk).values_list(
            "member_id", "group_id"
        ):
            links.setdefault(member_id, set()).add(group_id)

    plan = _ImportPlan(new=[], changed=[], unchanged=0, other_groups=[], replace_links_of=[])
    claimed: dict[int, int] = {}
    taken_numbers = set(numbers)
    next_number = _first_free_number()
    stamp = now()
    for row in rows:
        member = by_number.get(row.membership_number) if row.membership_number else None
        holder = by_email.get(row.email.lower())
        number_is_new = member is None and bool(row.membership_number)
        if holder is not None and (number_is_new or (member and holder.pk != member.pk)):
            problems.append(
                Problem(
                    row.line,
                    "email",
                    f"{row.email} already belongs to member {holder.membership_number}, "
                    "not to the membership number on this row.",
                )
            )
            continue
        member = member or holder
        if member is not None:
            if member.pk in claimed:
                problems.append(
                    Problem(
                        row.line,
                        "membership_number",
                        f"This row and line {claimed[member.pk]} both match member "
                        f"{member.membership_number}.",
                    )
                )
                continue
            claimed[member.pk] = row.line
            changed = [f for f in IMPORT_FIELDS if getattr(member, f) != getattr(row, f)]
            groups_changed = links.get(member.pk, set()) != row.other_group_ids
            for name in changed:
                setattr(member, name, getattr(row, name))
            if changed:
                member.updated_at = stamp
                plan.changed.append(member)
            if groups_changed:
                plan.replace_links_of.append(member.pk)
                plan.other_groups.append((member, row.other_group_ids))
                if not changed:
                    plan.changed.append(member)
            if not changed and not groups_changed:
                plan.unchanged += 1
            continue
        number = row.membership_number
        if not number:
            while f"GR{next_number:07d}" in taken_numbers:
                next_number += 1
            number = f"GR{next_number:07d}"
            taken_numbers.add(number)
        member = Member(membership_number=number, **{f: getattr(row, f) for f in IMPORT_FIELDS})
        plan.new.append(member)
        if row.other_group_ids:
            plan.other_groups.append((member, row.other_group_ids))
    return plan


def _first_free_number() -> int:
    highest = (
        Member.objects.filter(membership_number__regex=NEW_NUMBER_RE)
        .aggregate(highest=Max("membership_number"))
        .get("highest")
    )
    return int(highest[2:]) + 1 if highest else 1


def _write_import(plan: _ImportPlan) -> None:
    Member.objects.bulk_create(plan.new, batch_size=IMPORT_BATCH)
    Member.objects.bulk_update(
        plan.changed, [*IMPORT_FIELDS, "updated_at"], batch_size=IMPORT_BATCH // 2
    )
    through = Member.other_groups.through
    for chunk in _chunks(plan.replace_links_of):
        through.objects.filter(member_id__in=chunk).delete()
    through.objects.bulk_create(
        [
            through(member_id=member.pk, group_id=group_id)
            for member, group_ids in plan.other_groups
            for group_id in sorted(group_ids)
        ],
        batch_size=IMPORT_BATCH,
    )
