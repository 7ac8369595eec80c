"""Erasure and retention: a member's record pseudonymised in place, never deleted.

The row stays because ballot rolls, role history and mail reports point at it and their counts
must not change; what identifies the person goes. docs/data-protection.md says what is kept,
what goes and why (audit rows, published candidates, the suppression list).
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record
from grassroots.organisation.permissions import NATION, Capability, may
from grassroots.people.erasure_rules import ERASED_NAME, Erasure, apply_rules, erased_label
from grassroots.people.models import ErasedAddress, Member, MembershipStatus

ERASED_EMAIL_DOMAIN = "erased.invalid"  # RFC 2606: a domain that can never receive mail
DEFAULT_LAPSED_RETENTION_DAYS = 730
_SUPPRESSION_KEY_LABEL = b"grassroots.people.suppression.v1"


def normalise_email(email: str) -> str:
    return email.strip().casefold()


@functools.lru_cache(maxsize=8)
def _suppression_key(secret_key: str) -> bytes:
    # A key of its own, derived from SECRET_KEY, so a digest is useless to anyone who does not
    # also hold the server's secret (and the secret itself is never used directly as a MAC key).
    return hmac.new(secret_key.encode("utf-8"), _SUPPRESSION_KEY_LABEL, hashlib.sha256).digest()


def suppression_digest(email: str, *, secret_key: str | None = None) -> str:
    """HMAC-SHA256 of the normalised address under the suppression key, as hex."""
    key = _suppression_key(secret_key if secret_key is not None else settings.SECRET_KEY)
    return hmac.new(key, normalise_email(email).encode("utf-8"), hashlib.sha256).hexdigest()


def suppression_digests(email: str) -> list[str]:
    """The digests of ``email`` under SECRET_KEY and every SECRET_KEY_FALLBACKS entry, so a
    rotated secret does not silently empty the suppression list."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [suppression_digest(email, secret_key=k) for k in keys]


def suppressed_emails(emails: Iterable[str]) -> set[str]:
    """The addresses among ``emails`` (as given) that belong to erased members.

    The suppression list is small beside the membership, so it is read whole in one query and
    the addresses are hashed only when it holds anything: a 100,000-row import then costs one
    query, not a hundred thousand HMACs and twenty long ``IN`` lists."""
    listed = set(ErasedAddress.objects.values_list("digest", flat=True))
    if not listed:
        return set()
    return {
        email for email in emails if any(digest in listed for digest in suppression_digests(email))
    }


def may_erase_members(actor: User | AnonymousUser | None) -> bool:
    """Erasure is the national office's: editing members everywhere, not in a group's scope."""
    return may(actor, Capability.EDIT_MEMBERS, NATION)


def erased_email(member: Member) -> str:
    return f"erased-{member.membership_number.lower()}@{ERASED_EMAIL_DOMAIN}"


@transaction.atomic(durable=True)
def erase_member(*, actor: User | None, member: Member, reason: str) -> Member:
    """Pseudonymise ``member``: the person goes, the row and its counts stay.

    Every row elsewhere that names the member or their login is handled by its rule in
    ``erasure_rules.RULES``. All of it is one transaction: a failure anywhere leaves
    everything as it was. ``actor`` None is the command line (``apply_retention``), whose
    operator holds the server. Erasing an erased member again changes nothing and is refused.
    """
    if actor is not None and not may_erase_members(actor):
        raise PermissionDenied(gettext("Only the national office may erase a member's record."))
    reason = reason.strip()
    if not reason:
        raise ValueError("Say why the record is erased.")
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.is_erased:
        raise ValueError(f"Member {member.membership_number} is already erased.")
    stamp = clock.now()
    ErasedAddress.objects.get_or_create(
        digest=suppression_digest(member.email), defaults={"erased_at": stamp}
    )
    user = member.user
    context = Erasure(
        member=member,
        user_id=user.pk if user is not None else None,
        emails=frozenset(_addresses_used(member, user)),
        label=erased_label(member),
    )
    apply_rules(context, after_login_deleted=False)
    member.first_name, member.last_name = ERASED_NAME
    member.email = erased_email(member)
    member.phone = ""
    member.postcode = ""
    member.consent_to_contact = False
    member.consent_recorded_at = None
    member.consent_source = ""
    member.language = ""
    member.user = None
    member.erased_at = stamp
    member.save()
    if user is not None:
        # Deleting the login removes its email addresses (allauth), authenticators, API tokens
        # and password, and clears the links other rows held to it (their rules say which).
        user.delete()
    apply_rules(context, after_login_deleted=True)
    record(
        actor=actor,
        action=AuditAction.ERASE_MEMBER,
        subject_type="member",
        subject_id=member.membership_number,
        purpose=reason[:200],
        detail={"had_login": user is not None},
    )
    return member


def _addresses_used(member: Member, user: Any) -> set[str]:
    emails = {member.email}
    if user is not None:
        from allauth.account.models import EmailAddress

        emails.add(user.email)
        emails.update(EmailAddress.objects.filter(user=user).values_list("email", flat=True))
    return {e for e in emails if e}


def lapsed_retention_days() -> int:
    return int(getattr(settings, "GRASSROOTS_LAPSED_RETENTION_DAYS", DEFAULT_LAPSED_RETENTION_DAYS))


def members_past_retention(on: datetime.date | None = None) -> list[Member]:
    """Lapsed members whose renewal fell due (or who joined, if no renewal date was ever set)
    more than the retention period before ``on``."""
    cutoff = (on or clock.today()) - datetime.timedelta(days=lapsed_retention_days())
    return list(
        Member.objects.filter(status=MembershipStatus.LAPSED, erased_at__isnull=True)
        .alias(lapsed_on=Coalesce("renewal_due_on", "joined_on"))
        .filter(Q(lapsed_on__lt=cutoff))
        .order_by("membership_number")
    )


@dataclass(frozen=True)
class RetentionRun:
    due: list[str]  # membership numbers past the retention period
    erased: list[str]
    dry_run: bool


def apply_retention(*, dry_run: bool) -> RetentionRun:
    """Pseudonymise every lapsed member past the retention period, one transaction each (a
    failure part way keeps the erasures already done, and the next run carries on)."""
    due = members_past_retention()
    erased: list[str] = []
    if not dry_run:
        reason = f"retention: lapsed more than {lapsed_retention_days()} days"
        for member in due:
            erase_member(actor=None, member=member, reason=reason)
            erased.append(member.membership_number)
    return RetentionRun(due=[m.membership_number for m in due], erased=erased, dry_run=dry_run)
