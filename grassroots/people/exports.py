"""Member-list CSV exports: only for EXPORT_MEMBERS, through a signed link that expires, with a
watermark naming who exported it, when and why, and an audit row for each export and download.

The link carries no personal data: only the person's id, the list's filters and the stated
purpose, signed so none of them can be changed. Downloading re-checks the permission and the
scope, so a link outlives neither the role nor the agreement behind it.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record
from grassroots.organisation.permissions import Capability, scopes_for
from grassroots.people.importing import FORMULA_STARTS  # one definition of CSV injection
from grassroots.people.models import Member
from grassroots.people.queries import FOLLOW_UP_PURPOSES, FollowUp, MemberFilters, search_members

LINK_MINUTES = 15
SALT = "grassroots.people.member_export"
COLUMNS = (
    "membership_number",
    "first_name",
    "last_name",
    "email",
    "phone",
    "postcode",
    "status",
    "home_group",
    "joined_on",
    "renewal_due_on",
)


class ExportLinkExpired(Exception):
    """A genuine link older than LINK_MINUTES."""


class ExportLinkInvalid(Exception):
    """A forged or altered link, or one made for someone else."""


@dataclass(frozen=True)
class ExportRequest:
    user_id: int
    filters: MemberFilters
    purpose: str


def may_export(actor: User | AnonymousUser) -> bool:
    return not scopes_for(actor, Capability.EXPORT_MEMBERS).is_empty


def neutralise(value: object) -> str:
    """The cell as text, with a leading single quote when a spreadsheet would run it."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def clean_purpose(purpose: str) -> str:
    """One line: the purpose goes into the watermark comment and the audit row."""
    return " ".join(purpose.split())[:200]


def exported_members(actor: User | AnonymousUser, filters: MemberFilters) -> Any:
    """The members ``actor`` may export that match ``filters``: the member list's search,
    within the EXPORT_MEMBERS scope, erased records left out."""
    return search_members(actor, filters, capability=Capability.EXPORT_MEMBERS).filter(
        erased_at__isnull=True
    )


def create_export(*, actor: User | AnonymousUser, filters: MemberFilters, purpose: str) -> str:
    """Audit the export with its purpose and row count; return the signed download token."""
    if not may_export(actor):
        raise PermissionError(gettext("No member exports for you."))
    purpose = clean_purpose(purpose)
    rows = exported_members(actor, filters).count()
    detail: dict[str, Any] = {**asdict(filters), "rows": rows, "minutes": LINK_MINUTES}
    record(
        actor=actor,
        action=AuditAction.EXPORT_MEMBERS,
        subject_type="member_list",
        purpose=purpose,
        detail=detail,
    )
    return signing.TimestampSigner(salt=SALT).sign_object(
        {"u": actor.pk, "f": asdict(filters), "p": purpose}, compress=True
    )


def read_token(token: str, *, actor: User | AnonymousUser) -> ExportRequest:
    """The export a token stands for, if it is genuine, recent and made for ``actor``."""
    signer = signing.TimestampSigner(salt=SALT)
    try:
        payload = signer.unsign_object(token, max_age=datetime.timedelta(minutes=LINK_MINUTES))
    except signing.SignatureExpired as error:
        raise ExportLinkExpired from error
    except (signing.BadSignature, ValueError) as error:
        raise ExportLinkInvalid from error
    try:
        request = ExportRequest(
            user_id=int(payload["u"]),
            filters=MemberFilters(**payload["f"]),
            purpose=str(payload["p"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ExportLinkInvalid from error
    if request.user_id != actor.pk:
        raise ExportLinkInvalid
    return request


def watermark(actor: User, purpose: str, at: datetime.datetime) -> str:
    stamp = at.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return (
        f"# Exported by {actor.email} at {stamp} for {clean_purpose(purpose)}; "
        "personal data - handle under the data protection agreement"
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def _row(member: Member) -> list[object]:
    return [
        member.membership_number,
        member.first_name,
        member.last_name,
        member.email,
        member.phone,
        member.postcode,
        member.get_status_display(),
        member.home_group.name,
        member.joined_on,
        member.renewal_due_on or "",
    ]


def csv_lines(actor: User, members: Iterable[Member], purpose: str) -> Iterator[str]:
    """The watermark, the header and one line per member, every cell neutralised.

    The watermark is one cell, quoted as any other: the purpose is typed by the exporter, and
    written bare its commas and quotes would start new cells, one of them a formula."""
    writer = csv.writer(_Echo())
    yield writer.writerow([neutralise(watermark(actor, purpose, clock.now()))])
    yield writer.writerow(COLUMNS)
    for member in members:
        yield writer.writerow([neutralise(cell) for cell in _row(member)])


def download(*, actor: User, request: ExportRequest) -> Iterator[str]:
    """Re-check the permission and scope now, audit the download, and stream the CSV."""
    if not may_export(actor):
        raise PermissionError(gettext("No member exports for you."))
    members = exported_members(actor, request.filters)
    rows = members.count()
    record(
        actor=actor,
        action=AuditAction.DOWNLOAD_MEMBER_EXPORT,
        subject_type="member_list",
        purpose=request.purpose,
        detail={**asdict(request.filters), "rows": rows},
    )
    return csv_lines(actor, members.iterator(chunk_size=2000), request.purpose)


def default_purpose(filters: MemberFilters) -> str:
    return "export of the " + FOLLOW_UP_PURPOSES[FollowUp(filters.follow_up)]
