"""Membership of other organisations (issue 16; docs/slates.md has the whole argument).

A member declares on their profile that they belong to another organisation and gives their
membership number there (:func:`declare_membership`). The national office adds the
organisations a ballot's rules may name and imports each one's membership list as CSV
(:func:`import_organisation_list`): the columns are ``membership_number`` and, optionally,
``email``; every bad row is reported by its line and nothing is stored unless every row is
good, so a bad file never loses the list already held. The list is kept only as keyed
digests (:func:`digest`), replaced whole by the next import and deleted
``GRASSROOTS_ORGANISATION_LIST_RETENTION_DAYS`` after it was imported
(:func:`delete_expired_lists`, run by ``manage.py apply_retention``).

A declaration is *confirmed* when the list holds its number and, where the list's row gives an
email address, that address is the member's. Confirmation is worked out when a list is imported
and when a member declares, and stored on the declaration (``confirmed_by``), so the roll's
query needs no digest: ``grassroots.ballots.eligibility`` reads it in SQL.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record
from grassroots.organisation.permissions import NATION, Capability, may
from grassroots.people.models import (
    DeclaredMembership,
    Member,
    OrganisationList,
    OrganisationListEntry,
    OtherOrganisation,
)

COLUMNS = ("membership_number", "email")
REQUIRED = "membership_number"
MAX_ROWS = 500_000
MAX_REPORTED = 200  # row errors listed on the page; the count is always exact
MAX_NUMBER = 40
DEFAULT_LIST_RETENTION_DAYS = 365
_NUMBER_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-/")


class AffiliationError(Exception):
    """A change or a file the rules refuse, with the reason to show the person."""


# --- The list's file ----------------------------------------------------------------------------


def normalise_number(text: str) -> str:
    """A membership number as compared: spaces dropped, letters upper-case."""
    return "".join(text.split()).upper()


def number_problem(text: str) -> str:
    """Why ``text`` is not a membership number ("" if it is): 1 to 40 letters, digits, "-"
    or "/"."""
    number = normalise_number(text)
    if not number:
        return gettext("has no membership number")
    if len(number) > MAX_NUMBER:
        return gettext("the membership number is longer than %(most)d characters") % {
            "most": MAX_NUMBER
        }
    if not set(number) <= _NUMBER_CHARS:
        return gettext(
            "the membership number “%(number)s” has characters other than letters, digits, "
            "“-” and “/”"
        ) % {"number": text.strip()[:MAX_NUMBER]}
    return ""


def email_problem(text: str) -> str:
    try:
        validate_email(text)
    except ValidationError:
        return gettext("the email address “%(email)s” is not an email address") % {
            "email": text[:60]
        }
    return ""


@dataclass
class ParsedList:
    """A list file read: its good rows (normalised number, lower-case email or "") and every
    problem, each naming its line. Usable only when ``errors`` is empty."""

    rows: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    error_count: int = 0

    def error(self, line: int, text: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED:
            self.errors.append(
                gettext("Row %(line)d: %(problem)s.") % {"line": line, "problem": text}
            )


def read_list(lines: Iterable[str]) -> ParsedList:
    """Read an organisation's membership list (CSV with a header row). Never raises on bad
    content: every problem is in the result, by line (the header is row 1)."""
    parsed = ParsedList()
    reader = csv.reader(lines)
    try:
        header = next(reader, None)
    except csv.Error as error:
        parsed.error(1, gettext("cannot be read as CSV (%(error)s)") % {"error": error})
        return parsed
    if header is None or not any(cell.strip() for cell in header):
        parsed.error(1, gettext("the file is empty: the first row must name the columns"))
        return parsed
    names = [cell.strip().lstrip("\ufeff").lower() for cell in header]
    expected = gettext("%(required)s and %(optional)s (optional)") % {
        "required": COLUMNS[0],
        "optional": COLUMNS[1],
    }
    for name in names:
        if name not in COLUMNS:
            parsed.error(
                1,
                gettext("unknown column “%(name)s”; the columns are %(expected)s")
                % {"name": name[:40], "expected": expected},
            )
    for name in sorted(set(names)):
        if names.count(name) > 1 and name in COLUMNS:
            parsed.error(1, gettext("the column “%(name)s” is given twice") % {"name": name})
    if REQUIRED not in names:
        parsed.error(
            1,
            gettext("there is no “%(name)s” column; the columns are %(expected)s")
            % {"name": REQUIRED, "expected": expected},
        )
    if parsed.errors:
        return parsed
    i_number = names.index(REQUIRED)
    i_email = names.index("email") if "email" in names else None
    width = len(names)
    first_line: dict[str, int] = {}
    first_email: dict[str, int] = {}
    line = 1
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(parsed.rows) + parsed.error_count >= MAX_ROWS:
                parsed.error(
                    line,
                    gettext("the file has more than %(most)s rows: split it")
                    % {"most": f"{MAX_ROWS:,}"},
                )
                return parsed
            if len(row) != width:
                parsed.error(
                    line,
                    gettext("has %(count)d columns where the header has %(width)d")
                    % {"count": len(row), "width": width},
                )
                continue
            raw_number = row[i_number]
            problem = number_problem(raw_number)
            email = row[i_email].strip().lower() if i_email is not None else ""
            if not problem and email:
                problem = email_problem(email)
            if problem:
                parsed.error(line, problem)
                continue
            number = normalise_number(raw_number)
            if number in first_line:
                parsed.error(
                    line,
                    gettext("the membership number %(number)s is also on row %(line)d")
                    % {"number": number, "line": first_line[number]},
                )
                continue
            if email and email in first_email:
                parsed.error(
                    line,
                    gettext("the email address %(email)s is also on row %(line)d")
                    % {"email": email[:60], "line": first_email[email]},
                )
                continue
            first_line[number] = line
            if email:
                first_email[email] = line
            parsed.rows.append((number, email))
    except csv.Error as error:
        parsed.error(line + 1, gettext("cannot be read as CSV (%(error)s)") % {"error": error})
    return parsed


# --- Digests ------------------------------------------------------------------------------------


def digest(organisation: OtherOrganisation, kind: str, value: str) -> str:
    """A keyed digest (HMAC-SHA256 under a key derived from SECRET_KEY) of a number or an email
    in one organisation's list: equal values give equal digests, and without the key a digest
    cannot be tested against a guess. Rotating SECRET_KEY means importing the lists again."""
    message = f"{organisation.pk}:{kind}:{value}"
    return salted_hmac("grassroots.people.affiliations", message, algorithm="sha256").hexdigest()


def _number_digest(organisation: OtherOrganisation, number: str) -> str:
    return digest(organisation, "number", normalise_number(number))


def _email_digest(organisation: OtherOrganisation, email: str) -> str:
    return digest(organisation, "email", email.strip().lower())


def _confirm(
    organisation: OtherOrganisation,
    imported: OrganisationList | None,
    declarations: Iterable[DeclaredMembership],
) -> int:
    """Set or clear ``confirmed_by`` on ``declarations`` (with their members loaded) against
    ``imported``; returns how many are confirmed."""
    entries: dict[str, str] = {}
    if imported is not None:
        entries = dict(
            OrganisationListEntry.objects.filter(imported_list=imported)
            .values_list("number_digest", "email_digest")
            .iterator(10_000)
        )
    changed = []
    confirmed = 0
    for declaration in declarations:
        listed = entries.get(_number_digest(organisation, declaration.membership_number))
        holds = listed is not None and (
            listed == "" or listed == _email_digest(organisation, declaration.member.email)
        )
        target = imported.pk if holds and imported is not None else None
        confirmed += holds
        if declaration.confirmed_by_id != target:
            declaration.confirmed_by_id = target
            changed.append(declaration)
    DeclaredMembership.objects.bulk_update(changed, ["confirmed_by"], batch_size=2_000)
    return confirmed


# --- Who may ------------------------------------------------------------------------------------


def may_check_affiliations(actor: User) -> bool:
    return may(actor, Capability.CHECK_AFFILIATIONS, NATION)


def _require(actor: User) -> None:
    if not may_check_affiliations(actor):
        raise PermissionDenied(gettext("You may not manage other organisations' lists."))


def _own_member(actor: User) -> Member:
    member = Member.objects.filter(user=actor, erased_at__isnull=True).first()
    if member is None:
        raise PermissionDenied(gettext("You have no member record."))
    return member


# --- The national office ------------------------------------------------------------------------


@transaction.atomic(durable=True)
def add_organisation(*, actor: User, name: str) -> OtherOrganisation:
    _require(actor)
    name = " ".join(name.split())
    if not name:
        raise AffiliationError(gettext("Give the organisation's name."))
    if OtherOrganisation.objects.filter(name__iexact=name).exists():
        raise AffiliationError(
            gettext("“%(name)s” is already on the list of organisations.") % {"name": name}
        )
    organisation = OtherOrganisation.objects.create(name=name, created_at=clock.now())
    record(
        actor=actor,
        action=AuditAction.ADD_OTHER_ORGANISATION,
        subject_type="other_organisation",
        subject_id=organisation.pk,
        detail={"name": name},
    )
    return organisation


@dataclass
class ListImportResult:
    rows: int = 0
    confirmed: int = 0
    declarations: int = 0
    errors: list[str] = field(default_factory=list)
    error_count: int = 0

    @property
    def is_stored(self) -> bool:
        return self.error_count == 0


@transaction.atomic(durable=True)
def import_organisation_list(
    *, actor: User, organisation: OtherOrganisation, text: str | Iterable[str]
) -> ListImportResult:
    """Replace the organisation's membership list with the file's, if every row is good;
    otherwise store nothing (the list already held stays) and report every bad row."""
    _require(actor)
    lines = io.StringIO(text) if isinstance(text, str) else text
    hasher = hashlib.sha256()

    def hashed(source: Iterable[str]) -> Iterable[str]:
        for piece in source:
            hasher.update(piece.encode("utf-8"))
            yield piece

    parsed = read_list(hashed(lines))
    result = ListImportResult(
        rows=len(parsed.rows), errors=parsed.errors, error_count=parsed.error_count
    )
    if parsed.error_count:
        return result
    OrganisationList.objects.filter(organisation=organisation).delete()
    imported = OrganisationList.objects.create(
        organisation=organisation,
        imported_at=clock.now(),
        imported_by_label=str(actor.email),
        rows=len(parsed.rows),
        sha256=hasher.hexdigest(),
    )
    OrganisationListEntry.objects.bulk_create(
        (
            OrganisationListEntry(
                imported_list=imported,
                number_digest=digest(organisation, "number", number),
                email_digest=_email_digest(organisation, email) if email else "",
            )
            for number, email in parsed.rows
        ),
        batch_size=5_000,
    )
    declarations = list(
        DeclaredMembership.objects.filter(organisation=organisation).select_related("member")
    )
    result.declarations = len(declarations)
    result.confirmed = _confirm(organisation, imported, declarations)
    record(
        actor=actor,
        action=AuditAction.IMPORT_ORGANISATION_LIST,
        subject_type="other_organisation",
        subject_id=organisation.pk,
        purpose="eligibility: membership of another organisation",
        detail={
            "rows": result.rows,
            "sha256": imported.sha256,
            "declarations": result.declarations,
            "confirmed": result.confirmed,
        },
    )
    return result


@transaction.atomic(durable=True)
def declarations_for(
    *, actor: User, organisation: OtherOrganisation, purpose: str
) -> list[DeclaredMembership]:
    """The members who declared membership of ``organisation``, for the national office; the
    read is audited with its purpose and how many it showed."""
    _require(actor)
    purpose = " ".join(purpose.split())
    if not purpose:
        raise AffiliationError(gettext("Say why you are reading the declarations; it is audited."))
    shown = list(
        DeclaredMembership.objects.filter(organisation=organisation, member__erased_at__isnull=True)
        .select_related("member")
        .order_by("member__last_name", "member__first_name", "id")
    )
    record(
        actor=actor,
        action=AuditAction.VIEW_MEMBERSHIP_DECLARATIONS,
        subject_type="other_organisation",
        subject_id=organisation.pk,
        purpose=purpose[:200],
        detail={"shown": len(shown)},
    )
    return shown


def list_retention_days() -> int:
    return int(
        getattr(
            settings, "GRASSROOTS_ORGANISATION_LIST_RETENTION_DAYS", DEFAULT_LIST_RETENTION_DAYS
        )
    )


def delete_expired_lists(on: datetime.datetime | None = None) -> int:
    """Delete every imported list older than the retention period (its declarations stop
    being confirmed); returns how many. One transaction each, audited as the system."""
    cutoff = (on or clock.now()) - datetime.timedelta(days=list_retention_days())
    deleted = 0
    for imported in OrganisationList.objects.filter(imported_at__lt=cutoff).order_by("pk"):
        with transaction.atomic(durable=True):
            organisation_id = imported.organisation_id
            rows = imported.rows
            imported.delete()
            record(
                actor=None,
                action=AuditAction.DELETE_ORGANISATION_LIST,
                subject_type="other_organisation",
                subject_id=organisation_id,
                purpose=f"retention: imported more than {list_retention_days()} days ago",
                detail={"rows": rows},
            )
        deleted += 1
    return deleted


# --- The member ---------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def declare_membership(
    *, actor: User, organisation: OtherOrganisation, membership_number: str
) -> DeclaredMembership:
    """Declare (or correct) the actor's own membership of ``organisation``; checked at once
    against its imported list, if one is held."""
    member = _own_member(actor)
    problem = number_problem(membership_number)
    if problem:
        raise AffiliationError(
            gettext("Your membership number: %(problem)s.")
            % {"problem": problem.removeprefix("the ")}
        )
    declaration, _ = DeclaredMembership.objects.update_or_create(
        member=member,
        organisation=organisation,
        defaults={
            "membership_number": normalise_number(membership_number),
            "declared_at": clock.now(),
        },
    )
    declaration.member = member
    imported = OrganisationList.objects.filter(organisation=organisation).first()
    _confirm(organisation, imported, [declaration])
    record(
        actor=actor,
        action=AuditAction.DECLARE_MEMBERSHIP,
        subject_type="member",
        subject_id=member.membership_number,
        detail={"organisation": organisation.pk, "confirmed": declaration.is_confirmed},
    )
    return declaration


@transaction.atomic(durable=True)
def withdraw_declaration(*, actor: User, organisation: OtherOrganisation) -> None:
    member = _own_member(actor)
    deleted, _ = DeclaredMembership.objects.filter(
        member=member, organisation=organisation
    ).delete()
    if deleted:
        record(
            actor=actor,
            action=AuditAction.WITHDRAW_MEMBERSHIP_DECLARATION,
            subject_type="member",
            subject_id=member.membership_number,
            detail={"organisation": organisation.pk},
        )


def own_declarations(actor: User) -> list[DeclaredMembership]:
    member = Member.objects.filter(user=actor, erased_at__isnull=True).first()
    if member is None:
        return []
    return list(
        DeclaredMembership.objects.filter(member=member).select_related(
            "organisation", "confirmed_by"
        )
    )
